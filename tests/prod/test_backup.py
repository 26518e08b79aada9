"""Backup and restore end to end on SQLite and PostgreSQL: consistent while writers run, a
restored instance verifies with the same consent states, and one changed byte is refused."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from tests.conftest import PG_URL
from tests.factories.events import email, ledger_size, make_draft, record_one, setup_registry

from trustguardian.domain.events import EventKind
from trustguardian.ledger import Signer
from trustguardian.service.context import Context, build_context
from trustguardian.service.ops.backup import BackupRefused, RestoreTargetNotEmpty, backup, restore
from trustguardian.service.ops.instance import InstanceKeys
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.vault import SYSTEM_RANDOM, MasterKey


@pytest.fixture
def empty_target(
    request: pytest.FixtureRequest, fctx: Context, tmp_path: Path
) -> Iterator[Callable[[], Context]]:
    """Makes contexts on empty databases of the same backend, with the same key file."""
    made: list[tuple[Context, str | None]] = []

    def make() -> Context:
        if fctx.engine.url.get_backend_name() == "sqlite":
            url = f"sqlite:///{tmp_path / f'restored-{len(made)}.db'}"
            name = None
        else:
            admin: Engine = request.getfixturevalue("pg_admin")
            name = f"tg_restore_{uuid.uuid4().hex[:12]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        ctx = build_context(fctx.settings.model_copy(update={"database_url": url}))
        made.append((ctx, name))
        return ctx

    yield make
    for ctx, name in made:
        ctx.engine.dispose()
        if name is not None:
            admin = request.getfixturevalue("pg_admin")
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _history(ctx: Context) -> None:
    setup_registry(ctx)
    for n in range(6):
        record_one(ctx, make_draft(identifiers=(email(f"person{n}@example.com"),)))
    record_one(
        ctx,
        make_draft(EventKind.CONSENT_WITHDRAWN, identifiers=(email("person2@example.com"),)),
    )


def _states(ctx: Context) -> list[tuple[object, ...]]:
    with ctx.engine.connect() as c:
        rows = c.execute(
            select(t.consent_states).order_by(
                t.consent_states.c.subject_id,
                t.consent_states.c.purpose_key,
                t.consent_states.c.channel,
            )
        )
        return [tuple(r) for r in rows]


def test_a_restored_instance_verifies_and_gives_the_same_consent_states(
    fctx: Context, empty_target: Callable[[], Context], tmp_path: Path
) -> None:
    _history(fctx)
    out = tmp_path / "instance.tgbackup"
    manifest = backup(fctx, out)
    assert manifest.tree_size == ledger_size(fctx)
    target = empty_target()
    restored = restore(target, out)
    assert restored.tree_size == manifest.tree_size
    report = verify_ledger(target)
    assert report.ok, report.problems
    assert report.evidence_opened > 0
    assert _states(target) == _states(fctx)
    assert any(s[3] == "withdrawn" for s in _states(target))
    # The restored instance carries on: new events append after the restored ones.
    record_one(target, make_draft(identifiers=(email("after@example.com"),)))
    assert verify_ledger(target).ok


@pytest.mark.parametrize("where", ["magic", "length", "manifest", "signature", "payload", "end"])
def test_a_backup_with_one_byte_changed_is_refused_and_nothing_is_restored(
    fctx: Context, empty_target: Callable[[], Context], tmp_path: Path, where: str
) -> None:
    _history(fctx)
    out = tmp_path / "instance.tgbackup"
    backup(fctx, out)
    data = bytearray(out.read_bytes())
    note_start = data.index(b"\n", 10) + 1
    signature = data.index("\u2014".encode(), note_start)
    position = {
        "magic": 2,
        "length": 10,
        "manifest": note_start + 20,
        "signature": signature + 40,
        "payload": len(data) // 2,
        "end": len(data) - 1,
    }[where]
    data[position] ^= 0x01
    out.write_bytes(bytes(data))
    target = empty_target()
    with pytest.raises(BackupRefused):
        restore(target, out)
    with target.engine.connect() as c:
        assert not [n for n in _tables(c) if n != "sqlite_sequence"]


def _tables(connection: object) -> list[str]:
    from sqlalchemy import inspect

    return inspect(connection).get_table_names()


def test_a_backup_signed_by_another_instance_is_refused(
    fctx: Context, empty_target: Callable[[], Context], tmp_path: Path
) -> None:
    _history(fctx)
    out = tmp_path / "instance.tgbackup"
    backup(fctx, out)
    stranger = empty_target()
    stranger.keys = InstanceKeys(  # another instance's keys
        master=MasterKey.generate(SYSTEM_RANDOM), signer=Signer.generate("other.example/ledger")
    )
    with pytest.raises(BackupRefused, match="not signed"):
        restore(stranger, out)


def test_restore_refuses_a_database_in_use_unless_forced(
    fctx: Context, empty_target: Callable[[], Context], tmp_path: Path
) -> None:
    _history(fctx)
    out = tmp_path / "instance.tgbackup"
    backup(fctx, out)
    target = empty_target()
    restore(target, out)
    record_one(target, make_draft(identifiers=(email("later@example.com"),)))
    with pytest.raises(RestoreTargetNotEmpty):
        restore(target, out)
    restore(target, out, force=True)
    assert _states(target) == _states(fctx)
    assert verify_ledger(target).ok


def test_a_backup_taken_while_events_are_recorded_is_consistent(
    fctx: Context, empty_target: Callable[[], Context], tmp_path: Path
) -> None:
    setup_registry(fctx)
    base = ledger_size(fctx)  # the registry's own leaves
    stop = threading.Event()
    written: list[int] = []
    writer_ctx = build_context(fctx.settings)

    def write() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            record_one(writer_ctx, make_draft(identifiers=(email(f"w{n}@example.com"),)))
            written.append(n)
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        out = tmp_path / "live.tgbackup"
        manifest = backup(fctx, out)
    finally:
        stop.set()
        thread.join()
    writer_ctx.engine.dispose()
    assert base < manifest.tree_size <= base + len(written)
    target = empty_target()
    restore(target, out)
    report = verify_ledger(target)
    assert report.ok, report.problems
    assert report.tree_size == manifest.tree_size
    with fctx.engine.connect() as c, target.engine.connect() as r:
        query = select(t.events.c.seq, t.events.c.leaf).where(t.events.c.seq < manifest.tree_size)
        assert [tuple(x) for x in r.execute(query)] == [tuple(x) for x in c.execute(query)]
