"""A seeded population of ~300 people built through the service layer, and a campaign list that
names them (and strangers, and garbage) in every way a list can.

Every row carries its intent (which purpose, channel and identifier it means, or why it is bad)
so a test can ask `check_contact` the same question independently of the list readers.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime

from tests.factories.events import (
    ENGAGE_TP,
    OTHER_PURPOSE,
    PURPOSE,
    ago,
    make_draft,
    record,
)

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.audience import RowIn, RowOut
from trustguardian.service.engage.checks import CheckOutcome, CheckRequest, check_contact
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import shred_subject
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry import purposes

from .helpers import CALLS, COLLECT_ALL, LI, OFFERS, OLD, ORDERS, SERVICE, setup_engage

HEADER = ["email", "phone", "customer_id", "subject_id", "purpose", "channel", "note"]
DEFAULT_PURPOSE = PURPOSE
DEFAULT_CHANNEL = Channel.EMAIL
ROW_PURPOSES = [PURPOSE, OTHER_PURPOSE, OFFERS, LI, SERVICE, ORDERS, CALLS, OLD]
ROW_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.PHONE]


@dataclass(frozen=True)
class Person:
    subject_id: str
    email: str
    phone: str | None
    customer_id: str | None


@dataclass(frozen=True)
class Row:
    """One list row: its CSV values and what it means."""

    values: dict[str, str]
    bad: bool = False  # a reader must answer it with an error, not a decision

    def csv_values(self) -> list[str]:
        return [self.values.get(h, "") for h in HEADER]


@dataclass(frozen=True)
class Population:
    ctx: Context
    people: list[Person]
    rows: list[Row]

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for row in self.rows:
            writer.writerow(row.csv_values())
        return out.getvalue().encode()

    def row_ins(self) -> list[RowIn]:
        """The rows as the CSV readers number them (the header is line 1)."""
        return [
            RowIn(n, dict(zip(HEADER, r.csv_values(), strict=True)))
            for n, r in enumerate(self.rows, start=2)
        ]


def _draft(
    kind: EventKind, who: tuple[Identifier, ...], purpose: str, **changes: object
) -> EventDraft:
    touchpoint = (
        ENGAGE_TP
        if kind in (EventKind.CONSENT_WITHDRAWN, EventKind.CONSENT_REFUSED, EventKind.CONTACT_MADE)
        else COLLECT_ALL
    )
    return make_draft(kind, touchpoint=touchpoint, identifiers=who, purpose=purpose, **changes)


def _days_ago(rnd: random.Random, low: int, high: int) -> datetime:
    """Whole days plus half an hour, away from the edges of lifetimes and cap periods."""
    return ago(days=rnd.randint(low, high), minutes=30)


def build(ctx: Context, *, size: int = 300, seed: int = 2026) -> Population:
    rnd = random.Random(seed)
    setup_engage(ctx, lifetime_days=30)  # newsletter consents older than 30 days have expired
    engage_admin.add_policy(ctx, purpose=None, channel=Channel.SMS, max_contacts=2, days=7)

    firsts: list[EventDraft] = []
    contacts = []
    for n in range(size):
        mail = f"person{n:04d}@example.com"
        tel = f"+39 333 100 {n:04d}" if n % 3 == 0 else None
        cid = f"C{n:05d}" if n % 4 == 1 else None
        who = [normalise(IdentifierKind.EMAIL, mail)]
        if tel:
            who.append(normalise(IdentifierKind.PHONE, tel))
        if cid:
            who.append(normalise(IdentifierKind.CUSTOMER_ID, cid))
        # the first event names the person by every identifier they have
        firsts.append(
            _draft(EventKind.DATA_COLLECTED, tuple(who), ORDERS, occurred_at=_days_ago(rnd, 50, 55))
            if rnd.random() < 0.3
            else _draft(
                EventKind.CONSENT_GIVEN,
                tuple(who),
                OTHER_PURPOSE,
                occurred_at=_days_ago(rnd, 50, 55),
            )
        )
    people_events = record(ctx, *firsts)
    people = []
    later: list[EventDraft] = []
    for n, first in enumerate(people_events):
        mail = f"person{n:04d}@example.com"
        tel = f"+39 333 100 {n:04d}" if n % 3 == 0 else None
        cid = f"C{n:05d}" if n % 4 == 1 else None
        people.append(Person(first.subject_id, mail, tel, cid))
        who = (normalise(IdentifierKind.EMAIL, mail),)
        # the newsletter: nothing, given (maybe expired), then maybe withdrawn, or refused
        fate = rnd.choice(["none", "given", "given", "email-only", "withdrawn", "refused"])
        if fate != "none":
            given_at = _days_ago(rnd, 2, 45)
            kind = EventKind.CONSENT_REFUSED if fate == "refused" else EventKind.CONSENT_GIVEN
            channels = (Channel.EMAIL,) if fate == "email-only" else ()
            later.append(_draft(kind, who, PURPOSE, occurred_at=given_at, channels=channels))
            if fate == "withdrawn":
                later.append(
                    _draft(EventKind.CONSENT_WITHDRAWN, who, PURPOSE, occurred_at=ago(days=1))
                )
        offers = rnd.choice(["none", "none", "given", "withdrawn"])
        if offers != "none":
            later.append(
                _draft(EventKind.CONSENT_GIVEN, who, OFFERS, occurred_at=_days_ago(rnd, 10, 40))
            )
            if offers == "withdrawn":
                later.append(
                    _draft(EventKind.CONSENT_WITHDRAWN, who, OFFERS, occurred_at=ago(days=2))
                )
        if rnd.random() < 0.15:
            later.append(_draft(EventKind.CONSENT_WITHDRAWN, who, LI, occurred_at=ago(days=3)))
        if tel and rnd.random() < 0.6:
            later.append(
                _draft(EventKind.CONSENT_GIVEN, who, CALLS, occurred_at=_days_ago(rnd, 10, 40))
            )
        if rnd.random() < 0.1:
            later.append(_draft(EventKind.CONSENT_GIVEN, who, OLD, occurred_at=ago(days=5)))
        for _ in range(rnd.choice([0, 0, 1, 2, 3])):
            contacts.append(
                _draft(
                    EventKind.CONTACT_MADE,
                    who,
                    PURPOSE,
                    channels=(Channel.SMS,),
                    occurred_at=_days_ago(rnd, 1, 12),
                    campaign="spring",
                )
            )
    record(ctx, *later)
    record(ctx, *contacts)

    purposes.retire_purpose(ctx, key=OLD)
    suppressed = rnd.sample(people, 15)
    engage_admin.suppress(
        ctx,
        identifiers=[normalise(IdentifierKind.EMAIL, p.email) for p in suppressed]
        + [normalise(IdentifierKind.EMAIL, f"stranger{n}@example.com") for n in range(5)],
        reason="complaints",
    )
    with ctx.uow() as uow:
        for person in rnd.sample(people, 6):
            shred_subject(ctx, subject_id=person.subject_id, uow=uow)
        uow.commit()
    phones = [p.phone for p in people if p.phone]
    engage_admin.import_register(
        ctx,
        name="rpo",
        kind="phone",
        register_date=ago(days=4).date(),
        lines=["numero", *rnd.sample(phones, len(phones) // 3)],
        file_sha256="0" * 64,
    )
    return Population(ctx, people, _rows(rnd, people))


def _rows(rnd: random.Random, people: list[Person]) -> list[Row]:
    rows = [Row({"email": p.email}) for p in people]
    for _ in range(160):
        p = rnd.choice(people)
        column = rnd.choice(
            ["email", "subject_id"]
            + (["phone"] if p.phone else [])
            + (["customer_id"] if p.customer_id else [])
        )
        value = {
            "email": p.email.upper() if rnd.random() < 0.3 else p.email,
            "phone": (p.phone or "").replace("+39 ", ""),
            "customer_id": p.customer_id or "",
            "subject_id": p.subject_id,
        }[column]
        values = {column: value}
        if rnd.random() < 0.8:
            values["purpose"] = rnd.choice(ROW_PURPOSES)
        if rnd.random() < 0.8:
            values["channel"] = rnd.choice(ROW_CHANNELS).value
        rows.append(Row(values))
    rows += [Row({"email": p.email, "purpose": OFFERS}) for p in rnd.sample(people, 40)]
    rows += [
        Row({"phone": p.phone, "purpose": rnd.choice([CALLS, LI]), "channel": "phone"})
        for p in people
        if p.phone
    ]
    rows += [Row({"email": f"stranger{n}@example.com"}) for n in range(10)]
    rows += [Row({"phone": f"+39 347 000 {n:04d}", "channel": "sms"}) for n in range(5)]
    rows += [Row({"customer_id": "C99999"}), Row({"subject_id": "sub_nobody"})]
    rows += [
        Row({"email": "not-an-email", "note": "malformed"}, bad=True),
        Row({"email": "mario@", "note": "malformed"}, bad=True),
        Row({"phone": "12", "note": "malformed phone"}, bad=True),
        Row({"note": "no identifier"}, bad=True),
        Row({"email": people[0].email, "purpose": "nope"}, bad=True),
        Row({"email": people[0].email, "channel": "pigeon"}, bad=True),
        Row({"email": "a,b@example.com", "note": "comma, quoted"}, bad=True),
    ]
    rnd.shuffle(rows)
    return rows


def single_answer(ctx: Context, row: Row) -> tuple[bool, str, str | None, str | None]:
    """What check_contact says about this row's question; ('invalid_row') when none can be asked.

    Only uses the row's intent and the public normaliser, never the list readers.
    """
    values = row.values
    purpose = values.get("purpose") or DEFAULT_PURPOSE
    channel_text = values.get("channel") or DEFAULT_CHANNEL.value
    column = next(
        (c for c in ("email", "phone", "customer_id", "subject_id") if values.get(c)), None
    )
    try:
        channel = Channel(channel_text)
        if column is None:
            raise InvalidInput("no identifier")
        if column == "subject_id":
            request = CheckRequest(purpose, channel, subject_id=values[column])
        else:
            request = CheckRequest(
                purpose, channel, identifier=normalise(IdentifierKind(column), values[column])
            )
        outcome: CheckOutcome = check_contact(ctx, request=request)
    except (InvalidInput, ValueError):
        assert row.bad, row
        return (False, "invalid_row", None, None)
    assert not row.bad, row
    return (outcome.allowed, outcome.reason.value, outcome.event_id, outcome.subject_id)


def answers(outs: list[RowOut]) -> list[tuple[bool, str, str | None, str | None]]:
    """What the bulk filter said of each row, in the shape `single_answer` gives."""
    return [
        (
            o.allowed,
            o.reason,
            o.outcome.event_id if o.outcome else None,
            o.outcome.subject_id if o.outcome else None,
        )
        for o in outs
    ]
