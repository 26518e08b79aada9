"""The unit of work is all or nothing: what it wrote is kept only by `commit()`, a failure
keeps nothing of any repository, a reader keeps no write, and no one sees a write before its
commit."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.ledger import StoredCheckpoint
from trustguardian.store.uow import UnitOfWork

from .records import T0, notice, purpose_version, touchpoint


class Boom(Exception):
    pass


def write_three(uow: UnitOfWork) -> None:
    """A touchpoint, a purpose and a notice: three repositories, three tables."""
    uow.touchpoints.add(touchpoint("shop-form"))
    uow.purposes.add(purpose_version("newsletter"))
    uow.notices.add(notice("privacy-it"))


def nothing_written(store: Context) -> bool:
    with store.uow(write=False) as uow:
        return (
            uow.touchpoints.get("shop-form") is None
            and uow.purposes.get("newsletter") is None
            and uow.notices.get("privacy-it") is None
        )


def test_a_commit_keeps_every_repositorys_writes(store: Context) -> None:
    with store.uow() as uow:
        write_three(uow)
        uow.commit()
    with store.uow(write=False) as uow:
        assert uow.touchpoints.get("shop-form") == touchpoint("shop-form")
        assert uow.notices.get("privacy-it") == notice("privacy-it")
        found = uow.purposes.get("newsletter")
        assert found is not None
        assert found.current == purpose_version("newsletter")


def test_without_commit_nothing_is_kept(store: Context) -> None:
    with store.uow() as uow:
        write_three(uow)
        assert uow.touchpoints.get("shop-form") is not None  # the transaction sees its writes
    assert nothing_written(store)


def test_a_failure_keeps_nothing_of_any_repository(store: Context) -> None:
    def failing() -> None:
        with store.uow() as uow:
            write_three(uow)
            uow.ledger.add_checkpoint(StoredCheckpoint(10_000, b"\x00" * 32, "note", T0))
            raise Boom

    with pytest.raises(Boom):
        failing()
    assert nothing_written(store)
    with store.uow(write=False) as uow:
        assert uow.ledger.checkpoint(10_000) is None


def test_a_reader_keeps_no_write(store: Context) -> None:
    with store.uow(write=False) as uow:
        before = uow.ledger.size()
    try:
        with store.uow(write=False) as uow:
            uow.connection.execute(update(t.ledger_head).values(size=t.ledger_head.c.size + 7))
    except DBAPIError:
        pass  # PostgreSQL refuses the write at once (READ ONLY); SQLite rolls it back at exit
    with store.uow(write=False) as uow:
        assert uow.ledger.size() == before


def test_no_one_sees_a_write_before_its_commit(store: Context) -> None:
    with store.uow() as writer:
        write_three(writer)
        assert nothing_written(store)  # another connection, while the writer is open
        writer.commit()
    assert not nothing_written(store)
