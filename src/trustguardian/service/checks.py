"""May we contact this person? Single checks (recorded, so contacts can cite them) and batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trustguardian.domain.checks import Decision, Facts, Reason, decide
from trustguardian.domain.common import as_utc
from trustguardian.domain.registry import Channel, RecordStatus
from trustguardian.domain.subjects import Identifier
from trustguardian.service import metrics
from trustguardian.service.check_batch import Batch, Rules
from trustguardian.service.context import Context
from trustguardian.store.uow import UnitOfWork

# A check for a moment further back than this answers from what had happened by then (an audit
# of a contact made last month), not from today's state.
PAST = timedelta(minutes=1)


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
    [outcome] = check_many(ctx, [request])
    check_id = ctx.ids.new_id("chk")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.engage.add_checks(
            [
                {
                    "id": check_id,
                    "subject_id": outcome.subject_id,
                    "purpose_key": request.purpose,
                    "channel": request.channel.value,
                    "moment": as_utc(request.moment) if request.moment else now,
                    "allowed": outcome.allowed,
                    "reason": outcome.reason.value,
                    "event_id": outcome.event_id,
                    "checked_at": now,
                }
            ]
        )
        uow.commit()
    return CheckOutcome(**{**vars(outcome), "check_id": check_id})


def check_many(ctx: Context, requests: Sequence[CheckRequest]) -> list[CheckOutcome]:
    """Checks many contacts with a handful of queries; the same answers as one by one."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        rules = Rules.load(uow, wanted={r.purpose for r in requests})
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
    batch = Batch(ctx, uow, rules, requests)
    outcomes = []
    for position, request in enumerate(requests):
        purpose = rules.purposes[request.purpose]
        subject = batch.subjects[position]
        if subject is None:
            reason = (
                Reason.SUPPRESSED if batch.blind_suppressed(position) else Reason.UNKNOWN_SUBJECT
            )
            outcomes.append(_outcome(Decision(False, reason, None), None))
            continue
        moment = as_utc(request.moment) if request.moment else now
        policy = rules.policy(request.purpose, request.channel)
        facts = Facts(
            purpose=purpose.current,
            purpose_retired=purpose.status is RecordStatus.RETIRED,
            channel=request.channel,
            moment=moment,
            state=batch.state(subject, request, moment, past=moment < now - PAST),
            suppressed=subject in batch.shredded or batch.suppressed(subject, position),
            opposition_since=batch.opposition(subject, request.channel)
            if purpose.current.content.marketing
            else None,
            existing_customer=subject in batch.customers,
            policy=policy,
            contacts_in_period=batch.contacts(subject, request.channel, policy, moment),
            holidays=rules.holidays(moment.year),
        )
        outcomes.append(_outcome(decide(facts), subject))
    return outcomes


def _outcome(decision: Decision, subject: str | None) -> CheckOutcome:
    return CheckOutcome(
        decision.allowed, decision.reason, decision.words, decision.event_id, subject
    )
