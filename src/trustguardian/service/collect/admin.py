"""Collect touchpoints' settings (confirmation) and their publishable keys."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from trustguardian.domain.collect import (
    DEFAULT_WITHIN_MINUTES,
    LANGUAGES,
    CollectSettings,
    Confirmation,
    PublishableKey,
)
from trustguardian.domain.errors import FieldError, InvalidInput, NotFound, Unauthorized
from trustguardian.domain.registry import TouchpointKind, TouchpointStatus
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import COLLECT_SETTINGS
from trustguardian.store.uow import UnitOfWork

PUBLISHABLE_PREFIX = "tgpk"
MAX_WITHIN_MINUTES = 60 * 24 * 30
SYSTEM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def _collect_touchpoint(uow: UnitOfWork, key: str) -> None:
    tp = uow.touchpoints.get(key)
    if tp is None:
        raise NotFound(f"no touchpoint {key!r}")
    if tp.kind is not TouchpointKind.COLLECT:
        raise InvalidInput(
            f"touchpoint {key!r} is a {tp.kind.value} touchpoint, not a collect one",
            errors=[FieldError("touchpoint", "not a collect touchpoint")],
        )
    if tp.status is TouchpointStatus.RETIRED:
        raise InvalidInput(
            f"touchpoint {key!r} is retired", errors=[FieldError("touchpoint", "retired")]
        )


def configure(
    ctx: Context,
    *,
    touchpoint: str,
    confirmation: Confirmation,
    within_minutes: int | None = None,
    max_attempts: int = 5,
    language: str = "it",
    confirmed_by: str | None = None,
    actor: str = "registry",
) -> CollectSettings:
    """Sets how a collect touchpoint confirms its consents (applies to consents from now on).

    `confirmed_by` declares that a named external system confirms them instead of this
    instance: the double opt-in and OTP proofs clients send are then recorded as its claims.
    The settings are a registry object: each change is a leaf naming `actor`, which `verify`
    checks the stored settings against.
    """
    minutes = DEFAULT_WITHIN_MINUTES[confirmation] if within_minutes is None else within_minutes
    errors = []
    if confirmed_by is not None:
        confirmed_by = confirmed_by.strip()
        if not SYSTEM_NAME.fullmatch(confirmed_by):
            errors.append(
                FieldError("confirmed_by", "a system name: 1-80 letters, digits, '.', '-', '_'")
            )
        if confirmation is not Confirmation.NONE:
            errors.append(
                FieldError(
                    "confirmation",
                    f"consents confirmed by {confirmed_by!r} get no confirmation from this "
                    "instance: use none",
                )
            )
    if confirmation is not Confirmation.NONE and not 1 <= minutes <= MAX_WITHIN_MINUTES:
        errors.append(FieldError("within_minutes", f"between 1 and {MAX_WITHIN_MINUTES}"))
    if not 1 <= max_attempts <= 10:
        errors.append(FieldError("max_attempts", "between 1 and 10"))
    if language not in LANGUAGES:
        errors.append(FieldError("language", f"one of {', '.join(LANGUAGES)}"))
    if errors:
        raise InvalidInput("invalid collect settings", errors=errors)
    settings = CollectSettings(
        touchpoint_key=touchpoint,
        confirmation=confirmation,
        confirm_within_minutes=minutes,
        otp_max_attempts=max_attempts,
        language=language,
        updated_at=ctx.clock.now(),
        confirmed_by=confirmed_by,
    )
    with ctx.uow() as uow:
        _collect_touchpoint(uow, touchpoint)
        uow.collect.put_settings(settings)
        record_objects(ctx, uow, COLLECT_SETTINGS, [touchpoint], "configured", actor)
        uow.commit()
    return settings


def get_settings(ctx: Context, *, touchpoint: str) -> CollectSettings:
    """The touchpoint's settings (no confirmation when never configured)."""
    with ctx.uow(write=False) as uow:
        if uow.touchpoints.get(touchpoint) is None:
            raise NotFound(f"no touchpoint {touchpoint!r}")
        found = uow.collect.settings_for([touchpoint]).get(touchpoint)
    if found is not None:
        return found
    return CollectSettings(touchpoint, Confirmation.NONE, 0, 5, "it", ctx.clock.now())


def normalise_origin(value: str, *, loc: str = "origins") -> str:
    """`scheme://host[:port]`, lower-case, as a browser sends it in `Origin`."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise InvalidInput(
            f"{value!r} is not an origin",
            errors=[FieldError(loc, "scheme://host[:port], e.g. https://shop.example")],
        )
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""  # as browsers send it
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _digest(key: str) -> str:
    # 192 random bits: a plain hash is enough, and cheap on every request.
    return hashlib.sha256(key.encode()).hexdigest()


def create_publishable_key(
    ctx: Context, *, name: str, touchpoint: str, origins: Sequence[str], rate_per_minute: int = 30
) -> tuple[PublishableKey, str]:
    """Creates a key for web pages; returns it with its text (shown once)."""
    if not name.strip():
        raise InvalidInput("a key needs a name", errors=[FieldError("name", "must not be empty")])
    if not origins:
        raise InvalidInput(
            "a publishable key needs at least one allowed origin",
            errors=[FieldError("origins", "empty")],
        )
    if not 1 <= rate_per_minute <= 10_000:
        raise InvalidInput(
            "invalid rate", errors=[FieldError("rate_per_minute", "between 1 and 10000")]
        )
    allowed = tuple(
        dict.fromkeys(normalise_origin(o, loc=f"origins.{n}") for n, o in enumerate(origins))
    )
    text = f"{PUBLISHABLE_PREFIX}_{secrets.token_urlsafe(24)}"
    key = PublishableKey(
        id=secrets.token_hex(8),
        name=name.strip(),
        touchpoint_key=touchpoint,
        origins=allowed,
        rate_per_minute=rate_per_minute,
        created_at=ctx.clock.now(),
        revoked_at=None,
    )
    with ctx.uow() as uow:
        _collect_touchpoint(uow, touchpoint)
        uow.collect.add_publishable(key, _digest(text))
        uow.commit()
    return key, text


def authenticate_publishable(ctx: Context, *, key: str) -> PublishableKey:
    """The live publishable key this text stands for, or refuses."""
    if not key.startswith(f"{PUBLISHABLE_PREFIX}_") or len(key) > 100:
        raise Unauthorized("malformed publishable key")
    with ctx.uow(write=False) as uow:
        found = uow.collect.publishable_by_hash(_digest(key))
    if found is None:
        raise Unauthorized("unknown publishable key")
    if found.revoked_at is not None:
        raise Unauthorized("revoked publishable key")
    return found


def list_publishable_keys(ctx: Context) -> list[PublishableKey]:
    with ctx.uow(write=False) as uow:
        return uow.collect.publishable_keys()


def revoke_publishable_key(ctx: Context, *, key_id: str) -> None:
    with ctx.uow() as uow:
        if not uow.collect.revoke_publishable(key_id, ctx.clock.now()):
            raise NotFound(f"no live publishable key {key_id!r}")
        uow.commit()
