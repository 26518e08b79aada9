"""A small retailer's ledger built through the service: four purposes, five touchpoints and
~60 events in several batches (proofs with and without evidence files, sealed data, a
correction, withdrawals, an out-of-order paper form)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from trustguardian.domain.common import FixedClock
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    ProofType,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import notices, purposes, touchpoints

SEED = 20240917

E, S, W = Channel.EMAIL, Channel.SMS, Channel.WEB_FORM
PURPOSES = {
    "newsletter": ((E,), True, LegalBasis.CONSENT),
    "sms-marketing": ((S,), True, LegalBasis.CONSENT),
    "profiling": ((E, S, W), True, LegalBasis.CONSENT),
    "loyalty-programme": ((E, S, W), False, LegalBasis.CONTRACT),
}
TOUCHPOINTS = [
    ("fair-stand", TouchpointKind.COLLECT, Channel.EVENT, ["newsletter"], [ProofType.OPERATOR]),
    (
        "store-loyalty-desk",
        TouchpointKind.COLLECT,
        Channel.STORE,
        ["loyalty-programme", "newsletter", "sms-marketing"],
        [ProofType.PAPER_FORM, ProofType.OPERATOR],
    ),
    ("app-signup", TouchpointKind.COLLECT, Channel.APP, ["loyalty-programme", "profiling"], []),
    ("unsubscribe-link", TouchpointKind.RIGHT, E, ["newsletter"], []),
    ("preference-centre", TouchpointKind.RIGHT, W, list(PURPOSES), []),
]


def setup_registry(ctx: Context) -> None:
    """A small retailer's registry, created two years ago (so past events find it in force)."""
    past = dataclasses.replace(ctx, clock=FixedClock(ctx.clock.now() - timedelta(days=730)))
    for key, (channels, marketing, basis) in PURPOSES.items():
        content = PurposeContent(
            name=key.replace("-", " ").title(),
            description=f"The {key} purpose.",
            legal_basis=basis,
            channels=channels,
            controller="Bottega Rossi S.p.A.",
            retention_days=730,
            consent_lifetime_days=730 if basis is LegalBasis.CONSENT else None,
            marketing=marketing,
        )
        purposes.create_purpose(past, key=key, content=content)
    notices.create_notice(
        past, key="privacy-clienti", language="it", title="Informativa", text="Informativa v1\n"
    )
    for key, kind, channel, purpose_keys, proofs in TOUCHPOINTS:
        touchpoints.create_touchpoint(
            past,
            draft=touchpoints.TouchpointDraft(
                key=key,
                name=key.replace("-", " ").title(),
                kind=kind,
                channel=channel,
                nature=Nature.PHYSICAL if channel is Channel.STORE else Nature.DIGITAL,
                purposes=purpose_keys,
                notice_key="privacy-clienti",
                required_proofs=proofs,
            ),
        )


def operator_proof(name: str = "Giulia Bianchi") -> ProofDraft:
    return ProofDraft(ProofType.OPERATOR, {"staff_member": name, "store": "Milano"})


def paper_proof(n: int) -> ProofDraft:
    scan = b"%PDF-1.4\n% signed form " + str(n).encode() + b"\n%%EOF\n"
    return ProofDraft(ProofType.PAPER_FORM, {"form_reference": f"F-{n}"}, scan, "application/pdf")


def person_email(n: int) -> tuple[Any, ...]:
    return (normalise(IdentifierKind.EMAIL, f"person{n}@example.com"),)


@dataclasses.dataclass
class Built:
    size: int
    event_ids: list[str]
    checkpoints: list[int]


