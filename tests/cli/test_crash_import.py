"""`trustguardian events import` killed at random moments loses and duplicates nothing.

A JSON Lines file of 6,000 events (consents given at a fair stand and at a store desk with a
scanned paper form, withdrawals by the unsubscribe link) is imported again and again by a real
process that is SIGKILLed after a random 0.2-3 s, six times. After every kill:

- every line the process acknowledged (`committed lines A-B`) is recorded exactly once: its
  derived idempotency key ("import:" + sha256 of the line) maps to one event, at the seq that
  line must have (a single importer appends lines in file order);
- what is recorded is exactly a batch-aligned prefix of the file (a batch is all or nothing);
- `verify_ledger` passes.

Finally the import runs to completion: exactly 6,000 events and `trustguardian verify` passes.
(The process needs ~1.7 s to start, so kills before that test a crash before any commit; should
no kill at all come after a commit, up to three extra rounds start their random delay at the
first acknowledgement.)
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TEST_MASTER_KEY
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.domain.common import FixedClock
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.service.context import Context, build_context
from trustguardian.service.ops.binding import init_instance
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.verify.full import verify_ledger
from trustguardian.settings import Settings

LINES = 6_000
BATCH = 200
KILLS = 6
SEED = 6_000
COMMITTED = re.compile(r"^committed lines (\d+)-(\d+)$", re.MULTILINE)


def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'tg.db'}",
        keys_file=tmp_path / "keys.json",
        master_key=TEST_MASTER_KEY,
    )


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}",
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "PYTHONUNBUFFERED": "1",  # an acknowledgement printed is an acknowledgement seen
    }


def setup_registry(ctx: Context) -> None:
    """A demo-like retailer: purposes, a notice and touchpoints, in force for two years."""
    past = dataclasses.replace(ctx, clock=FixedClock(ctx.clock.now() - timedelta(days=730)))
    for key, channels in (("newsletter", (Channel.EMAIL,)), ("sms-marketing", (Channel.SMS,))):
        purposes.create_purpose(
            past,
            key=key,
            content=PurposeContent(
                name=key.title(),
                description=f"The {key} purpose.",
                legal_basis=LegalBasis.CONSENT,
                channels=channels,
                controller="Bottega Rossi S.p.A.",
                retention_days=730,
                consent_lifetime_days=730,
                marketing=True,
            ),
        )
    notices.create_notice(
        past, key="privacy-clienti", language="it", title="Informativa", text="Informativa\n"
    )
    for key, kind, channel, keys, proofs in (
        ("fair-stand", TouchpointKind.COLLECT, Channel.EVENT, ["newsletter"], [ProofType.OPERATOR]),
        (
            "store-loyalty-desk",
            TouchpointKind.COLLECT,
            Channel.STORE,
            ["newsletter", "sms-marketing"],
            [ProofType.PAPER_FORM, ProofType.OPERATOR],
        ),
        ("unsubscribe-link", TouchpointKind.RIGHT, Channel.EMAIL, ["newsletter"], []),
    ):
        touchpoints.create_touchpoint(
            past,
            draft=touchpoints.TouchpointDraft(
                key=key,
                name=key.replace("-", " ").title(),
                kind=kind,
                channel=channel,
                nature=Nature.PHYSICAL if channel is Channel.STORE else Nature.DIGITAL,
                purposes=keys,
                notice_key="privacy-clienti",
                required_proofs=proofs,
            ),
        )


def event_lines(count: int, now: datetime, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    start = now - timedelta(days=30)
    step = timedelta(days=29) / count
    lines = []
    for n in range(count):
        person = rng.randrange(count // 4)
        identifiers = [{"kind": "email", "value": f"client{person}@example.it"}]
        when = (start + n * step).isoformat().replace("+00:00", "Z")
        roll = rng.random()
        if roll < 0.45:
            event: dict[str, Any] = {
                "kind": "consent.given",
                "touchpoint": "fair-stand",
                "identifiers": identifiers,
                "purpose": "newsletter",
                "occurred_at": when,
                "proofs": [{"type": "operator", "staff_member": f"Staff {person % 9}"}],
            }
        elif roll < 0.7:
            scan = b"%PDF-1.4 consent form " + str(n).encode()
            event = {
                "kind": "consent.given",
                "touchpoint": "store-loyalty-desk",
                "identifiers": identifiers,
                "purpose": rng.choice(["newsletter", "sms-marketing"]),
                "occurred_at": when,
                "proofs": [
                    {
                        "type": "paper_form",
                        "media_type": "application/pdf",
                        "content_base64": base64.b64encode(scan).decode(),
                    },
                    {"type": "operator", "staff_member": "Desk", "store": "Milano"},
                ],
                "data": {"first_name": f"Name{n}", "loyalty_card": n},
            }
        else:
            event = {
                "kind": "consent.withdrawn",
                "touchpoint": "unsubscribe-link",
                "identifiers": identifiers,
                "purpose": "newsletter",
                "occurred_at": when,
            }
        lines.append(json.dumps(event, separators=(",", ":")))
    return lines


def derived_key(line: str) -> str:
    """The idempotency key the importer gives a line without one."""
    return "import:" + hashlib.sha256(line.encode().strip()).hexdigest()


def acknowledged(output: str) -> set[int]:
    done: set[int] = set()
    for first, last in COMMITTED.findall(output):
        done.update(range(int(first), int(last) + 1))
    return done


def check_database(tmp_path: Path, lines: list[str], acked: set[int]) -> int:
    """Checks the invariants after a crash; returns how many events are recorded."""
    with sqlite3.connect(tmp_path / "tg.db") as conn:
        events = dict(conn.execute("SELECT id, seq FROM events").fetchall())
        keys = conn.execute(
            "SELECT scope, key, event_ids FROM idempotency_keys WHERE key LIKE 'import:%'"
        ).fetchall()
        head = conn.execute("SELECT size FROM ledger_head").fetchone()[0]
        base = conn.execute("SELECT count(*) FROM registry_records").fetchone()[0]
    conn.close()
    recorded = len(events)
    assert head == base + recorded  # the registry's own leaves come first
    by_key = {key: json.loads(ids) for _, key, ids in keys}
    assert len(by_key) == len(keys) == recorded, "one idempotency key per imported event"
    assert sorted(i for ids in by_key.values() for i in ids) == sorted(events)
    # All or nothing per batch, batches in order: the recorded lines are a prefix of the file.
    assert recorded % BATCH == 0 or recorded == len(lines), recorded
    for number, line in enumerate(lines[:recorded], start=1):
        ids = by_key.get(derived_key(line))
        assert ids is not None, f"line {number} is not recorded"
        assert len(ids) == 1, f"line {number} is recorded {len(ids)} times"
        assert events[ids[0]] == base + number - 1, f"line {number} is at seq {events[ids[0]]}"
    for number in sorted(acked):
        assert number <= recorded, f"acknowledged line {number} is lost ({recorded} recorded)"
    ctx = build_context(settings(tmp_path))
    try:
        report = verify_ledger(ctx)
    finally:
        ctx.engine.dispose()
    assert report.ok, report.problems[:10]
    assert report.events == recorded
    return recorded


@pytest.mark.slow
def test_import_killed_at_random_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    ctx = init_instance(settings(tmp_path))
    setup_registry(ctx)
    ctx.engine.dispose()
    lines = event_lines(LINES, datetime.now(UTC))
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(lines) + "\n")
    env = environment(tmp_path)
    command = [sys.executable, "-m", "trustguardian", "events", "import", str(file)]
    command += ["--batch-size", str(BATCH)]
    rng = random.Random(SEED)
    history = []
    round_ = 0
    while round_ < KILLS or (not any(h[3] for h in history) and round_ < KILLS + 3):
        # On a machine so slow that no kill of the first rounds came after a commit, a few more
        # rounds count their random delay from the first acknowledgement instead.
        late = round_ >= KILLS
        out_path = tmp_path / f"run-{round_}.out"
        with out_path.open("w") as out, (tmp_path / f"run-{round_}.err").open("w") as err:
            proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=tmp_path)
            while late and proc.poll() is None and "committed" not in out_path.read_text():
                time.sleep(0.05)
            delay = rng.uniform(0.2, 3.0)
            try:
                proc.wait(timeout=delay)
                finished = True
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                finished = False
        acked = acknowledged(out_path.read_text())
        recorded = check_database(tmp_path, lines, acked)
        history.append((round(delay, 2), finished, max(acked, default=0), recorded))
        round_ += 1
    print("kills (delay s, finished, last acknowledged line, events recorded):", history)
    assert any(h[3] for h in history), "no kill came after a commit"

    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert acknowledged(done.stdout) == set(range(1, LINES + 1))
    assert check_database(tmp_path, lines, set(range(1, LINES + 1))) == LINES
    verify = subprocess.run(
        [sys.executable, "-m", "trustguardian", "verify"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"{LINES} events" in verify.stdout
    print(f"crash import test took {time.monotonic() - started:.1f} s")


def test_importing_evidence_emits_no_warnings(tmp_path: Path) -> None:
    """A line with a scanned paper form imports cleanly (the suite turns warnings into errors)."""
    ctx = init_instance(settings(tmp_path))
    setup_registry(ctx)
    ctx.engine.dispose()
    lines = [line for line in event_lines(40, datetime.now(UTC)) if "paper_form" in line][:2]
    assert lines
    file = tmp_path / "evidence.jsonl"
    file.write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in environment(tmp_path).items() if k.startswith("TRUSTGUARDIAN_")}
    result = CliRunner().invoke(app, ["events", "import", str(file)], env=env)
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert f"Imported {len(lines)} events" in result.output
