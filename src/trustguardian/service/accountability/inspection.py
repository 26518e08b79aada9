"""The figures of the inspection report, read from the database for a period [start, end)."""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trustguardian.domain.consent import ConsentStatus
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import ProofType, Touchpoint
from trustguardian.domain.risk import Finding, examine
from trustguardian.ledger import parse_checkpoint, verify_consistency
from trustguardian.service.accountability.inspection_cases import (
    ComplaintFigures,
    RequestFigures,
    complaint_figures,
    request_figures,
)
from trustguardian.service.accountability.records import RegisterHeader, register_header
from trustguardian.service.context import Context
from trustguardian.service.events.ledger import prove_consistency
from trustguardian.service.registry.census import gather_facts, live_touchpoints
from trustguardian.service.sync.status import DestinationStatus, sync_status
from trustguardian.service.verify.full import Report, verify_ledger

CONSENT_EVENT_KINDS = (EventKind.CONSENT_GIVEN.value, EventKind.CONSENT_CONFIRMED.value)
STATUSES = tuple(s.value for s in ConsentStatus)


@dataclass(frozen=True)
class CensusRow:
    touchpoint: Touchpoint
    examined_at: datetime | None
    findings: list[Finding]


@dataclass(frozen=True)
class Coverage:
    """Consent events of one touchpoint in the period, and how many carry each kind of proof."""

    touchpoint: str
    events: int = 0
    with_proof: int = 0
    notice_shown: int = 0
    confirmed: int = 0  # double opt-in or OTP
    signed_form: int = 0
    with_file: int = 0
    imported: int = 0  # from a legacy import (its sealed source row)

    @property
    def percent(self) -> float:
        return 100.0 * self.with_proof / self.events if self.events else 0.0


@dataclass(frozen=True)
class CheckpointLink:
    tree_size: int
    created_at: datetime
    signed: bool
    consistent_with_previous: bool | None  # None for the first one shown
    stamped_at: datetime | None


@dataclass(frozen=True)
class InspectionFigures:
    start: datetime
    end: datetime
    generated_at: datetime
    origin: str
    public_key: str
    census: list[CensusRow]
    consents: dict[tuple[str, str], dict[str, int]]
    events: dict[tuple[str, str], int]
    coverage: list[Coverage]
    # Events recorded in the period that occurred before it (imports, late paper forms).
    recorded_late: dict[tuple[str, str], int]
    contacts: dict[tuple[str, str], int]
    sync: list[DestinationStatus]
    ledger: Report
    checkpoints_in_period: int
    chain: list[CheckpointLink]
    requests: RequestFigures = field(default_factory=RequestFigures)
    complaints: ComplaintFigures = field(default_factory=ComplaintFigures)
    # Confirmation requests made in the period: `awaiting`, `expired` (never confirmed: a
    # sign-up from a public form then recorded nothing) and `confirmed`.
    confirmations: dict[str, int] = field(default_factory=dict)
    # The controller, its DPO and representative, as settings name them.
    header: RegisterHeader | None = None
    # Sections other capabilities add (rights requests, complaints): title -> rows.
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def findings_by_severity(self) -> dict[str, int]:
        counts = {"high": 0, "medium": 0, "low": 0}
        for row in self.census:
            for f in row.findings:
                counts[f.severity.value] += 1
        return counts


def inspection_figures(ctx: Context, *, start: datetime, end: datetime) -> InspectionFigures:
    """Reads every figure of the report; the census is examined afresh (read-only)."""
    if end <= start:
        raise InvalidInput("the period is empty", errors=[FieldError("to", "must be after --from")])
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        live = live_touchpoints(uow)
        census = [
            CensusRow(
                tp,
                uow.accountability.examined_at(tp.key),
                examine(gather_facts(uow, tp, now, live)),
            )
            for tp in live
        ]
        consents: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(STATUSES, 0)
        )
        for (purpose, channel, status), n in uow.accountability.consent_counts(now).items():
            consents[(purpose, channel)][status] = n
        events = uow.accountability.event_counts(start, end)
        recorded_late = uow.accountability.recorded_counts(start, end)
        coverage = _coverage(uow.accountability.consent_proofs(start, end, CONSENT_EVENT_KINDS))
        contacts = uow.accountability.contact_counts(start, end)
        checkpoints = uow.ledger.checkpoints()
        stamps = uow.accountability.timestamps()
        requests = request_figures(uow, start, end, now)
        complaints = complaint_figures(uow, start, end)
        confirmations = uow.signups.counts(start, end, now)
    in_period = [c for c in checkpoints if start <= c.created_at < end]
    return InspectionFigures(
        start=start,
        end=end,
        generated_at=now,
        origin=ctx.keys.signer.name,
        public_key=ctx.keys.signer.verifier_key,
        census=census,
        consents=dict(sorted(consents.items())),
        events=events,
        coverage=coverage,
        recorded_late=recorded_late,
        contacts=contacts,
        sync=sync_status(ctx),
        ledger=verify_ledger(ctx),
        checkpoints_in_period=len(in_period),
        chain=_chain(ctx, in_period, stamps),
        requests=requests,
        complaints=complaints,
        confirmations=confirmations,
        header=register_header(ctx),
    )


def _coverage(rows: Any) -> list[Coverage]:
    found: dict[str, dict[int, set[str]]] = defaultdict(dict)
    files: set[int] = set()
    for seq, touchpoint, proof_type, has_file in rows:
        types = found[touchpoint].setdefault(seq, set())
        if proof_type is not None:
            types.add(proof_type)
        if has_file:
            files.add(seq)
    return [
        Coverage(
            touchpoint=tp,
            events=len(by_event),
            with_proof=sum(1 for types in by_event.values() if types),
            notice_shown=sum(ProofType.NOTICE_SHOWN in types for types in by_event.values()),
            confirmed=sum(
                bool({ProofType.DOUBLE_OPT_IN, ProofType.OTP} & types)
                for types in by_event.values()
            ),
            signed_form=sum(ProofType.PAPER_FORM in types for types in by_event.values()),
            with_file=sum(seq in files for seq in by_event),
            imported=sum(ProofType.IMPORT in types for types in by_event.values()),
        )
        for tp, by_event in sorted(found.items())
    ]


# The chain shows the last checkpoint of each day in the period, each proved consistent with
# the one before (a full check of every checkpoint is in the ledger verification above).
MAX_LINKS = 60


def _chain(ctx: Context, in_period: list[Any], stamps: dict[int, Any]) -> list[CheckpointLink]:
    daily: dict[str, Any] = {}
    for cp in in_period:
        daily[cp.created_at.date().isoformat()] = cp
    milestones = list(daily.values())[-MAX_LINKS:]
    verifier = ctx.keys.signer.verifier
    links: list[CheckpointLink] = []
    previous = None
    for cp in milestones:
        try:
            parse_checkpoint(cp.note, verifier)
            signed = True
        except ValueError:
            signed = False
        consistent = None
        if previous is not None:
            proof = prove_consistency(ctx, size1=previous.tree_size, size2=cp.tree_size)
            consistent = verify_consistency(
                previous.tree_size,
                cp.tree_size,
                previous.root_hash,
                cp.root_hash,
                [base64.b64decode(str(h)) for h in _hashes(proof["proof"])],
            )
        stamp = stamps.get(cp.tree_size)
        links.append(
            CheckpointLink(
                cp.tree_size, cp.created_at, signed, consistent, stamp and stamp.gen_time
            )
        )
        previous = cp
    return links


def _hashes(value: object) -> list[str]:
    return [str(h) for h in value] if isinstance(value, list) else []
