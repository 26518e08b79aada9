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
keyed hash maps to its position (an int), and its owner's id, flags and the position of the
owner's consent state (status now and deciding event) sit in flat buffers (a lookup writes to no
shared page but the int's own). They are built from the reads by built-in functions alone, part
by part, with no Python code per row: the states and the owners are read apart (a join would
walk an index twice per keyed hash) and matched by a map of the states' positions. Memory grows
with the people in the database, never with the list; past `MAX_IDENTIFIERS` keyed hashes the
batch reads are used instead.

Only what the sets cover is answered here: a row of one identifier, checked now, for the run's
purpose and channel. Any other row (several identifiers, a subject id, a past moment, a purpose
or channel of its own) goes to `answer_asks`, row for row the same as before.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate, repeat

from trustguardian.domain.checks import Decider, Reason, consented_after
from trustguardian.domain.consent import ConsentStatus, status_at
from trustguardian.domain.holds import over_holds
from trustguardian.domain.registry import Channel, LegalBasis, RecordStatus
from trustguardian.service.engage.check_batch import REGISTERED, Ask, Rules
from trustguardian.service.engage.checks import Answer
from trustguardian.store.engage.set_reads import SetReads
from trustguardian.store.uow import UnitOfWork

# Beyond this many keyed hashes the sets are not read: a list is then checked batch by batch
# (a few hundred bytes a person in memory; ten million people would take gigabytes).
MAX_IDENTIFIERS = 8_000_000
# The sets are read for a list of at least 1/RATIO of the keyed hashes: a hash read whole costs
# about a tenth of a probe for a row, so smaller lists are faster probed.
RATIO = 8

_STATUSES: tuple[ConsentStatus | None, ...] = (None, *ConsentStatus)
_CODE = {status: code for code, status in enumerate(_STATUSES)}
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
        self._suppressed = reads.suppressed()
        marks = self._marks(reads, oppositions, customers)
        self._owners = self._people(reads, marks, now)
        self._counts: dict[str, int] = {}
        if policy is not None and policy.cap is not None:
            since = now - timedelta(days=policy.cap.days)
            self._counts = reads.contact_counts(channel.value, since, now, policy.cap.purpose)
        self._capped = policy is not None and policy.cap is not None

    def _marks(
        self, reads: SetReads, oppositions: dict[str, date], customers: set[str]
    ) -> dict[str, int]:
        """The flags of the few people who have any (suppressed or erased, on a register, a
        customer), by subject."""
        marks = dict.fromkeys(reads.suppressed_owners() | reads.shredded(), _SUPPRESSED)
        for subject in customers:
            marks[subject] = marks.get(subject, 0) | _CUSTOMER
        if oppositions:
            starts = reads.starts(self.purpose, self.channel.value, list(oppositions))
            for subject, registered in oppositions.items():
                flag = _REGISTERED
                if (start := starts.get(subject)) is not None:
                    flag |= _AFTER * consented_after(*start, registered)
                marks[subject] = marks.get(subject, 0) | flag
        return marks

    def _people(self, reads: SetReads, marks: dict[str, int], now: datetime) -> dict[str, int]:
        """Gives every keyed hash a position, and its owner's facts there (the position of its
        state, its flags, its id). Each part of a read becomes columns by built-in functions
        alone: no Python code runs per row, which is what a million rows would cost."""
        state_at = self._read_states(reads, now)
        none = len(self._codes) - 1
        owners: dict[str, int] = {}
        states, flags, subject_parts, subject_ends = array("Q"), bytearray(), [], array("Q")
        for part in reads.owners():
            blinds, subjects = zip(*part, strict=True)
            owners.update(zip(blinds, range(len(flags), len(flags) + len(part)), strict=True))
            states.extend(map(state_at.get, subjects, repeat(none)))
            flags.extend(map(marks.get, subjects, repeat(0)))
            subject_parts.append("".join(subjects))
            _ends(subject_ends, subjects)
        self._subject_text, self._subject_ends = "".join(subject_parts), subject_ends
        self._states, self._flags = states, flags
        return owners

    def _read_states(self, reads: SetReads, now: datetime) -> dict[str, int]:
        """Reads the consent states into columns (status now, deciding event), a last one for
        nobody's; returns each owner's position there."""
        # A stored status, "!" when its expiry has come, to the status now (`status_at`).
        code_of = {}
        for status in ConsentStatus:
            code_of[status.value] = _CODE[status]
            code_of[status.value + "!"] = _CODE[status_at(status, now, now)]
        state_at: dict[str, int] = {}
        codes, event_parts, event_ends = bytearray(), [], array("Q")
        for part in reads.states(self.purpose, self.channel.value, now):
            subjects, keys, events = zip(*part, strict=True)
            state_at.update(zip(subjects, range(len(codes), len(codes) + len(part)), strict=True))
            codes.extend(map(code_of.__getitem__, keys))
            event_parts.append("".join(events))
            _ends(event_ends, events)
        codes.append(0)
        event_ends.append(event_ends[-1] if event_ends else 0)
        self._codes, self._event_text, self._event_ends = codes, "".join(event_parts), event_ends
        return state_at

    def answers(self, asks: Sequence[Ask]) -> list[Answer | None]:
        """Each ask's answer, or None for one the sets do not cover (see the module)."""
        found: list[Answer | None] = []
        append = found.append
        owners, suppressed = self._owners, self._suppressed
        states, codes, flags_of = self._states, self._codes, self._flags
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
            state = states[at]
            start = event_ends[state - 1] if state else 0
            event_id = event_text[start : event_ends[state]] or None
            flags = flags_of[at]
            verdict = held(
                statuses[codes[state]],
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


def _ends(ends: array[int], texts: Sequence[str]) -> None:
    """Appends where each text ends in the concatenation of all so far."""
    running = accumulate(map(len, texts), initial=ends[-1] if ends else 0)
    next(running)  # where the texts before end
    ends.extend(running)
