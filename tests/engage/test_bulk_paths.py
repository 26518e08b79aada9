"""The fast bulk paths answer as single checks do, on SQLite and PostgreSQL: filter_rows (large
and small batches) and the worker processes of `audience filter` (answers in the list's order);
records without quotes split as the csv module splits them; the collector; the blind key; the
two ways of finding suppressed subjects; the CSV outputs written as the csv module writes them."""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import random

import pytest
from sqlalchemy import event

from trustguardian.cli.engage import _split
from trustguardian.domain.checks import Reason
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import (
    csv_records,
    csv_row,
    filter_rows,
    gc_paused,
)
from trustguardian.service.engage.audience_workers import Checked, check_records
from trustguardian.store.engage import batch_reads
from trustguardian.store.engage.batch_reads import BatchReads
from trustguardian.vault import blind_identifier, blinder

from .population import (
    DEFAULT_CHANNEL,
    DEFAULT_PURPOSE,
    HEADER,
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
    assert answers(outs) == expected
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


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_records_without_quotes_split_as_the_csv_module_splits_them(delimiter: str) -> None:
    rnd = random.Random(5)
    alphabet = ["a", "b", ",", ";", " ", "\t", "\\", "é", "\r", "\n", "\x00", "'", '"']
    compared = 0
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9)))
        if not text.strip() or '"' in text:
            continue
        header = [f"c{n}" for n in range(text.count(delimiter) + 1)]
        row = csv_row(7, text.encode(), header, unterminated=False, delimiter=delimiter)
        reference = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
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


def test_suppressed_subjects_are_the_same_by_the_list_or_by_each_subject(small: Population) -> None:
    everyone = sorted(p.subject_id for p in small.people)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(small.ctx.engine, "before_cursor_execute", seen)
    try:
        with small.ctx.uow(write=False) as uow:
            reads = BatchReads(uow.connection)
            # 60 subjects and 15 entries: each entry's owner is looked up
            by_list = reads.suppressed_subjects(everyone)
            listed_way = [s for s in statements if "CROSS JOIN" in s]
            statements.clear()
            # one subject at a time: its identifiers are looked up
            by_subject = {s for one in everyone for s in reads.suppressed_subjects([one])}
    finally:
        event.remove(small.ctx.engine, "before_cursor_execute", seen)
    assert listed_way
    assert not any("CROSS JOIN" in s for s in statements)
    assert by_list == by_subject
    # a person suppressed by e-mail is suppressed whichever identifier names them
    assert 0 < len(by_list) < len(everyone)


def _reference_split(checked: Checked, delimiter: str) -> tuple[str, str]:
    """What the csv module writes for a chunk's allowed and rejected rows."""
    kept, dropped = io.StringIO(), io.StringIO()
    for values, answer, error in zip(checked.values, checked.answers, checked.errors, strict=True):
        if answer is not None and answer[0]:
            csv.writer(kept, delimiter=delimiter).writerow(values)
        else:
            reason = answer[1].value if answer is not None else "invalid_row"
            csv.writer(dropped, delimiter=delimiter).writerow([*values, reason, error or ""])
    return kept.getvalue(), dropped.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("width", [1, 2, 3])
def test_split_writes_what_the_csv_module_writes(width: int, delimiter: str) -> None:
    rnd = random.Random(width)
    alphabet = ["a", "é", " ", "", ",", ";", "\t", '"', "\r", "\n", "x@y.it"]
    header = [f"c{n}" for n in range(width)]
    numbers, values, plain, answers, errors = [], [], [], [], []
    for n in range(3000):
        row = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 3))) for _ in header]
        numbers.append(n)
        values.append(row)
        plain.append(not any(c in v for v in row for c in f'{delimiter}"\r\n'))
        draw = rnd.random()
        if draw < 0.2:
            answers.append(None)
            errors.append(rnd.choice(["bad, really", 'a "quoted" one', "plain"]))
        else:
            allowed = draw < 0.6
            reason = Reason.CONSENT_GIVEN if allowed else Reason.NO_CONSENT
            answers.append((allowed, reason, None, None))
            errors.append(None)
    checked = Checked(numbers, values, plain, answers, errors)
    kept, dropped, allowed_rows, refused = _split(header, True, checked, delimiter=delimiter)
    assert (kept, dropped) == _reference_split(checked, delimiter)
    assert allowed_rows == sum(1 for a in answers if a is not None and a[0])
    assert refused == {"no_consent": answers.count((False, Reason.NO_CONSENT, None, None))} | {
        "invalid_row": answers.count(None)
    }
    assert _split(header, False, checked, delimiter=delimiter)[1:] == ("", allowed_rows, refused)
    assert '""\r\n' in kept or width > 1  # a lone empty field, quoted as the csv module does


def test_blinder_hashes_as_blind_identifier() -> None:
    key = b"k" * 32
    blind = blinder(key, "email")
    for value in ("a@b.it", "è@x.it", "+393331234567"):
        assert blind(value) == blind_identifier(key, "email", value)
    with pytest.raises(ValueError, match="empty"):
        blind("")
    with pytest.raises(ValueError, match="blind key"):
        blinder(b"short", "email")


def test_batch_reads_reuse_a_few_statements_whatever_the_count_of_keys(
    small: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each distinct statement stays prepared in the driver; a list's chunks each have their own
    # count of keys, so the marks are padded to powers of two (and split at the limit).
    monkeypatch.setattr(batch_reads, "SQLITE_KEYS", 40)
    everyone = sorted(p.subject_id for p in small.people)
    statements: set[str] = set()

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM subjects" in statement:
            statements.add(statement)

    event.listen(small.ctx.engine, "before_cursor_execute", seen)
    try:
        with small.ctx.uow(write=False) as uow:
            reads = BatchReads(uow.connection)
            for count in range(1, len(everyone) + 1):
                asked = [*everyone[:count], f"sub_missing{count}"]
                known, _ = reads.subjects(asked)
                assert known == set(everyone[:count])
    finally:
        event.remove(small.ctx.engine, "before_cursor_execute", seen)
    # 61 counts of keys: marks 1, 2, 4, 8, 16, 32 and 40 (the limit) on SQLite; one array on
    # PostgreSQL
    limit = 1 if small.ctx.engine.dialect.name == "postgresql" else 7
    assert 0 < len(statements) <= limit
