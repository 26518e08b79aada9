"""Gathering a subject's dossier: events with their leaves and inclusion proofs, opened evidence,
the notice texts shown, the purposes in force, consent state, the signed checkpoint and its
trusted time-stamp. `reports.dossier` turns this into the zip an inspector verifies offline."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trustguardian.domain.brand import JPEG, PNG, Brand
from trustguardian.domain.consent import ConsentState
from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import NoticeVersion, PurposeVersion, Touchpoint
from trustguardian.ledger import inclusion_coords, inclusion_proof
from trustguardian.service.accountability.dossier_sections import dossier_sections
from trustguardian.service.accountability.dossier_sources import DossierSource, dossier_sources
from trustguardian.service.accountability.dossier_stamps import StampCover, stamp_cover
from trustguardian.service.brand import brand_in_force, brand_logo
from trustguardian.service.collect.evidence import open_blob, open_proof
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import IdentifierView, get_subject, keyring
from trustguardian.service.events.witnessing import tlog_proof_in, trust_policy, witness_quorum
from trustguardian.service.ops.stamping import stamp_if_configured
from trustguardian.store.accountability import StoredTimestamp
from trustguardian.store.ledger import StoredCheckpoint
from trustguardian.vault import SubjectShredded
from trustguardian.vault.evidence import EvidenceBlob


@dataclass(frozen=True)
class OpenedEvidence:
    event_id: str
    seq: int
    position: int
    type: str
    commitment: str
    salt: bytes
    content: bytes  # the exact committed bytes (canonical JSON)
    file: bytes | None
    media_type: str | None

    @property
    def fields(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.content)
        return value


@dataclass(frozen=True)
class DossierEvent:
    event: PrivacyEvent
    leaf: bytes
    inclusion_path: list[bytes]


@dataclass(frozen=True)
class DossierData:
    """Everything a subject's dossier holds; sections added later go in `sections`."""

    subject_id: str
    created_at: datetime
    erased_at: datetime | None
    identifiers: tuple[IdentifierView, ...]
    events: list[DossierEvent]
    evidence: list[OpenedEvidence]
    notices: dict[tuple[str, int], NoticeVersion]
    notice_languages: dict[str, str]
    purposes: dict[tuple[str, int], PurposeVersion]
    purposes_in_force: dict[str, PurposeVersion]
    touchpoints: dict[str, Touchpoint]
    consents: list[tuple[ConsentState, str]]
    checkpoint: StoredCheckpoint
    timestamp: StoredTimestamp | None
    public_key: str
    origin: str
    # Which events a trusted time-stamp covers (the dossier's checkpoint's own is `timestamp`).
    stamps: StampCover = field(default_factory=lambda: StampCover([], {}))
    # Extra sections by name (e.g. rights requests, complaints): JSON-ready rows.
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The source files imported events came from (service.accountability.dossier_sources).
    sources: list[DossierSource] = field(default_factory=list)
    # Each event's c2sp.org/tlog-proof by seq, and the c2sp.org/tlog-policy they verify under.
    tlog_proofs: dict[int, str] = field(default_factory=dict)
    trust_policy: str = ""
    # The company's brand: the controller the report names, and its logo (PNG or JPEG; an SVG
    # logo is shown by name only, the PDF library draws no SVG).
    brand: Brand = field(default_factory=Brand)
    logo: bytes | None = None

    def controller(self) -> str | None:
        """Who the dossier is made by: the brand's company name, else the purposes' controller."""
        named = [p.content.controller for p in self.purposes_in_force.values()]
        return self.brand.company_name or next((c for c in named if c), None)


