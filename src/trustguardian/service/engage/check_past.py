"""The facts of checks of a past moment: everything as it stood then.

A check of a moment gone by (an audit of last month's campaign) is answered from the events
that had happened by then, folded by `occurred_at` (ties to the most protective state), the
suppression entries and erasures in force then, the policies and register imports current then.
None of it is read for checks of now: a batch reads it once, when its first past check asks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from trustguardian.domain.checks import Policy
from trustguardian.domain.consent import ConsentState, fold
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import Channel
from trustguardian.service.events.consent import fact_of, lifetimes
from trustguardian.store.engage.lists import Span
from trustguardian.store.uow import UnitOfWork

if TYPE_CHECKING:
    from trustguardian.service.engage.check_batch import Batch, Rules


class Past:
    """A batch's facts of past moments (see the module's docstring)."""

    def __init__(self, uow: UnitOfWork, rules: Rules, batch: Batch) -> None:
        self._uow = uow
        self._rules = rules
        self._batch = batch
        self._subjects = subjects = sorted({s for s in batch.subjects if s is not None})
        self._identifiers = uow.batch_reads.identifiers(subjects)
        blinds = {b for row in batch.rows for b in row} | {
            b for ids in self._identifiers.values() for b, _ in ids
        }
        lists = uow.engage_lists
        self._spans: dict[str, list[Span]] = lists.suppression_spans(sorted(blinds))
        owners = {owner for owner, _ in batch.owners.values()} | set(subjects)
        self._erased = lists.shredded_at(sorted(owners))
        self._histories: dict[str, list[PrivacyEvent]] = {}
        self._lifetimes: dict[tuple[str, int], int | None] | None = None
        self._registers: dict[datetime, tuple[str, ...]] = {}

    def state(
        self, subject: str, purpose: str, channel: Channel, moment: datetime
    ) -> ConsentState | None:
        """The fold of the subject's events for the purpose that had happened by the moment."""
        events = self._history(subject)
        if self._lifetimes is None:
            self._lifetimes = lifetimes(self._uow)
        lifetime = self._lifetimes
        facts = [
            f
            for e in events
            if e.purpose == purpose
            and e.occurred_at <= moment
            and (f := fact_of(e, lifetime.get((e.purpose, e.purpose_version or 0)))) is not None
        ]
        corrected = [e.corrects for e in events if e.corrects is not None]
        return fold(facts, corrected=corrected).get((subject, purpose, channel))

    def customer(self, subject: str, moment: datetime) -> bool:
        """Whether the subject had an event for a purpose resting on a contract by then."""
        contract = set(self._rules.contract)
        return any(
            e.purpose in contract and e.occurred_at <= moment for e in self._history(subject)
        )

    def suppressed(self, subject: str | None, position: int, moment: datetime) -> bool:
        """Whether, at the moment, an identifier of the row or of its subject was suppressed,
        or its subject or another identifier's owner was erased."""
        batch = self._batch
        blinds = list(batch.rows[position])
        owners = {batch.owners[b][0] for b in blinds if b in batch.owners}
        if subject is not None:
            blinds += [b for b, _ in self._identifiers.get(subject, [])]
            owners.add(subject)
        if any(o in self._erased and self._erased[o] <= moment for o in owners):
            return True
        return any(
            added <= moment and (removed is None or moment < removed)
            for b in blinds
            for added, removed in self._spans.get(b, ())
        )

    def policy(self, purpose: str, channel: Channel, moment: datetime) -> Policy | None:
        """The policy in force then for this purpose and channel."""
        return self._rules.policy_at(self._uow, purpose, channel, moment)

    def opposition(self, subject: str, channel: Channel, moment: datetime) -> date | None:
        """When the subject's identifier for the channel was first seen on a register that was
        current then (None: on none)."""
        if moment not in self._registers:
            self._registers[moment] = self._rules.registers_at(self._uow, moment)
        return self._batch.opposition(subject, channel, self._registers[moment])

    def _history(self, subject: str) -> list[PrivacyEvent]:
        if not self._histories:
            # Every subject of the batch at once: a past audit of a list reads a few chunks,
            # not a statement per person.
            self._histories = self._uow.events.for_subjects(self._subjects)
        return self._histories.get(subject, [])
