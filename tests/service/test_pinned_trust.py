"""Trust comes from keys pinned outside the database: a key written into the register by
whoever can write the database never makes its checkpoints acceptable, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, update
from tests.factories.events import (
    LUIGI,
    email,
    make_draft,
    record_one,
    setup_registry,
)
from tests.factories.tamper import re_sign_every_checkpoint

from trustguardian.ledger import Signer
from trustguardian.ledger.leaves import endorsement_text
from trustguardian.service.context import Context, build_context
from trustguardian.service.ops import keyring
from trustguardian.service.ops.rotation import rotate_signing_key
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t


def _history(ctx: Context) -> None:
    setup_registry(ctx)
    record_one(ctx, make_draft())
    record_one(ctx, make_draft(identifiers=(email(LUIGI),)))
    keyring.register_signing_key(ctx)


def _register(ctx: Context, rogue: Signer, *, endorsement: str | None, start: int = 0) -> None:
    with ctx.engine.begin() as c:
        c.execute(
            update(t.signing_keys)
            .where(t.signing_keys.c.until_tree_size.is_(None))
            .values(until_tree_size=start - 1 if start else 0)
        )
        c.execute(
            insert(t.signing_keys).values(
                key_hash=rogue.verifier.key_hash.hex(),
                verifier_key=rogue.verifier_key,
                from_tree_size=start,
                until_tree_size=None,
                activated_at=ctx.clock.now(),
                retired_at=None,
                endorsement=endorsement,
            )
        )


def test_a_rogue_key_in_the_register_is_named_and_its_checkpoints_refused(ctx: Context) -> None:
    _history(ctx)
    assert verify_ledger(ctx, evidence=False).ok
    rogue = Signer.generate(ctx.keys.signer.name)
    _register(ctx, rogue, endorsement=None)
    assert re_sign_every_checkpoint(ctx, rogue) >= 2

    report = verify_ledger(ctx, evidence=False)
    assert not report.ok
    named = [p for p in report.problems if rogue.verifier_key in p]
    assert named, report.problems
    assert "not trusted" in named[0]
    assert rogue.verifier.fingerprint in named[0]
    assert any("checkpoint 2: signature" in p for p in report.problems), report.problems
    published = {k.verifier_key: k for k in keyring.signing_keys(ctx)}
    assert published[rogue.verifier_key].trusted is False
    assert published[ctx.keys.signer.verifier_key].trust == "pinned"


def test_deleting_the_real_key_and_re_signing_is_refused(ctx: Context) -> None:
    _history(ctx)
    rogue = Signer.generate(ctx.keys.signer.name)
    with ctx.engine.begin() as c:
        c.execute(delete(t.signing_keys))
    _register(ctx, rogue, endorsement=None)
    re_sign_every_checkpoint(ctx, rogue)
    report = verify_ledger(ctx, evidence=False)
    assert any(rogue.verifier_key in p and "not trusted" in p for p in report.problems)
    assert any("checkpoint 1: signature" in p for p in report.problems), report.problems


def test_an_endorsement_the_rogue_signed_itself_does_not_make_it_trusted(ctx: Context) -> None:
    _history(ctx)
    rogue = Signer.generate(ctx.keys.signer.name)
    size = verify_ledger(ctx, evidence=False).tree_size
    forged = rogue.sign(endorsement_text(rogue.verifier_key, rogue.name, size + 1))
    _register(ctx, rogue, endorsement=forged, start=size + 1)
    trust = {k.verifier_key: k for k in keyring.signing_keys(ctx)}[rogue.verifier_key]
    assert not trust.trusted
    assert "not signed by the key before it" in trust.trust


def test_a_rotation_chain_stays_trusted_from_the_pinned_keys(ctx: Context) -> None:
    _history(ctx)
    first = ctx.keys.signer.verifier_key
    rotate_signing_key(ctx)
    record_one(ctx, make_draft(identifiers=(email("anna@example.com"),)))
    keys = keyring.signing_keys(ctx)
    assert [k.trusted for k in keys] == [True, True]
    assert verify_ledger(ctx, evidence=False).ok
    # Without the key file's retired key, the old key is reached only by pinning it elsewhere:
    # the new key is pinned, but nothing before it endorsed the first one.
    stripped = ctx.settings.model_copy(update={"keys_file": ctx.settings.keys_file})
    forgetful = build_context(stripped)
    forgetful.keys = type(forgetful.keys)(
        master=forgetful.keys.master,
        signer=forgetful.keys.signer,
        retired_masters=forgetful.keys.retired_masters,
        pinned_blind_key=forgetful.keys.pinned_blind_key,
        pinned_token_key=forgetful.keys.pinned_token_key,
    )
    try:
        report = verify_ledger(forgetful, evidence=False)
        assert any(first in p and "not trusted" in p for p in report.problems), report.problems
        pinned = forgetful.settings.model_copy(update={"trusted_keys": first})
        forgetful.settings = pinned
        assert verify_ledger(forgetful, evidence=False).ok
    finally:
        forgetful.engine.dispose()
