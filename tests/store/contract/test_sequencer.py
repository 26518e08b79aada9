"""The sequencer numbers appends densely: concurrent appenders each get the next number, never
the same one, and an append rolled back leaves no gap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from trustguardian.service.context import Context

APPENDERS, APPENDS = 4, 8


class Boom(Exception):
    pass


def append(store: Context) -> int:
    """Takes the next sequence number the way the ledger does: lock the head, move it on."""
    with store.uow() as uow:
        seq = uow.ledger.lock_head()
        uow.ledger.set_size(seq + 1)
        uow.commit()
    return seq


def size(store: Context) -> int:
    with store.uow(write=False) as uow:
        return uow.ledger.size()


def test_concurrent_appenders_get_dense_distinct_numbers(store: Context) -> None:
    start = size(store)
    ready = threading.Barrier(APPENDERS)

    def appender(_: int) -> list[int]:
        ready.wait(timeout=30)
        return [append(store) for _ in range(APPENDS)]

    with ThreadPoolExecutor(APPENDERS) as pool:
        taken = [seq for numbers in pool.map(appender, range(APPENDERS)) for seq in numbers]
    assert sorted(taken) == list(range(start, start + APPENDERS * APPENDS))
    assert size(store) == start + APPENDERS * APPENDS


def test_an_append_rolled_back_leaves_no_gap(store: Context) -> None:
    start = size(store)

    def failing_append() -> None:
        with store.uow() as uow:
            assert uow.ledger.lock_head() == start
            uow.ledger.set_size(start + 1)
            raise Boom

    with pytest.raises(Boom):
        failing_append()
    assert size(store) == start
    assert append(store) == start
    assert append(store) == start + 1


def test_the_head_stays_locked_until_the_appender_commits(store: Context) -> None:
    start = size(store)
    locked, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with store.uow() as uow:
            uow.ledger.lock_head()
            locked.set()
            release.wait(timeout=30)
            uow.ledger.set_size(start + 1)
            order.append("first commits")
            uow.commit()

    def second() -> int:
        locked.wait(timeout=30)
        seq = append(store)
        order.append("second numbered")
        return seq

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(first)
        waiter = pool.submit(second)
        locked.wait(timeout=30)
        time.sleep(0.5)  # time enough for the second appender to number itself, were it free
        release.set()
        holder.result(timeout=60)
        assert waiter.result(timeout=60) == start + 1
    assert order == ["first commits", "second numbered"]
