"""May we contact this person? Single checks (recorded, so contacts can cite them) and batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NoReturn

from trustguardian.domain.checks import (
    TELEMARKETING_WINDOW,
    Decision,
    Facts,
    Policy,
    Reason,
    decide,
    pick_policy,
)
from trustguardian.domain.common import as_utc
from trustguardian.domain.consent import ConsentState, fold
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import Channel, LegalBasis, Purpose, RecordStatus
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service import metrics
from trustguardian.service.calendar import italian_holidays
from trustguardian.service.check_registry import STAMP, CheckRegistry
from trustguardian.service.consent import fact_of, lifetimes
from trustguardian.service.context import Context
from trustguardian.service.subjects import blind
from trustguardian.store import tables as t
from trustguardian.store.check_reads import CheckReads, OneSubject
from trustguardian.store.uow import UnitOfWork

# A check for a moment further back than this answers from what had happened by then (an audit
# of a contact made last month), not from today's state.
PAST = timedelta(minutes=1)

DEFAULT_POLICIES = (
    Policy(None, Channel.PHONE, None, TELEMARKETING_WINDOW),
    Policy(None, Channel.CALL_CENTER, None, TELEMARKETING_WINDOW),
)


# The public opposition register covers calls (by number) and letters (by postal address).
REGISTERED = {
    Channel.PHONE: IdentifierKind.PHONE.value,
    Channel.CALL_CENTER: IdentifierKind.PHONE.value,
    Channel.LETTER: IdentifierKind.POSTAL.value,
}


@dataclass(frozen=True)
class CheckRequest:
    purpose: str
    channel: Channel
    identifier: Identifier | None = None
    subject_id: str | None = None
    moment: datetime | None = None


@dataclass(frozen=True)
class CheckOutcome:
    allowed: bool
    reason: Reason
    words: str
    event_id: str | None
    subject_id: str | None
    check_id: str | None = None


def check_contact(ctx: Context, *, request: CheckRequest) -> CheckOutcome:
    """Checks one contact and records the check, so a contact can cite it."""
    now = ctx.clock.now()
    moment = as_utc(request.moment) if request.moment else now
    if moment < now - PAST:
        # A moment gone by is answered from the history folded up to it: the batch reader's way.
        [outcome] = check_many(ctx, [request])
    else:
        outcome = _check_one(ctx, request, moment)
        metrics.count_checks([outcome.allowed])
    check_id = ctx.ids.new_id("chk")
    with ctx.uow() as uow:
        uow.engage.add_checks(
            [
                {
                    "id": check_id,
                    "subject_id": outcome.subject_id,
                    "purpose_key": request.purpose,
                    "channel": request.channel.value,
                    "moment": moment,
                    "allowed": outcome.allowed,
                    "reason": outcome.reason.value,
                    "event_id": outcome.event_id,
                    "checked_at": now,
                }
            ]
        )
        uow.commit()
    return CheckOutcome(**{**vars(outcome), "check_id": check_id})


def _check_one(ctx: Context, request: CheckRequest, moment: datetime) -> CheckOutcome:
    """One check now, in one read transaction of one or two statements: a batch's answer."""
    own_blind = blind(ctx, request.identifier) if request.identifier is not None else None
    with ctx.uow(write=False) as uow:
        reads = uow.check_reads
        one = reads.one(
            stamp=STAMP,
            subject_id=request.subject_id,
            blind=own_blind,
            purpose=request.purpose,
            channel=request.channel.value,
        )
        if one.stamp is None:  # no stamp to trust a kept registry with: read it all
            found = None
        else:
            registry = ctx.check_registry.at(uow, one.stamp)
            purpose = _known_purpose(registry.purposes, request.purpose)
            found = _decide_one(reads, registry, purpose, one, request, moment)
    if found is None:
        [found] = check_many(ctx, [request])
    return found


