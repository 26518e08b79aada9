"""The facts of many checks at once: rules read once per run, each batch's facts in a handful of
statements (store.batch_reads). The decision itself is `domain.checks.decide`, and only there."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from trustguardian.domain.checks import TELEMARKETING_WINDOW, Policy, pick_policy
from trustguardian.domain.consent import ConsentState, fold
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.holds import Hold
from trustguardian.domain.registry import Channel, LegalBasis, Purpose
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage.calendar import italian_holidays
from trustguardian.service.events.consent import fact_of, lifetimes
from trustguardian.store.uow import UnitOfWork

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
_LISTABLE = (IdentifierKind.PHONE.value, IdentifierKind.POSTAL.value)


class Rules:
    """What every check of a run shares, read once: the purposes, the contact policies, the
    current opposition registers and the purposes resting on a contract."""

    def __init__(
        self,
        purposes: dict[str, Purpose],
        policies: Sequence[Policy],
        registers: Sequence[str],
        holds: Mapping[str, tuple[Hold, ...]] | None = None,
    ) -> None:
        self.purposes = purposes
        self.holds = holds or {}
        self.policies = [*policies]
        self.registers = [*registers]
        # Any event for one of these makes a subject an existing customer.
        self.contract = sorted(
            key
            for key, p in purposes.items()
            if p.current.content.legal_basis is LegalBasis.CONTRACT
        )
        self._picked: dict[tuple[str, Channel], Policy | None] = {}

    @classmethod
    def load(cls, ctx: Context, uow: UnitOfWork, *, wanted: Iterable[str] = ()) -> Rules:
        """The rules as of this unit of work (the process's registry copy, checked against its
        stamp); a wanted purpose that does not exist is refused."""
        registry = ctx.check_registry.get(uow)
        for key in wanted:
            known_purpose(registry.purposes, key)
        return cls(
            registry.purposes,
            [*DEFAULT_POLICIES, *registry.policies],
            registry.registers,
            registry.holds,
        )

    def policy(self, purpose: str, channel: Channel) -> Policy | None:
        """The policy in force for a purpose and channel (see `pick_policy`)."""
        key = (purpose, channel)
        if key not in self._picked:
            self._picked[key] = pick_policy(self.policies, purpose, channel)
        return self._picked[key]

    def holidays(self, year: int) -> frozenset[date]:
        """Holidays around a year (see `holidays_around`)."""
        return holidays_around(year)


def known_purpose(purposes: dict[str, Purpose], key: str) -> Purpose:
    """The purpose with this key, or the refusal every check gives for an unknown one."""
    purpose = purposes.get(key)
    if purpose is None:
        raise InvalidInput(
            f"unknown purpose {key!r}", errors=[FieldError("purpose", f"unknown {key!r}")]
        )
    return purpose


@functools.lru_cache(maxsize=16)
def holidays_around(year: int) -> frozenset[date]:
    """Italian public holidays of a year and its neighbours: the contact window is judged in
    local time, whose year may differ from UTC's."""
    return italian_holidays(year - 1) | italian_holidays(year) | italian_holidays(year + 1)


# One check of a batch, as plain values: purpose, channel, the keyed hash of the identifier
# named (or None), the subject id named (or None), and the moment (None: now).
Ask = tuple[str, Channel, str | None, str | None, datetime | None]


class Batch:
    """Everything a batch of checks needs, read once; checks are named by their position."""

    def __init__(self, uow: UnitOfWork, rules: Rules, asks: Sequence[Ask]) -> None:
        reads = uow.batch_reads
        self.blinds = blinds = [a[2] for a in asks]
        owners = reads.owners(sorted({b for b in blinds if b is not None}))
        self.shredded = {s for s, shredded in owners.values() if shredded}
        known = {s for s, _ in owners.values()}
        by_id = sorted({a[3] for a in asks if a[3] is not None} - known)
        more_known, more_shredded = reads.subjects(by_id)
        known |= more_known
        self.shredded |= more_shredded
        named: list[str | None] = []
        # A hash's own listing matters when nobody, or somebody else, owns it; an owner's
        # identifiers are looked at with the owner.
        alone: set[str] = set()
        for _, _, blind, subject_id, _ in asks:
            owner = owners.get(blind) if blind is not None else None
            subject = subject_id if subject_id is not None else owner[0] if owner else None
            named.append(subject)
            if blind is not None and (owner is None or owner[0] != subject):
                alone.add(blind)
        self._suppressed_blinds = reads.suppressed(sorted(alone))
        self.subjects = [s if s in known else None for s in named]
        subjects = sorted({s for s in self.subjects if s is not None})
        self._suppressed_subjects = reads.suppressed_subjects(subjects)
        self._listed: dict[str, date] = {}
        self.identifiers: dict[str, list[tuple[str, str]]] = {}
        if rules.registers and any(
            a[1] in REGISTERED and rules.purposes[a[0]].current.content.marketing for a in asks
        ):
            self.identifiers = reads.identifiers(subjects)
            listable = {
                b for ids in self.identifiers.values() for b, kind in ids if kind in _LISTABLE
            }
            self._listed = reads.listed(rules.registers, sorted(listable))
        self.customers = reads.with_events_for(subjects, rules.contract)
        self.states = reads.states(
            subjects, sorted({a[0] for a in asks}), sorted({a[1].value for a in asks})
        )
        self._uow = uow
        self._counts: dict[tuple[Channel, datetime], dict[str, int]] = {}
        self._histories: dict[str, list[PrivacyEvent]] = {}
        self._lifetimes: dict[tuple[str, int], int | None] | None = None
        self._subjects = subjects

    def state(
        self, subject: str, purpose: str, channel: Channel, moment: datetime, *, past: bool
    ) -> ConsentState | None:
        """The state now, or for a moment gone by, the fold of what had happened by then."""
        key = (subject, purpose, channel)
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
            if e.purpose == purpose
            and e.occurred_at <= moment
            and (f := fact_of(e, lifetime.get((e.purpose, e.purpose_version or 0)))) is not None
        ]
        corrected = [e.corrects for e in events if e.corrects is not None]
        return fold(facts, corrected=corrected).get(key)

    def blind_suppressed(self, position: int) -> bool:
        """Whether the identifier the check at this position names is suppressed (asked only
        when it names nobody, or somebody else than the check's subject)."""
        return self.blinds[position] in self._suppressed_blinds

    def suppressed(self, subject: str, position: int) -> bool:
        """Whether any identifier of the subject, or the one asked about, is suppressed."""
        return subject in self._suppressed_subjects or self.blind_suppressed(position)

    def opposition(self, subject: str, channel: Channel) -> date | None:
        """The latest date of a current register listing the subject for this channel."""
        listed_kind = REGISTERED.get(channel)
        if listed_kind is None:
            return None
        own = [b for b, kind in self.identifiers.get(subject, []) if kind == listed_kind]
        dates = [self._listed[b] for b in own if b in self._listed]
        return max(dates, default=None)

    def contacts(
        self, subject: str, channel: Channel, policy: Policy | None, moment: datetime
    ) -> int:
        """Contacts made with the subject on the channel within the policy's cap period."""
        if policy is None or policy.cap is None:
            return 0
        since = moment - timedelta(days=policy.cap.days)
        key = (channel, since)
        if key not in self._counts:
            self._counts[key] = self._uow.engage.contact_counts(self._subjects, channel, since)
        return self._counts[key].get(subject, 0)
