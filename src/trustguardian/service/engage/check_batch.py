"""The facts of many checks at once: rules read once per run, each batch's facts in a handful of
statements (store.batch_reads). The decision itself is `domain.checks.decide`, and only there."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from trustguardian.domain.checks import TELEMARKETING_WINDOW, Policy, pick_policy
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel, LegalBasis, Purpose
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.engage.calendar import italian_holidays
from trustguardian.service.engage.check_past import Past
from trustguardian.store.engage.lists import DatedPolicy, RegisterImport
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

# The identifier a channel reaches the person by: it must itself be allowed.
OWN_KIND = {
    Channel.EMAIL: IdentifierKind.EMAIL.value,
    Channel.SMS: IdentifierKind.PHONE.value,
    Channel.PHONE: IdentifierKind.PHONE.value,
    Channel.CALL_CENTER: IdentifierKind.PHONE.value,
    Channel.LETTER: IdentifierKind.POSTAL.value,
}


def lead_first(
    channel: Channel, blinds: Sequence[tuple[str, str]]
) -> tuple[str | None, tuple[str, ...], bool]:
    """A row's identifiers (kind, keyed hash) as an `Ask` holds them: the lead (the channel's
    own identifier when the row has it, else the first), the others, and whether the lead is
    the channel's own."""
    if not blinds:
        return None, (), False
    own = OWN_KIND.get(channel)
    at = next((n for n, (kind, _) in enumerate(blinds) if kind == own), None)
    lead = blinds[at or 0][1]
    others = tuple(b for n, (_, b) in enumerate(blinds) if n != (at or 0))
    return lead, others, at is not None


class Rules:
    """What every check of a run shares, read once: the purposes, the contact policies, the
    current opposition registers and the purposes resting on a contract; and, for checks of a
    past moment, read when first needed, the policies and register imports of every moment."""

    def __init__(
        self, purposes: dict[str, Purpose], policies: Sequence[Policy], registers: Sequence[str]
    ) -> None:
        self.purposes = purposes
        self.policies = [*policies]
        self.registers = [*registers]
        # Any event for one of these makes a subject an existing customer.
        self.contract = sorted(
            key
            for key, p in purposes.items()
            if p.current.content.legal_basis is LegalBasis.CONTRACT
        )
        self._picked: dict[tuple[str, Channel], Policy | None] = {}
        self._dated: list[DatedPolicy] | None = None
        self._imports: list[RegisterImport] | None = None

    @classmethod
    def load(cls, ctx: Context, uow: UnitOfWork, *, wanted: Iterable[str] = ()) -> Rules:
        """The rules as of this unit of work (the process's registry copy, checked against its
        stamp); a wanted purpose that does not exist is refused."""
        registry = ctx.check_registry.get(uow)
        for key in wanted:
            known_purpose(registry.purposes, key)
        return cls(registry.purposes, [*DEFAULT_POLICIES, *registry.policies], registry.registers)

    def policy(self, purpose: str, channel: Channel) -> Policy | None:
        """The policy in force for a purpose and channel (see `pick_policy`)."""
        key = (purpose, channel)
        if key not in self._picked:
            self._picked[key] = pick_policy(self.policies, purpose, channel)
        return self._picked[key]

    def policy_at(
        self, uow: UnitOfWork, purpose: str, channel: Channel, moment: datetime
    ) -> Policy | None:
        """The policy that was in force for a purpose and channel at a past moment."""
        if self._dated is None:
            self._dated = uow.engage_lists.dated_policies()
        standing = [
            d.policy
            for d in self._dated
            if d.since <= moment and (d.until is None or moment < d.until)
        ]
        return pick_policy([*DEFAULT_POLICIES, *standing], purpose, channel)

    def registers_at(self, uow: UnitOfWork, moment: datetime) -> tuple[str, ...]:
        """The imports of each register that were current at a past moment."""
        if self._imports is None:
            self._imports = uow.engage_lists.register_imports()
        latest: dict[tuple[str, str], str] = {}
        for found in self._imports:  # newest first per register
            if found.imported_at <= moment and (
                found.removed_at is None or moment < found.removed_at
            ):
                latest.setdefault((found.name, found.kind), found.id)
        return tuple(sorted(latest.values()))

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


# One check of a batch, as plain values: purpose, channel, the keyed hash of the row's lead
# identifier (or None), the subject id named (or None), the moment (None: now), the keyed hashes
# of the row's other identifiers, and whether the lead is the channel's own identifier (phone
# for calls and SMS, e-mail for e-mail, postal address for letters).
Ask = tuple[str, Channel, str | None, str | None, datetime | None, tuple[str, ...], bool]

# Why a row names nobody to decide for (see `Batch.unnamed`).
CONFLICTING, UNKNOWN = "conflicting", "unknown"