def _decide_one(
    reads: CheckReads,
    registry: CheckRegistry,
    purpose: Purpose,
    one: OneSubject,
    request: CheckRequest,
    moment: datetime,
) -> CheckOutcome:
    if one.subject is None:
        reason = Reason.SUPPRESSED if one.blind_suppressed else Reason.UNKNOWN_SUBJECT
        return _outcome(Decision(False, reason, None), None)
    listed_kind = REGISTERED.get(request.channel)
    opposition = (
        reads.listed_since(
            registry.registers, [b for b, k, _ in one.identifiers if k == listed_kind]
        )
        if purpose.current.content.marketing and listed_kind is not None
        else None
    )
    policy = pick_policy([*DEFAULT_POLICIES, *registry.policies], request.purpose, request.channel)
    contacts = 0
    if policy is not None and policy.cap is not None:
        since = moment - timedelta(days=policy.cap.days)
        contacts = reads.contacts(one.subject, request.channel.value, since)
    facts = Facts(
        purpose=purpose.current,
        purpose_retired=purpose.status is RecordStatus.RETIRED,
        channel=request.channel,
        moment=moment,
        state=one.state,
        suppressed=one.shredded or one.blind_suppressed or any(s for _, _, s in one.identifiers),
        opposition_since=opposition,
        existing_customer=one.customer,
        policy=policy,
        contacts_in_period=contacts,
        holidays=_holidays(moment.year),
    )
    return _outcome(decide(facts), one.subject)


