"""A list checked by set (service.engage.check_sets: the facts read whole, rows answered from
memory) answers every row as the batch reads do, and so as single checks do, on SQLite and
PostgreSQL: for every purpose and channel of the population (consents, expiries, suppression,
erasure, an opposition register, an SMS cap, soft spam, a retired purpose), through filter_rows
and through the worker processes; and it is read only for a list worth it."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from typing import Any

import pytest

from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import check_sets
from trustguardian.service.engage.audience import RowIn, csv_records, filter_rows
from trustguardian.service.engage.audience_workers import Checked, check_records
from trustguardian.service.engage.check_sets import Sets

from .population import (
    DEFAULT_CHANNEL,
    DEFAULT_PURPOSE,
    HEADER,
    ROW_CHANNELS,
    ROW_PURPOSES,
    Population,
    answers,
    build,
    single_answer,
)

Answer = tuple[bool, str, str | None, str | None]


@pytest.fixture
def small(ctx: Context) -> Population:
    """A population of 60 people (every kind of row) on a fresh database of each backend."""
    return build(ctx, size=60)


@pytest.fixture
def by_set(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sets read for any list (the population is small); yields [rows the sets answered]."""
    answered = [0]
    original = Sets.answers

    def counting(self: Sets, asks: Any) -> Any:
        found = original(self, asks)
        answered[0] += sum(1 for a in found if a is not None)
        return found

    monkeypatch.setattr(check_sets, "RATIO", 1_000_000)
    monkeypatch.setattr(Sets, "answers", counting)
    return answered


def _for(rows: list[RowIn], purpose: str, channel: Channel) -> list[RowIn]:
    """The rows asked for the run's purpose and channel (their own columns emptied)."""
    return [RowIn(r.number, {**r.fields, "purpose": "", "channel": ""}, r.error) for r in rows]


def test_every_purpose_and_channel_answers_as_the_batch_reads(
    small: Population, by_set: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    reasons: set[str] = set()
    for purpose in ROW_PURPOSES:
        for channel in ROW_CHANNELS:
            rows = _for(small.row_ins(), purpose, channel)
            before = by_set[0]
            from_sets = answers(
                list(filter_rows(small.ctx, iter(rows), purpose=purpose, channel=channel))
            )
            assert by_set[0] - before > len(rows) // 2, (purpose, channel)
            with monkeypatch.context() as off:
                off.setattr(check_sets, "RATIO", 0)
                by_batch = answers(
                    list(filter_rows(small.ctx, iter(rows), purpose=purpose, channel=channel))
                )
            assert from_sets == by_batch, (purpose, channel)
            reasons |= {reason for _, reason, _, _ in from_sets}
    assert reasons >= {
        "consent_given",
        "withdrawn",
        "expired",
        "suppressed",
        "unknown_subject",
        "frequency_cap",
        "opposition_register",
        "soft_spam",
        "legitimate_interest",
        "objected",
        "purpose_retired",
        "channel_not_covered",
        "invalid_row",
    }, reasons


def _numbered(checked: Checked) -> list[tuple[int, Answer]]:
    return list(zip(checked.numbers, checked.verdicts(), strict=True))


@pytest.mark.parametrize("workers", [2, 1])
def test_worker_processes_answer_from_the_sets_as_check_contact(
    small: Population, by_set: list[int], workers: int
) -> None:
    expected = [single_answer(small.ctx, row) for row in small.rows]
    lines = io.BytesIO(small.csv_bytes())
    lines.readline()
    chunks = check_records(
        small.ctx,
        csv_records(lines, first=2),
        HEADER,
        purpose=DEFAULT_PURPOSE,
        channel=DEFAULT_CHANNEL,
        answer=_numbered,
        workers=workers,
        chunk=17,
    )
    answered = [item for chunk in chunks for item in chunk]
    assert [number for number, _ in answered] == list(range(2, len(small.rows) + 2))
    assert [answer for _, answer in answered] == expected
    if workers == 1:  # (in a worker process the count is the worker's)
        assert by_set[0] > 60


def test_a_short_list_is_probed_not_read_whole(small: Population) -> None:
    with small.ctx.uow(write=False) as uow:
        count = uow.set_reads.identifier_count()
    assert count >= 60
    assert not check_sets.worth_sets(count, 1)
    assert check_sets.worth_sets(count, count)
    assert not check_sets.worth_sets(check_sets.MAX_IDENTIFIERS + 1, 10**9)


@pytest.mark.parametrize("limit", [0, None])
def test_a_list_never_worth_the_sets_is_not_read_ahead(
    small: Population, monkeypatch: pytest.MonkeyPatch, limit: int | None
) -> None:
    """Past MAX_IDENTIFIERS (or with no purpose for the run) the list streams chunk by chunk."""
    if limit is not None:
        monkeypatch.setattr(check_sets, "MAX_IDENTIFIERS", limit)
    lines = io.BytesIO(small.csv_bytes())
    lines.readline()
    read = [0]

    def counted() -> Iterator[tuple[int, bytes, bool]]:
        for record in csv_records(lines, first=2):
            read[0] += 1
            yield record

    chunks = check_records(
        small.ctx,
        counted(),
        HEADER,
        purpose=DEFAULT_PURPOSE if limit is not None else None,
        channel=DEFAULT_CHANNEL,
        answer=_numbered,
        workers=1,
        chunk=17,
    )
    first = next(chunks)
    assert len(first) == 17
    assert read[0] <= 2 * 17
    chunks.close()


@pytest.mark.parametrize("own_process", [True, False])
def test_the_collector_pauses_only_for_a_run_that_owns_its_process(
    small: Population, by_set: list[int], own_process: bool
) -> None:
    """The CLI's run pauses the cyclic collector; the console's, inside a server answering
    other requests meanwhile, leaves it running (and freezes nothing)."""
    lines = io.BytesIO(small.csv_bytes())
    lines.readline()
    seen = list(
        check_records(
            small.ctx,
            csv_records(lines, first=2),
            HEADER,
            purpose=DEFAULT_PURPOSE,
            channel=DEFAULT_CHANNEL,
            answer=lambda _: (gc.isenabled(), gc.get_freeze_count()),
            workers=1,
            chunk=17,
            own_process=own_process,
        )
    )
    assert by_set[0] > 0
    assert all(enabled is not own_process for enabled, _ in seen)
    assert all((frozen > 0) is own_process for _, frozen in seen)
    assert gc.isenabled()
