"""What the register of processing (art. 30) and the standard consent exports are made of."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trustguardian.domain.consent import ConsentState
from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.domain.events import PrivacyEvent
from trustguardian.domain.registry import (
    Channel,
    Notice,
    NoticeVersion,
    PurposeVersion,
    RecordStatus,
    Touchpoint,
    TouchpointKind,
    Transfer,
)
from trustguardian.domain.sync import System
from trustguardian.service.context import Context
from trustguardian.service.events.subjects import IdentifierView, get_subject
from trustguardian.service.registry.census import live_touchpoints
from trustguardian.store.uow import UnitOfWork

# What personal data each channel needs, as art. 30(1)(c) and the DPV personal-data taxonomy
# name it.
DATA_OF_CHANNEL: dict[Channel, tuple[str, str]] = {
    Channel.EMAIL: ("e-mail address", "pd:EmailAddress"),
    Channel.SMS: ("telephone number", "pd:PhoneNumber"),
    Channel.PHONE: ("telephone number", "pd:PhoneNumber"),
    Channel.CALL_CENTER: ("telephone number", "pd:PhoneNumber"),
    Channel.LETTER: ("postal address", "pd:PostalAddress"),
    Channel.VISIT: ("postal address", "pd:PostalAddress"),
    Channel.WEB_FORM: ("online identifiers (IP address, user agent)", "pd:IPAddress"),
    Channel.APP: ("online identifiers (device, IP address)", "pd:DeviceBased"),
    Channel.SOCIAL: ("social media handle", "pd:SocialMediaCommunication"),
    Channel.STORE: ("signature on paper forms", "pd:Signature"),
    Channel.EVENT: ("signature on paper forms", "pd:Signature"),
    Channel.OTHER: ("contact data", "pd:Contact"),
}

SECURITY_MEASURES = (
    "Personal data and evidence encrypted per data subject (AES-256-GCM), erasure by destroying "
    "the subject's key; identifiers looked up through keyed hashes only; every privacy event "
    "in an append-only Merkle log (RFC 9162) with Ed25519-signed checkpoints; API keys hashed "
    "at rest, scoped and bound to touchpoints."
)


@dataclass(frozen=True)
class Controller:
    name: str
    contact: str
    email: str
    phone: str
    address: str
    jurisdiction: str
    policy_url: str


@dataclass(frozen=True)
class Party:
    """A person or body the register names (the DPO, the representative)."""

    name: str
    contact: str


@dataclass(frozen=True)
class RegisterHeader:
    """Art. 30(1)(a): who the controller is, its DPO and its representative (None: not set)."""

    controller: str
    address: str | None
    email: str | None
    phone: str | None
    dpo: Party | None
    representative: Party | None


@dataclass(frozen=True)
class RegisterRow:
    """One processing activity of the art. 30 register: a purpose in force."""

    purpose: PurposeVersion
    status: RecordStatus
    data_categories: tuple[str, ...]
    collected_at: tuple[Touchpoint, ...]
    recipients: tuple[System, ...]
    withdrawable_at: tuple[Touchpoint, ...]

    @property
    def third_parties(self) -> tuple[str, ...]:
        """The named third parties the purpose's data goes to."""
        return self.purpose.content.recipients

    @property
    def transfers(self) -> tuple[Transfer, ...]:
        return self.purpose.content.transfers


@dataclass(frozen=True)
class SubjectRecords:
    subject_id: str
    identifiers: tuple[IdentifierView, ...]
    events: list[PrivacyEvent]
    states: list[tuple[ConsentState, str]]
    purposes: dict[str, PurposeVersion]
    notices: dict[tuple[str, int], NoticeVersion]
    notice_meta: dict[str, Notice]
    touchpoints: dict[str, Touchpoint]
    recipients: dict[str, tuple[System, ...]]
    withdrawable_at: dict[str, tuple[Touchpoint, ...]]
    controller: Controller
    generated_at: datetime
    public_key: str


def controller(ctx: Context, name: str) -> Controller:
    """The controller's details from settings; refuses when a required one is missing."""
    s = ctx.settings
    missing = [
        env
        for env, value in (
            ("TRUSTGUARDIAN_CONTROLLER_ADDRESS", s.controller_address),
            ("TRUSTGUARDIAN_CONTROLLER_PHONE", s.controller_phone),
        )
        if not value
    ]
    if missing:
        raise Conflict(f"set {', '.join(missing)}: consent receipts must name them")
    return Controller(
        name=name,
        contact=s.controller_contact,
        email=s.controller_email or s.mail_from,
        phone=s.controller_phone or "",
        address=s.controller_address or "",
        jurisdiction=s.jurisdiction,
        policy_url=s.privacy_policy_url or f"{s.public_base_url.rstrip('/')}/privacy",
    )