def gather_dossier(ctx: Context, *, subject_id: str) -> DossierData:
    """Reads a subject's dossier at one instant (a read-only transaction)."""
    stamp_if_configured(ctx)
    quorum = witness_quorum(ctx.settings)
    view = get_subject(ctx, subject_id=subject_id)
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        subject = uow.subjects.get(subject_id)
        if subject is None:
            raise NotFound(f"no subject {subject_id!r}")
        checkpoint = uow.ledger.latest_checkpoint()
        if checkpoint is None:
            raise NotFound("the ledger is empty: no checkpoint yet")
        rows = uow.accountability.subject_leaves(subject_id)
        events = uow.events.for_subject(subject_id)
        leaves = dict(rows)
        dossier_events = []
        for e in events:
            coords = inclusion_coords(e.seq, checkpoint.tree_size)
            nodes = uow.ledger.nodes(coords)
            path = inclusion_proof(e.seq, checkpoint.tree_size, nodes)
            dossier_events.append(DossierEvent(e, leaves[e.seq], path))
        tlog_proofs = {e.seq: tlog_proof_in(uow, e.seq, quorum) for e in events}
        evidence = _evidence(ctx, uow, subject_id, events)
        notices: dict[tuple[str, int], NoticeVersion] = {}
        languages: dict[str, str] = {}
        for key, version in _notices_named(events, evidence):
            found = uow.notices.version(key, version)
            notice = uow.notices.get(key)
            if found is not None and notice is not None:
                notices[(key, version)] = found
                languages[key] = notice.language
        purposes: dict[tuple[str, int], PurposeVersion] = {}
        in_force: dict[str, PurposeVersion] = {}
        states = uow.consent.for_subject(subject_id)
        keys = {e.purpose for e in events if e.purpose} | {s.purpose for s in states}
        for key in sorted(keys):
            for v in uow.purposes.versions(key):
                if any(e.purpose == key and e.purpose_version == v.version for e in events):
                    purposes[(key, v.version)] = v
            current = uow.purposes.get(key)
            if current is not None:
                in_force[key] = current.current
        touchpoints = {
            key: tp
            for key in sorted({e.touchpoint for e in events})
            if (tp := uow.touchpoints.get(key)) is not None
        }
        timestamp = uow.accountability.timestamp(checkpoint.tree_size)
        stamps = stamp_cover(uow, checkpoint, [e.seq for e in events])
        sections = dossier_sections(ctx, uow, subject_id)
        sources = dossier_sources(uow, evidence, checkpoint.tree_size)
    return DossierData(
        subject_id=subject_id,
        created_at=now,
        erased_at=subject.shredded_at,
        identifiers=view.identifiers,
        events=dossier_events,
        evidence=evidence,
        notices=notices,
        notice_languages=languages,
        purposes=purposes,
        purposes_in_force=in_force,
        touchpoints=touchpoints,
        consents=[(s, s.at(now).value) for s in states],
        checkpoint=checkpoint,
        timestamp=timestamp,
        public_key=ctx.keys.signer.verifier_key,
        origin=ctx.keys.signer.name,
        stamps=stamps,
        sections=sections,
        sources=sources,
        tlog_proofs=tlog_proofs,
        trust_policy=trust_policy(ctx),
        brand=brand_in_force(ctx),
        logo=_raster_logo(ctx),
    )


def _raster_logo(ctx: Context) -> bytes | None:
    found = brand_logo(ctx)
    return found[0] if found is not None and found[1] in (PNG, JPEG) else None


def _evidence(
    ctx: Context, uow: Any, subject_id: str, events: list[PrivacyEvent]
) -> list[OpenedEvidence]:
    try:
        data_key = keyring(ctx, uow).data_key_for(subject_id)
    except SubjectShredded:
        return []  # erased: the evidence can no longer be opened, the ledger still verifies
    stored = uow.events.proofs([e.seq for e in events])
    ids = {e.seq: e.id for e in events}
    opened = []
    for seq, proofs in sorted(stored.items()):
        for proof in proofs:
            salt, content = open_proof(data_key, ids[seq], proof)
            file = media_type = None
            if proof.blob_address is not None:
                row = uow.events.blob(subject_id, proof.blob_address)
                if row is not None:
                    blob = EvidenceBlob(row.address, bytes(row.sealed), row.size, row.media_type)
                    file, media_type = open_blob(data_key, subject_id, blob), row.media_type
            opened.append(
                OpenedEvidence(
                    ids[seq],
                    seq,
                    proof.position,
                    proof.type,
                    proof.commitment,
                    salt,
                    content,
                    file,
                    media_type,
                )
            )
    return opened


def _notices_named(
    events: list[PrivacyEvent], evidence: list[OpenedEvidence]
) -> set[tuple[str, int]]:
    named = {(e.notice, e.notice_version) for e in events if e.notice and e.notice_version}
    for item in evidence:
        fields = item.fields
        if item.type == "notice_shown" and fields.get("key") and fields.get("version"):
            named.add((str(fields["key"]), int(fields["version"])))
    return {(k, v) for k, v in named if k is not None and v is not None}
