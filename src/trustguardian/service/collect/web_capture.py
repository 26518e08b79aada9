"""Web-form capture: a submission sent by `collect.js` with a publishable key, recorded with the
proofs only the server can vouch for (network) or compute (the notice's hash)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import orjson

from trustguardian.domain.collect import ConfirmationRequest, PublishableKey
from trustguardian.domain.errors import FieldError, Forbidden, InvalidInput
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import Channel, NoticeVersion, ProofType, version_in_force
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service import fingerprints
from trustguardian.service.collect.confirm_requests import deliver
from trustguardian.service.collect.confirmations import client_ip, get_request, request_for_events
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.collect.intakes import awaits_confirmation, hold
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft

# Web forms name people by what a person can type in.
WEB_IDENTIFIERS = (IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.CUSTOMER_ID)


@dataclass(frozen=True)
class ConsentChoice:
    purpose: str
    given: bool
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True)
class Submission:
    """A form as `collect.js` captured it on submit."""

    submission_id: str
    touchpoint: str | None
    identifiers: tuple[tuple[IdentifierKind, str], ...]
    consents: tuple[ConsentChoice, ...]
    html: str
    url: str | None = None
    notice: str | None = None
    notice_version: int | None = None
    notice_url: str | None = None
    notice_text: str | None = None
    notice_sha256: str | None = None
    captured_at: str | None = None


@dataclass(frozen=True)
class Network:
    """What the server saw of the request."""

    ip: str | None
    user_agent: str | None
    origin: str
    referer: str | None = None


@dataclass(frozen=True)
class Captured:
    """What a submission recorded, or (`held`) the events it will record once confirmed."""

    events: list[PrivacyEvent]
    replayed: bool
    confirmation: ConfirmationRequest | None = field(default=None)
    held: list[EventDraft] = field(default_factory=list)


def capture(
    ctx: Context,
    *,
    key: PublishableKey,
    sub: Submission,
    net: Network,
    gpc: dict[str, object] | None = None,
) -> Captured:
    """Records one consent event per box of the form: given when ticked, refused when not.

    On a touchpoint that confirms consents, a form with a ticked box records nothing yet: it is
    kept as an intake until the person confirms (service.collect.intakes), with the browser's
    GPC signal (`gpc`: entry, ip, user_agent, spared purposes) honoured on confirmation."""
    if sub.touchpoint is not None and sub.touchpoint != key.touchpoint_key:
        raise Forbidden(f"this key may write only for touchpoint {key.touchpoint_key!r}")
    if not sub.consents:
        raise InvalidInput(
            "the form carries no consent box", errors=[FieldError("consents", "empty")]
        )
    region = ctx.settings.default_phone_region
    outside = [
        FieldError(
            f"identifiers.{n}.kind", "a web form names people by e-mail, phone or customer id"
        )
        for n, (kind, _) in enumerate(sub.identifiers)
        if kind not in WEB_IDENTIFIERS
    ]
    if outside:
        raise InvalidInput("identifier kind not accepted from a web form", errors=outside)
    identifiers = tuple(
        normalise(kind, value, region=region, loc=f"identifiers.{n}")
        for n, (kind, value) in enumerate(sub.identifiers)
    )
    if not identifiers:
        raise InvalidInput(
            "the form names nobody: add an e-mail or phone field",
            errors=[FieldError("identifiers", "empty")],
        )
    now = ctx.clock.now()
    notice = _notice(ctx, key.touchpoint_key, sub)
    snapshot_fields: dict[str, object] = {
        "url": sub.url,
        "notice_url": sub.notice_url,
        "notice_text": sub.notice_text,
        "notice_sha256": sub.notice_sha256,
        "client_captured_at": sub.captured_at,
    }
    proofs = [
        ProofDraft(
            ProofType.FORM_SNAPSHOT,
            {k: v for k, v in snapshot_fields.items() if v is not None},
            sub.html.encode("utf-8"),
            "text/html",
        ),
        ProofDraft(
            ProofType.NETWORK,
            {
                "ip": client_ip(net.ip),
                "user_agent": (net.user_agent or "")[:2000],
                "origin": net.origin,
                "referer": net.referer,
                "received_at": now.isoformat(),
            },
        ),
    ]
    if notice is not None:
        proofs.append(
            ProofDraft(
                ProofType.NOTICE_SHOWN,
                {"key": notice.key, "version": notice.version, "sha256": notice.sha256},
            )
        )
    named: dict[str, fingerprints.Json] = {
        "html": sub.html,
        "identifiers": [{"kind": kind.value, "value": value} for kind, value in sub.identifiers],
        "consents": [
            {"purpose": c.purpose, "given": c.given, "channels": [ch.value for ch in c.channels]}
            for c in sub.consents
        ],
        "notice_url": sub.notice_url,
    }
    drafts = [
        EventDraft(
            kind=EventKind.CONSENT_GIVEN if choice.given else EventKind.CONSENT_REFUSED,
            touchpoint=key.touchpoint_key,
            occurred_at=now,
            identifiers=identifiers,
            purpose=choice.purpose,
            channels=choice.channels,
            notice=notice.key if notice else None,
            notice_version=notice.version if notice else None,
            proofs=tuple(proofs),
            idempotency_key=f"web:{sub.submission_id}:{n}",
            fingerprint=fingerprints.fingerprint("collect.web_form", {**named, "part": n}),
            legacy_fingerprint=functools.partial(_legacy_fingerprint, sub, n),
        )
        for n, choice in enumerate(sub.consents)
    ]
    name = awaits_confirmation(ctx, key.touchpoint_key)
    if name is not None:
        kept = hold(
            ctx,
            drafts=drafts,
            acting=key.touchpoint_key,
            submission_key=f"web:{sub.submission_id}",
            fingerprint=fingerprints.fingerprint("collect.web_form", named),
            touchpoint_name=name,
            after=None if gpc is None else {"gpc": gpc},
        )
        if kept is not None:
            if kept.outgoing is not None:
                deliver(ctx, [kept.outgoing])
            request = get_request(ctx, confirmation_id=kept.request.id)
            return Captured([], kept.replayed, request, kept.drafts)
    results = record_events(ctx, drafts=drafts, acting=key.touchpoint_key)
    events = [r.event for r in results]
    confirmation = request_for_events(
        ctx, event_ids=[e.id for e in events if e.confirm_by is not None]
    )
    return Captured(events, all(r.replayed for r in results), confirmation)


def _legacy_fingerprint(sub: Submission, part: int) -> str:
    """The fingerprint of one box's event as written before revision 0016 (frozen: the choices
    were then serialised with all their fields, which were these three)."""
    content = hashlib.sha256(
        orjson.dumps(
            [
                sub.html,
                [[kind.value, value] for kind, value in sub.identifiers],
                [
                    {
                        "channels": [ch.value for ch in c.channels],
                        "given": c.given,
                        "purpose": c.purpose,
                    }
                    for c in sub.consents
                ],
                sub.notice_url,
            ],
            option=orjson.OPT_SORT_KEYS,
        )
    ).hexdigest()
    return hashlib.sha256(f"{content}:{part}".encode()).hexdigest()


def _notice(ctx: Context, touchpoint: str, sub: Submission) -> NoticeVersion | None:
    """The notice version the form showed: the one it names, or the touchpoint's in force."""
    with ctx.uow(write=False) as uow:
        tp = uow.touchpoints.get(touchpoint)
        key = sub.notice or (tp.notice_key if tp else None)
        if key is None:
            return None
        versions = uow.notices.versions(key)
    if not versions:
        raise InvalidInput(f"unknown notice {key!r}", errors=[FieldError("notice", "unknown")])
    if sub.notice_version is not None:
        found = next((v for v in versions if v.version == sub.notice_version and v.published), None)
    else:
        found = version_in_force(versions, ctx.clock.now())
    if found is None:
        raise InvalidInput(
            f"notice {key!r} has no such published version",
            errors=[FieldError("notice_version", "not published")],
        )
    return found
