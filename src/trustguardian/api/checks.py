"""Routers for contact checks: one at a time, or a whole campaign list streamed in and out."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import IO, Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, Field
from starlette.background import BackgroundTask

from trustguardian.api.auth import get_context, require
from trustguardian.api.ledger_schemas import CheckProofRead
from trustguardian.api.schemas import Input, Key
from trustguardian.api.subjects import IdentifierIn, to_identifiers
from trustguardian.domain.access import ApiKey, Scope
from trustguardian.domain.checks import Reason
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import (
    BATCH,
    RowIn,
    RowOut,
    csv_rows,
    filter_rows,
    list_lines,
)
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.engage.list_header import ListHeader, parse_columns, read_header
from trustguardian.service.events import batches

router = APIRouter(prefix="/v1", tags=["checks"])
Ctx = Annotated[Context, Depends(get_context)]
# The scope a key needs to check contacts, one at a time (here and in api.fast_checks) or in bulk.
CHECK_SCOPE = Scope.CONSENT_CHECK
Checker = Annotated[ApiKey, Depends(require(CHECK_SCOPE))]


class CheckCreate(Input):
    identifier: IdentifierIn | None = None
    identifiers: Annotated[list[IdentifierIn], Field(max_length=10)] | None = Field(
        default=None,
        description="Every identifier of the row (e-mail, phone...): each is resolved; the "
        "channel's own must be allowed, any suppressed or listed one denies the contact, and "
        "two of different people answer `conflicting_identifiers`.",
    )
    subject_id: Annotated[str, Field(max_length=40)] | None = None
    purpose: Key
    channel: Channel
    at: AwareDatetime | None = Field(
        default=None, description="The moment of contact (now by default)."
    )


class CheckRead(BaseModel):
    check_id: str = Field(description="Cite it in the contact.made event of this contact.")
    allowed: bool
    reason: Reason = Field(description="Why the contact is allowed or not (closed set).")
    words: str
    subject_id: str | None
    event_id: str | None = Field(description="The event that grants or denies the contact.")
    event_proof: str | None = Field(description="Where that event's inclusion proof is.")


@router.get("/checks/{check_id}/proof", operation_id="getCheckProof")
def check_proof(check_id: str, ctx: Ctx, _: Checker) -> CheckProofRead:
    """Proves a check: its path to its batch's Merkle root, and that batch's record's path to
    the latest signed checkpoint (404 until a sealing pass took it, about a minute)."""
    return CheckProofRead.model_validate(batches.prove_check(ctx, check_id=check_id))


@router.post("/checks", operation_id="checkContact")
def check(body: CheckCreate, ctx: Ctx, _: Checker) -> CheckRead:
    """May we contact this person, for this purpose, on this channel, at this moment?"""
    return answer_check(ctx, body)


def answer_check(ctx: Context, body: CheckCreate) -> CheckRead:
    """Checks and records one contact: all that POST /v1/checks decides once the key is
    authorised. The route and its fast path (api.fast_checks) differ only in transport."""
    if body.identifier is not None and body.identifiers:
        raise InvalidInput(
            "give identifier or identifiers, not both", errors=[FieldError("identifiers", "")]
        )
    if body.identifier is None and not body.identifiers and body.subject_id is None:
        raise InvalidInput(
            "name the person by an identifier, by identifiers or by subject_id",
            errors=[FieldError("identifier", "")],
        )
    if body.identifier is not None and body.subject_id is not None:
        raise InvalidInput(
            "name the person by one identifier or by subject_id",
            errors=[FieldError("identifier", "")],
        )
    named = (
        to_identifiers(ctx, [body.identifier], loc="identifier")
        if body.identifier
        else to_identifiers(ctx, body.identifiers or [])
    )
    outcome = check_contact(
        ctx,
        request=CheckRequest(
            body.purpose,
            body.channel,
            named[0] if named else None,
            body.subject_id,
            body.at,
            others=tuple(named[1:]),
        ),
    )
    return CheckRead(
        check_id=outcome.check_id or "",
        allowed=outcome.allowed,
        reason=outcome.reason.value,
        words=outcome.words,
        subject_id=outcome.subject_id,
        event_id=outcome.event_id,
        event_proof=f"/v1/events/{outcome.event_id}/proof" if outcome.event_id else None,
    )


async def _spool(request: Request) -> IO[bytes]:
    """Takes the whole body first, in memory up to 16 MiB and on disk beyond.

    A streaming response listens for the client's disconnect on the same channel the body
    arrives on, so the body cannot be read while answering; spooling keeps memory bounded.
    """
    # Closed by the response's background task once the answers are sent.
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    async for chunk in request.stream():
        spool.write(chunk)
    spool.seek(0)
    return spool


COLUMN_HELP = (
    "Read a role from a CSV column, as ROLE=COLUMN (repeat the parameter for several); roles: "
    "email, phone, customer_id, postal, subject_id, purpose, channel. Without it, columns are "
    "found by name, case- and accent-insensitively, with common aliases (E-mail, Mail, Posta "
    "elettronica, Cellulare, Telefono, Mobile, Codice cliente, Customer ID...)."
)


@router.post(
    "/checks/bulk",
    operation_id="checkContactList",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "E-mail;Nome\r\nmario@example.com;Mario\r\n",
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            }
        }
    },
    response_class=StreamingResponse,
)
async def check_bulk(
    request: Request,
    ctx: Ctx,
    _: Checker,
    purpose: Key | None = None,
    channel: Channel | None = None,
    column: Annotated[
        list[str] | None,
        Query(
            description=COLUMN_HELP,
            openapi_examples={
                "indirizzo": {
                    "summary": "E-mails in a column named Indirizzo",
                    "value": ["email=Indirizzo"],
                }
            },
        ),
    ] = None,
    at: Annotated[
        AwareDatetime | None,
        Query(description="The moment of the contacts (now by default), e.g. a campaign's."),
    ] = None,
) -> StreamingResponse:
    """Checks a list streamed as CSV (with a header) or NDJSON; answers each row, in order.

    A row names its person in the columns email, phone, customer_id, postal or subject_id (all
    it fills are resolved and must agree), and may carry its own purpose and channel; `at`
    checks every row as of that moment. A CSV list may be separated by commas,
    semicolons or tabs (read from its header, answered with the same) and start with a byte order
    mark; its columns are found by name with common aliases, or named with `column`. Each answer
    row adds `allowed` and `reason` (and `error` for a row that could not be read). A CSV list
    with no header, no identifier column or no row after its header is refused (422).
    """
    ndjson = "ndjson" in request.headers.get("content-type", "")
    mapping = parse_columns(column or [], how="column")
    spool = await _spool(request)
    lines = list_lines(spool)
    layout: ListHeader | None = None
    try:
        if not ndjson:
            layout = read_header(lines, source="the list", columns=mapping, how="column")
            lines = _with_a_row(lines)
    except InvalidInput:
        spool.close()
        raise
    return StreamingResponse(
        _answers(ctx, lines, layout, purpose=purpose, channel=channel, at=at),
        media_type="application/x-ndjson" if ndjson else "text/csv",
        background=BackgroundTask(spool.close),
    )


def _with_a_row(lines: Iterator[bytes]) -> Iterator[bytes]:
    """The lines after a header, refused when none of them holds anything."""
    taken: list[bytes] = []
    for raw in lines:
        taken.append(raw)
        if raw.strip():
            return itertools.chain(taken, lines)
    raise InvalidInput("the list has no rows after its header.")


async def _answers(
    ctx: Context,
    lines: Iterator[bytes],
    layout: ListHeader | None,
    *,
    purpose: str | None,
    channel: Channel | None,
    at: datetime | None,
) -> AsyncIterator[bytes]:
    """The answers, a batch at a time: NDJSON without a header, else CSV in the list's dialect."""
    rows: Iterator[RowIn]
    if layout is None:
        rows = _ndjson_rows(lines)
    else:
        yield _csv_line([*layout.names, "allowed", "reason", "error"], layout.delimiter)
        rows = csv_rows(lines, layout.keys, first=layout.line + 1, delimiter=layout.delimiter)
    batch: list[RowIn] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield await run_in_threadpool(_format, ctx, batch, layout, purpose, channel, at)
            batch = []
    if batch:
        yield await run_in_threadpool(_format, ctx, batch, layout, purpose, channel, at)


