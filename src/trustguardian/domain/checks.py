"""May we contact this person, for this purpose, on this channel, now? The pure decision."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from trustguardian.domain.consent import ConsentState, ConsentStatus
from trustguardian.domain.registry import Channel, LegalBasis, PurposeVersion


class Reason(StrEnum):
    CONSENT_GIVEN = "consent_given"
    LEGITIMATE_INTEREST = "legitimate_interest"
    SOFT_SPAM = "soft_spam"
    OTHER_LEGAL_BASIS = "other_legal_basis"
    NO_CONSENT = "no_consent"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    PENDING_CONFIRMATION = "pending_confirmation"
    OBJECTED = "objected"
    SUPPRESSED = "suppressed"
    OPPOSITION_REGISTER = "opposition_register"
    FREQUENCY_CAP = "frequency_cap"
    OUTSIDE_CONTACT_HOURS = "outside_contact_hours"
    UNKNOWN_SUBJECT = "unknown_subject"
    CHANNEL_NOT_COVERED = "channel_not_covered"
    PURPOSE_RETIRED = "purpose_retired"
    CONFLICTING_IDENTIFIERS = "conflicting_identifiers"
    RESTRICTED = "restricted"
    COMPLAINT_OPEN = "complaint_open"


WORDS = {
    Reason.CONSENT_GIVEN: "The person gave consent for this purpose on this channel.",
    Reason.LEGITIMATE_INTEREST: "Legitimate interest, and the person has not objected.",
    Reason.SOFT_SPAM: "Soft spam (Codice privacy art. 130(4)): an existing customer, by e-mail, "
    "for analogous products, who has not objected.",
    Reason.OTHER_LEGAL_BASIS: "The purpose rests on a legal basis other than consent.",
    Reason.NO_CONSENT: "There is no consent for this purpose on this channel.",
    Reason.REFUSED: "The person refused consent.",
    Reason.WITHDRAWN: "The person withdrew consent.",
    Reason.EXPIRED: "The consent has expired.",
    Reason.PENDING_CONFIRMATION: "The consent awaits confirmation (double opt-in).",
    Reason.OBJECTED: "The person objected to this processing.",
    Reason.SUPPRESSED: "The person is on a suppression list (or was erased).",
    Reason.OPPOSITION_REGISTER: "In the opposition register, and no consent came later.",
    Reason.FREQUENCY_CAP: "The contact limit for this period is reached.",
    Reason.OUTSIDE_CONTACT_HOURS: "This moment is outside the permitted contact hours.",
    Reason.UNKNOWN_SUBJECT: "We know nobody by this identifier.",
    Reason.CHANNEL_NOT_COVERED: "The purpose does not cover this channel.",
    Reason.PURPOSE_RETIRED: "The purpose is retired.",
    Reason.CONFLICTING_IDENTIFIERS: "The identifiers given belong to different people.",
    Reason.RESTRICTED: "The person restricted the processing for this purpose (GDPR art. 18) "
    "until the restriction is lifted.",
    Reason.COMPLAINT_OPEN: "A complaint about a contact on this channel is open: no contact on "
    "it until the complaint is closed.",
}

ALLOWED = frozenset(
    {Reason.CONSENT_GIVEN, Reason.LEGITIMATE_INTEREST, Reason.SOFT_SPAM, Reason.OTHER_LEGAL_BASIS}
)
REFUSING = {
    ConsentStatus.REFUSED: Reason.REFUSED,
    ConsentStatus.WITHDRAWN: Reason.WITHDRAWN,
    ConsentStatus.EXPIRED: Reason.EXPIRED,
    ConsentStatus.PENDING_CONFIRMATION: Reason.PENDING_CONFIRMATION,
}


@dataclass(frozen=True)
class ContactWindow:
    """When contacts are permitted, in local time; `None` bounds mean never on that day."""

    weekdays: tuple[time, time] | None = (time(9), time(20))
    saturday: tuple[time, time] | None = (time(10), time(19))
    sunday: tuple[time, time] | None = None
    on_holidays: bool = False
    time_zone: str = "Europe/Rome"

    def allows(self, moment: datetime, holidays: frozenset[date]) -> bool:
        """Tells whether a contact at this instant falls inside the window."""
        local = moment.astimezone(ZoneInfo(self.time_zone))
        if local.date() in holidays and not self.on_holidays:
            return False
        bounds = (
            self.weekdays
            if local.weekday() < 5
            else self.saturday
            if local.weekday() == 5
            else self.sunday
        )
        return bounds is not None and bounds[0] <= local.time() < bounds[1]


# The Italian telemarketing code of conduct: weekdays 9-20, Saturday 10-19, never Sundays or
# public holidays.
TELEMARKETING_WINDOW = ContactWindow()


@dataclass(frozen=True)
class FrequencyCap:
    """At most `max_contacts` in `days`; a cap set for a purpose counts only that purpose's
    contacts (`purpose`), one set for a whole channel counts them all (None)."""

    max_contacts: int
    days: int
    purpose: str | None = None


@dataclass(frozen=True)
class Policy:
    """Limits for a purpose and channel (None matches any); the most specific one applies."""

    purpose: str | None
    channel: Channel | None
    cap: FrequencyCap | None
    window: ContactWindow | None

    def specificity(self) -> int:
        return (self.purpose is not None) * 2 + (self.channel is not None)


@dataclass(frozen=True)
class Facts:
    """Everything the decision needs, gathered by the service."""

    purpose: PurposeVersion
    purpose_retired: bool
    channel: Channel
    moment: datetime
    state: ConsentState | None
    suppressed: bool
    opposition_since: date | None
    existing_customer: bool
    policy: Policy | None
    contacts_in_period: int
    holidays: frozenset[date]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Reason
    event_id: str | None

    @property
    def words(self) -> str:
        return WORDS[self.reason]


def decide(facts: Facts) -> Decision:
    """Decides one contact: suppression and registers first, then the legal basis, then limits."""
    state = facts.state
    registered = facts.opposition_since is not None
    return verdict(
        facts.purpose,
        facts.purpose_retired,
        facts.channel,
        facts.moment,
        facts.policy,
        facts.holidays,
        Held(
            state.at(facts.moment) if state else None,
            state.event_id if state else None,
            facts.suppressed,
            registered,
            registered and _consent_after(state, facts.opposition_since),  # type: ignore[arg-type]
            facts.existing_customer,
            facts.contacts_in_period,
        ),
    )


@dataclass(frozen=True)
class Held:
    """What a contact's verdict hangs on besides the purpose, channel, moment and policy: the
    consent status at the moment (None: no state) and its event, whether suppressed, whether on
    an opposition register and whether consent came after the listing, whether an existing
    customer, and the contacts made in the cap's period."""

    status: ConsentStatus | None
    event_id: str | None
    suppressed: bool
    registered: bool
    consent_after: bool
    existing_customer: bool
    contacts_in_period: int


