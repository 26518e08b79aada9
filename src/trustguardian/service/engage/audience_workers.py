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
from datetime import datetime
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import (
    Asker,
    Record,
    answer_batch,
    load_rules,
    on_line,
    record_values,
)
from trustguardian.service.engage.check_batch import Ask
from trustguardian.service.engage.checks import Answer
from trustguardian.service.gc_pause import gc_paused

CHUNK = 50_000
T = TypeVar("T")


@dataclass(frozen=True)
class Checked:
    """A chunk of a list, answered, as plain values: per row its first line's number, the values
    the outputs repeat (one per header column, as `RowIn.fields` gives them), whether they are
    plain (see `record_values`), and its answer or, for a row that asks nothing, its error."""

    numbers: list[int]
    values: list[list[str]]
    plain: list[bool]
    answers: list[Answer | None]
    errors: list[str | None]
    size: int = 0  # bytes of the chunk's records, as read

    def first_error(self) -> tuple[int, str] | None:
        """The line number and error of the chunk's first row that could not be checked."""
        errors = zip(self.numbers, self.errors, strict=True)
        return next(((n, e) for n, e in errors if e is not None), None)

    def verdicts(self) -> list[tuple[bool, str, str | None, str | None]]:
        """Each row's allowed, reason, deciding event and subject, as its `RowOut` says."""
        return [
            (a[0], a[1].value, a[2], a[3]) if a else (False, "invalid_row", None, None)
            for a in self.answers
        ]


@dataclass(frozen=True)
class _Job:
    ctx: Context
    asker: Asker
    header: list[str]
    answer: Callable[[Checked], Any]
    delimiter: str


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
    answer: Callable[[Checked], T],
    workers: int,
    chunk: int = CHUNK,
    delimiter: str = ",",
    at: datetime | None = None,
) -> Iterator[T]:
    """Answers the records a chunk at a time; `answer` turns a chunk's answers into what is
    yielded (in the worker), chunk after chunk in the list's order. The header is the keys the
    rows' fields are read under (see `csv_rows`)."""
    job = _Job(ctx, Asker(ctx, load_rules(ctx), purpose, channel, at), header, answer, delimiter)
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
    return job.answer(check_chunk(job.ctx, job.asker, job.header, records, job.delimiter))


def check_chunk(
    ctx: Context, asker: Asker, header: list[str], records: list[Record], delimiter: str = ","
) -> Checked:
    """Reads a chunk's records against the header and answers them, with no object per row."""
    width = len(header)
    # With a name twice in the header the later column wins, as in a row's fields.
    unique = len(set(header)) == width
    numbers: list[int] = []
    values: list[list[str]] = []
    plain: list[bool] = []
    asks: list[Ask] = []
    errors: list[str | None] = []
    ask = asker.ask
    size = 0
    with gc_paused():
        for number, raw, unterminated in records:
            size += len(raw)
            read = record_values(raw, header, unterminated=unterminated, delimiter=delimiter)
            if read is None:
                continue
            row, error, simple = read
            fields = dict(zip(header, row, strict=False))
            if error is None:
                wanted, error = ask(fields)
                if wanted is not None:
                    asks.append(wanted)
            numbers.append(number)
            error = on_line(error, number)
            values.append(
                row if unique and len(row) == width else [fields.get(h, "") for h in header]
            )
            plain.append(simple)
            errors.append(error)
        answered = iter(answer_batch(ctx, asker.rules, asks))
        answers = [None if error is not None else next(answered) for error in errors]
    return Checked(numbers, values, plain, answers, errors, size)