def build_ledger(ctx: Context, events: int = 60) -> Built:
    """Records ~`events` events in several batches through `record_events`."""
    setup_registry(ctx)
    rng = random.Random(SEED)
    now = ctx.clock.now()
    ids: list[str] = []
    given: dict[int, str] = {}  # person -> id of a consent.given at the fair stand

    def at(days: float) -> datetime:
        return now - timedelta(days=days, microseconds=rng.randrange(1_000_000))

    def record(drafts: list[EventDraft]) -> None:
        for r in record_events(ctx, drafts=drafts):
            assert not r.replayed
            ids.append(r.event.id)

    people = max(8, events // 4)
    per_batch = max(1, (events - 8) // 4)
    batch: list[EventDraft] = []
    for n in range(events - 8):
        person = n % people
        kind = rng.choice(["fair", "fair", "store", "app", "sms"])
        if kind == "fair":
            draft = EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="fair-stand",
                occurred_at=at(40 - n * 0.5),
                identifiers=person_email(person),
                purpose="newsletter",
                proofs=(operator_proof(),),
                fingerprint=f"fair-{n}",
            )
        elif kind == "store":
            draft = EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="store-loyalty-desk",
                occurred_at=at(40 - n * 0.5),
                identifiers=person_email(person),
                purpose=rng.choice(["newsletter", "sms-marketing", "loyalty-programme"]),
                proofs=(paper_proof(n), operator_proof("Marco Verdi")),
                data={"first_name": f"Anna{n}", "card": n, "vip": n % 2 == 0},
                fingerprint=f"store-{n}",
            )
        elif kind == "app":
            draft = EventDraft(
                kind=EventKind.DATA_COLLECTED,
                touchpoint="app-signup",
                occurred_at=at(40 - n * 0.5),
                identifiers=(
                    *person_email(person),
                    normalise(IdentifierKind.PHONE, f"+39 347 {1000000 + person}"),
                ),
                data={"city": "Milano", "postcode": f"20{n:03d}"},
                fingerprint=f"app-{n}",
            )
        else:
            draft = EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="app-signup",
                occurred_at=at(40 - n * 0.5),
                identifiers=person_email(person),
                purpose="profiling",
                channels=(Channel.EMAIL, Channel.SMS),
                fingerprint=f"sms-{n}",
            )
        batch.append(draft)
        if len(batch) == per_batch:
            record(batch)
            batch = []
    if batch:
        record(batch)
    # Give each of the first people a known consent at the fair stand, then take it back.
    fair = [
        EventDraft(
            kind=EventKind.CONSENT_GIVEN,
            touchpoint="fair-stand",
            occurred_at=at(3),
            identifiers=person_email(p),
            purpose="newsletter",
            proofs=(operator_proof(),),
            fingerprint=f"fair-late-{p}",
        )
        for p in range(3)
    ]
    for p, r in enumerate(record_events(ctx, drafts=fair)):
        given[p] = r.event.id
        ids.append(r.event.id)
    record(
        [
            # Withdrawals by the unsubscribe link.
            EventDraft(
                kind=EventKind.CONSENT_WITHDRAWN,
                touchpoint="unsubscribe-link",
                occurred_at=at(2),
                identifiers=person_email(0),
                purpose="newsletter",
                fingerprint="withdraw-0",
            ),
            EventDraft(
                kind=EventKind.CONSENT_WITHDRAWN,
                touchpoint="preference-centre",
                occurred_at=at(1),
                identifiers=person_email(1),
                purpose="profiling",
                channels=(Channel.SMS,),
                fingerprint="withdraw-1",
            ),
            # A paper form signed before the withdrawal, uploaded after it: must not win.
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="store-loyalty-desk",
                occurred_at=at(2.5),
                identifiers=person_email(0),
                purpose="newsletter",
                proofs=(paper_proof(999), operator_proof()),
                fingerprint="late-paper-0",
            ),
        ]
    )
    record(
        [
            # A correction: the consent recorded at the fair for person 2 was in fact refused.
            EventDraft(
                kind=EventKind.CONSENT_REFUSED,
                touchpoint="fair-stand",
                occurred_at=at(0.5),
                identifiers=person_email(2),
                purpose="newsletter",
                proofs=(operator_proof("Team leader"),),
                corrects=given[2],
                fingerprint="correct-2",
            ),
            EventDraft(
                kind=EventKind.DATA_UPDATED,
                touchpoint="preference-centre",
                occurred_at=at(0.2),
                identifiers=person_email(1),
                data={"city": "Torino"},
                fingerprint="update-1",
            ),
        ]
    )
    with ctx.engine.connect() as conn:
        size = conn.execute(text("SELECT size FROM ledger_head")).scalar_one()
        checkpoints = list(
            conn.execute(text("SELECT tree_size FROM checkpoints ORDER BY tree_size")).scalars()
        )
    return Built(size=size, event_ids=ids, checkpoints=checkpoints)
