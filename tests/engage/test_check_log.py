"""The server's journal of single checks on SQLite (store.check_log): every answered check reaches
the `checks` table, a contact citing it a moment later finds it, and a killed process loses none.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.factories.events import ENGAGE_TP, MARIO, PURPOSE, ago

from trustguardian.domain.access import Scope
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.console.subject import subject_page
from trustguardian.service.context import Context, build_context
from trustguardian.service.engage.checks import open_check_log, settle_checks
from trustguardian.service.ops.backup import backup, restore
from trustguardian.service.ops.metrics import exposition
from trustguardian.store import tables as t
from trustguardian.store.engage import check_log
from trustguardian.store.engage.check_log import CheckLog

from .helpers import check, event, setup_engage
from .server import env_for, live_server


def stored_checks(ctx: Context) -> set[str]:
    with ctx.engine.connect() as conn:
        return set(conn.execute(select(t.checks.c.id)).scalars())


def journal_lines(directory: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in directory.glob("*.jsonl"))


@pytest.fixture
def journalled(sqlite_ctx: Context) -> Iterator[Context]:
    """Mario consented a day ago; single checks go through a journal drained only when told."""
    setup_engage(sqlite_ctx)
    event(sqlite_ctx, at=ago(days=1))
    directory = check_log.directory_for(sqlite_ctx.engine)
    assert directory is not None
    log = sqlite_ctx.check_log = CheckLog(sqlite_ctx.engine, directory, interval=3600)
    yield sqlite_ctx
    log.close()


def test_a_journalled_check_reaches_the_table_at_the_drain(journalled: Context) -> None:
    log = journalled.check_log
    assert log is not None
    answered = [check(journalled).check_id for _ in range(3)]
    assert None not in answered
    assert stored_checks(journalled) == set()
    assert journal_lines(log.directory) == 3
    assert log.drain() == 3
    assert stored_checks(journalled) == set(answered)
    assert journal_lines(log.directory) == 0
    assert log.drain() == 0
    log.close()
    assert list(log.directory.iterdir()) == []  # nothing left behind at exit


def test_a_contact_citing_a_journalled_check_finds_it(journalled: Context) -> None:
    allowed = check(journalled)
    assert allowed.allowed
    assert allowed.check_id not in stored_checks(journalled)
    event(journalled, EventKind.CONTACT_MADE, check_id=allowed.check_id, channels=(Channel.EMAIL,))
    with journalled.uow() as uow:  # checks are read by writers (see store.engage)
        assert uow.engage.flagged_contacts(ENGAGE_TP) == {}
        assert uow.engage.checks([allowed.check_id])[allowed.check_id].allowed is True
    # The owner's later drain skips the row already absorbed.
    assert journalled.check_log is not None
    assert journalled.check_log.drain() == 1
    assert len(stored_checks(journalled)) == 1


def test_the_subject_page_shows_a_journalled_check(journalled: Context) -> None:
    allowed = check(journalled)
    assert allowed.subject_id is not None
    page = subject_page(journalled, subject_id=allowed.subject_id)
    assert [c.id for c in page.checks] == [allowed.check_id]


def test_a_failed_drain_keeps_the_rows_and_their_file(
    journalled: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = journalled.check_log
    assert log is not None
    first = check(journalled).check_id

    def refuse(*_: object) -> None:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(check_log, "add", refuse)
    with pytest.raises(RuntimeError):
        log.drain()
    second = check(journalled).check_id  # journalled in the new file meanwhile
    assert journal_lines(log.directory) == 2
    monkeypatch.undo()
    assert log.drain() == 2
    assert stored_checks(journalled) == {first, second}
    assert journal_lines(log.directory) == 0


def test_a_journal_line_cut_short_fails_its_check_and_spares_the_next(
    journalled: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = journalled.check_log
    assert log is not None
    first = check(journalled).check_id
    real = check_log._write
    monkeypatch.setattr(check_log, "_write", lambda fd, line: real(fd, line[:20]))
    with pytest.raises(OSError, match="cut short"):
        check(journalled)  # never answered
    monkeypatch.undo()
    third = check(journalled).check_id
    assert log.drain() == 2
    assert stored_checks(journalled) == {first, third}


KILLED = textwrap.dedent(
    """
    import os, signal, sys
    from trustguardian.service.engage.checks import CheckRequest, check_contact
    from trustguardian.service.context import build_context
    from trustguardian.service.events.identifiers import normalise
    from trustguardian.domain.registry import Channel
    from trustguardian.domain.subjects import IdentifierKind
    from trustguardian.settings import Settings
    from trustguardian.store.engage.check_log import CheckLog, directory_for

    ctx = build_context(Settings())
    ctx.check_log = CheckLog(ctx.engine, directory_for(ctx.engine), interval=3600)
    who = normalise(IdentifierKind.EMAIL, sys.argv[1])
    for _ in range(int(sys.argv[3])):
        answer = check_contact(
            ctx, request=CheckRequest(sys.argv[2], Channel.EMAIL, identifier=who)
        )
        print(answer.check_id, flush=True)  # acknowledged
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_the_journal_of_a_killed_process_is_recovered(journalled: Context) -> None:
    settings = journalled.settings
    done = subprocess.run(
        [sys.executable, "-c", KILLED, MARIO, PURPOSE, "25"],
        env={**os.environ, **env_for(settings), "TRUSTGUARDIAN_LOG_FORMAT": "text"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    acknowledged = set(done.stdout.split())
    assert len(acknowledged) == 25
    assert stored_checks(journalled) == set()
    log = journalled.check_log
    assert log is not None
    assert journal_lines(log.directory) == 25
    # The dead process's journal is absorbed and deleted; a live process's is left alone.
    assert check_log.recover(journalled.engine, log.directory) == 25
    assert stored_checks(journalled) == acknowledged
    assert list(log.directory.iterdir()) == []
    check(journalled)
    assert check_log.recover(journalled.engine, log.directory) == 0
    assert journal_lines(log.directory) == 1


def test_settling_moves_every_journal_into_the_table(journalled: Context) -> None:
    answered = {check(journalled).check_id for _ in range(2)}
    settle_checks(journalled)
    assert stored_checks(journalled) == answered


@pytest.mark.slow  # three servers start
def test_the_server_journals_its_checks_and_loses_none_when_killed(
    journalled: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `trustguardian serve` on SQLite: checks answered over HTTP are all in the table
    after a graceful stop, and after a SIGKILL once the next server has started. (Its drain
    waits 10 s here, so every check is still journalled when the server stops.)"""
    monkeypatch.setenv("TRUSTGUARDIAN_CHECK_LOG_INTERVAL_MS", "10000")
    _, token = create_api_key(journalled, name="checker", scopes=[Scope.CONSENT_CHECK])
    body = {
        "identifier": {"kind": "email", "value": MARIO},
        "purpose": PURPOSE,
        "channel": "email",
    }
    answered: set[str] = set()
    for stop in ("terminate", "kill"):
        with live_server(journalled.settings, tmp_path) as base:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
                for _ in range(20):
                    reply = c.post("/v1/checks", json=body)
                    assert reply.status_code == 200, reply.text
                    answered.add(reply.json()["check_id"])
            if stop == "kill":
                for pid in _server_pids(base):
                    os.kill(pid, signal.SIGKILL)
        if stop == "terminate":
            assert stored_checks(journalled) == answered
    assert len(answered - stored_checks(journalled)) == 20  # the killed server's, journalled
    with live_server(journalled.settings, tmp_path):
        assert stored_checks(journalled) == answered  # recovered as the new server started
    assert len(answered) == 40


def _server_pids(base: str) -> list[int]:
    port = base.rsplit(":", 1)[1]
    found = subprocess.run(
        ["pgrep", "-f", f"trustguardian serve --port {port}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(p) for p in found.stdout.split()]


def test_the_production_app_journals_only_on_a_sqlite_file(journalled: Context) -> None:
    journalled.check_log = None
    open_check_log(journalled)
    assert journalled.check_log is not None
    off = journalled.settings.model_copy(update={"check_log_interval_ms": 0})
    journalled.settings, journalled.check_log = off, None
    open_check_log(journalled)
    assert journalled.check_log is None


def test_a_backup_holds_the_journalled_checks_and_a_restore_drops_stale_journals(
    journalled: Context, tmp_path: Path
) -> None:
    answered = check(journalled).check_id
    out = tmp_path / "instance.tgbackup"
    backup(journalled, out)
    target = tmp_path / "restored.db"
    stale = check_log.journals_of(str(target))
    stale.mkdir()
    (stale / "1-dead.jsonl").write_text("{}\n")
    restored = build_context(
        journalled.settings.model_copy(update={"database_url": f"sqlite:///{target}"})
    )
    try:
        restore(restored, out)
        assert stored_checks(restored) == {answered}
    finally:
        restored.engine.dispose()
    assert not stale.exists()


def test_metrics_show_the_journal_backlog(journalled: Context) -> None:
    log = journalled.check_log
    assert log is not None
    now = time.time()
    assert check_log.backlog(log.directory, now) == (0, 0.0)
    check(journalled)
    size, age = check_log.backlog(log.directory, now + 60)
    assert size > 0
    assert 59 <= age <= 61 + (time.time() - now)
    text = exposition(journalled.engine, journalled.clock).decode()
    assert f"trustguardian_check_log_bytes {float(size)}" in text
    log.drain()
    assert check_log.backlog(log.directory, time.time()) == (0, 0.0)
    assert (
        "trustguardian_check_log_bytes 0.0"
        in exposition(journalled.engine, journalled.clock).decode()
    )


def test_a_read_only_unit_of_work_may_not_read_checks(journalled: Context) -> None:
    """A reader's snapshot could miss rows drained after it began: the repository refuses."""
    allowed = check(journalled)
    assert allowed.subject_id is not None
    with journalled.uow(write=False) as uow, pytest.raises(RuntimeError, match="write unit"):
        uow.engage.checks([str(allowed.check_id)])
    with journalled.uow() as uow:
        found = uow.engage.recent_checks(allowed.subject_id, 10)
    assert [c.id for c in found] == [allowed.check_id]


def test_only_the_store_reads_the_journal() -> None:
    """Readers of checks never absorb the journal themselves: the engage repository does."""
    source = Path(check_log.__file__).parents[2]
    store = source / "store"
    found = [
        f"{path.relative_to(source)}:{number}"
        for path in sorted(source.rglob("*.py"))
        if not path.is_relative_to(store)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "absorb(" in line
    ]
    assert found == []
