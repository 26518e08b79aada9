"""A campaign list checked by worker processes, its answers in the list's order.

The parent reads the list's raw records and writes what the workers hand back; each worker
takes a chunk of records and does the rest (read against the header, normalise, blind, gather
the facts, decide, format) on its own database connection. A few chunks are in flight at a time,
so memory stays bounded however long the list.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
from array import array
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
    SetsWanted,
    answer_batch,
    load_rules,
    on_line,
    record_values,
)
from trustguardian.service.engage.check_batch import Ask
from trustguardian.service.engage.check_sets import Sets
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
    sets: Sets | None = None


# The job of the workers about to be forked: they inherit it (a context holds an engine and a
# clock, which cannot be sent to another process; a forked one starts with a copy), and with it
# the sets, shared with the parent until written.
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
    own_process: bool = True,
) -> Iterator[T]:
    """Answers the records a chunk at a time; `answer` turns a chunk's answers into what is
    yielded (in the worker), chunk after chunk in the list's order. The header is the keys the
    rows' fields are read under (see `csv_rows`).

    A list long enough is answered from sets read whole before the workers start (see
    `check_sets`); the cyclic garbage collector stays paused for the whole run (the parent's
    reader and the workers make millions of objects that form no cycles), and what the sets
    hold is frozen out of its sight. A caller sharing its process with other work (the
    console's server) passes `own_process=False`: the collector then keeps running for the
    others."""
    with gc_paused() if own_process else contextlib.nullcontext():
        rules = load_rules(ctx)
        chunks = _chunks(records, chunk)
        wanted = SetsWanted(ctx, rules, purpose, channel, at)
        ahead: list[list[Record]] = []
        for part in chunks:  # read ahead until the sets are worth it (or never will be)
            ahead.append(part)
            if wanted.after(len(part)) is not None or not wanted.possible:
                break
        sets = wanted.sets
        if sets is not None and own_process:
            gc.freeze()
        try:
            job = _Job(
                ctx,
                Asker(ctx, rules, purpose, channel, at, header),
                header,
                answer,
                delimiter,
                sets,
            )
            yield from _answer_all(job, itertools.chain(ahead, chunks), workers)
        finally:
            if sets is not None and own_process:
                gc.unfreeze()


def _answer_all(job: _Job, chunks: Iterator[list[Record]], workers: int) -> Iterator[Any]:
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for records_chunk in chunks:
            yield _run(job, records_chunk)
        return
    global _job
    _job = job
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_start)
    try:
        pending: deque[AsyncResult[Any]] = deque()
        for records_chunk in chunks:
            pending.append(pool.apply_async(_work, (_pack(records_chunk),)))
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


# A chunk as sent to a worker: its records' bytes end to end, each record's length and first
# line's number, and which ones have a quote that never closed (one pickled object each, not a
# tuple per record).
_Block = tuple[bytes, bytes, bytes, bytes]


def _pack(records: list[Record]) -> _Block:
    lengths = array("L", [len(raw) for _, raw, _ in records])
    numbers = array("Q", [number for number, _, _ in records])
    open_quotes = bytes(unterminated for _, _, unterminated in records)
    return (
        b"".join([raw for _, raw, _ in records]),
        lengths.tobytes(),
        numbers.tobytes(),
        (open_quotes if any(open_quotes) else b""),
    )


def _unpack(block: _Block) -> list[Record]:
    data, length_bytes, number_bytes, open_quotes = block
    lengths, numbers = array("L"), array("Q")
    lengths.frombytes(length_bytes)
    numbers.frombytes(number_bytes)
    ends = itertools.accumulate(lengths)
    starts = itertools.chain((0,), itertools.accumulate(lengths))
    flags = open_quotes or bytes(len(lengths))
    return [
        (number, data[start:end], bool(flag))
        for number, start, end, flag in zip(numbers, starts, ends, flags, strict=False)
    ]


def _start() -> None:
    assert _job is not None
    # The worker's whole life is one run: the collector stays off (see check_records).
    gc.disable()
    # The parent's pooled connections are the parent's: this process opens its own.
    _job.ctx.engine.dispose(close=False)


def _work(block: _Block) -> Any:
    assert _job is not None
    return _run(_job, _unpack(block))


def _run(job: _Job, records: list[Record]) -> Any:
    return job.answer(
        check_chunk(job.ctx, job.asker, job.header, records, job.delimiter, sets=job.sets)
    )


def check_chunk(
    ctx: Context,
    asker: Asker,
    header: list[str],
    records: list[Record],
    delimiter: str = ",",
    *,
    sets: Sets | None = None,
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
            if error is not None:
                error = on_line(error, number)
            values.append(
                row if unique and len(row) == width else [fields.get(h, "") for h in header]
            )
            plain.append(simple)
            errors.append(error)
        answered = iter(answer_batch(ctx, asker.rules, asks, sets))
        answers = [None if error is not None else next(answered) for error in errors]
    return Checked(numbers, values, plain, answers, errors, size)
