"""Scheduled trusted time: the latest checkpoint stamped when the log grew, a TSA outage retried
with backoff without holding events or dossiers, and the stamps catching up when it is back.

The scheduler pass is driven directly with a moved clock instead of waiting for the interval."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.census.helpers import STORE, T0, at
from tests.factories.cli import tg
from tests.factories.events import ledger_size, record
from tests.reports.helpers import mario_history, unzip
from tests.reports.tsa import local_tsa, with_tsa

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import ProofType
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.ops.stamping import retry_delay, stamp_due, stamping_status
from trustguardian.service.ops.timestamps import checkpoint_timestamps

NOON = T0 + timedelta(days=1)


def _another_event(ctx: Context, n: int) -> None:
    record(
        ctx,
        EventDraft(
            kind=EventKind.CONSENT_GIVEN,
            touchpoint=STORE,
            occurred_at=T0 + timedelta(minutes=5),
            identifiers=(normalise(IdentifierKind.EMAIL, f"walk-in-{n}@example.com"),),
            purpose="newsletter",
            proofs=(ProofDraft(ProofType.PAPER_FORM, {"operator": "Giulia"}),),
            fingerprint=f"walk-in-{n}",
        ),
    )


def test_the_backoff_doubles_from_30_seconds_up_to_the_interval() -> None:
    waits = [retry_delay(n, 3600).total_seconds() for n in (1, 2, 3, 7, 8, 50)]
    assert waits == [30, 60, 120, 1920, 3600, 3600]


def test_an_outage_never_holds_events_or_dossiers_and_the_stamps_catch_up(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        stamping = with_tsa(history.ctx, tsa.url)
        tsa.down.set()
        failed = stamp_due(at(stamping, NOON))
        assert failed.outcome == "failed"
        assert failed.next_attempt_at == NOON + timedelta(seconds=30)
        assert "503" in (failed.error or "")

        # Down: events are recorded and a dossier is made, saying its events are not stamped.
        _another_event(at(stamping, NOON + timedelta(seconds=5)), 1)
        body = subject_dossier(
            at(stamping, NOON + timedelta(seconds=6)), subject_id=history.subject_id
        )
        files = unzip(body)
        assert "checkpoint.tsr" not in files
        check = verify_dossier(body, tsa_roots=[tsa.ca_pem])
        assert check.problems == []
        assert (check.stamped_events, check.unstamped_events) == (0, check.events)
        assert "not stamped yet" in files["report-en.html"].decode()
        assert len(tsa.queries) == 1  # the dossier asked nothing while the schedule backs off

        assert stamp_due(at(stamping, NOON + timedelta(seconds=20))).outcome == "waiting"
        assert len(tsa.queries) == 1
        again = stamp_due(at(stamping, NOON + timedelta(seconds=31)))
        assert again.outcome == "failed"
        assert again.next_attempt_at == NOON + timedelta(seconds=31 + 60)
        status = stamping_status(history.ctx)  # read back from the database, not the pass
        assert status.schedule.failures == 2
        assert status.behind == ledger_size(ctx)
        assert checkpoint_timestamps(history.ctx) == {}

        # Back: the next due pass stamps the latest checkpoint, which covers everything.
        tsa.down.clear()
        back = NOON + timedelta(seconds=91)
        caught_up = stamp_due(at(stamping, back))
        assert caught_up.outcome == "stamped"
        assert caught_up.tree_size == ledger_size(ctx)
        assert caught_up.next_attempt_at == back + timedelta(hours=1)
        assert stamping_status(history.ctx).behind == 0
        assert stamping_status(history.ctx).schedule.failures == 0
        assert stamp_due(at(stamping, back + timedelta(hours=2))).outcome == "idle"
        assert len(tsa.queries) == 3  # two refused, one stamped

        # The log grows: stamped again only once the interval has passed.
        _another_event(at(stamping, back + timedelta(minutes=1)), 2)
        assert stamp_due(at(stamping, back + timedelta(minutes=30))).outcome == "waiting"
        hourly = stamp_due(at(stamping, back + timedelta(hours=1)))
        assert hourly.outcome == "stamped"
        assert hourly.tree_size == ledger_size(ctx)
        assert sorted(checkpoint_timestamps(history.ctx)) == [caught_up.tree_size, hourly.tree_size]
        ca = tsa.ca_pem

    # The dossier made earlier still verifies; one made now has its events stamped, checked
    # against the TSA root through the intermediate CA the tokens carry.
    assert verify_dossier(body, tsa_roots=[ca]).problems == []
    later = subject_dossier(history.ctx, subject_id=history.subject_id)
    check = verify_dossier(later, tsa_roots=[ca])
    assert check.problems == []
    assert check.stamped_events == check.events
    assert check.unstamped_events == 0


def test_a_stamp_from_an_earlier_checkpoint_covers_the_events_before_it(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        stamping = with_tsa(history.ctx, tsa.url)
        first = stamp_due(at(stamping, NOON))
        assert first.outcome == "stamped"
        tsa.down.set()  # later events wait for the next stamp
        _another_event(at(stamping, NOON + timedelta(minutes=1)), 1)
        body = subject_dossier(
            at(stamping, NOON + timedelta(minutes=2)), subject_id=history.subject_id
        )
        ca = tsa.ca_pem
    files = unzip(body)
    assert "checkpoint.tsr" not in files
    assert any(name.startswith("stamps/") and name.endswith(".tsr") for name in files)
    check = verify_dossier(body, tsa_roots=[ca])
    assert check.problems == []
    assert check.stamped_events == check.events  # Mario's events all precede the first stamp

    with local_tsa() as other:
        stranger = other.ca_pem
    refused = verify_dossier(body, tsa_roots=[stranger])
    assert [p for p, _ in refused.problems] == [n for n in files if n.endswith(".tsr")]


def test_without_a_tsa_the_scheduler_does_nothing(ctx: Context) -> None:
    history = mario_history(ctx)
    assert stamp_due(history.ctx).outcome == "off"
    assert stamping_status(history.ctx).schedule.failures == 0


def test_dossier_verify_with_tsa_root_checks_the_chain_stamp_on_the_command_line(
    sqlite_ctx: Context, tmp_path: Path
) -> None:
    history = mario_history(sqlite_ctx)
    unstamped = tmp_path / "unstamped.zip"  # made first: no stamp exists yet
    unstamped.write_bytes(subject_dossier(history.ctx, subject_id=history.subject_id))
    with local_tsa() as tsa:
        stamped = subject_dossier(with_tsa(history.ctx, tsa.url), subject_id=history.subject_id)
        (tmp_path / "tsa-root.pem").write_bytes(tsa.ca_pem)
    with local_tsa() as other:
        (tmp_path / "other-root.pem").write_bytes(other.ca_pem)
    (tmp_path / "stamped.zip").write_bytes(stamped)
    offline = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    key = history.ctx.keys.signer.verifier.verifier_key

    def verify(*extra: str) -> subprocess.CompletedProcess[str]:
        return tg(
            "dossier", "verify", "stamped.zip", "--key", key, *extra,
            env={**offline, "COLUMNS": "300"}, cwd=tmp_path,
        )  # fmt: skip

    done = verify("--tsa-root", "tsa-root.pem", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    assert answer["timestamp_trusted"] is True
    assert answer["stamped_events"] == answer["events"] > 0
    assert answer["unstamped_events"] == 0
    refused = verify("--tsa-root", "other-root.pem")
    assert refused.returncode == 1
    assert "checkpoint.tsr" in refused.stdout
    assert "trusted root" in refused.stdout

    plain = tg(
        "dossier", "verify", str(unstamped), "--key", key,
        env={**offline, "COLUMNS": "300"}, cwd=tmp_path,
    )  # fmt: skip
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "checkpoint not stamped yet" in plain.stdout


def test_a_dossier_made_once_the_backoff_is_over_stamps_and_ends_it(ctx: Context) -> None:
    history = mario_history(ctx)
    with local_tsa() as tsa:
        stamping = with_tsa(history.ctx, tsa.url)
        tsa.down.set()
        assert stamp_due(at(stamping, NOON)).outcome == "failed"
        tsa.down.clear()
        later = NOON + timedelta(seconds=31)
        body = subject_dossier(at(stamping, later), subject_id=history.subject_id)
    assert "checkpoint.tsr" in unzip(body)
    schedule = stamping_status(history.ctx).schedule
    assert (schedule.failures, schedule.last_error) == (0, None)
    assert schedule.next_attempt_at == later + timedelta(hours=1)
