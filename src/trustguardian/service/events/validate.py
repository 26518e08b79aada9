"""Checks one event draft against the registry before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from trustguardian.domain.errors import FieldError
from trustguardian.domain.events import ALLOWED_KINDS, CONSENT_KINDS, EventKind
from trustguardian.domain.registry import (
    Channel,
    NoticeVersion,
    ProofType,
    PurposeVersion,
    RecordStatus,
    Touchpoint,
    TouchpointStatus,
    shows_version,
)
from trustguardian.domain.subjects import Identifier
from trustguardian.service.collect.evidence import ProofDraft
from trustguardian.service.registry.cache import RegistryCache

GIVING = frozenset({EventKind.CONSENT_GIVEN, EventKind.CONSENT_CONFIRMED})
CONFIRMING = frozenset({ProofType.DOUBLE_OPT_IN, ProofType.OTP})


@dataclass(frozen=True)
class EventDraft:
    """An event as a touchpoint reports it, with identifiers already normalised."""

    kind: EventKind
    touchpoint: str
    occurred_at: datetime
    identifiers: tuple[Identifier, ...] = ()
    subject_id: str | None = None
    purpose: str | None = None
    purpose_version: int | None = None
    channels: tuple[Channel, ...] = ()
    notice: str | None = None
    notice_version: int | None = None
    proofs: tuple[ProofDraft, ...] = ()
    data: dict[str, Any] | None = None
    corrects: str | None = None
    # Why a correction is made: required when it corrects another touchpoint's event (only an
    # admin key, a console user or the command line may), and then written into the leaf.
    correction_reason: str | None = None
    # Set by the instance on a consent.confirmed it records: the pending consent it confirms.
    confirms: str | None = None
    idempotency_key: str | None = None
    fingerprint: str = ""
    # For a fingerprint in the tagged format (service.fingerprints): the one the draft had
    # before revision 0016, recomputed only for a retry of a request recorded before it.
    legacy_fingerprint: Callable[[], str] | None = None
    source_system: str | None = None
    campaign: str | None = None
    check_id: str | None = None
    # The id given out for this event before it was recorded (a sign-up kept as an intake).
    event_id: str | None = None


@dataclass(frozen=True)
class Plan:
    """A draft checked against the registry, with its versions resolved."""

    draft: EventDraft
    touchpoint: Touchpoint
    purpose: PurposeVersion | None
    channels: tuple[Channel, ...]
    notice: NoticeVersion | None


def check_draft(
    draft: EventDraft,
    registry: RegistryCache,
    *,
    now: datetime,
    skew: timedelta,
    acting: str | None,
    loc: str,
) -> tuple[Plan | None, list[FieldError]]:
    """Returns the plan, or every problem found with this draft."""
    errors: list[FieldError] = []
    tp = registry.touchpoint(draft.touchpoint)
    if tp is None:
        return None, [FieldError(f"{loc}.touchpoint", f"unknown touchpoint {draft.touchpoint!r}")]
    if acting is not None and acting != tp.key:
        errors.append(
            FieldError(f"{loc}.touchpoint", f"this key may act only for touchpoint {acting!r}")
        )
    if tp.status is TouchpointStatus.RETIRED:
        errors.append(FieldError(f"{loc}.touchpoint", f"touchpoint {tp.key!r} is retired"))
    if draft.kind not in ALLOWED_KINDS[tp.kind]:
        errors.append(
            FieldError(
                f"{loc}.kind", f"a {tp.kind.value} touchpoint cannot record {draft.kind.value}"
            )
        )
    if draft.occurred_at > now + skew:
        errors.append(
            FieldError(f"{loc}.occurred_at", "is in the future beyond the allowed clock skew")
        )
    purpose, channels = _purpose(draft, tp, registry, errors, loc)
    if draft.kind is EventKind.CONTACT_MADE and (draft.purpose is None or len(channels) != 1):
        errors.append(
            FieldError(f"{loc}.channel", "a contact names its purpose and exactly one channel")
        )
    if draft.correction_reason is not None and draft.corrects is None:
        errors.append(
            FieldError(f"{loc}.correction_reason", "only a correction (`corrects`) gives a reason")
        )
    notice = _notice(draft, tp, registry, errors, loc)
    _snapshot_notice(draft, notice, errors, loc)
    _proofs(draft, tp, registry, errors, loc)
    if errors:
        return None, errors
    return Plan(draft=draft, touchpoint=tp, purpose=purpose, channels=channels, notice=notice), []


def _purpose(
    draft: EventDraft, tp: Touchpoint, registry: RegistryCache, errors: list[FieldError], loc: str
) -> tuple[PurposeVersion | None, tuple[Channel, ...]]:
    if draft.purpose is None:
        if draft.kind in CONSENT_KINDS:
            errors.append(
                FieldError(f"{loc}.purpose", f"a {draft.kind.value} event names its purpose")
            )
        return None, tuple(dict.fromkeys(draft.channels))
    purpose = registry.purpose(draft.purpose)
    if purpose is None:
        errors.append(FieldError(f"{loc}.purpose", f"unknown purpose {draft.purpose!r}"))
        return None, ()
    if draft.kind in GIVING and purpose.status is RecordStatus.RETIRED:
        errors.append(FieldError(f"{loc}.purpose", f"purpose {draft.purpose!r} is retired"))
    if draft.kind in GIVING and tp.purposes and draft.purpose not in tp.purposes:
        errors.append(
            FieldError(
                f"{loc}.purpose", f"touchpoint {tp.key!r} does not collect {draft.purpose!r}"
            )
        )
    version = registry.purpose_version(draft.purpose, draft.purpose_version, draft.occurred_at)
    if version is None:
        errors.append(FieldError(f"{loc}.purpose_version", f"no version {draft.purpose_version}"))
        return None, ()
    covered = version.content.channels
    outside = [c.value for c in draft.channels if c not in covered]
    if outside:
        errors.append(
            FieldError(f"{loc}.channels", f"purpose {draft.purpose!r} does not cover {outside}")
        )
    channels = tuple(dict.fromkeys(draft.channels)) or covered
    return version, channels


def _notice(
    draft: EventDraft, tp: Touchpoint, registry: RegistryCache, errors: list[FieldError], loc: str
) -> NoticeVersion | None:
    key = draft.notice or tp.notice_key
    if key is None:
        return None
    if registry.notice_versions(key) is None:
        errors.append(FieldError(f"{loc}.notice", f"unknown notice {key!r}"))
        return None
    found = registry.notice_version(key, draft.notice_version, draft.occurred_at)
    if found is None:
        what = (
            f"version {draft.notice_version}"
            if draft.notice_version
            else "no version in force then"
        )
        errors.append(FieldError(f"{loc}.notice_version", f"notice {key!r}: {what}"))
    return found


def _snapshot_notice(
    draft: EventDraft, notice: NoticeVersion | None, errors: list[FieldError], loc: str
) -> None:
    """A snapshot that carries the notice text the page showed (or its hash) must show the
    version the event cites: otherwise the event would say a person read what they did not."""
    if notice is None:
        return
    for n, proof in enumerate(draft.proofs):
        if proof.type is not ProofType.FORM_SNAPSHOT:
            continue
        text, digest = proof.fields.get("notice_text"), proof.fields.get("notice_sha256")
        if not isinstance(text, str) or not text.strip():
            text = None
        if not isinstance(digest, str):
            digest = None
        if (text or digest) and not shows_version(notice, text=text, sha256=digest):
            errors.append(
                FieldError(
                    f"{loc}.proofs.{n}",
                    f"the notice the page showed is not {notice.key} v{notice.version}'s text",
                )
            )


def _proofs(
    draft: EventDraft, tp: Touchpoint, registry: RegistryCache, errors: list[FieldError], loc: str
) -> None:
    given = {p.type for p in draft.proofs}
    missing = [p.value for p in tp.required_proofs if p not in given]
    if draft.kind is EventKind.CONSENT_CONFIRMED and given & CONFIRMING:
        # A confirmation carries its own proof; the collection proofs are on the consent it
        # confirms (a form snapshot cannot be retaken when a link is clicked).
        missing = []
    if missing:
        errors.append(
            FieldError(f"{loc}.proofs", f"touchpoint {tp.key!r} requires proofs {missing}")
        )
    for n, proof in enumerate(draft.proofs):
        if proof.type is ProofType.NOTICE_SHOWN:
            key, version, digest = (proof.fields.get(k) for k in ("key", "version", "sha256"))
            shown = (
                registry.notice_version(str(key), int(str(version)), draft.occurred_at)
                if version
                else None
            )
            if shown is None or shown.sha256 != digest:
                errors.append(
                    FieldError(
                        f"{loc}.proofs.{n}",
                        "notice_shown names no published notice version with that hash",
                    )
                )
