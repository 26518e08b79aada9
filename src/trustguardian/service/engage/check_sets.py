"""A campaign list checked by set: the facts of the list's purpose and channel read whole, once
per run, and every row answered from memory.

A list of a million rows checked batch by batch makes a few index probes per row; read whole
(store.engage.set_reads: one sequential scan per table), the people, their keyed hashes, the
suppression list, the consent states, the registers and the contact counts cost a fraction of
that, and a row then costs a dictionary lookup and `Decider.held`, the decision every check
shares (domain.checks.verdict). The answers are those of `checks.answer_asks`: the same facts,
decided by the same function. The rows are checked as of the moment the sets were read (one
snapshot for the whole run; batch by batch, each batch had its own).

The facts are held compactly, so that worker processes forked after the read share them: a
keyed hash maps to a person's position (an int), and each person's id, consent status, deciding
event and flags sit in flat buffers at that position (a lookup writes to no shared page but the
int's own). Memory grows with the people in the database, never with the list; past
`MAX_IDENTIFIERS` keyed hashes the batch reads are used instead.

Only what the sets cover is answered here: a row of one identifier, checked now, for the run's
purpose and channel. Any other row (several identifiers, a subject id, a past moment, a purpose
or channel of its own) goes to `answer_asks`, row for row the same as before.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from trustguardian.domain.checks import Decider, Reason, consented_after
from trustguardian.domain.consent import ConsentStatus, status_at
from trustguardian.domain.holds import over_holds
from trustguardian.domain.registry import Channel, LegalBasis, RecordStatus
from trustguardian.service.engage.check_batch import REGISTERED, Ask, Rules
from trustguardian.service.engage.checks import Answer
from trustguardian.store.engage.set_reads import SetReads, StateRow
from trustguardian.store.uow import UnitOfWork

# Beyond this many keyed hashes the sets are not read: a list is then checked batch by batch
# (a few hundred bytes a person in memory; ten million people would take gigabytes).
MAX_IDENTIFIERS = 8_000_000
# The sets are read for a list of at least 1/RATIO of the keyed hashes: a hash read whole costs
# about a tenth of a probe for a row, so smaller lists are faster probed.
RATIO = 8

_STATUSES: tuple[ConsentStatus | None, ...] = (None, *ConsentStatus)
_CODE = {status: code for code, status in enumerate(_STATUSES)}
_PART = 4096
# Flags per person.
_SUPPRESSED, _REGISTERED, _AFTER, _CUSTOMER = 1, 2, 4, 8


def worth_sets(count: int, rows: int) -> bool:
    """Whether a list of `rows` rows is checked by set against `count` keyed hashes."""
    return within_limit(count) and rows * RATIO >= count


def within_limit(count: int) -> bool:
    """Whether the sets of `count` keyed hashes may be held at all (see `MAX_IDENTIFIERS`)."""
    return count <= MAX_IDENTIFIERS


class Sets:
    """The facts of one purpose and channel, checked at one moment, for everybody."""

    def __init__(
        self, uow: UnitOfWork, rules: Rules, purpose_key: str, channel: Channel, now: datetime
    ) -> None:
        reads = uow.set_reads
        purpose = rules.purposes[purpose_key]
        content = purpose.current.content
        self.purpose, self.channel, self.now = purpose_key, channel, now
        policy = rules.policy(purpose_key, channel)
        retired = purpose.status is RecordStatus.RETIRED
        self._decider = Decider(
            purpose.current, retired, channel, now, policy, rules.holidays(now.year)
        )
        self._holds = rules.holds
        listed_kind = REGISTERED.get(channel)
        oppositions = (
            reads.oppositions(rules.registers, listed_kind)
            if content.marketing and listed_kind is not None and rules.registers
            else {}
        )
        # Only a consent purpose on e-mail asks whether the person is a customer (soft spam).
        customers = (
            reads.customers(rules.contract)
            if content.legal_basis is LegalBasis.CONSENT
            and content.analogous_products
            and channel is Channel.EMAIL
            else set()
        )
        shredded = reads.shredded()
        self._suppressed = suppressed = reads.suppressed()
        self._shredded, self._customers = shredded, customers
        states = reads.states(purpose_key, channel.value, since_too=bool(oppositions))
        # Every person at a position; each keyed hash to its owner's position.
        self._owners = owners = self._positions(reads, states, oppositions, now)
        for blind in suppressed:
            if (at := owners.get(blind)) is not None:
                self._flags[at] |= _SUPPRESSED
        self._counts: dict[str, int] = {}
        if policy is not None and policy.cap is not None:
            since = now - timedelta(days=policy.cap.days)
            self._counts = reads.contact_counts(channel.value, since, now, policy.cap.purpose)
        self._capped = policy is not None and policy.cap is not None

    def _positions(
        self,
        reads: SetReads,
        states: Iterator[StateRow],
        oppositions: dict[str, date],
        now: datetime,
    ) -> dict[str, int]:
        """Reads every keyed hash, giving each owner a position and its facts there: the
        hashes and the states both come in the owners' order, and are merged as they come (no
        map of the states is held)."""
        owners: dict[str, int] = {}
        subjects: list[str] = []
        events: list[str] = []
        subject_parts: list[str] = []
        event_parts: list[str] = []
        subject_ends, event_ends = array("Q"), array("Q")
        codes, flags = bytearray(), bytearray()
        marked = self._shredded | self._customers
        code_of = _CODE
        state = next(states, None)
        last: str | None = None
        position = -1
        subject_end = event_end = 0
        for blind, subject in reads.owners_by_subject():
            if subject != last:
                last, position = subject, position + 1
                while state is not None and state[0] < subject:
                    state = next(states, None)
                code, event_id, flag = 0, "", 0
                if state is not None and state[0] == subject:
                    _, status, since, event_id, expires_at = state
                    code = code_of[status_at(status, expires_at, now)]
                    registered = oppositions.get(subject) if oppositions else None
                    if registered is not None:
                        flag = _REGISTERED | (_AFTER * consented_after(status, since, registered))
                elif oppositions and subject in oppositions:
                    flag = _REGISTERED
                if subject in marked:
                    flag |= self._marks(subject)
                subjects.append(subject)
                subject_end += len(subject)
                subject_ends.append(subject_end)
                events.append(event_id)
                event_end += len(event_id)
                event_ends.append(event_end)
                codes.append(code)
                flags.append(flag)
                if len(subjects) >= _PART:  # joined as it goes: no list of millions held
                    subject_parts.append("".join(subjects))
                    event_parts.append("".join(events))
                    subjects.clear()
                    events.clear()
            owners[blind] = position
        self._subject_text = "".join([*subject_parts, *subjects])
        self._event_text = "".join([*event_parts, *events])
        self._subject_ends, self._event_ends = subject_ends, event_ends
        self._codes, self._flags = codes, flags
        return owners

    def _marks(self, subject: str) -> int:
        return (_SUPPRESSED if subject in self._shredded else 0) | (
            _CUSTOMER if subject in self._customers else 0
        )

    def answers(self, asks: Sequence[Ask]) -> list[Answer | None]:
        """Each ask's answer, or None for one the sets do not cover (see the module)."""
        found: list[Answer | None] = []
        append = found.append
        owners, suppressed = self._owners, self._suppressed
        codes, flags_of = self._codes, self._flags
        subject_text, subject_ends = self._subject_text, self._subject_ends
        event_text, event_ends = self._event_text, self._event_ends
        held, holds, counts = self._decider.held, self._holds, self._counts
        purpose, channel, now, capped = self.purpose, self.channel, self.now, self._capped
        statuses = _STATUSES
        unknown: Answer = (False, Reason.UNKNOWN_SUBJECT, None, None)
        refused: Answer = (False, Reason.SUPPRESSED, None, None)
        for ask in asks:
            blind = ask[2]
            if (
                blind is None
                or ask[3] is not None
                or ask[4] is not None
                or ask[5]
                or ask[0] != purpose
                or ask[1] is not channel
            ):
                append(None)
                continue
            at = owners.get(blind)
            if at is None:
                append(refused if blind in suppressed else unknown)
                continue
            start = subject_ends[at - 1] if at else 0
            subject = subject_text[start : subject_ends[at]]
            start = event_ends[at - 1] if at else 0
            event_id = event_text[start : event_ends[at]] or None
            flags = flags_of[at]
            verdict = held(
                statuses[codes[at]],
                event_id,
                bool(flags & _SUPPRESSED),
                bool(flags & _REGISTERED),
                bool(flags & _AFTER),
                bool(flags & _CUSTOMER),
                counts.get(subject, 0) if capped else 0,
            )
            hold = holds.get(subject)
            if hold:
                verdict = over_holds(verdict, hold, purpose, channel, now)
            append((*verdict, subject))
        return found
