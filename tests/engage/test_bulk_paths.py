"""The fast bulk paths answer as single checks do, on SQLite and PostgreSQL: filter_rows (large
and small batches) and the worker processes of `audience filter` (answers in the list's order);
records without quotes split as the csv module splits them; the collector; the blind key."""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import random

import pytest

from trustguardian.service.audience import (
    RowOut,
    csv_records,
    csv_row,
    filter_rows,
    gc_paused,
)
from trustguardian.service.audience_workers import Checked, check_records
from trustguardian.service.context import Context

from .population import DEFAULT_CHANNEL, DEFAULT_PURPOSE, HEADER, Population, build, single_answer

Answer = tuple[bool, str, str | None, str | None]


@pytest.fixture
def small(ctx: Context) -> Population:
    """A population of 60 people (every kind of row) on a fresh database of each backend."""
    return build(ctx, size=60)


def _answers(outs: list[RowOut]) -> list[Answer]:
    return [
        (
            o.allowed,
            o.reason,
            o.outcome.event_id if o.outcome else None,
            o.outcome.subject_id if o.outcome else None,
        )
        for o in outs
    ]


def _numbered(checked: Checked) -> list[tuple[int, Answer]]:
    """Runs in a worker: what it hands back for a chunk (it must cross a process boundary)."""
    return list(zip(checked.numbers, checked.verdicts(), strict=True))


@pytest.mark.parametrize("batch", [20_000, 23])
def test_filter_rows_answers_as_check_contact_on_each_backend(
    small: Population, batch: int
) -> None:
    expected = [single_answer(small.ctx, row) for row in small.rows]
    outs = list(
        filter_rows(
            small.ctx,
            iter(small.row_ins()),
            purpose=DEFAULT_PURPOSE,
            channel=DEFAULT_CHANNEL,
            batch=batch,
        )
    )
    assert [o.row for o in outs] == small.row_ins()
    assert _answers(outs) == expected
    assert {reason for _, reason, _, _ in expected} >= {
        "consent_given",
        "suppressed",
        "unknown_subject",
        "frequency_cap",
        "opposition_register",
        "soft_spam",
        "invalid_row",
    }


@pytest.mark.parametrize("workers", [2, 1])
def test_worker_processes_answer_as_check_contact_in_list_order(
    small: Population, workers: int
) -> None:
    expected = [single_answer(small.ctx, row) for row in small.rows]
    lines = io.BytesIO(small.csv_bytes())
    lines.readline()
    chunks = list(
        check_records(
            small.ctx,
            csv_records(lines, first=2),
            HEADER,
            purpose=DEFAULT_PURPOSE,
            channel=DEFAULT_CHANNEL,
            answer=_numbered,
            workers=workers,
            chunk=17,  # many chunks, more than the workers have in flight
        )
    )
    assert len(chunks) == -(-len(small.rows) // 17)
    answered = [item for chunk in chunks for item in chunk]
    assert [number for number, _ in answered] == list(range(2, len(small.rows) + 2))
    assert [answer for _, answer in answered] == expected


def test_records_without_quotes_split_as_the_csv_module_splits_them() -> None:
    rnd = random.Random(5)
    alphabet = ["a", "b", ",", " ", "\t", "\\", "é", "\r", "\n", "\x00", "'", '"']
    compared = 0
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9)))
        if not text.strip() or '"' in text:
            continue
        header = [f"c{n}" for n in range(text.count(",") + 1)]
        row = csv_row(7, text.encode(), header, unterminated=False)
        reference = next(csv.reader(io.StringIO(text, newline="")), [])
        assert row is not None
        if row.error is None:
            assert list(row.fields.values()) == reference, repr(text)
        else:
            assert row.error == "wrong number of columns"
            assert len(reference) != len(header), repr(text)
        compared += 1
    assert compared > 5000


def test_gc_paused_restores_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_blind_key_follows_a_reload_of_the_keys(sqlite_ctx: Context) -> None:
    first = sqlite_ctx.blind_key
    assert sqlite_ctx.blind_key == first
    sqlite_ctx.keys = dataclasses.replace(sqlite_ctx.keys, pinned_blind_key=b"k" * 32)
    assert sqlite_ctx.blind_key == b"k" * 32 != first
