"""Routers for privacy events, the ledger's proofs and a subject's consents."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import AwareDatetime, BaseModel

from trustguardian.api.auth import confine, confined_touchpoint, get_context, require
from trustguardian.api.event_schemas import EventBatchCreate, EventCreate, EventRead
from trustguardian.api.ledger_schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EvidenceRead,
    InclusionProofRead,
    LedgerPublicKeyRead,
)
from trustguardian.api.schemas import PageRead
from trustguardian.api.subjects import to_identifiers
from trustguardian.domain.access import ApiKey, Reach, Scope, key_actor
from trustguardian.domain.common import as_utc
from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.errors import FieldError, Forbidden, NotFound, TooLarge
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.access.access_log import api_reader, log_read
from trustguardian.service.collect import proofs
from trustguardian.service.context import Context
from trustguardian.service.events import consent, ledger
from trustguardian.service.events import recording as events
from trustguardian.service.events.validate import EventDraft

router = APIRouter(prefix="/v1")
Ctx = Annotated[Context, Depends(get_context)]
Writer = Annotated[ApiKey, Depends(require(Scope.EVENTS_WRITE))]
Reader = Annotated[ApiKey, Depends(require(Scope.EVENTS_READ))]
EventReader = Annotated[ApiKey, Depends(require(Scope.EVENTS_READ, Reach.EVENT))]
EvidenceReader = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ, Reach.EVENT))]
SubjectReader = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ, Reach.SUBJECT))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
REPLAYED = "Idempotent-Replayed"


def confine_events(ctx: Context, key: ApiKey, bodies: list[EventCreate]) -> None:
    """Confines a bound key to its touchpoint, and to the subjects and events of it it names."""
    confine(ctx, key, Reach.TOUCHPOINT, [b.touchpoint for b in bodies])
    confine(ctx, key, Reach.SUBJECT, {b.subject_id for b in bodies})
    try:
        confine(ctx, key, Reach.EVENT, {b.corrects for b in bodies})
    except NotFound as exc:
        # A correction beyond the key's touchpoint is refused as such (403) whether or not the
        # event exists, so the answer still tells nothing of another touchpoint's events.
        raise Forbidden(
            f"this key may correct only the events of touchpoint {key.touchpoint_key!r}"
        ) from exc


def to_draft(
    ctx: Context, body: EventCreate, n: int, *, source_system: str | None = None
) -> EventDraft:
    """Turns a request into a draft: identifiers normalised, proofs typed."""
    channels = ([body.channel] if body.channel else []) + body.channels
    return EventDraft(
        kind=body.kind,
        touchpoint=body.touchpoint,
        occurred_at=as_utc(body.occurred_at),
        identifiers=tuple(to_identifiers(ctx, body.identifiers, loc=f"events.{n}.identifiers")),
        subject_id=body.subject_id,
        purpose=body.purpose,
        purpose_version=body.purpose_version,
        channels=tuple(channels),
        notice=body.notice,
        notice_version=body.notice_version,
        proofs=tuple(p.draft() for p in body.proofs),
        data=body.data,
        corrects=body.corrects,
        correction_reason=body.correction_reason,
        idempotency_key=body.idempotency_key,
        fingerprint=body.fingerprint(),
        legacy_fingerprint=body.legacy_fingerprint,
        source_system=source_system,
        campaign=body.campaign,
        check_id=body.check_id,
    )


@router.post(
    "/events", operation_id="recordEvent", status_code=status.HTTP_201_CREATED, tags=["events"]
)
def record_event(
    body: EventCreate,
    ctx: Ctx,
    key: Writer,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> EventRead:
    """Records one privacy event; a retry with the same Idempotency-Key returns the original."""
    confine_events(ctx, key, [body])
    if idempotency_key is not None:
        body = body.model_copy(update={"idempotency_key": idempotency_key})
    draft = to_draft(ctx, body, 0, source_system=key.system_key)
    [result] = events.record_events(
        ctx, drafts=[draft], acting=key.touchpoint_key, corrector=_corrector(key)
    )
    if result.replayed:
        response.status_code = status.HTTP_200_OK
        response.headers[REPLAYED] = "true"
    return EventRead.of(result.event)


def _corrector(key: ApiKey) -> str | None:
    """An admin key may correct another touchpoint's event (giving a reason): the ledger
    names it as the correction's author."""
    return key_actor(key) if key.allows(Scope.ADMIN) else None


