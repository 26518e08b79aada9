"""May we contact this person? Single checks (recorded, so contacts can cite them) and batches."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustguardian.domain.checks import (
    WORDS,
    Decider,
    Decision,
    Facts,
    Policy,
    Reason,
    decide,
    pick_policy,
)
from trustguardian.domain.common import as_utc
from trustguardian.domain.holds import over_holds
from trustguardian.domain.registry import Channel, Purpose, RecordStatus
from trustguardian.domain.subjects import Identifier
from trustguardian.service.context import Context
from trustguardian.service.engage.check_batch import (
    CONFLICTING,
    DEFAULT_POLICIES,
    REGISTERED,
    Ask,
    Batch,
    Rules,
    holidays_around,
    known_purpose,
    lead_first,
)
from trustguardian.service.engage.check_one_reads import MoreReads, OneStatement, Reads
from trustguardian.service.engage.check_registry import STAMP, CheckRegistry
from trustguardian.service.events.subjects import blind
from trustguardian.service.ops import metrics
from trustguardian.store.engage import check_log
from trustguardian.store.engage.check_one import add_check, read_one
from trustguardian.store.engage.check_reads import OneSubject
from trustguardian.store.uow import UnitOfWork

# A check for a moment further back than this answers from what had happened by then (an audit
# of a contact made last month), not from today's state.
PAST = timedelta(minutes=1)


@dataclass(frozen=True)
class CheckRequest:
    """One check; a row of a list may name its person by several identifiers (`identifier`
    and `others`), all of which are resolved and must agree."""

    purpose: str
    channel: Channel
    identifier: Identifier | None = None
    subject_id: str | None = None
    moment: datetime | None = None
    others: tuple[Identifier, ...] = ()


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
    check_id = ctx.ids.new_id("chk")
    past = moment < now - PAST
    if not past and not request.others and not ctx.embedded:
        # PostgreSQL: the check's one statement, then its row in one autocommit INSERT (two
        # round trips); when the statement does not suffice, the read and the record share one
        # transaction, three round trips fewer than a transaction for each.
        plain = _read_plain(ctx, request, moment)
        if plain is not None:
            metrics.count_checks([plain.allowed])
            add_check(ctx.engine, _record(check_id, request, plain, moment, now))
            return dataclasses.replace(plain, check_id=check_id)
        with ctx.uow() as uow:
            found = _read_one(ctx, uow, request, moment)
            if found is not None:
                metrics.count_checks([found.allowed])
                uow.engage.add_checks([_record(check_id, request, found, moment, now)])
                uow.commit()
                return dataclasses.replace(found, check_id=check_id)
    if past or request.others:
        # A moment gone by is answered from the history folded up to it, and a row of several
        # identifiers from each one's owner and listings: the batch reader's way.
        [outcome] = check_many(ctx, [request])
    else:
        outcome = _check_one(ctx, request, moment)
        metrics.count_checks([outcome.allowed])
    row = _record(check_id, request, outcome, moment, now)
    if ctx.check_log is not None:
        ctx.check_log.append(row)
    else:
        with ctx.uow() as uow:
            uow.engage.add_checks([row])
            uow.commit()
    return dataclasses.replace(outcome, check_id=check_id)


def open_check_log(ctx: Context) -> None:
    """Journals this process's single checks (see store.check_log) when the database is a
    SQLite file and the interval is not 0; otherwise each check keeps its own commit."""
    directory = check_log.directory_for(ctx.engine)
    interval = ctx.settings.check_log_interval_ms
    if directory is not None and interval > 0:
        ctx.check_log = check_log.CheckLog(ctx.engine, directory, interval=interval / 1000)
        check_log.recover(ctx.engine, directory)  # what a killed server had journalled


def settle_checks(ctx: Context) -> None:
    """Moves every process's journalled checks into the table (before reading it whole)."""
    with ctx.uow() as uow:
        uow.engage.settle_checks()
        uow.commit()