def _recipients(
    uow: UnitOfWork, purpose: str, collected_at: Sequence[Touchpoint]
) -> tuple[System, ...]:
    systems = {s.key: s for s in uow.sync.systems()}
    keys = {key for tp in collected_at for key in tp.systems}
    for hook in uow.sync.webhooks(active_only=True):
        if not hook.purposes or purpose in hook.purposes:
            keys.add(hook.system_key)
    return tuple(systems[k] for k in sorted(keys) if k in systems)


def _withdrawable(live: Sequence[Touchpoint], purpose: str) -> tuple[Touchpoint, ...]:
    return tuple(
        tp
        for tp in live
        if tp.kind is TouchpointKind.RIGHT and (not tp.purposes or purpose in tp.purposes)
    )


def processing_register(ctx: Context) -> list[RegisterRow]:
    """The register of processing activities, one row per purpose, from the registry."""
    with ctx.uow(write=False) as uow:
        live = live_touchpoints(uow)
        rows = []
        after: str | None = None
        while page := uow.purposes.page(after=after, limit=500):
            for p in page:
                # Where the data is collected: Engage touchpoints use it, Right ones end it.
                collected = tuple(
                    tp for tp in live if p.key in tp.purposes and tp.kind is TouchpointKind.COLLECT
                )
                c = p.current.content
                categories = tuple(
                    dict.fromkeys(
                        [*c.data_categories, *(DATA_OF_CHANNEL[ch][0] for ch in c.channels)]
                    )
                )
                rows.append(
                    RegisterRow(
                        purpose=p.current,
                        status=p.status,
                        data_categories=categories,
                        collected_at=collected,
                        recipients=_recipients(uow, p.key, collected),
                        withdrawable_at=_withdrawable(live, p.key),
                    )
                )
            after = page[-1].key
    return rows


def register_header(ctx: Context) -> RegisterHeader:
    """The controller, its DPO and representative as settings name them."""
    s = ctx.settings
    name = s.controller_name
    if not name:
        with ctx.uow(write=False) as uow:
            first = uow.purposes.page(after=None, limit=1)
        name = first[0].current.content.controller if first else ""
    dpo = (
        Party(s.dpo_name, ", ".join(v for v in (s.dpo_email, s.dpo_phone) if v))
        if s.dpo_name
        else None
    )
    representative = (
        Party(
            s.representative_name,
            ", ".join(v for v in (s.representative_address, s.representative_email) if v),
        )
        if s.representative_name
        else None
    )
    return RegisterHeader(
        controller=name,
        address=s.controller_address,
        email=s.controller_email,
        phone=s.controller_phone,
        dpo=dpo,
        representative=representative,
    )


def subject_records(ctx: Context, *, subject_id: str) -> SubjectRecords:
    """A subject's consents with everything the standard exports state about them."""
    view = get_subject(ctx, subject_id=subject_id)
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        events = uow.events.for_subject(subject_id)
        states = uow.consent.for_subject(subject_id)
        if not states:
            raise NotFound(f"subject {subject_id!r} has no consent records")
        live = live_touchpoints(uow)
        purposes: dict[str, PurposeVersion] = {}
        for key in sorted({s.purpose for s in states}):
            found = uow.purposes.get(key)
            if found is not None:
                purposes[key] = found.current
        notices: dict[tuple[str, int], NoticeVersion] = {}
        meta: dict[str, Notice] = {}
        for e in events:
            if e.notice and e.notice_version and (e.notice, e.notice_version) not in notices:
                version = uow.notices.version(e.notice, e.notice_version)
                notice = uow.notices.get(e.notice)
                if version is not None and notice is not None:
                    notices[(e.notice, e.notice_version)] = version
                    meta[e.notice] = notice
        touchpoints = {
            key: tp for key in {e.touchpoint for e in events} if (tp := uow.touchpoints.get(key))
        }
        recipients = {
            key: _recipients(uow, key, [tp for tp in live if key in tp.purposes])
            for key in purposes
        }
    first = next(iter(purposes.values()), None)
    return SubjectRecords(
        subject_id=subject_id,
        identifiers=view.identifiers,
        events=events,
        states=[(s, s.at(now).value) for s in states],
        purposes=purposes,
        notices=notices,
        notice_meta=meta,
        touchpoints=touchpoints,
        recipients=recipients,
        withdrawable_at={key: _withdrawable(live, key) for key in purposes},
        controller=controller(ctx, first.content.controller if first else ""),
        generated_at=now,
        public_key=ctx.keys.signer.verifier_key,
    )