class Batch:
    """Everything a batch of checks needs, read once; checks are named by their position.

    Every identifier of a row is resolved: two of them owned by different people name nobody
    (`conflicting`), and so does a channel's own identifier that nobody owns when the row has
    others. Any of a row's identifiers suppressed, or owned by an erased person, suppresses it.
    What checks of a past moment read more (`check_past.Past`) is read only when one asks it.
    """

    def __init__(self, uow: UnitOfWork, rules: Rules, asks: Sequence[Ask]) -> None:
        reads = uow.batch_reads
        self.rows = rows = [(a[2],) + a[5] if a[2] is not None else a[5] for a in asks]
        self.owners = owners = reads.owners(sorted({b for row in rows for b in row}))
        self.shredded = {s for s, shredded in owners.values() if shredded}
        known = {s for s, _ in owners.values()}
        by_id = sorted({a[3] for a in asks if a[3] is not None} - known)
        more_known, more_shredded = reads.subjects(by_id)
        known |= more_known
        self.shredded |= more_shredded
        self.subjects: list[str | None] = []
        self.unnamed: dict[int, str] = {}
        # A hash's own listing matters when nobody, or somebody else, owns it; an owner's
        # identifiers are looked at with the owner.
        self._alone: dict[int, tuple[str, ...]] = {}
        alone: set[str] = set()
        named = self.subjects.append
        for position, (ask, row) in enumerate(zip(asks, rows, strict=True)):
            lead = ask[2]
            if ask[3] is None and not ask[5]:  # most rows: one identifier
                owner = owners.get(lead) if lead is not None else None
                named(owner[0] if owner is not None else None)
                if owner is None and lead is not None:
                    self._alone[position] = (lead,)
                    alone.add(lead)
                continue
            subject = self._name(ask, row, known, position)
            named(subject)
            outside = tuple(b for b in row if b not in owners or owners[b][0] != subject)
            if outside:
                self._alone[position] = outside
                alone.update(outside)
        self._suppressed_blinds = reads.suppressed(sorted(alone))
        subjects = sorted({s for s in self.subjects if s is not None})
        self._suppressed_subjects = reads.suppressed_subjects(subjects)
        self._uow = uow
        self._subjects = subjects
        self._listed: dict[tuple[str, ...], dict[str, date]] = {}
        self.identifiers: dict[str, list[tuple[str, str]]] = {}
        self._registers = tuple(rules.registers)
        if rules.registers and any(
            a[1] in REGISTERED and rules.purposes[a[0]].current.content.marketing for a in asks
        ):
            self.identifiers = reads.identifiers(subjects)
            self._listed[self._registers] = self._listings(self._registers)
        self.customers = reads.with_events_for(subjects, rules.contract)
        self.states = reads.states(
            subjects, sorted({a[0] for a in asks}), sorted({a[1].value for a in asks})
        )
        self._rules = rules
        self._counts: dict[tuple[Channel, datetime, datetime, str | None], dict[str, int]] = {}
        self._past: Past | None = None

    def _name(self, ask: Ask, row: tuple[str, ...], known: set[str], position: int) -> str | None:
        """The subject a row names, or None (and why, in `unnamed`, when it is not merely
        unknown)."""
        owners = self.owners
        subject_id = ask[3]
        if subject_id is not None and subject_id not in known:
            return None
        found = {owners[b][0] for b in row if b in owners}
        if subject_id is not None:
            found.add(subject_id)
        if len(found) > 1:
            self.unnamed[position] = CONFLICTING
            return None
        if ask[6] and ask[5] and ask[2] not in owners:
            self.unnamed[position] = UNKNOWN
            return None
        return next(iter(found), None)

    def past(self) -> Past:
        """What checks of a past moment read, for the whole batch (read once)."""
        if self._past is None:
            self._past = Past(self._uow, self._rules, self)
        return self._past

    def blind_suppressed(self, position: int) -> bool:
        """Whether an identifier of the row at this position is suppressed, or owned by an
        erased person (asked of the identifiers its subject does not own)."""
        outside = self._alone.get(position)
        if outside is None:
            return False
        return any(b in self._suppressed_blinds for b in outside) or any(
            b in self.owners and self.owners[b][1] for b in outside
        )

    def suppressed(self, subject: str, position: int) -> bool:
        """Whether any identifier of the subject, or of the row, is suppressed."""
        return subject in self._suppressed_subjects or self.blind_suppressed(position)

    def opposition(
        self, subject: str, channel: Channel, registers: tuple[str, ...] | None = None
    ) -> date | None:
        """The latest date one of the subject's identifiers for this channel was first seen on
        a register: on the current registers, or on those given (a past moment's)."""
        listed_kind = REGISTERED.get(channel)
        if listed_kind is None:
            return None
        registers = self._registers if registers is None else registers
        if registers not in self._listed:
            self._listed[registers] = self._listings(registers)
        listed = self._listed[registers]
        own = [b for b, kind in self.identifiers.get(subject, []) if kind == listed_kind]
        dates = [listed[b] for b in own if b in listed]
        return max(dates, default=None)

    def _listings(self, registers: tuple[str, ...]) -> dict[str, date]:
        if not registers:
            return {}
        if not self.identifiers and self._subjects:
            self.identifiers = self._uow.batch_reads.identifiers(self._subjects)
        listable = {b for ids in self.identifiers.values() for b, kind in ids if kind in _LISTABLE}
        return self._uow.batch_reads.listed(registers, sorted(listable))

    def contacts(
        self, subject: str, channel: Channel, policy: Policy | None, moment: datetime
    ) -> int:
        """Contacts made with the subject on the channel within the policy's cap period before
        the moment (for the capped purpose only, when the cap is a purpose's)."""
        if policy is None or policy.cap is None:
            return 0
        since = moment - timedelta(days=policy.cap.days)
        key = (channel, since, moment, policy.cap.purpose)
        if key not in self._counts:
            self._counts[key] = self._uow.engage.contact_counts(
                self._subjects, channel, since, moment, policy.cap.purpose
            )
        return self._counts[key].get(subject, 0)