def _record(
    check_id: str, request: CheckRequest, outcome: CheckOutcome, moment: datetime, now: datetime
) -> dict[str, object]:
    """The row of a check in the checks table."""
    return {
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


def _check_one(ctx: Context, request: CheckRequest, moment: datetime) -> CheckOutcome:
    """One check now, in one read transaction of one or two statements: a batch's answer."""
    found = _read_plain(ctx, request, moment)
    if found is not None:
        return found
    with ctx.uow(write=False) as uow:
        found = _read_one(ctx, uow, request, moment)
    if found is None:
        [found] = check_many(ctx, [request])
    return found


def _read_one(
    ctx: Context, uow: UnitOfWork, request: CheckRequest, moment: datetime
) -> CheckOutcome | None:
    """One check now from one or two statements; None when the registry's stamp is missing
    (then nothing tells whether the process's copy of the registry is current)."""
    own_blind = blind(ctx, request.identifier) if request.identifier is not None else None
    reads = uow.check_reads
    one = reads.one(
        stamp=STAMP,
        subject_id=request.subject_id,
        blind=own_blind,
        purpose=request.purpose,
        channel=request.channel.value,
    )
    if one.stamp is None:
        return None
    registry = ctx.check_registry.at(uow, one.stamp)
    purpose = known_purpose(registry.purposes, request.purpose)
    return _decide_one(reads, registry, purpose, one, request, moment)


def _read_plain(ctx: Context, request: CheckRequest, moment: datetime) -> CheckOutcome | None:
    """A check that its one statement answers (the usual one: the registry copy is current and
    neither an opposition register nor a contact cap needs reading), without a unit of work:
    one autocommit statement (see store.engage.check_one). None: ask `_read_one` instead."""
    own_blind = blind(ctx, request.identifier) if request.identifier is not None else None
    one = read_one(
        ctx.engine,
        stamp=STAMP,
        subject_id=request.subject_id,
        blind=own_blind,
        purpose=request.purpose,
        channel=request.channel.value,
    )
    registry = None if one.stamp is None else ctx.check_registry.current(one.stamp)
    if registry is None:
        return None
    purpose = known_purpose(registry.purposes, request.purpose)
    try:
        return _decide_one(OneStatement(), registry, purpose, one, request, moment)
    except MoreReads:
        return None


def _decide_one(
    reads: Reads,
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
        contacts = reads.contacts(
            one.subject, request.channel.value, since, moment, policy.cap.purpose
        )
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
        holidays=holidays_around(moment.year),
    )
    decision = decide(facts)
    allowed, reason, event_id = over_holds(
        (decision.allowed, decision.reason, decision.event_id),
        registry.holds.get(one.subject),
        request.purpose,
        request.channel,
        moment,
    )
    return CheckOutcome(allowed, reason, WORDS[reason], event_id, one.subject)


def check_many(ctx: Context, requests: Sequence[CheckRequest]) -> list[CheckOutcome]:
    """Checks many contacts with a handful of queries; the same answers as one by one."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        rules = Rules.load(ctx, uow, wanted={r.purpose for r in requests})
        outcomes = answer_many(ctx, uow, rules, requests, now=now)
    metrics.count_checks([o.allowed for o in outcomes])
    return outcomes


def answer_many(
    ctx: Context,
    uow: UnitOfWork,
    rules: Rules,
    requests: Sequence[CheckRequest],
    *,
    now: datetime,
) -> list[CheckOutcome]:
    """Answers checks inside the caller's unit of work, with rules read once for a whole run;
    every request's purpose must be one of the rules' purposes."""
    asks: list[Ask] = []
    for r in requests:
        named = [r.identifier] if r.identifier is not None else []
        lead, others, own = lead_first(
            r.channel, [(i.kind.value, blind(ctx, i)) for i in [*named, *r.others]]
        )
        asks.append((r.purpose, r.channel, lead, r.subject_id, r.moment, others, own))
    return [outcome_of(answer) for answer in answer_asks(uow, rules, asks, now=now)]


# A check's answer as plain values: allowed, reason, the deciding event, the subject.
Answer = tuple[bool, Reason, str | None, str | None]


def outcome_of(answer: Answer) -> CheckOutcome:
    """The outcome an answer given as plain values stands for (no check recorded)."""
    allowed, reason, event_id, subject = answer
    return CheckOutcome(allowed, reason, WORDS[reason], event_id, subject)


def answer_asks(
    uow: UnitOfWork, rules: Rules, asks: Sequence[Ask], *, now: datetime
) -> list[Answer]:
    """Answers a batch of checks given as plain values (see `Ask`), as `answer_many` does,
    without an object per check: a list of millions is checked this way."""
    batch = Batch(uow, rules, asks)
    answers: list[Answer] = []
    append = answers.append
    unknown: Answer = (False, Reason.UNKNOWN_SUBJECT, None, None)
    suppressed: Answer = (False, Reason.SUPPRESSED, None, None)
    conflicting: Answer = (False, Reason.CONFLICTING_IDENTIFIERS, None, None)
    # What a purpose and channel decide alike for every check: read once per batch; checks of
    # now share a Decider (see domain.checks), others are decided one by one.
    shared: dict[tuple[str, Channel], tuple[Purpose, bool, bool, Policy | None, Decider]] = {}
    holidays = rules.holidays(now.year)
    states, shredded, customers = batch.states, batch.shredded, batch.customers
    holds = rules.holds
    latest = now - PAST
    for position, (purpose_key, channel, _, _, when, _, _) in enumerate(asks):
        subject = batch.subjects[position]
        moment = now if when is None else as_utc(when)
        past = moment < latest
        if subject is None:
            if (
                batch.past().suppressed(None, position, moment)
                if past
                else batch.blind_suppressed(position)
            ):
                append(suppressed)
            else:
                append(conflicting if batch.unnamed.get(position) == CONFLICTING else unknown)
            continue
        common = shared.get((purpose_key, channel))
        if common is None:
            purpose = rules.purposes[purpose_key]
            retired = purpose.status is RecordStatus.RETIRED
            policy = rules.policy(purpose_key, channel)
            common = shared[purpose_key, channel] = (
                purpose,
                retired,
                purpose.current.content.marketing,
                policy,
                Decider(purpose.current, retired, channel, now, policy, holidays),
            )
        purpose, retired, marketing, policy, decider = common
        if past:
            history = batch.past()
            state = history.state(subject, purpose_key, channel, moment)
            is_suppressed = history.suppressed(subject, position, moment)
            policy = history.policy(purpose_key, channel, moment)
            opposition = history.opposition(subject, channel, moment) if marketing else None
            customer = history.customer(subject, moment)
        else:
            state = states.get((subject, purpose_key, channel))
            is_suppressed = subject in shredded or batch.suppressed(subject, position)
            opposition = batch.opposition(subject, channel) if marketing else None
            customer = subject in customers
        contacts = batch.contacts(subject, channel, policy, moment)
        held = holds.get(subject)
        if moment is now:
            verdict = decider(state, is_suppressed, opposition, customer, contacts)
            if held:
                verdict = over_holds(verdict, held, purpose_key, channel, moment)
            append((*verdict, subject))
            continue
        decision = decide(
            Facts(
                purpose.current,
                retired,
                channel,
                moment,
                state,
                is_suppressed,
                opposition,
                customer,
                policy,
                contacts,
                rules.holidays(moment.year),
            )
        )
        verdict = (decision.allowed, decision.reason, decision.event_id)
        append((*over_holds(verdict, held, purpose_key, channel, moment), subject))
    return answers


def _outcome(decision: Decision, subject: str | None) -> CheckOutcome:
    return CheckOutcome(
        decision.allowed, decision.reason, decision.words, decision.event_id, subject
    )
