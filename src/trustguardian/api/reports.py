"""Routes of accountability: dossiers, consent exports, the inspection report, the register,
and trusted time-stamps of checkpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from trustguardian.api.auth import get_context, require
from trustguardian.api.ledger_schemas import TimestampRead
from trustguardian.domain.access import ApiKey, Reach, Scope
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.exports import dpv_records, kantara_receipts
from trustguardian.reports.i18n import Language
from trustguardian.reports.inspection import inspection_report
from trustguardian.reports.register import register_csv, register_pdf
from trustguardian.reports.touchpoint_dossier import touchpoint_report
from trustguardian.service.access.access_log import api_reader, log_read
from trustguardian.service.accountability.records import (
    processing_register,
    register_header,
    subject_records,
)
from trustguardian.service.context import Context
from trustguardian.service.ops.timestamps import stamp_checkpoint

router = APIRouter(prefix="/v1", tags=["accountability"])
Ctx = Annotated[Context, Depends(get_context)]
SubjectReader = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ, Reach.UNBOUND))]
RegistryReader = Annotated[ApiKey, Depends(require(Scope.REGISTRY_READ, Reach.UNBOUND))]
Admin = Annotated[ApiKey, Depends(require(Scope.ADMIN))]


class ExportFormat(StrEnum):
    DPV = "dpv"
    KANTARA = "kantara"


class RegisterFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


def _attachment(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/subjects/{subject_id}/dossier",
    operation_id="getSubjectDossier",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def get_dossier(subject_id: str, ctx: Ctx, key: SubjectReader) -> Response:
    """The subject's evidence dossier (zip); `trustguardian dossier verify` checks it offline.

    The read is logged in the subject access log, naming the API key."""
    body = subject_dossier(ctx, subject_id=subject_id)
    log_read(ctx, reader=api_reader(key), subject_id=subject_id, what="dossier")
    return _attachment(body, "application/zip", f"dossier-{subject_id}.zip")


@router.get("/subjects/{subject_id}/consent-records", operation_id="getConsentRecords")
def get_consent_records(
    subject_id: str,
    ctx: Ctx,
    key: SubjectReader,
    format: Annotated[ExportFormat, Query()] = ExportFormat.DPV,
    lang: Annotated[Language, Query(description="The language of the texts.")] = Language.EN,
) -> list[dict[str, Any]]:
    """The subject's consents as ISO/IEC TS 27560 DPV records or Kantara v1.1 receipts.

    The read is logged in the subject access log, naming the API key."""
    records = subject_records(ctx, subject_id=subject_id)
    found = (
        dpv_records(records, lang.value)
        if format is ExportFormat.DPV
        else kantara_receipts(records, lang.value)
    )
    log_read(ctx, reader=api_reader(key), subject_id=subject_id, what=f"consent records ({format})")
    return found


@router.get(
    "/reports/inspection",
    operation_id="getInspectionReport",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_inspection_report(
    ctx: Ctx,
    _: RegistryReader,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    lang: Annotated[Language, Query(description="The report's language.")] = Language.EN,
) -> Response:
    """The inspection report (PDF) for the days from `from` to `to`, both included."""
    if end < start:
        raise InvalidInput("the period is empty", errors=[FieldError("to", "is before from")])
    first = datetime.combine(start, time(0), tzinfo=UTC)
    last = datetime.combine(end, time(0), tzinfo=UTC) + timedelta(days=1)
    body, _figures = inspection_report(ctx, start=first, end=last, lang=lang.value)
    return _attachment(body, "application/pdf", f"inspection-{start}-{end}.pdf")


@router.get(
    "/reports/register",
    operation_id="getProcessingRegister",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
def get_register(
    ctx: Ctx,
    _: RegistryReader,
    format: Annotated[RegisterFormat, Query()] = RegisterFormat.CSV,
    lang: Annotated[Language, Query(description="The register's language.")] = Language.EN,
) -> Response:
    """The register of processing activities (GDPR art. 30)."""
    rows = processing_register(ctx)
    if format is RegisterFormat.CSV:
        csv_body = register_csv(rows, lang.value)
        return _attachment(csv_body, "text/csv; charset=utf-8", "register.csv")
    body = register_pdf(rows, ctx.clock.now(), register_header(ctx), lang.value)
    return _attachment(body, "application/pdf", "register.pdf")


@router.get(
    "/reports/touchpoints/{key}",
    operation_id="getTouchpointDossier",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_touchpoint_dossier(
    key: str,
    ctx: Ctx,
    _: RegistryReader,
    lang: Annotated[Language, Query(description="The dossier's language.")] = Language.EN,
) -> Response:
    """A touchpoint's dossier (PDF): census history, notices shown, events, sample proofs."""
    body = touchpoint_report(ctx, key=key, lang=lang.value)
    return _attachment(body, "application/pdf", f"touchpoint-{key}.pdf")


@router.post("/ledger/timestamps", operation_id="timestampCheckpoint")
def stamp(ctx: Ctx, _: Admin) -> TimestampRead:
    """Stamps the latest checkpoint with the configured RFC 3161 time-stamping authority."""
    stamped = stamp_checkpoint(ctx)
    return TimestampRead(
        tree_size=stamped.tree_size,
        gen_time=stamped.gen_time.isoformat(),
        tsa_url=stamped.tsa_url,
    )
