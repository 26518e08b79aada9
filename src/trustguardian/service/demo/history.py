"""Two years of realistic history for the demo company: consents, refusals, withdrawals, proofs."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import NoticeVersion, ProofType, Touchpoint, version_in_force
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import notices, touchpoints

FIRST = [
    "giulia",
    "marco",
    "francesca",
    "luca",
    "chiara",
    "alessandro",
    "sara",
    "matteo",
    "elena",
    "davide",
]
LAST = [
    "rossi",
    "russo",
    "ferrari",
    "esposito",
    "bianchi",
    "romano",
    "colombo",
    "ricci",
    "marino",
    "greco",
]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1",
]
COLLECT = [
    "web-newsletter",
    "web-checkout",
    "app-signup",
    "store-loyalty-desk",
    "fair-stand",
    "call-center-inbound",
]
WEIGHTS = [30, 30, 15, 15, 5, 5]
STAFF = ["Giulia B.", "Paolo M.", "Anna R."]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"demo scan"


def seed_history(ctx: Context, *, subjects: int = 3000, seed: int = 2026) -> int:
    """Records the demo's history in ledger batches; returns how many events were recorded."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not a secret
    now = ctx.clock.now()
    tps = {
        key: touchpoints.get_touchpoint(ctx, key=key)
        for key in [*COLLECT, "unsubscribe-link", "preference-centre"]
    }
    versions = notices.get_notice(ctx, key="privacy-clienti")[1]
    drafts: list[EventDraft] = []
    for n in range(subjects):
        drafts.extend(_person(rng, n, now, tps, versions))
    drafts.sort(key=lambda d: d.occurred_at)
    for start in range(0, len(drafts), 2000):
        record_events(ctx, drafts=drafts[start : start + 2000])
    return len(drafts)


def _person(
    rng: random.Random,
    n: int,
    now: datetime,
    tps: dict[str, Touchpoint],
    versions: list[NoticeVersion],
) -> list[EventDraft]:
    tp = tps[rng.choices(COLLECT, WEIGHTS)[0]]
    name = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{n}"
    email = Identifier(IdentifierKind.EMAIL, f"{name}@example.it")
    phone = Identifier(
        IdentifierKind.PHONE, f"+39 3{rng.randint(10, 49)}{rng.randint(1_000_000, 9_999_999)}"
    )
    ids: tuple[Identifier, ...] = (
        (phone,) if tp.key in ("store-loyalty-desk", "call-center-inbound") else (email,)
    )
    if rng.random() < 0.3:
        ids = (email, phone)
    ids = tuple(Identifier(i.kind, i.value.replace(" ", "")) for i in ids)
    when = now - timedelta(days=rng.uniform(1, 700), seconds=rng.randint(0, 86_400))
    marketing = [p for p in tp.purposes if p not in ("order-fulfilment", "loyalty-programme")]
    proofs = _proofs(rng, tp, when, versions, name)
    events = [_draft(EventKind.NOTICE_ACKNOWLEDGED, tp.key, when, ids, None, proofs, f"{n}-ack")]
    for purpose in marketing:
        kind = EventKind.CONSENT_GIVEN if rng.random() < 0.7 else EventKind.CONSENT_REFUSED
        events.append(_draft(kind, tp.key, when, ids, purpose, proofs, f"{n}-{purpose}"))
        if kind is EventKind.CONSENT_GIVEN and rng.random() < 0.2:
            later = when + timedelta(days=rng.uniform(1, max(1.0, (now - when).days - 1)))
            right = tps["unsubscribe-link" if purpose == "newsletter" else "preference-centre"]
            if purpose in right.purposes:
                events.append(
                    _draft(
                        EventKind.CONSENT_WITHDRAWN,
                        right.key,
                        later,
                        ids,
                        purpose,
                        (),
                        f"{n}-{purpose}-w",
                    )
                )
    return events


def _draft(
    kind: EventKind,
    touchpoint: str,
    when: datetime,
    ids: tuple[Identifier, ...],
    purpose: str | None,
    proofs: tuple[ProofDraft, ...],
    key: str,
) -> EventDraft:
    return EventDraft(
        kind=kind,
        touchpoint=touchpoint,
        occurred_at=when,
        identifiers=ids,
        purpose=purpose,
        proofs=proofs,
        idempotency_key=f"demo-{key}",
        fingerprint=key,
    )


def _proofs(
    rng: random.Random, tp: Touchpoint, when: datetime, versions: list[NoticeVersion], name: str
) -> tuple[ProofDraft, ...]:
    shown = version_in_force(versions, when)
    proofs: list[ProofDraft] = []
    for kind in tp.required_proofs:
        if kind is ProofType.FORM_SNAPSHOT:
            html = (
                f'<form><input name="email" value="{name}@example.it">'
                '<input type="checkbox" checked></form>'
            )
            proofs.append(
                ProofDraft(
                    kind, {"url": f"https://shop.example.it/{tp.key}"}, html.encode(), "text/html"
                )
            )
        elif kind is ProofType.NETWORK:
            ip = f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"
            proofs.append(ProofDraft(kind, {"ip": ip, "user_agent": rng.choice(AGENTS)}))
        elif kind is ProofType.NOTICE_SHOWN and shown is not None:
            proofs.append(
                ProofDraft(
                    kind, {"key": shown.key, "version": shown.version, "sha256": shown.sha256}
                )
            )
        elif kind is ProofType.PAPER_FORM:
            proofs.append(
                ProofDraft(
                    kind, {"form_reference": f"MI-{rng.randint(10_000, 99_999)}"}, PNG, "image/png"
                )
            )
        elif kind is ProofType.OPERATOR:
            proofs.append(
                ProofDraft(kind, {"staff_member": rng.choice(STAFF), "store": "Milano Duomo"})
            )
        elif kind is ProofType.CALL_RECORDING:
            ref = f"rec-{rng.randint(100_000, 999_999)}"
            proofs.append(
                ProofDraft(
                    kind, {"reference": ref, "sha256": hashlib.sha256(ref.encode()).hexdigest()}
                )
            )
    return tuple(proofs)
