"""An outside auditor checks the ledger from the CLI's JSON alone, with the independent verifier.

Events are recorded with `trustguardian events import` in two rounds; after each round the
auditor keeps the signed checkpoint. Then, holding only the public key printed by
`trustguardian ledger public-key` and the JSON printed by `ledger checkpoint`, `ledger proof` and
`ledger consistency`, it checks signatures, inclusion of several events and that the later tree
extends the earlier one, with `tests/ledger/independent_verifier.py` (which imports nothing
from trustguardian). Tampered proof elements, leaves, roots and signatures must be rejected.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TEST_MASTER_KEY
from tests.ledger import independent_verifier as iv
from typer.testing import CliRunner

from trustguardian.cli.app import app

FIRST, SECOND = 180, 127  # events in each round; neither total is a power of two


def cli(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def cli_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(cli(env, *args, "--json"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {
        "TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}",
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
    }
    cli(values, "init")
    for key, channel in (("newsletter", "email"), ("sms-marketing", "sms")):
        cli(
            values,
            *("purposes", "add", key, "--name", key.title(), "--basis", "consent"),
            *("--channel", channel, "--controller", "Bottega Rossi"),
            *("--retention-days", "730", "--marketing"),
        )
    cli(
        values,
        *("touchpoints", "add", "fair-stand", "--name", "Fair stand", "--kind", "collect"),
        *("--channel", "event", "--purpose", "newsletter", "--purpose", "sms-marketing"),
        *("--requires", "operator"),
    )
    cli(
        values,
        *("touchpoints", "add", "unsubscribe-link", "--name", "Unsubscribe", "--kind", "right"),
        *("--channel", "email", "--purpose", "newsletter"),
    )
    return values


def write_events(path: Path, start: int, count: int, base: datetime) -> None:
    lines = []
    for n in range(start, start + count):
        person = {"kind": "email", "value": f"person{n % 97}@example.com"}
        when = (base + timedelta(milliseconds=n)).isoformat().replace("+00:00", "Z")
        if n % 5 == 4:
            event: dict[str, Any] = {
                "kind": "consent.withdrawn",
                "touchpoint": "unsubscribe-link",
                "identifiers": [person],
                "purpose": "newsletter",
                "occurred_at": when,
            }
        else:
            event = {
                "kind": "consent.given",
                "touchpoint": "fair-stand",
                "identifiers": [person],
                "purpose": "newsletter" if n % 3 else "sms-marketing",
                "occurred_at": when,
                "proofs": [
                    {"type": "operator", "staff_member": f"Staff {n % 7}", "store": "Milano"},
                    {"type": "network", "ip": f"192.0.2.{n % 250}", "user_agent": "Kiosk/1.0"},
                ],
            }
        lines.append(json.dumps(event))
    path.write_text("\n".join(lines) + "\n")


def leaves_in_db(env: dict[str, str]) -> list[tuple[str | None, bytes]]:
    """(event id, leaf) in ledger order, the registry's own leaves with no event id: only to
    pick events to ask about and to cross-check."""
    path = env["TRUSTGUARDIAN_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT id, leaf, seq FROM events UNION ALL "
            "SELECT NULL, leaf, seq FROM registry_records ORDER BY seq"
        ).fetchall()
    conn.close()
    return [(r[0], bytes(r[1])) for r in rows]


def flip_b64(value: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def check_proof(proof: dict[str, Any], vkey: str, origin: str) -> iv.CheckpointBody:
    """What an auditor does with one `ledger proof --json`: raises VerificationError if bad."""
    checkpoint = iv.verify_checkpoint(proof["checkpoint"], vkey, origin=origin)
    if checkpoint.size != proof["tree_size"]:
        raise iv.VerificationError("proof is for another tree size than its checkpoint")
    leaf = base64.b64decode(proof["leaf"])
    leaf_hash = iv.hash_leaf(leaf)
    if base64.b64encode(leaf_hash).decode() != proof["leaf_hash"]:
        raise iv.VerificationError("leaf_hash is not the hash of leaf")
    content = json.loads(leaf)
    if content.get("id") != proof["event_id"] or content.get("seq") != proof["leaf_index"]:
        raise iv.VerificationError("leaf is not the event asked about")
    path = [base64.b64decode(p) for p in proof["inclusion_path"]]
    if not iv.verify_inclusion(
        proof["leaf_index"], checkpoint.size, leaf_hash, path, checkpoint.root_hash
    ):
        raise iv.VerificationError("inclusion proof does not reach the signed root")
    return checkpoint


def check_consistency(
    found: dict[str, Any], old: iv.CheckpointBody, new: iv.CheckpointBody
) -> None:
    """Checks a `ledger consistency --json` against two checkpoints the auditor holds."""
    if (found["size1"], found["size2"]) != (old.size, new.size):
        raise iv.VerificationError("consistency proof is for other sizes")
    proof = [base64.b64decode(p) for p in found["proof"]]
    iv.check_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)


def test_auditor_verifies_cli_output_with_the_independent_verifier(
    env: dict[str, str], tmp_path: Path
) -> None:
    now = datetime.now(UTC) + timedelta(seconds=1)
    write_events(tmp_path / "first.jsonl", 0, FIRST, now)
    write_events(tmp_path / "second.jsonl", FIRST, SECOND, now)
    base = len(leaves_in_db(env))  # the registry's leaves, from `purposes add` and the like
    assert base > 0

    out = cli(env, "events", "import", str(tmp_path / "first.jsonl"), "--batch-size", "50")
    assert f"Imported {FIRST} events" in out
    vkey = cli(env, "ledger", "public-key").strip()
    origin = vkey.split("+", 1)[0]
    old_json = cli_json(env, "ledger", "checkpoint")
    old = iv.verify_checkpoint(old_json["note"], vkey, origin=origin)
    assert (old.size, old.root_hash) == (base + FIRST, base64.b64decode(old_json["root_hash"]))
    assert old_json["origin"] == origin

    out = cli(env, "events", "import", str(tmp_path / "second.jsonl"), "--batch-size", "40")
    assert f"Imported {SECOND} events" in out
    total = base + FIRST + SECOND
    # The real process prints the same key and checkpoint as the in-process runs.
    process_env = {**os.environ, **env}
    done = subprocess.run(
        [sys.executable, "-m", "trustguardian", "ledger", "checkpoint", "--json"],
        capture_output=True,
        text=True,
        env=process_env,
        check=True,
        timeout=60,
    )
    new_json = json.loads(done.stdout)
    assert new_json == cli_json(env, "ledger", "checkpoint")
    new = iv.verify_checkpoint(new_json["note"], vkey, origin=origin)
    assert new.size == new_json["tree_size"] == total

    # Inclusion of events of both rounds, at the edges and inside.
    stored = leaves_in_db(env)
    assert len(stored) == total
    ends = (FIRST + SECOND - 2, FIRST + SECOND - 1)
    picks = sorted(base + n for n in {0, 1, 49, 50, FIRST - 1, FIRST, FIRST + 1, 255, 256, *ends})
    proofs = {}
    for seq in picks:
        event_id = stored[seq][0]
        assert event_id is not None
        proof = cli_json(env, "ledger", "proof", event_id)
        checkpoint = check_proof(proof, vkey, origin)
        assert (checkpoint.size, checkpoint.root_hash) == (new.size, new.root_hash)
        assert proof["leaf_index"] == seq
        assert base64.b64decode(proof["leaf"]) == stored[seq][1]
        assert b"@example.com" not in base64.b64decode(proof["leaf"])  # no personal data in clear
        proofs[seq] = proof
    print(f"verified inclusion of {len(proofs)} events in a tree of {total}")

    # The later tree extends the one the auditor kept.
    found = cli_json(env, "ledger", "consistency", "--from", str(base + FIRST), "--to", str(total))
    check_consistency(found, old, new)
    assert base64.b64decode(found["root1"]) == old.root_hash
    assert base64.b64decode(found["root2"]) == new.root_hash
    # A proof between every earlier batch checkpoint and the latest checks out too.
    for size in (base + n for n in (50, 100, 150, 220, 260, 300)):
        found = cli_json(env, "ledger", "consistency", "--from", str(size), "--to", str(total))
        earlier = iv.CheckpointBody(origin, size, base64.b64decode(found["root1"]))
        check_consistency(found, earlier, new)
    # And the signed roots are the RFC 9162 hashes of the leaves, recomputed from scratch.
    leaves = [leaf for _, leaf in stored]
    assert iv.merkle_root(leaves[: base + FIRST]) == old.root_hash
    assert iv.merkle_root(leaves) == new.root_hash

    # --- tampering is rejected --------------------------------------------------------------
    rejected = 0

    def must_fail(check: Any, *args: Any) -> None:
        nonlocal rejected
        with pytest.raises(iv.VerificationError):
            check(*args)
        rejected += 1

    for seq, proof in proofs.items():
        for n in range(len(proof["inclusion_path"])):
            bad_path = list(proof["inclusion_path"])
            bad_path[n] = flip_b64(bad_path[n], at=n % 32)
            must_fail(check_proof, {**proof, "inclusion_path": bad_path}, vkey, origin)
        if proof["inclusion_path"]:
            shorter = {**proof, "inclusion_path": proof["inclusion_path"][:-1]}
            must_fail(check_proof, shorter, vkey, origin)
        leaf = base64.b64decode(proof["leaf"])
        tampered_leaf = leaf.replace(b'"consent.given"', b'"consent.refused"').replace(
            b'"consent.withdrawn"', b'"consent.given"'
        )
        assert tampered_leaf != leaf
        forged = base64.b64encode(tampered_leaf).decode()
        # A changed leaf, with or without a matching leaf_hash, proves nothing.
        must_fail(check_proof, {**proof, "leaf": forged}, vkey, origin)
        forged_hash = base64.b64encode(iv.hash_leaf(tampered_leaf)).decode()
        must_fail(check_proof, {**proof, "leaf": forged, "leaf_hash": forged_hash}, vkey, origin)
        other = (seq + 1) % total
        must_fail(check_proof, {**proof, "leaf_index": other}, vkey, origin)
    # Checkpoint signatures: one flipped signature byte, a changed body, another key.
    note = new_json["note"]
    body, _, signature_line = note.partition("\n\n")
    sig64 = signature_line.split(" ")[2].strip()
    for at in (4, 30, 67):
        bad_note = note.replace(sig64, flip_b64(sig64, at))
        must_fail(iv.verify_checkpoint, bad_note, vkey, origin)
        must_fail(check_proof, {**proofs[picks[0]], "checkpoint": bad_note}, vkey, origin)
    lines = body.split("\n")
    bigger = note.replace(f"\n{lines[1]}\n", f"\n{int(lines[1]) + 1}\n", 1)
    must_fail(iv.verify_checkpoint, bigger, vkey, origin)
    other_root = note.replace(lines[2], flip_b64(lines[2], 31), 1)
    must_fail(iv.verify_checkpoint, other_root, vkey, origin)
    must_fail(iv.verify_checkpoint, old_json["note"], vkey, "someone.else/log")
    stranger = "stranger+00000000+" + vkey.rsplit("+", 1)[1]
    must_fail(iv.NoteVerifier.parse, stranger)
    # Consistency: against a forged old root, a forged new root, or with a changed element.
    found = cli_json(env, "ledger", "consistency", "--from", str(base + FIRST), "--to", str(total))
    forged_old = iv.CheckpointBody(origin, base + FIRST, bytes(32))
    must_fail(check_consistency, found, forged_old, new)
    forged_new = iv.CheckpointBody(origin, total, iv.hash_leaf(b"fork"))
    must_fail(check_consistency, found, old, forged_new)
    for n in range(len(found["proof"])):
        bad = list(found["proof"])
        bad[n] = flip_b64(bad[n], at=7)
        must_fail(check_consistency, {**found, "proof": bad}, old, new)
    must_fail(check_consistency, {**found, "proof": found["proof"][1:]}, old, new)
    print(f"rejected {rejected} tampered proofs, leaves, checkpoints and consistency proofs")
    assert rejected > 60