class BatchRead(BaseModel):
    events: list[EventRead]
    checkpoint: CheckpointRead


@router.post(
    "/events/batch",
    operation_id="recordEventBatch",
    status_code=status.HTTP_201_CREATED,
    tags=["events"],
)
def record_batch(
    body: EventBatchCreate,
    ctx: Ctx,
    key: Writer,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> BatchRead:
    """Records up to TRUSTGUARDIAN_MAX_BATCH_EVENTS events (1,000 unless configured, at most
    10,000) in at most TRUSTGUARDIAN_MAX_BATCH_REQUEST_BYTES (8 MiB), all or nothing."""
    limit = ctx.settings.max_batch_events
    if len(body.events) > limit:
        raise TooLarge(
            f"a batch holds at most {limit} events; this one has {len(body.events)}: "
            "send it in several batches",
            errors=[FieldError("events", f"{len(body.events)} > {limit}")],
        )
    confine_events(ctx, key, body.events)
    drafts = [to_draft(ctx, e, n, source_system=key.system_key) for n, e in enumerate(body.events)]
    results = events.record_events(
        ctx,
        drafts=drafts,
        batch_key=idempotency_key,
        batch_scope=f"batch:{key.id}",
        corrector=_corrector(key),
    )
    if all(r.replayed for r in results):
        response.status_code = status.HTTP_200_OK
        response.headers[REPLAYED] = "true"
    checkpoint = ledger.checkpoint_json(ctx, ledger.latest_checkpoint(ctx))
    return BatchRead(
        events=[EventRead.of(r.event) for r in results],
        checkpoint=CheckpointRead.model_validate(checkpoint),
    )


@router.get("/events", operation_id="listEvents", tags=["events"])
def list_events(
    ctx: Ctx,
    key: Reader,
    subject_id: str | None = None,
    touchpoint: str | None = None,
    kind: EventKind | None = None,
    occurred_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    occurred_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> PageRead[EventRead]:
    """Lists events in ledger order, with filters."""
    within = confined_touchpoint(key, touchpoint)
    flt = events.EventFilter(subject_id, within, kind, occurred_from, occurred_to)
    page = events.list_events(ctx, flt=flt, cursor=cursor, limit=limit)
    return PageRead(items=[EventRead.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/events/{event_id}", operation_id="getEvent", tags=["events"])
def get_event(event_id: str, ctx: Ctx, _: EventReader) -> EventRead:
    """Gets one event as the ledger holds it (identifiers as keyed hashes)."""
    return EventRead.of(events.get_event(ctx, event_id=event_id))


@router.get("/events/{event_id}/proof", operation_id="getInclusionProof", tags=["ledger"])
def event_proof(event_id: str, ctx: Ctx, _: EventReader) -> InclusionProofRead:
    """The event's RFC 9162 inclusion proof against the latest signed checkpoint."""
    return InclusionProofRead.model_validate(
        ledger.prove_inclusion(ctx, event_id=event_id).as_json()
    )


@router.get("/events/{event_id}/proofs/{position}", operation_id="openEvidence", tags=["events"])
def read_proof(event_id: str, position: int, ctx: Ctx, _: EvidenceReader) -> EvidenceRead:
    """Opens one proof: its content, its salt and commitment (410 once the subject is erased)."""
    opened = proofs.read_proof(ctx, event_id=event_id, position=position)
    return EvidenceRead(
        event_id=opened.event_id,
        position=opened.position,
        commitment=opened.commitment,
        salt=base64.b64encode(opened.salt).decode(),
        content=opened.content,
        has_file=opened.file is not None,
    )


@router.get(
    "/events/{event_id}/proofs/{position}/file",
    operation_id="getEvidenceFile",
    tags=["events"],
    response_class=Response,
)
def read_proof_file(event_id: str, position: int, ctx: Ctx, _: EvidenceReader) -> Response:
    """The evidence file of a proof, as the person saw or signed it."""
    opened = proofs.read_proof(ctx, event_id=event_id, position=position)
    if opened.file is None:
        raise NotFound(f"proof {position} of {event_id!r} has no file")
    media = str(opened.content.get("file", {}).get("media_type", "application/octet-stream"))
    # Served as an attachment under a strict policy: a form snapshot is HTML from elsewhere.
    headers = {
        "Content-Disposition": "attachment",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    return Response(opened.file, media_type=media, headers=headers)


@router.get("/ledger/checkpoint", operation_id="getCheckpoint", tags=["ledger"])
def checkpoint(ctx: Ctx, _: Reader) -> CheckpointRead:
    """The latest signed checkpoint (C2SP signed note)."""
    return CheckpointRead.model_validate(ledger.checkpoint_json(ctx, ledger.latest_checkpoint(ctx)))


@router.get("/ledger/consistency", operation_id="getConsistencyProof", tags=["ledger"])
def consistency(
    ctx: Ctx,
    _: Reader,
    size1: Annotated[int, Query(alias="from", ge=1)],
    size2: Annotated[int, Query(alias="to", ge=1)],
) -> ConsistencyProofRead:
    """Proves that the tree of size `to` extends the tree of size `from`."""
    return ConsistencyProofRead.model_validate(
        ledger.prove_consistency(ctx, size1=size1, size2=size2)
    )


@router.get("/ledger/public-key", operation_id="getLedgerPublicKey", tags=["ledger"])
def public_key(ctx: Ctx, _: Reader) -> LedgerPublicKeyRead:
    """The C2SP note verifier key that signs checkpoints."""
    return LedgerPublicKeyRead(
        verifier_key=ctx.keys.signer.verifier_key, origin=ctx.keys.signer.name
    )


class ConsentRead(BaseModel):
    purpose: str
    channel: Channel
    status: ConsentStatus
    since: AwareDatetime
    event_id: str
    purpose_version: int
    notice: str | None
    notice_version: int | None
    expires_at: AwareDatetime | None

    @classmethod
    def of(cls, s: ConsentState, current: str) -> ConsentRead:
        return cls(
            purpose=s.purpose,
            channel=s.channel,
            status=current,
            since=s.since,
            event_id=s.event_id,
            purpose_version=s.purpose_version,
            notice=s.notice,
            notice_version=s.notice_version,
            expires_at=s.expires_at,
        )


@router.get("/subjects/{subject_id}/consents", operation_id="getSubjectConsents", tags=["subjects"])
def subject_consents(
    subject_id: str, ctx: Ctx, _: SubjectReader, at: AwareDatetime | None = None
) -> list[ConsentRead]:
    """The subject's consent state per purpose and channel, now or at an instant."""
    return [
        ConsentRead.of(s, c) for s, c in consent.subject_consents(ctx, subject_id=subject_id, at=at)
    ]


@router.get("/subjects/{subject_id}/timeline", operation_id="getSubjectTimeline", tags=["subjects"])
def subject_timeline(subject_id: str, ctx: Ctx, key: SubjectReader) -> list[EventRead]:
    """Every event of the subject in the order they happened (the read is logged)."""
    timeline = consent.subject_timeline(ctx, subject_id=subject_id)
    if key.touchpoint_key is not None:  # a bound key sees its own touchpoint's events only
        timeline = [e for e in timeline if e.touchpoint == key.touchpoint_key]
    log_read(ctx, reader=api_reader(key), subject_id=subject_id, what="timeline")
    return [EventRead.of(e) for e in timeline]
