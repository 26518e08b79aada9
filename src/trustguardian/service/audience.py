"""Checking campaign lists: rows in, a verdict per row out, in bounded memory.

The same decisions as single checks (`check_many`), a batch at a time; a bad row is answered
with its own error and never stops the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from trustguardian.domain.errors import DomainError
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.checks import CheckOutcome, CheckRequest, check_many
from trustguardian.service.context import Context
from trustguardian.service.identifiers import normalise

COLUMNS = ("email", "phone", "customer_id", "subject_id")
BATCH = 5000


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
) -> Iterator[RowOut]:
    """Answers each row in order; rows may name their own purpose and channel."""
    with ctx.uow(write=False) as uow:
        purposes = {p.key for p in uow.purposes.page(after=None, limit=100_000)}
    pending: list[tuple[RowIn, CheckRequest | None, str | None]] = []
    for row in rows:
        request, error = _request(ctx, row, purpose, channel, purposes)
        pending.append((row, request, error))
        if len(pending) >= batch:
            yield from _answer(ctx, pending)
            pending = []
    if pending:
        yield from _answer(ctx, pending)


def _answer(
    ctx: Context, pending: list[tuple[RowIn, CheckRequest | None, str | None]]
) -> Iterator[RowOut]:
    requests = [r for _, r, _ in pending if r is not None]
    outcomes = iter(check_many(ctx, requests)) if requests else iter(())
    for row, request, error in pending:
        yield RowOut(row, next(outcomes) if request is not None else None, error)


def _request(
    ctx: Context, row: RowIn, purpose: str | None, channel: Channel | None, purposes: set[str]
) -> tuple[CheckRequest | None, str | None]:
    if row.error is not None:
        return None, row.error
    fields = row.fields
    wanted_purpose = fields.get("purpose") or purpose
    if not wanted_purpose or wanted_purpose not in purposes:
        return None, f"unknown purpose {wanted_purpose!r}"
    channel_text = fields.get("channel") or (channel.value if channel else "")
    if channel_text not in Channel.__members__.values():
        return None, f"unknown channel {channel_text!r}"
    column = next((c for c in COLUMNS if fields.get(c)), None)
    if column is None:
        return None, f"no identifier: fill one of {', '.join(COLUMNS)}"
    if column == "subject_id":
        return CheckRequest(
            wanted_purpose, Channel(channel_text), subject_id=fields[column].strip()
        ), None
    try:
        identifier = normalise(
            IdentifierKind(column), fields[column], region=ctx.settings.default_phone_region
        )
    except DomainError as exc:
        return None, f"{column}: {exc.errors[0].msg if exc.errors else exc.detail}"
    return CheckRequest(wanted_purpose, Channel(channel_text), identifier=identifier), None
