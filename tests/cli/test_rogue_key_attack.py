"""The whole attack of someone who can write the database but holds none of our keys, run to the
end with our own code, against the real `trustguardian` command, on SQLite and PostgreSQL.

A withdrawal is rewritten as a consent (row, leaf and consent state), the Merkle tree is rebuilt
over the leaves, a key of the attacker's is registered and every checkpoint is re-signed with it:
everything in the database agrees with everything else. Only the keys pinned outside it (the key
file) tell it from the real ledger: `trustguardian verify` exits non-zero naming the key it does
not trust, and neither `ledger keys` nor GET /v1/ledger/keys presents that key as genuine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from tests.factories.cli import instance_env, tg
from tests.factories.events import ENGAGE_TP, PURPOSE, make_draft, record_one, setup_registry
from tests.factories.tamper import (
    re_sign_every_checkpoint,
    rebuild_tree,
    refold,
    register_key,
    rewrite_event,
)

import trustguardian
from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.ledger import Signer
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.ops import keyring

SRC = Path(trustguardian.__file__).resolve().parents[1]


def _verify(ctx: Context, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`trustguardian verify` in a process of its own, as an operator or inspector runs it."""
    env = {**os.environ, **instance_env(ctx, tmp_path), "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "trustguardian", "verify", "--no-evidence"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _withdrawn(ctx: Context) -> tuple[str, int]:
    """Mario consents on the web form, then withdraws through the newsletter footer."""
    setup_registry(ctx)
    given = record_one(ctx, make_draft())
    withdrawn = record_one(
        ctx, make_draft(EventKind.CONSENT_WITHDRAWN, touchpoint=ENGAGE_TP, channels=())
    )
    keyring.register_signing_key(ctx)
    assert withdrawn.subject_id == given.subject_id
    return given.subject_id, withdrawn.seq


def _rewrite_withdrawal_as_consent(ctx: Context, subject_id: str, seq: int) -> None:
    rewrite_event(ctx, seq, kind=EventKind.CONSENT_GIVEN.value)
    refold(ctx, subject_id, PURPOSE)
    rebuild_tree(ctx)


def _allowed(ctx: Context, subject_id: str) -> bool:
    request = CheckRequest(PURPOSE, Channel.EMAIL, subject_id=subject_id)
    return check_contact(ctx, request=request).allowed


def test_a_rogue_key_re_signing_a_rewritten_ledger_fails_verify_and_is_never_genuine(
    ctx: Context, tmp_path: Path
) -> None:
    subject_id, seq = _withdrawn(ctx)
    honest = _verify(ctx, tmp_path)
    assert honest.returncode == 0, honest.stdout + honest.stderr
    assert not _allowed(ctx, subject_id)
    # The inspector's key is made before the attack (making it appends a leaf, signed).
    _, admin = create_api_key(ctx, name="inspector", scopes=[Scope.EVENTS_READ])

    rogue = Signer.generate(ctx.keys.signer.name)
    register_key(ctx, rogue)
    _rewrite_withdrawal_as_consent(ctx, subject_id, seq)
    assert re_sign_every_checkpoint(ctx, rogue) >= 2  # the registry's and the events'
    assert _allowed(ctx, subject_id)  # the database now says what the attacker wants

    attacked = _verify(ctx, tmp_path)
    out = attacked.stdout + attacked.stderr
    assert attacked.returncode != 0, out
    assert "Traceback" not in out
    assert rogue.verifier.fingerprint in out, out
    named = [line for line in out.splitlines() if rogue.verifier_key in line]
    assert named, out
    assert "not trusted" in named[0], out
    # The events and the tree agree with each other: what gives the attack away is trust, and
    # the key register itself, whose rows no longer match the leaves that recorded them.
    differing = [line for line in out.splitlines() if "differs" in line]
    assert all("signing key" in line for line in differing), out

    listed = tg("ledger", "keys", env={**os.environ, **instance_env(ctx, tmp_path)})
    assert listed.returncode == 0, listed.stderr
    [rogue_line] = [line for line in listed.stdout.splitlines() if rogue.key_hash.hex() in line]
    assert "UNTRUSTED" in rogue_line

    client = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin}"})
    published = {k["verifier_key"]: k for k in client.get("/v1/ledger/keys").json()}
    assert published[rogue.verifier_key]["trusted"] is False
    assert "not pinned" in published[rogue.verifier_key]["trust"]
    assert published[ctx.keys.signer.verifier_key]["trusted"] is True


def test_deleting_the_key_files_key_from_the_database_and_re_signing_fails_verify(
    ctx: Context, tmp_path: Path
) -> None:
    subject_id, seq = _withdrawn(ctx)
    rogue = Signer.generate(ctx.keys.signer.name)
    register_key(ctx, rogue, replace_all=True)  # the real key is gone from the register
    _rewrite_withdrawal_as_consent(ctx, subject_id, seq)
    re_sign_every_checkpoint(ctx, rogue)

    attacked = _verify(ctx, tmp_path)
    out = attacked.stdout + attacked.stderr
    assert attacked.returncode != 0, out
    assert rogue.verifier.fingerprint in out, out
    assert any(rogue.verifier_key in line and "not trusted" in line for line in out.splitlines())
    # The key file's key is still what verify trusts, and it says so first.
    assert out.splitlines()[0].startswith(f"trusting {ctx.keys.signer.verifier_key}"), out
