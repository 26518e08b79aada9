"""Checking campaign lists: rows in, a verdict per row out, in bounded memory.

The same decisions as single checks (`check_many`), a batch at a time; a bad row is answered
with its own error and never stops the run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.errors import DomainError
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage.check_batch import OWN_KIND, Ask, Rules, lead_first
from trustguardian.service.engage.check_sets import Sets, within_limit, worth_sets
from trustguardian.service.engage.checks import Answer, CheckOutcome, answer_asks, outcome_of
from trustguardian.service.events.identifiers import normal_value
from trustguardian.service.gc_pause import gc_paused
from trustguardian.service.ops import metrics
from trustguardian.vault import blinder

COLUMNS = ("email", "phone", "customer_id", "postal", "subject_id")
BATCH = 20_000
# A quoted field may hold line breaks (a postal address), but an unbalanced quote must not
# swallow the rest of a file of millions: a record longer than this is reported and skipped.
MAX_RECORD_LINES = 50


@dataclass(frozen=True)
class RowIn:
    """One row of a list: its fields as read, or why it could not be read."""

    number: int
    fields: dict[str, str]
    error: str | None = None


@dataclass(frozen=True)
class RowOut:
    row: RowIn
    outcome: CheckOutcome | None
    error: str | None

    @property
    def allowed(self) -> bool:
        return self.outcome is not None and self.outcome.allowed

    @property
    def reason(self) -> str:
        return self.outcome.reason.value if self.outcome else "invalid_row"


def filter_rows(
    ctx: Context,
    rows: Iterable[RowIn],
    *,
    purpose: str | None,
    channel: Channel | None,
    batch: int = BATCH,
    rules: Rules | None = None,
    at: datetime | None = None,
) -> Iterator[RowOut]:
    """Answers each row in order, for the moment `at` (default now); rows may name their own
    purpose and channel.

    The rules (purposes, policies, registers) are read once, at the start, unless given. Once
    the rows read outnumber a share of the people (see `check_sets`), the rest of the list is
    answered from sets read whole.
    """
    asker = Asker(ctx, rules or load_rules(ctx), purpose, channel, at)
    sets = SetsWanted(ctx, asker.rules, purpose, channel, at)
    pending: list[RowIn] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            yield from _answer(ctx, asker, pending, sets.after(len(pending)))
            pending = []
    if pending:
        yield from _answer(ctx, asker, pending, sets.after(len(pending)))


def load_rules(ctx: Context) -> Rules:
    """Reads the rules every check of a run shares."""
    with ctx.uow(write=False) as uow:
        return Rules.load(ctx, uow)


class SetsWanted:
    """Reads the sets of a run (see `check_sets`) once its rows are enough to be worth it: a
    run of one purpose and channel, checked now, against no more people than `MAX_IDENTIFIERS`."""

    def __init__(
        self,
        ctx: Context,
        rules: Rules,
        purpose: str | None,
        channel: Channel | None,
        at: datetime | None,
    ) -> None:
        self._ctx, self._rules = ctx, rules
        self._wanted = purpose in rules.purposes and channel is not None and at is None
        self._purpose, self._channel = purpose or "", channel or Channel.EMAIL
        self._count: int | None = None
        self._rows = 0
        self.sets: Sets | None = None

    @property
    def possible(self) -> bool:
        """Whether more rows could still make the sets worth reading."""
        return self._wanted

    def after(self, rows: int) -> Sets | None:
        """The sets, read when the rows so far (these included) make them worth it."""
        self._rows += rows
        if self.sets is not None or not self._wanted:
            return self.sets
        if self._count is None:
            with self._ctx.uow(write=False) as uow:
                self._count = uow.set_reads.identifier_count()
            self._wanted = within_limit(self._count)
        if not self._wanted or not worth_sets(self._count, self._rows):
            return None
        with self._ctx.uow(write=False) as uow:
            self.sets = Sets(uow, self._rules, self._purpose, self._channel, self._ctx.clock.now())
        return self.sets


def _answer(ctx: Context, asker: Asker, rows: list[RowIn], sets: Sets | None) -> list[RowOut]:
    with gc_paused():
        asked = [
            (None, row.error) if row.error is not None else asker.ask(row.fields) for row in rows
        ]
        answers = iter(answer_batch(ctx, asker.rules, [a for a, _ in asked if a is not None], sets))
        return [
            RowOut(row, None, error)
            if ask is None
            else RowOut(row, outcome_of(next(answers)), None)
            for row, (ask, error) in zip(rows, asked, strict=True)
        ]


def answer_batch(
    ctx: Context, rules: Rules, asks: Sequence[Ask], sets: Sets | None = None
) -> list[Answer]:
    """Answers a batch of checks (from the sets those they cover, the others in one read
    transaction) and counts them."""
    if not asks:
        return []
    found: list[Answer | None] = sets.answers(asks) if sets is not None else [None] * len(asks)
    rest = [ask for ask, answer in zip(asks, found, strict=True) if answer is None]
    if rest:
        now = ctx.clock.now()
        with ctx.uow(write=False) as uow:
            more = iter(answer_asks(uow, rules, rest, now=now))
        answers = [answer if answer is not None else next(more) for answer in found]
    else:
        answers = found  # type: ignore[assignment]
    metrics.count_checks([a[0] for a in answers])
    return answers


_CHANNELS = {c.value: c for c in Channel}
_KINDS = {c: IdentifierKind(c) for c in COLUMNS if c != "subject_id"}
_IDENTIFIER_COLUMNS = tuple(_KINDS)


class Asker:
    """Turns a row's fields into the check it asks for (see `Ask`), or why it cannot."""

    def __init__(
        self,
        ctx: Context,
        rules: Rules,
        purpose: str | None,
        channel: Channel | None,
        at: datetime | None = None,
        columns: Sequence[str] | None = None,
    ) -> None:
        """`columns`: the keys the rows' fields can hold (a list's header), when known: the
        identifier columns it lacks are then never looked up, row after row."""
        self.rules = rules
        self._purposes = rules.purposes
        self._purpose = purpose
        self._channel = channel.value if channel else ""
        self._at = at
        self._region = ctx.settings.default_phone_region
        self._blind = {column: blinder(ctx.blind_key, kind) for column, kind in _KINDS.items()}
        self._columns = tuple(c for c in _IDENTIFIER_COLUMNS if columns is None or c in columns)
        self._subject_ids = columns is None or "subject_id" in columns
        # A run's own purpose and channel, when no row can name others: checked once, here.
        self._fixed: tuple[str, Channel] | None = None
        if (
            columns is not None
            and not {"purpose", "channel"} & set(columns)
            and purpose in self._purposes
            and channel is not None
        ):
            self._fixed = (purpose, channel)

    def ask(self, fields: Mapping[str, str]) -> tuple[Ask | None, str | None]:
        """The check a row asks for, or None and the row's error; every identifier it fills
        must read."""
        get = fields.get
        if self._fixed is not None:
            wanted_purpose, wanted_channel = self._fixed
        else:
            wanted_purpose = get("purpose") or self._purpose or ""
            if not wanted_purpose or wanted_purpose not in self._purposes:
                return None, f"unknown purpose {wanted_purpose!r}"
            channel_text = get("channel") or self._channel
            found_channel = _CHANNELS.get(channel_text)
            if found_channel is None:
                return None, f"unknown channel {channel_text!r}"
            wanted_channel = found_channel
        subject_id = (get("subject_id") or "").strip() or None if self._subject_ids else None
        blinds: list[tuple[str, str]] = []
        for column in self._columns:
            text = get(column)
            if not text:
                continue
            try:
                value = normal_value(_KINDS[column], text, region=self._region)
            except DomainError as exc:
                return None, f"{column}: {exc.errors[0].msg if exc.errors else exc.detail}"
            blinds.append((column, self._blind[column](value)))
        if not blinds and subject_id is None:
            return None, f"no identifier: fill one of {', '.join(COLUMNS)}"
        if len(blinds) == 1:  # most rows
            column, lead = blinds[0]
            own = OWN_KIND.get(wanted_channel) == column
            return (wanted_purpose, wanted_channel, lead, subject_id, self._at, (), own), None
        lead_blind, others, own = lead_first(wanted_channel, blinds)
        return (
            wanted_purpose,
            wanted_channel,
            lead_blind,
            subject_id,
            self._at,
            others,
            own,
        ), None