def _ndjson_rows(lines: Iterator[bytes]) -> Iterator[RowIn]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = orjson.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield RowIn(number, {}, "invalid_encoding: not UTF-8")
            continue
        except orjson.JSONDecodeError:
            yield RowIn(number, {}, "malformed JSON")
            continue
        if not isinstance(data, dict):
            yield RowIn(number, {}, "a row is a JSON object")
            continue
        yield RowIn(number, {k: str(v) for k, v in data.items() if isinstance(v, str | int)})


def _format(
    ctx: Context,
    batch: list[RowIn],
    layout: ListHeader | None,
    purpose: str | None,
    channel: Channel | None,
    at: datetime | None,
) -> bytes:
    out = io.BytesIO()
    for answer in filter_rows(ctx, batch, purpose=purpose, channel=channel, at=at):
        out.write(_ndjson_line(answer) if layout is None else _csv_answer(answer, layout))
    return out.getvalue()


def _ndjson_line(answer: RowOut) -> bytes:
    body = {
        **answer.row.fields,
        "line": answer.row.number,
        "allowed": answer.allowed,
        "reason": answer.reason,
    }
    if answer.error:
        body["error"] = answer.error
    return orjson.dumps(body) + b"\n"


def _csv_answer(answer: RowOut, layout: ListHeader) -> bytes:
    values = [answer.row.fields.get(key, "") for key in layout.keys]
    return _csv_line(
        [*values, str(answer.allowed).lower(), answer.reason, answer.error or ""],
        layout.delimiter,
    )


def _csv_line(values: list[str], delimiter: str) -> bytes:
    """One answer line, CRLF-ended as RFC 4180 and the CLI's files: the csv module quotes a field
    holding a character of the line ending, so a field with a bare CR stays one field."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(values)
    return out.getvalue().encode()
