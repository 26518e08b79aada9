"""Checking campaign lists: rows in, a verdict per row out, in bounded memory.

The same decisions as single checks (`check_many`), a batch at a time; a bad row is answered
with its own error and never stops the run.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from trustguardian.domain.errors import DomainError
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service import metrics
from trustguardian.service.check_batch import Rules
from trustguardian.service.checks import CheckOutcome, CheckRequest, answer_many
from trustguardian.service.context import Context
from trustguardian.service.identifiers import normalise

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
) -> Iterator[RowOut]:
    """Answers each row in order; rows may name their own purpose and channel.

    The rules (purposes, policies, registers) are read once, at the start, unless given.
    """
    rules = rules or load_rules(ctx)
    region = ctx.settings.default_phone_region
    pending: list[tuple[RowIn, CheckRequest | None, str | None]] = []
    for row in rows:
        request, error = _request(row, purpose, channel, rules.purposes, region)
        pending.append((row, request, error))
        if len(pending) >= batch:
            yield from _answer(ctx, rules, pending)
            pending = []
    if pending:
        yield from _answer(ctx, rules, pending)


def load_rules(ctx: Context) -> Rules:
    """Reads the rules every check of a run shares."""
    with ctx.uow(write=False) as uow:
        return Rules.load(ctx, uow)


def _answer(
    ctx: Context, rules: Rules, pending: list[tuple[RowIn, CheckRequest | None, str | None]]
) -> list[RowOut]:
    requests = [r for _, r, _ in pending if r is not None]
    with gc_paused():
        outcomes: Iterator[CheckOutcome] = iter(())
        if requests:
            now = ctx.clock.now()
            with ctx.uow(write=False) as uow:
                answered = answer_many(ctx, uow, rules, requests, now=now)
            metrics.count_checks([o.allowed for o in answered])
            outcomes = iter(answered)
        return [
            RowOut(row, next(outcomes) if request is not None else None, error)
            for row, request, error in pending
        ]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector while a batch makes its tens of thousands of objects.

    They form no cycles (reference counting frees them), but each collection would walk all of
    them again: a third of a batch's time went there. The collector resumes after the batch,
    unless someone else had paused it.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


_CHANNELS = {c.value: c for c in Channel}
_KINDS = {c: IdentifierKind(c) for c in COLUMNS if c != "subject_id"}


def _request(
    row: RowIn,
    purpose: str | None,
    channel: Channel | None,
    purposes: Container[str],
    region: str,
) -> tuple[CheckRequest | None, str | None]:
    if row.error is not None:
        return None, row.error
    fields = row.fields
    wanted_purpose = fields.get("purpose") or purpose
    if not wanted_purpose or wanted_purpose not in purposes:
        return None, f"unknown purpose {wanted_purpose!r}"
    channel_text = fields.get("channel") or (channel.value if channel else "")
    wanted_channel = _CHANNELS.get(channel_text)
    if wanted_channel is None:
        return None, f"unknown channel {channel_text!r}"
    column = next((c for c in COLUMNS if fields.get(c)), None)
    if column is None:
        return None, f"no identifier: fill one of {', '.join(COLUMNS)}"
    if column == "subject_id":
        return CheckRequest(wanted_purpose, wanted_channel, subject_id=fields[column].strip()), None
    try:
        identifier = normalise(_KINDS[column], fields[column], region=region)
    except DomainError as exc:
        return None, f"{column}: {exc.errors[0].msg if exc.errors else exc.detail}"
    return CheckRequest(wanted_purpose, wanted_channel, identifier=identifier), None


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


def csv_rows(lines: Iterable[bytes], header: Sequence[str], *, first: int) -> Iterator[RowIn]:
    """CSV records from raw lines, numbered by their first line; quoted fields may span lines.

    A record in a wrong encoding, with the wrong number of fields or with an unterminated quote
    is answered as that row's error; the next record reads on.
    """
    for number, record, unterminated in csv_records(lines, first=first):
        row = csv_row(number, record, header, unterminated=unterminated)
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
    number: int, record: bytes, header: Sequence[str], *, unterminated: bool
) -> RowIn | None:
    """One record read against the header; None for a blank line."""
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError:
        return RowIn(number, {}, "invalid_encoding: not UTF-8")
    if not text.strip():
        return None
    if unterminated:
        return RowIn(number, {}, "unterminated quoted field")
    values = _plain_values(text)
    if values is None:
        values = next(csv.reader(io.StringIO(text, newline="")), [])
    if len(values) != len(header):
        return RowIn(number, dict(zip(header, values, strict=False)), "wrong number of columns")
    return RowIn(number, dict(zip(header, values, strict=True)))


def _plain_values(text: str) -> list[str] | None:
    """The fields of a record without quotes or stray control characters, split as the csv module
    would split them (most rows of a list); None when the csv module must read it."""
    body = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if '"' in body or "\r" in body or "\n" in body or "\x00" in body:
        return None
    return body.split(",")
