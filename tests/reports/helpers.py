"""A subject with a history worth a dossier: a web consent with proofs and a file, a paper
form at the counter, a withdrawal, under two notice versions."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
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
from trustguardian.ledger import Signer
from trustguardian.reports.dossier import subject_dossier
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


def re_signed(
    history: History, forger: Signer, change: Callable[[dict[str, bytes]], None]
) -> bytes:
    """The subject's dossier with its files changed by `change` and every signature redone
    with `forger`'s key: the checkpoint, the manifest and the key file, as a forger holding no
    instance key would."""
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    change(files)
    checkpoint = files["checkpoint.txt"].decode()
    body = checkpoint[: checkpoint.index("\n\n") + 1]
    files["checkpoint.txt"] = forger.sign(body).encode()
    files["public-key.txt"] = (forger.verifier_key + "\n").encode()
    for path in [p for p in files if p.endswith(".tlog-proof")]:
        head, _, note = files[path].decode().partition("\n\n")
        files[path] = (head + "\n\n" + forger.sign(note[: note.index("\n\n") + 1])).encode()
    policy = files["trust-policy.txt"].decode().splitlines(keepends=True)
    files["trust-policy.txt"] = "".join(
        f"log {forger.verifier_key}\n" if line.startswith("log ") else line for line in policy
    ).encode()
    files["manifest.txt"] = manifest_signed_by(forger, files)
    return rezip(files)


def manifest_signed_by(forger: Signer, files: dict[str, bytes]) -> bytes:
    """The manifest rebuilt over `files` as they are now and signed by `forger`."""
    lines = [
        line
        for line in files["manifest.txt"].decode().split("\n\n")[0].splitlines()
        if len(line.split(" ")[0]) != 64
    ] + [
        f"{hashlib.sha256(b).hexdigest()} {p}"
        for p, b in sorted(files.items())
        if p != "manifest.txt"
    ]
    return forger.sign("\n".join(lines) + "\n").encode()
