"""The dossier's sections on a subject's rights requests and complaints, as JSON-ready rows.

The person's words (details, reasons, outcomes, attachment names) are opened with their key.
Once the subject is erased they cannot be: the field is null and its name is listed under
`erased`, so a reader tells "nothing was written" from "written, then crypto-shredded".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from trustguardian.domain.events import timestamp
from trustguardian.domain.rights import OPEN
from trustguardian.service.context import Context
from trustguardian.service.events.sealing import open_bytes, open_text
from trustguardian.service.rights.complaint_views import aad as complaint_aad
from trustguardian.service.rights.requests import aad as request_aad
from trustguardian.store.rights import Step
from trustguardian.store.uow import UnitOfWork

RIGHTS_REQUESTS = "rights_requests"
COMPLAINTS = "complaints"
ALL_ROWS = 1_000_000


def _when(moment: Any) -> str | None:
    return None if moment is None else timestamp(moment)


def _steps(steps: Sequence[Step]) -> list[dict[str, Any]]:
    return [
        {"status": s.status, "event_id": s.event_id, "actor": s.actor, "at": timestamp(s.at)}
        for s in steps
    ]


def _texts(
    ctx: Context, uow: UnitOfWork, subject_id: str, sealed: dict[str, tuple[bytes | None, str]]
) -> tuple[dict[str, str | None], list[str]]:
    """Opens each sealed text; returns the texts and the names of those erased."""
    opened: dict[str, str | None] = {}
    erased = []
    for name, (value, aad) in sealed.items():
        opened[name] = open_text(ctx, uow, subject_id, value, aad)
        if value is not None and opened[name] is None:
            erased.append(name)
    return opened, erased


def request_rows(ctx: Context, uow: UnitOfWork, subject_id: str) -> list[dict[str, Any]]:
    """Every rights request of the subject, oldest first, with its steps and texts."""
    rows = sorted(
        uow.rights.listing(subject_id=subject_id, limit=ALL_ROWS),
        key=lambda r: (r.received_at, r.id),
    )
    steps = uow.rights.steps_of([r.id for r in rows])
    now = ctx.clock.now()
    found = []
    for r in rows:
        texts, erased = _texts(
            ctx,
            uow,
            subject_id,
            {
                "details": (r.details_sealed, request_aad(r.id, "details")),
                "extension_reason": (r.extension_sealed, request_aad(r.id, "extension")),
                "outcome": (r.outcome_sealed, request_aad(r.id, "outcome")),
            },
        )
        is_open = r.status in {s.value for s in OPEN}
        found.append(
            {
                "id": r.id,
                "kind": r.kind,
                "status": r.status,
                "touchpoint": r.touchpoint_key,
                "channel": r.channel,
                "language": r.language,
                "received_at": timestamp(r.received_at),
                "due_on": r.due_on.isoformat(),
                "extended_at": _when(r.extended_at),
                "closed_at": _when(r.closed_at),
                # Answered by the end of the due day (Rome), or still open and past it.
                "in_time": None if is_open else bool(r.closed_at and r.closed_at < r.due_at),
                "overdue": is_open and now >= r.due_at,
                "handler": r.handler,
                **texts,
                "erased": erased,
                "steps": _steps(steps.get(r.id, [])),
            }
        )
    return found


def complaint_rows(ctx: Context, uow: UnitOfWork, subject_id: str) -> list[dict[str, Any]]:
    """Every complaint of the subject, oldest first, with its steps, texts and attachments."""
    rows = sorted(
        uow.complaints.listing(subject_id=subject_id, limit=ALL_ROWS),
        key=lambda c: (c.received_at, c.id),
    )
    found = []
    for c in rows:
        texts, erased = _texts(
            ctx,
            uow,
            subject_id,
            {
                "summary": (c.summary_sealed, complaint_aad(c.id, "summary")),
                "outcome": (c.outcome_sealed, complaint_aad(c.id, "outcome")),
            },
        )
        attachments = []
        for a in uow.complaints.attachments(c.id):
            opened = open_bytes(
                ctx, uow, subject_id, a.sealed, complaint_aad(c.id, f"file:{a.position}")
            )
            meta: dict[str, Any] = {}
            if opened is not None:
                meta = orjson.loads(opened.partition(b"\n")[0])
            elif f"attachment:{a.position}" not in erased:
                erased.append(f"attachment:{a.position}")
            attachments.append(
                {
                    "position": a.position,
                    "name": meta.get("name"),
                    "media_type": meta.get("media_type"),
                    "size": a.size,
                    "event_id": a.event_id,
                }
            )
        found.append(
            {
                "id": c.id,
                "status": c.status,
                "touchpoint": c.touchpoint_key,
                "channel": c.channel,
                "about_event_id": c.about_event_id,
                "handler": c.handler,
                "received_at": timestamp(c.received_at),
                "closed_at": _when(c.closed_at),
                **texts,
                "erased": erased,
                "attachments": attachments,
                "steps": _steps(uow.complaints.steps(c.id)),
            }
        )
    return found


def dossier_sections(ctx: Context, uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    """The sections a subject's dossier adds beyond the ledger: requests and complaints."""
    return {
        RIGHTS_REQUESTS: request_rows(ctx, uow, subject_id),
        COMPLAINTS: complaint_rows(ctx, uow, subject_id),
    }
