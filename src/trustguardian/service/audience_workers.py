"""A campaign list checked by worker processes, its answers in the list's order.

The parent reads the list's raw records and writes what the workers hand back; each worker
takes a chunk of records and does the rest (read against the header, normalise, blind, gather
the facts, decide, format) on its own database connection. A few chunks are in flight at a time,
so memory stays bounded however long the list.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from trustguardian.domain.registry import Channel
from trustguardian.service.audience import (
    Record,
    RowOut,
    csv_row,
    filter_rows,
    gc_paused,
    load_rules,
)
from trustguardian.service.check_batch import Rules
from trustguardian.service.context import Context

CHUNK = 20_000
T = TypeVar("T")


@dataclass(frozen=True)
class _Job:
    ctx: Context
    rules: Rules
    header: list[str]
    purpose: str | None
    channel: Channel | None
    answer: Callable[[list[RowOut]], Any]


# The job of the workers about to be forked: they inherit it (a context holds an engine and a
# clock, which cannot be sent to another process; a forked one starts with a copy).
_job: _Job | None = None


def check_records(
    ctx: Context,
    records: Iterable[Record],
    header: list[str],
    *,
    purpose: str | None,
    channel: Channel | None,
    answer: Callable[[list[RowOut]], T],
    workers: int,
    chunk: int = CHUNK,
) -> Iterator[T]:
    """Answers the records a chunk at a time; `answer` turns a chunk's rows into what is
    yielded (in the worker), chunk after chunk in the list's order."""
    job = _Job(ctx, load_rules(ctx), header, purpose, channel, answer)
    chunks = _chunks(records, chunk)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for records_chunk in chunks:
            yield _run(job, records_chunk)
        return
    global _job
    _job = job
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_start)
    try:
        pending: deque[AsyncResult[T]] = deque()
        for records_chunk in chunks:
            pending.append(pool.apply_async(_work, (records_chunk,)))
            if len(pending) > 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
    finally:
        pool.terminate()
        pool.join()
        _job = None


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _start() -> None:
    assert _job is not None
    # The parent's pooled connections are the parent's: this process opens its own.
    _job.ctx.engine.dispose(close=False)


def _work(records: list[Record]) -> Any:
    assert _job is not None
    return _run(_job, records)


def _run(job: _Job, records: list[Record]) -> Any:
    header = job.header
    with gc_paused():
        rows = [
            row
            for number, raw, unterminated in records
            if (row := csv_row(number, raw, header, unterminated=unterminated)) is not None
        ]
        answered = filter_rows(
            job.ctx,
            rows,
            purpose=job.purpose,
            channel=job.channel,
            batch=len(records),
            rules=job.rules,
        )
        return job.answer(list(answered))