def check_many(ctx: Context, requests: Sequence[CheckRequest]) -> list[CheckOutcome]:
    """Checks many contacts with a handful of queries; the same answers as one by one."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        purposes = _purposes(uow, {r.purpose for r in requests})
        batch = _Batch(ctx, uow, requests)
        outcomes = []
        for request in requests:
            purpose = purposes[request.purpose]
            subject = batch.subject(request)
            if subject is None:
                reason = (
                    Reason.SUPPRESSED if batch.blind_suppressed(request) else Reason.UNKNOWN_SUBJECT
                )
                outcomes.append(_outcome(Decision(False, reason, None), None))
                continue
            moment = as_utc(request.moment) if request.moment else now
            policy = pick_policy(batch.policies, request.purpose, request.channel)
            facts = Facts(
                purpose=purpose.current,
                purpose_retired=purpose.status is RecordStatus.RETIRED,
                channel=request.channel,
                moment=moment,
                state=batch.state(subject, request, moment, past=moment < now - PAST),
                suppressed=subject in batch.shredded or batch.suppressed(subject, request),
                opposition_since=batch.opposition(subject, request)
                if purpose.current.content.marketing
                else None,
                existing_customer=subject in batch.customers,
                policy=policy,
                contacts_in_period=batch.contacts(subject, request.channel, policy, moment),
                holidays=_holidays(moment.year),
            )
            outcomes.append(_outcome(decide(facts), subject))
    metrics.count_checks([o.allowed for o in outcomes])
    return outcomes


def _outcome(decision: Decision, subject: str | None) -> CheckOutcome:
    return CheckOutcome(
        decision.allowed, decision.reason, decision.words, decision.event_id, subject
    )


def _holidays(year: int) -> frozenset[date]:
    # The window is judged in local time, whose year may differ from UTC's.
    return italian_holidays(year - 1) | italian_holidays(year) | italian_holidays(year + 1)


def _purposes(uow: UnitOfWork, keys: set[str]) -> dict[str, Purpose]:
    found = {}
    for key in keys:
        purpose = uow.purposes.get(key)
        if purpose is None:
            _unknown_purpose(key)
        found[key] = purpose
    return found


def _known_purpose(purposes: dict[str, Purpose], key: str) -> Purpose:
    purpose = purposes.get(key)
    if purpose is None:
        _unknown_purpose(key)
    return purpose


def _unknown_purpose(key: str) -> NoReturn:
    raise InvalidInput(
        f"unknown purpose {key!r}", errors=[FieldError("purpose", f"unknown {key!r}")]
    )


class _Batch:
    """Everything a batch of checks needs, read once."""

    def __init__(self, ctx: Context, uow: UnitOfWork, requests: Sequence[CheckRequest]) -> None:
        self._blinds = {
            id(r): blind(ctx, r.identifier) for r in requests if r.identifier is not None
        }
        owners = uow.subjects.find_by_blind(list(set(self._blinds.values())))
        self._subject = {
            id(r): r.subject_id
            if r.subject_id is not None
            else owners.get(self._blinds.get(id(r), ""))
            for r in requests
        }
        subjects = sorted({s for s in self._subject.values() if s is not None})
        self.states = uow.consent.get_many_by_subjects(subjects)
        conn = uow.connection
        known = set()
        self.shredded: set[str] = set()
        self.identifiers: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(subjects), 400):
            chunk = subjects[start : start + 400]
            for row in conn.execute(
                t.subjects.select()
                .with_only_columns(t.subjects.c.id, t.subjects.c.shredded_at)
                .where(t.subjects.c.id.in_(chunk))
            ):
                known.add(row.id)
                if row.shredded_at is not None:
                    self.shredded.add(row.id)
            for ident in conn.execute(
                t.subject_identifiers.select()
                .with_only_columns(
                    t.subject_identifiers.c.subject_id,
                    t.subject_identifiers.c.blind,
                    t.subject_identifiers.c.kind,
                )
                .where(t.subject_identifiers.c.subject_id.in_(chunk))
            ):
                self.identifiers.setdefault(ident.subject_id, []).append((ident.blind, ident.kind))
        self._subject = {k: (v if v in known else None) for k, v in self._subject.items()}
        every_blind = list(
            {b for ids in self.identifiers.values() for b, _ in ids} | set(self._blinds.values())
        )
        self._suppressed = uow.engage.suppressed(every_blind)
        registers = [r.id for r in uow.engage.current_registers()]
        phones = [
            b
            for ids in self.identifiers.values()
            for b, kind in ids
            if kind in (IdentifierKind.PHONE.value, IdentifierKind.POSTAL.value)
        ]
        self._listed = uow.engage.in_registers(registers, phones + list(self._blinds.values()))
        self.customers = _customers(uow, subjects)
        self.policies = [*DEFAULT_POLICIES, *uow.engage.policies()]
        self._uow = uow
        self._counts: dict[tuple[Channel, datetime], dict[str, int]] = {}
        self._histories: dict[str, list[PrivacyEvent]] = {}
        self._lifetimes: dict[tuple[str, int], int | None] | None = None
        self._subjects = subjects

    def subject(self, request: CheckRequest) -> str | None:
        return self._subject[id(request)]

    def state(
        self, subject: str, request: CheckRequest, moment: datetime, *, past: bool
    ) -> ConsentState | None:
        """The state now, or for a moment gone by, the fold of what had happened by then."""
        key = (subject, request.purpose, request.channel)
        if not past:
            return self.states.get(key)
        if subject not in self._histories:
            self._histories[subject] = self._uow.events.for_subject(subject)
        events = self._histories[subject]
        if self._lifetimes is None:
            self._lifetimes = lifetimes(self._uow)
        lifetime = self._lifetimes
        facts = [
            f
            for e in events
            if e.purpose == request.purpose
            and e.occurred_at <= moment
            and (f := fact_of(e, lifetime.get((e.purpose, e.purpose_version or 0)))) is not None
        ]
        corrected = [e.corrects for e in events if e.corrects is not None]
        return fold(facts, corrected=corrected).get(key)

    def blind_suppressed(self, request: CheckRequest) -> bool:
        return self._blinds.get(id(request)) in self._suppressed

    def suppressed(self, subject: str, request: CheckRequest) -> bool:
        own = {b for b, _ in self.identifiers.get(subject, [])}
        return bool(own & self._suppressed) or self.blind_suppressed(request)

    def opposition(self, subject: str, request: CheckRequest) -> date | None:
        listed_kind = REGISTERED.get(request.channel)
        if listed_kind is None:
            return None
        own = [b for b, kind in self.identifiers.get(subject, []) if kind == listed_kind]
        dates = [self._listed[b] for b in own if b in self._listed]
        return max(dates, default=None)

    def contacts(
        self, subject: str, channel: Channel, policy: Policy | None, moment: datetime
    ) -> int:
        if policy is None or policy.cap is None:
            return 0
        since = moment - timedelta(days=policy.cap.days)
        key = (channel, since)
        if key not in self._counts:
            self._counts[key] = self._uow.engage.contact_counts(self._subjects, channel, since)
        return self._counts[key].get(subject, 0)


def _customers(uow: UnitOfWork, subjects: list[str]) -> set[str]:
    """Subjects with any event for a purpose resting on a contract: existing customers."""
    contract = [
        p.key
        for p in uow.purposes.page(after=None, limit=10_000)
        if p.current.content.legal_basis is LegalBasis.CONTRACT
    ]
    if not contract or not subjects:
        return set()
    found: set[str] = set()
    for start in range(0, len(subjects), 400):
        rows = uow.connection.execute(
            t.events.select()
            .with_only_columns(t.events.c.subject_id)
            .where(
                t.events.c.subject_id.in_(subjects[start : start + 400]),
                t.events.c.purpose_key.in_(contract),
            )
            .distinct()
        )
        found.update(rows.scalars())
    return found
