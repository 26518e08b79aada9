"""A subject with a history worth a dossier: a web consent with proofs and a file, a paper
form at the counter, a withdrawal, under two notice versions."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from tests.census.helpers import (
    MARIO,
    NOTICE,
    PURPOSE,
    SEND,
    STORE,
    T0,
    WEB,
    at,
    clean_company,
)

from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, ProofType, text_sha256
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import notices

FORM_HTML = (
    b"<form><input name=email value=mario.rossi@example.com><input type=checkbox checked></form>"
)
SCAN = b"%PDF-1.4 signed paper form of Mario Rossi \xe2\x80\x94 firma"
NOTICE_V2 = "Informativa v2: i tuoi dati, con più chiarezza.\n"


@dataclass(frozen=True)
class History:
    ctx: Context
    subject_id: str
    events: list[PrivacyEvent]


def mario_history(ctx: Context) -> History:
    """Mario: web consent (3 proofs, one a file), paper form (with a scan), then a withdrawal."""
    clean_company(ctx)
    web_at = T0 + timedelta(minutes=10)
    web = EventDraft(
        kind=EventKind.CONSENT_GIVEN,
        touchpoint=WEB,
        occurred_at=web_at,
        identifiers=(normalise(IdentifierKind.EMAIL, MARIO),),
        purpose=PURPOSE,
        channels=(Channel.EMAIL,),
        proofs=(
            ProofDraft(
                ProofType.NOTICE_SHOWN,
                {"key": NOTICE, "version": 1, "sha256": text_sha256("Informativa v1\n")},
            ),
            ProofDraft(ProofType.DOUBLE_OPT_IN, {"confirmed_at": "2026-11-02T09:12:00Z"}),
            ProofDraft(
                ProofType.FORM_SNAPSHOT,
                {"url": "https://shop.example/join"},
                FORM_HTML,
                "text/html",
            ),
        ),
        fingerprint="web",
    )
    v2_from = T0 + timedelta(minutes=30)
    notices.add_notice_version(
        at(ctx, T0 + timedelta(minutes=20)), key=NOTICE, text=NOTICE_V2, effective_from=v2_from
    )
    later = at(ctx, T0 + timedelta(hours=2))
    paper = EventDraft(
        kind=EventKind.CONSENT_GIVEN,
        touchpoint=STORE,
        occurred_at=T0 + timedelta(minutes=40),
        identifiers=(normalise(IdentifierKind.EMAIL, MARIO),),
        purpose=PURPOSE,
        channels=(Channel.PHONE,),
        proofs=(ProofDraft(ProofType.PAPER_FORM, {"operator": "Giulia"}, SCAN, "application/pdf"),),
        fingerprint="paper",
    )
    withdrawal = EventDraft(
        kind=EventKind.CONSENT_WITHDRAWN,
        touchpoint=SEND,
        occurred_at=T0 + timedelta(minutes=50),
        identifiers=(normalise(IdentifierKind.EMAIL, MARIO),),
        purpose=PURPOSE,
        channels=(Channel.EMAIL,),
        fingerprint="withdrawal",
    )
    first = record_events(later, drafts=[web])
    rest = record_events(later, drafts=[paper, withdrawal])
    # Someone else's events after Mario's: the proofs must reach a larger tree.
    other = EventDraft(
        kind=EventKind.CONSENT_GIVEN,
        touchpoint=STORE,
        occurred_at=T0 + timedelta(minutes=45),
        identifiers=(normalise(IdentifierKind.EMAIL, "luigi@example.com"),),
        purpose=PURPOSE,
        proofs=(ProofDraft(ProofType.PAPER_FORM, {"operator": "Giulia"}),),
        fingerprint="luigi",
    )
    record_events(later, drafts=[other])
    events = [r.event for r in first + rest]
    return History(later, events[0].subject_id, events)


def unzip(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in files.items():
            z.writestr(name, body)
    return out.getvalue()