def csv_header(raw: bytes) -> list[str]:
    """The column names of a list's first line (utf-8-sig: spreadsheets start with a BOM).

    Read as `csv_rows` reads records: a bare carriage return ends the record, never an error.
    """
    text = raw.decode("utf-8-sig", "replace").strip()
    return next(csv.reader(io.StringIO(text, newline="")), [])


def list_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a list as the csv module sees them: a bare carriage return ends a line too.

    Files are read by newline; a list saved with CR line endings (or a line with a stray CR)
    would otherwise read as one line, its other records silently lost. Each line keeps its ending,
    so a quoted field spanning lines is rejoined byte for byte by `csv_records`.
    """
    for raw in lines:
        cr = raw.find(b"\r")
        if cr < 0 or (cr == len(raw) - 2 and raw.endswith(b"\r\n")):
            yield raw
        else:
            yield from raw.splitlines(keepends=True)


# A record of a list: its first line's number, its raw bytes, and whether its quote never closed.
Record = tuple[int, bytes, bool]


def csv_rows(
    lines: Iterable[bytes], header: Sequence[str], *, first: int, delimiter: str = ","
) -> Iterator[RowIn]:
    """CSV records from raw lines, numbered by their first line; quoted fields may span lines.

    A record in a wrong encoding, with the wrong number of fields or with an unterminated quote
    is answered as that row's error; the next record reads on. Each row's fields are keyed by
    `header` (a `ListHeader`'s keys: a column's role, else its name).
    """
    for number, record, unterminated in csv_records(lines, first=first):
        row = csv_row(number, record, header, unterminated=unterminated, delimiter=delimiter)
        if row is not None:
            yield row


def csv_records(lines: Iterable[bytes], *, first: int) -> Iterator[Record]:
    """The raw records of a list, numbered by their first line (see `csv_rows`)."""
    parts: list[bytes] = []
    start, quotes = first, 0
    for number, raw in enumerate(lines, start=first):
        if not parts:
            if b'"' not in raw:  # most records: one line, nothing quoted
                yield number, raw, False
                continue
            start = number
        parts.append(raw)
        quotes += raw.count(b'"')  # 0x22 never occurs inside a multi-byte UTF-8 character
        if quotes % 2 and len(parts) < MAX_RECORD_LINES:
            continue
        yield start, b"".join(parts), quotes % 2 == 1
        parts, quotes = [], 0
    if parts:
        yield start, b"".join(parts), True


def csv_row(
    number: int,
    record: bytes,
    header: Sequence[str],
    *,
    unterminated: bool,
    delimiter: str = ",",
) -> RowIn | None:
    """One record read against the header; None for a blank line."""
    read = record_values(record, header, unterminated=unterminated, delimiter=delimiter)
    if read is None:
        return None
    values, error, _ = read
    return RowIn(number, dict(zip(header, values, strict=False)), on_line(error, number))


def record_values(
    record: bytes, header: Sequence[str], *, unterminated: bool, delimiter: str = ","
) -> tuple[list[str], str | None, bool] | None:
    """A record's values, why the row cannot be read (or None), and whether the values are
    plain (no delimiter, quote or line break: written back as they are, joined by the same
    delimiter); None for a blank line."""
    encoding: str | None = None
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The row comes back as read, the bad bytes shown as U+FFFD, so it can be found.
        encoding = f"invalid_encoding: not UTF-8 (byte 0x{record[exc.start]:02X})"
        text = record.decode("utf-8", "replace")
    if not text.strip():
        return None
    if unterminated:
        return [], encoding or "unterminated quoted field", True
    values = _plain_values(text, delimiter)
    plain = values is not None
    if values is None:
        values = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    if encoding is not None:
        return values, encoding, False
    if len(values) != len(header):
        return values, "wrong number of columns", plain
    return values, None, plain


def on_line(error: str | None, number: int) -> str | None:
    """A row's error, naming its line when the row could not even be decoded."""
    if error is not None and error.startswith("invalid_encoding"):
        return f"{error} on line {number}"
    return error


def _plain_values(text: str, delimiter: str) -> list[str] | None:
    """The fields of a record without quotes or stray control characters, split as the csv module
    would split them (most rows of a list); None when the csv module must read it."""
    body = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if '"' in body or "\r" in body or "\n" in body or "\x00" in body:
        return None
    return body.split(delimiter)
