"""What a person does through a link: unsubscribe, and change consents in the preference centre.

Every change is recorded through the Right touchpoint that issued the link, with a `network`
proof (IP address and user agent) and a `form_snapshot` of what was submitted. A refused token
raises `InvalidToken` before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from trustguardian.domain.consent import ConsentStatus
from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    ProofType,
    RecordStatus,
    Touchpoint,
    purpose_description,
    purpose_label,
    version_in_force,
)
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.context import Context
from trustguardian.service.engage.links import PREFERENCES, UNSUBSCRIBE
from trustguardian.service.engage.tokens import TokenClaims, read_token, redeem_token
from trustguardian.service.events.recording import record_in_unit
from trustguardian.service.events.validate import EventDraft
from trustguardian.store.uow import UnitOfWork

Action = Literal["give", "withdraw"]
CHOOSABLE = (LegalBasis.CONSENT, LegalBasis.LEGITIMATE_INTEREST)
GPC_SIGNAL = "Sec-GPC: 1"
WITHDRAWN = (ConsentStatus.WITHDRAWN, ConsentStatus.REFUSED)


@dataclass(frozen=True)
class Network:
    """Where a change came from: the proof of a click."""

    ip: str
    user_agent: str


@dataclass(frozen=True)
class Choice:
    purpose: str
    name: str
    description: str
    legal_basis: LegalBasis
    marketing: bool
    sale_sharing: bool
    channel: Channel
    status: str
    can_give: bool

    @property
    def on(self) -> bool:
        """Whether the switch shows on: consent given, or a legitimate interest not objected to."""
        if self.legal_basis is LegalBasis.LEGITIMATE_INTEREST:
            return self.status not in WITHDRAWN
        return self.status == ConsentStatus.GIVEN


@dataclass(frozen=True)
class PurposeGroup:
    """One purpose of the centre with a choice per channel: one card on the page."""

    purpose: str
    name: str
    description: str
    legal_basis: LegalBasis
    sale_sharing: bool
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Centre:
    subject_id: str
    touchpoint: str
    touchpoint_name: str
    choices: tuple[Choice, ...]
    notice_title: str | None
    notice_text: str | None
    notice_version: int | None

    @property
    def groups(self) -> tuple[PurposeGroup, ...]:
        """The choices grouped by purpose, in the order the purposes come."""
        by_purpose: dict[str, list[Choice]] = {}
        for choice in self.choices:
            by_purpose.setdefault(choice.purpose, []).append(choice)
        return tuple(
            PurposeGroup(
                purpose=key,
                name=found[0].name,
                description=found[0].description,
                legal_basis=found[0].legal_basis,
                sale_sharing=found[0].sale_sharing,
                choices=tuple(found),
            )
            for key, found in by_purpose.items()
        )


@dataclass(frozen=True)
class Unsubscribe:
    subject_id: str
    purpose: str
    purpose_name: str
    channel: Channel
    touchpoint: str


def click_proofs(
    network: Network, fields: dict[str, str], extra: dict[str, str] | None = None
) -> tuple[ProofDraft, ...]:
    return (
        ProofDraft(
            ProofType.NETWORK, {"ip": network.ip, "user_agent": network.user_agent, **(extra or {})}
        ),
        ProofDraft(ProofType.FORM_SNAPSHOT, {"fields": fields}),
    )


def read_unsubscribe(ctx: Context, *, token: str, language: str = "") -> Unsubscribe:
    """What an unsubscribe link is for (to show the confirmation page); refuses a bad token."""
    with ctx.uow(write=False) as uow:
        found = read_token(ctx, uow, token, UNSUBSCRIBE)
        return _unsubscribe_of(uow, found, language)


def _unsubscribe_of(uow: UnitOfWork, found: TokenClaims, language: str = "") -> Unsubscribe:
    purpose = uow.purposes.get(str(found.claims["p"]))
    return Unsubscribe(
        subject_id=str(found.subject_id),
        purpose=str(found.claims["p"]),
        purpose_name=purpose_label(purpose, language) if purpose else str(found.claims["p"]),
        channel=Channel(str(found.claims["c"])),
        touchpoint=str(found.claims["tp"]),
    )


def unsubscribe(
    ctx: Context, *, token: str, network: Network, one_click: bool, language: str = ""
) -> Unsubscribe:
    """Withdraws the consent a link names, through the touchpoint that issued it.

    Idempotent: a consent already withdrawn or refused on that channel is left as it is, so a
    mail provider's retry of the one-click POST (or a second click) records nothing more, while
    the same link still withdraws a consent given again after it was used.
    """
    with ctx.uow() as uow:
        # Taken before the state is read: concurrent retries queue here, and each sees the
        # withdrawal the one before it committed.
        uow.ledger.lock_head()
        found = redeem_token(ctx, uow, token, UNSUBSCRIBE)
        what = _unsubscribe_of(uow, found, language)
        if _already_withdrawn(ctx, uow, what):
            return what
        fields = {"List-Unsubscribe": "One-Click"} if one_click else {"action": "unsubscribe"}
        record_in_unit(
            ctx,
            uow,
            [
                EventDraft(
                    kind=EventKind.CONSENT_WITHDRAWN,
                    touchpoint=what.touchpoint,
                    occurred_at=ctx.clock.now(),
                    subject_id=what.subject_id,
                    purpose=what.purpose,
                    channels=(what.channel,),
                    proofs=click_proofs(network, fields, {"link": found.id}),
                )
            ],
        )
        uow.commit()
    return what


def _already_withdrawn(ctx: Context, uow: UnitOfWork, what: Unsubscribe) -> bool:
    now = ctx.clock.now()
    return any(
        state.channel == what.channel and state.at(now) in WITHDRAWN
        for state in uow.consent.for_subject_purpose(what.subject_id, what.purpose)
    )


def offered_choices(
    uow: UnitOfWork,
    subject_id: str,
    tp_purposes: Sequence[str],
    now: datetime,
    language: str = "",
) -> list[Choice]:
    """The purposes and channels a person may change here, named in `language` when given."""
    states = {(s.purpose, s.channel): s for s in uow.consent.for_subject(subject_id)}
    flagged = uow.rights.sale_sharing()
    keys = list(dict.fromkeys([*tp_purposes, *(p for p, _ in states)]))
    choices = []
    for key in keys:
        purpose = uow.purposes.get(key)
        if purpose is None or purpose.status is RecordStatus.RETIRED:
            continue
        content = purpose.current.content
        if content.legal_basis not in CHOOSABLE:
            continue
        for channel in content.channels:
            state = states.get((key, channel))
            status = state.at(now).value if state else "none"
            choices.append(
                Choice(
                    purpose=key,
                    name=purpose_label(content, language) if language else content.name,
                    description=(
                        purpose_description(content, language) if language else content.description
                    ),
                    legal_basis=content.legal_basis,
                    marketing=content.marketing,
                    sale_sharing=key in flagged,
                    channel=channel,
                    status=status,
                    can_give=not tp_purposes or key in tp_purposes,
                )
            )
    return choices


def preference_centre(ctx: Context, *, token: str, language: str = "") -> Centre:
    """The person's purposes and channels with their state now, and the notice in force; the
    purposes are named in `language` where they have a label in it."""
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        found = read_token(ctx, uow, token, PREFERENCES)
        tp = uow.touchpoints.get(str(found.claims["tp"]))
        assert tp is not None
        subject_id = str(found.subject_id)
        notice = notice_title = None
        if tp.notice_key:
            notice = version_in_force(uow.notices.versions(tp.notice_key), now)
            head = uow.notices.get(tp.notice_key)
            notice_title = head.title if head else None
        return Centre(
            subject_id=subject_id,
            touchpoint=tp.key,
            touchpoint_name=tp.name,
            choices=tuple(offered_choices(uow, subject_id, tp.purposes, now, language)),
            notice_title=notice_title,
            notice_text=notice.text if notice else None,
            notice_version=notice.version if notice else None,
        )


def centre_of(ctx: Context, uow: UnitOfWork, token: str) -> tuple[TokenClaims, Touchpoint]:
    """Redeems a preference-centre link inside a writing unit (the ledger's head locked first):
    the link's claims and the centre's touchpoint."""
    uow.ledger.lock_head()
    found = redeem_token(ctx, uow, token, PREFERENCES)
    tp = uow.touchpoints.get(str(found.claims["tp"]))
    assert tp is not None
    return found, tp


def change_preference(
    ctx: Context, *, token: str, purpose: str, channel: Channel, action: Action, network: Network
) -> None:
    """Gives or withdraws one purpose on one channel: one event with its proofs."""
    with ctx.uow() as uow:
        found, tp = centre_of(ctx, uow, token)
        subject_id = str(found.subject_id)
        offered = {
            (c.purpose, c.channel)
            for c in offered_choices(uow, subject_id, tp.purposes, ctx.clock.now())
        }
        if (purpose, channel) not in offered:
            raise InvalidInput(
                "this purpose and channel are not offered here",
                errors=[FieldError("purpose", f"{purpose} on {channel.value}")],
            )
        kind = EventKind.CONSENT_GIVEN if action == "give" else EventKind.CONSENT_WITHDRAWN
        fields = {"purpose": purpose, "channel": channel.value, "action": action}
        record_in_unit(
            ctx,
            uow,
            [
                EventDraft(
                    kind=kind,
                    touchpoint=tp.key,
                    occurred_at=ctx.clock.now(),
                    subject_id=subject_id,
                    purpose=purpose,
                    channels=(channel,),
                    proofs=click_proofs(network, fields, {"link": found.id}),
                )
            ],
        )
        uow.commit()


def object_to_marketing(ctx: Context, *, token: str, network: Network) -> list[str]:
    """Art. 21(2)-(3): withdraws every marketing purpose on every channel, at once."""
    return _withdraw_all(ctx, token, network, signal=None)


def honour_gpc(ctx: Context, *, token: str, network: Network) -> list[str]:
    """`Sec-GPC: 1`: objects to every sale/sharing purpose not yet withdrawn or refused."""
    return _withdraw_all(ctx, token, network, signal=GPC_SIGNAL)


def _withdraw_all(ctx: Context, token: str, network: Network, signal: str | None) -> list[str]:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.ledger.lock_head()
        found = redeem_token(ctx, uow, token, PREFERENCES)
        subject_id = str(found.subject_id)
        tp_key = str(found.claims["tp"])
        found_states = uow.consent.for_subject(subject_id)
        states = {(s.purpose, s.channel): s.at(now) for s in found_states}
        # A state dated ahead of our clock (within the allowed skew) would outrank an objection
        # dated now: it stays in force and every later view would record the objection again.
        latest: dict[str, datetime] = {}
        for s in found_states:
            latest[s.purpose] = max(latest.get(s.purpose, now), s.since)
        flagged = uow.rights.sale_sharing()
        drafts = []
        cursor = None
        while True:
            page = uow.purposes.page(after=cursor, limit=500)
            for purpose in page:
                content = purpose.current.content
                if signal is None and not content.marketing:
                    continue
                if signal is not None:
                    if purpose.key not in flagged:
                        continue
                    if all(states.get((purpose.key, c)) in WITHDRAWN for c in content.channels):
                        continue
                extra = {"link": found.id}
                if signal is not None:
                    extra.update({"signal": signal, "basis": "objection to sale/sharing"})
                else:
                    extra["basis"] = "GDPR art. 21(2)-(3)"
                fields = {"action": "gpc" if signal else "object-to-marketing"}
                drafts.append(
                    EventDraft(
                        kind=EventKind.CONSENT_WITHDRAWN,
                        touchpoint=tp_key,
                        occurred_at=latest.get(purpose.key, now),
                        subject_id=subject_id,
                        purpose=purpose.key,
                        channels=content.channels,
                        proofs=click_proofs(network, fields, extra),
                    )
                )
            if len(page) < 500:
                break
            cursor = page[-1].key
        if drafts:
            record_in_unit(ctx, uow, drafts)
            uow.commit()
    return [str(d.purpose) for d in drafts]
