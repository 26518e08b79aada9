"""The answer to an access (art. 15) or portability (art. 20) request, delivered to the person.

The closing message carries a link that downloads, once and before it expires, a ZIP with the
person's data as JSON and CSV and the art. 15(1) information: the purposes and their legal
basis, the recipients (the company systems we sync to), how long each purpose keeps the data,
and where the data came from. The link's token holds no personal data, and the files are built
when the person downloads them, so no copy of the data waits anywhere in between.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from trustguardian.domain.events import timestamp
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token, redeem_token
from trustguardian.service.rights.export import export_csv, subject_export
from trustguardian.store.rights import StoredRequest
from trustguardian.store.uow import UnitOfWork

ANSWER = "rights-answer"
ANSWER_TTL = timedelta(days=14)
MAX_LISTED = 100_000


@dataclass(frozen=True)
class AnswerFile:
    name: str
    media_type: str
    content: bytes


def mint_answer_link(ctx: Context, uow: UnitOfWork, row: StoredRequest) -> str:
    """A one-time link to the answer of a request, valid for `ANSWER_TTL`."""
    token = mint_token(
        ctx, uow, ANSWER, subject_id=row.subject_id, claims={"request": row.id}, ttl=ANSWER_TTL
    )
    return f"{ctx.settings.public_base_url.rstrip('/')}/rights/answer/{token}"


def information(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    """The art. 15(1) items for a person: purposes (with legal basis and retention),
    recipients, sources."""
    events = uow.events.for_subject(subject_id)
    states = uow.consent.for_subject(subject_id)
    keys = sorted({e.purpose for e in events if e.purpose} | {s.purpose for s in states})
    purposes = []
    for key in keys:
        found = uow.purposes.get(key)
        if found is None:
            continue
        content = found.current.content
        purposes.append(
            {
                "purpose": key,
                "name": content.name,
                "description": content.description,
                "legal_basis": content.legal_basis.value,
                "controller": content.controller,
                "channels": [c.value for c in content.channels],
                "retention_days": content.retention_days,
            }
        )
    sources = []
    for key in sorted({e.touchpoint for e in events}):
        touchpoint = uow.touchpoints.get(key)
        if touchpoint is not None:
            sources.append(
                {
                    "touchpoint": key,
                    "name": touchpoint.name,
                    "kind": touchpoint.kind.value,
                    "channel": touchpoint.channel.value,
                    "nature": touchpoint.nature.value,
                }
            )
    recipients = [
        {"system": s.key, "name": s.name, "kind": s.kind.value}
        for s in uow.sync.systems()
        if s.status == "active"
    ]
    return {
        "purposes": purposes,  # art. 15(1)(a), (c) and (d) per purpose: retention_days
        "recipients": recipients,  # art. 15(1)(c)
        "retention": {p["purpose"]: p["retention_days"] for p in purposes},  # art. 15(1)(d)
        "sources": sources,  # art. 15(1)(g)
        "rights": (
            "You may ask for rectification, erasure, restriction or object (arts. 16-21) and "
            "lodge a complaint with the Garante per la protezione dei dati personali "
            "(art. 15(1)(e)-(f))."
        ),
    }


def check_answer_link(ctx: Context, *, token: str) -> str:
    """Checks an answer link without using it; the request it answers."""
    with ctx.uow(write=False) as uow:
        found = read_token(ctx, uow, token, ANSWER)
    return str(found.claims.get("request", ""))


def download_answer(ctx: Context, *, token: str) -> AnswerFile:
    """Uses an answer link (once) and builds its ZIP: data.json, data.csv, information.json.

    Raises `InvalidToken` for a link used, expired, revoked or not ours; `Erased` once the
    person was erased (the link is then used up all the same).
    """
    with ctx.uow() as uow:
        found = redeem_token(ctx, uow, token, ANSWER)
        subject_id = str(found.subject_id)
        info = information(uow, subject_id)
        uow.commit()
    data = subject_export(ctx, subject_id=subject_id)
    request_id = str(found.claims.get("request", "answer"))
    data["information"] = info
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("data.csv", export_csv(data))
        archive.writestr(
            "information.json",
            json.dumps(
                {"request": request_id, "exported_at": timestamp(ctx.clock.now()), **info},
                ensure_ascii=False,
                indent=2,
            ),
        )
    return AnswerFile(f"{request_id}.zip", "application/zip", out.getvalue())