def verdict(
    purpose: PurposeVersion,
    purpose_retired: bool,
    channel: Channel,
    moment: datetime,
    policy: Policy | None,
    holidays: frozenset[date],
    held: Held,
) -> Decision:
    """The decision itself, from the facts as `Held` gives them (see `decide`)."""
    deciding = held.event_id
    if held.suppressed:
        return Decision(False, Reason.SUPPRESSED, deciding)
    if purpose_retired:
        return Decision(False, Reason.PURPOSE_RETIRED, None)
    if channel not in purpose.content.channels:
        return Decision(False, Reason.CHANNEL_NOT_COVERED, None)
    basis = _basis(purpose, channel, held)
    if basis.allowed and held.registered and not held.consent_after:
        return Decision(False, Reason.OPPOSITION_REGISTER, deciding)
    if not basis.allowed:
        return basis
    if policy and policy.window and not policy.window.allows(moment, holidays):
        return Decision(False, Reason.OUTSIDE_CONTACT_HOURS, basis.event_id)
    if policy and policy.cap and held.contacts_in_period >= policy.cap.max_contacts:
        return Decision(False, Reason.FREQUENCY_CAP, basis.event_id)
    return basis


# What a verdict hangs on besides what a `Decider` shares: the status at the moment (None: no
# state), whether suppressed, whether on a register and consented after it, whether an existing
# customer, and whether the cap is reached.
_Key = tuple[ConsentStatus | None, bool, bool, bool, bool, bool]


