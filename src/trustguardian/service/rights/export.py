"""Access (art. 15) and portability (art. 20): the person's data and history, as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from trustguardian.domain.errors import Erased, NotFound
from trustguardian.domain.events import timestamp
from trustguardian.service.collect.evidence import data_aad, open_proof
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import identifiers_of, keyring
from trustguardian.service.rights.complaints import complaint_view
from trustguardian.service.rights.requests import view_of
from trustguardian.vault import SubjectShredded, open_sealed


def subject_export(ctx: Context, *, subject_id: str) -> dict[str, Any]:
    """Everything we hold about a person, opened with their key (refused once erased)."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        subject = uow.subjects.get(subject_id)
        if subject is None:
            raise NotFound(f"no subject {subject_id!r}")
        try:
            data_key = keyring(ctx, uow).data_key_for(subject_id)
        except SubjectShredded as exc:
            raise Erased("the subject was erased: nothing readable is left") from exc
        events = sorted(uow.events.for_subject(subject_id), key=lambda e: (e.occurred_at, e.seq))
        proofs = uow.events.proofs([e.seq for e in events])
        sealed_data = uow.rights.event_data([e.seq for e in events])
        history = []
        for e in events:
            opened = []
            for p in proofs.get(e.seq, []):
                _, content = open_proof(data_key, e.id, p)
                opened.append(json.loads(content))
            data = None
            if e.seq in sealed_data:
                plain = open_sealed(data_key, sealed_data[e.seq], data_aad(e.id))
                data = json.loads(plain[32:])
            history.append(
                {
                    "event_id": e.id,
                    "kind": e.kind.value,
                    "occurred_at": timestamp(e.occurred_at),
                    "recorded_at": timestamp(e.recorded_at),
                    "touchpoint": e.touchpoint,
                    "purpose": e.purpose,
                    "channels": [c.value for c in e.channels],
                    "notice": None
                    if e.notice is None
                    else {"key": e.notice, "version": e.notice_version},
                    "proofs": opened,
                    "data": data,
                }
            )
        consents = [
            {
                "purpose": s.purpose,
                "channel": s.channel.value,
                "status": s.at(now).value,
                "since": timestamp(s.since),
                "event_id": s.event_id,
            }
            for s in uow.consent.for_subject(subject_id)
        ]
        requests = [
            {
                "id": r.id,
                "kind": r.kind.value,
                "status": r.status.value,
                "received_at": timestamp(r.received_at),
                "due_on": r.due_on.isoformat(),
                "details": r.details,
            }
            for r in (
                view_of(ctx, uow, row)
                for row in uow.rights.listing(subject_id=subject_id, limit=100_000)
            )
        ]
        complaints = [
            {
                "id": c.id,
                "status": c.status.value,
                "received_at": timestamp(c.received_at),
                "summary": c.summary,
                "outcome": c.outcome,
            }
            for c in (
                complaint_view(ctx, uow, row)
                for row in uow.complaints.listing(subject_id=subject_id, limit=100_000)
            )
        ]
        identifiers = [
            {"kind": i.kind.value, "system": i.system, "value": i.value}
            for i in identifiers_of(ctx, uow, subject_id)
        ]
    return {
        "subject": {"id": subject_id, "created_at": timestamp(subject.created_at)},
        "identifiers": identifiers,
        "consents": consents,
        "events": history,
        "requests": requests,
        "complaints": complaints,
        "exported_at": timestamp(now),
    }


CSV_COLUMNS = (
    "record",
    "id",
    "kind",
    "when",
    "touchpoint",
    "purpose",
    "channel",
    "status",
    "detail",
)


def export_csv(export: dict[str, Any]) -> str:
    """The same export flattened into one CSV table (one row per identifier, consent, event...)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    subject = export["subject"]
    writer.writerow(("subject", subject["id"], "", subject["created_at"], "", "", "", "", ""))
    for i in export["identifiers"]:
        writer.writerow(("identifier", "", i["kind"], "", "", "", "", "", i["value"] or ""))
    for c in export["consents"]:
        writer.writerow(
            (
                "consent",
                c["event_id"],
                "",
                c["since"],
                "",
                c["purpose"],
                c["channel"],
                c["status"],
                "",
            )
        )
    for e in export["events"]:
        detail = json.dumps({"proofs": e["proofs"], "data": e["data"]}, ensure_ascii=False)
        writer.writerow(
            (
                "event",
                e["event_id"],
                e["kind"],
                e["occurred_at"],
                e["touchpoint"],
                e["purpose"] or "",
                " ".join(e["channels"]),
                "",
                detail,
            )
        )
    for r in export["requests"]:
        writer.writerow(
            (
                "request",
                r["id"],
                r["kind"],
                r["received_at"],
                "",
                "",
                "",
                r["status"],
                r["details"] or "",
            )
        )
    for c in export["complaints"]:
        writer.writerow(
            (
                "complaint",
                c["id"],
                "",
                c["received_at"],
                "",
                "",
                "",
                c["status"],
                c["summary"] or "",
            )
        )
    return out.getvalue()
