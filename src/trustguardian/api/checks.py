"""Routers for contact checks: one at a time, or a whole campaign list streamed in and out."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import IO, Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, Field
from starlette.background import BackgroundTask

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import Input, Key
from trustguardian.api.subjects import IdentifierIn, to_identifiers
from trustguardian.domain.access import ApiKey, Scope
from trustguardian.domain.checks import Reason
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.service.audience import (
    BATCH,
    RowIn,
    RowOut,
    csv_header,
    csv_rows,
    filter_rows,
    list_lines,
)
from trustguardian.service.checks import CheckRequest, check_contact
from trustguardian.service.context import Context

router = APIRouter(prefix="/v1", tags=["checks"])
Ctx = Annotated[Context, Depends(get_context)]
Checker = Annotated[ApiKey, Depends(require(Scope.CONSENT_CHECK))]


class CheckCreate(Input):
    identifier: IdentifierIn | None = None
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


@router.post("/checks", operation_id="checkContact")
def check(body: CheckCreate, ctx: Ctx, _: Checker) -> CheckRead:
    """May we contact this person, for this purpose, on this channel, at this moment?"""
    return answer_check(ctx, body)


def answer_check(ctx: Context, body: CheckCreate) -> CheckRead:
    """Checks and records one contact (the route's work, shared with api.fast_checks)."""
    if (body.identifier is None) == (body.subject_id is None):
        raise InvalidInput(
            "name the person by one identifier or by subject_id",
            errors=[FieldError("identifier", "")],
        )
    identifier = (
        to_identifiers(ctx, [body.identifier], loc="identifier")[0] if body.identifier else None
    )
    outcome = check_contact(
        ctx,
        request=CheckRequest(body.purpose, body.channel, identifier, body.subject_id, body.at),
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


@router.post(
    "/checks/bulk",
    operation_id="checkContactList",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
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
) -> StreamingResponse:
    """Checks a list streamed as CSV (with a header) or NDJSON; answers each row, in order.

    A row names its person in one of the columns email, phone, customer_id or subject_id, and may
    carry its own purpose and channel. Each answer row adds `allowed` and `reason` (and `error`
    for a row that could not be read).
    """
    ndjson = "ndjson" in request.headers.get("content-type", "")
    spool = await _spool(request)
    return StreamingResponse(
        _answers(ctx, list_lines(spool), ndjson=ndjson, purpose=purpose, channel=channel),
        media_type="application/x-ndjson" if ndjson else "text/csv",
        background=BackgroundTask(spool.close),
    )


async def _answers(
    ctx: Context,
    lines: Iterator[bytes],
    *,
    ndjson: bool,
    purpose: str | None,
    channel: Channel | None,
) -> AsyncIterator[bytes]:
    header: list[str] | None = None
    rows: Iterator[RowIn]
    if ndjson:
        rows = _ndjson_rows(lines)
    else:
        number = 0
        for raw in lines:
            number += 1
            if raw.strip():
                header = csv_header(raw)
                break
        if header is None:
            return
        yield _csv_line([*header, "allowed", "reason", "error"])
        rows = csv_rows(lines, header, first=number + 1)
    batch: list[RowIn] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield await run_in_threadpool(_format, ctx, batch, header, ndjson, purpose, channel)
            batch = []
    if batch:
        yield await run_in_threadpool(_format, ctx, batch, header, ndjson, purpose, channel)


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
    header: list[str] | None,
    ndjson: bool,
    purpose: str | None,
    channel: Channel | None,
) -> bytes:
    out = io.BytesIO()
    for answer in filter_rows(ctx, batch, purpose=purpose, channel=channel):
        out.write(_ndjson_line(answer) if ndjson else _csv_answer(answer, header or []))
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


def _csv_answer(answer: RowOut, header: list[str]) -> bytes:
    values = [answer.row.fields.get(h, "") for h in header]
    return _csv_line([*values, str(answer.allowed).lower(), answer.reason, answer.error or ""])


def _csv_line(values: list[str]) -> bytes:
    """One answer line, CRLF-ended as RFC 4180 and the CLI's files: the csv module quotes a field
    holding a character of the line ending, so a field with a bare CR stays one field."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue().encode()