class Decider:
    """`verdict` for many checks sharing a purpose, channel, moment, policy and holidays (a list
    checked now): it hangs on a handful of the person's values, so each combination is decided
    once by `verdict` itself and the deciding event is the person's own."""

    def __init__(
        self,
        purpose: PurposeVersion,
        purpose_retired: bool,
        channel: Channel,
        moment: datetime,
        policy: Policy | None,
        holidays: frozenset[date],
    ) -> None:
        self._purpose = purpose
        self._retired = purpose_retired
        self._channel = channel
        self._moment = moment
        self._policy = policy
        self._holidays = holidays
        self._cap = policy.cap.max_contacts if policy and policy.cap else None
        self._verdicts: dict[_Key, tuple[bool, Reason, bool]] = {}

    @property
    def moment(self) -> datetime:
        return self._moment

    def __call__(
        self,
        state: ConsentState | None,
        suppressed: bool,
        opposition_since: date | None,
        existing_customer: bool,
        contacts_in_period: int,
    ) -> tuple[bool, Reason, str | None]:
        """Allowed, reason and deciding event, as `decide` gives them for these facts."""
        registered = opposition_since is not None
        return self.held(
            state.at(self._moment) if state is not None else None,
            state.event_id if state is not None else None,
            suppressed,
            registered,
            registered and _consent_after(state, opposition_since),  # type: ignore[arg-type]
            existing_customer,
            contacts_in_period,
        )

    def held(
        self,
        status: ConsentStatus | None,
        event_id: str | None,
        suppressed: bool,
        registered: bool,
        consent_after: bool,
        existing_customer: bool,
        contacts_in_period: int,
    ) -> tuple[bool, Reason, str | None]:
        """Allowed, reason and deciding event for the facts as `Held` names them."""
        key = (
            status,
            suppressed,
            registered,
            consent_after,
            existing_customer,
            self._cap is not None and contacts_in_period >= self._cap,
        )
        found = self._verdicts.get(key)
        if found is None:
            decision = verdict(
                self._purpose,
                self._retired,
                self._channel,
                self._moment,
                self._policy,
                self._holidays,
                Held(
                    status,
                    event_id,
                    suppressed,
                    registered,
                    consent_after,
                    existing_customer,
                    contacts_in_period,
                ),
            )
            # Every decision names the state's event or none: which one is part of the verdict.
            found = (decision.allowed, decision.reason, decision.event_id is not None)
            self._verdicts[key] = found
        allowed, reason, cites = found
        return allowed, reason, event_id if cites else None


def _basis(purpose: PurposeVersion, channel: Channel, held: Held) -> Decision:
    content = purpose.content
    status = held.status
    deciding = held.event_id
    if content.legal_basis is LegalBasis.CONSENT:
        if status is ConsentStatus.GIVEN:
            return Decision(True, Reason.CONSENT_GIVEN, deciding)
        objected = status in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN)
        if (
            not objected
            and content.analogous_products
            and channel is Channel.EMAIL
            and held.existing_customer
        ):
            return Decision(True, Reason.SOFT_SPAM, deciding)
        return Decision(
            False,
            REFUSING.get(status, Reason.NO_CONSENT) if status else Reason.NO_CONSENT,
            deciding,
        )
    if status in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN):
        return Decision(False, Reason.OBJECTED, deciding)
    if content.legal_basis is LegalBasis.LEGITIMATE_INTEREST:
        return Decision(True, Reason.LEGITIMATE_INTEREST, deciding)
    return Decision(True, Reason.OTHER_LEGAL_BASIS, deciding)


def _consent_after(state: ConsentState | None, registered: date) -> bool:
    return state is not None and consented_after(state.status, state.since, registered)


def consented_after(status: ConsentStatus, since: datetime, registered: date) -> bool:
    """A consent given after the number joined the register stands against the register (the
    state's stored status and start: a consent expired since still counts)."""
    if status is not ConsentStatus.GIVEN:
        return False
    # The register's date is an Italian calendar date.
    return since.astimezone(_ROME).date() > registered


_ROME = ZoneInfo("Europe/Rome")


def pick_policy(policies: list[Policy], purpose: str, channel: Channel) -> Policy | None:
    """The policy in force for this purpose and channel: its cap and its window each come from
    the most specific matching policy that sets one (the later one on a tie), so a cap added for
    a purpose keeps the channel's contact window."""
    ranked = sorted(
        (
            (p.specificity(), n, p)
            for n, p in enumerate(policies)
            if (p.purpose is None or p.purpose == purpose)
            and (p.channel is None or p.channel is channel)
        ),
        key=lambda item: (item[0], item[1]),
        reverse=True,
    )
    if not ranked:
        return None
    cap = next((replace(p.cap, purpose=p.purpose) for _, _, p in ranked if p.cap is not None), None)
    window = next((p.window for _, _, p in ranked if p.window is not None), None)
    return Policy(purpose, channel, cap, window)
