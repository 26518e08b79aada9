"""Use cases for company systems and their webhooks (secrets shown once, rotatable)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from trustguardian.domain.addresses import AddressRefused
from trustguardian.domain.common import check_key
from trustguardian.domain.errors import AlreadyExists, FieldError, InvalidInput, NotFound
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.sync import System, SystemKind, Webhook, new_secret
from trustguardian.outbound import HINT
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import SYSTEM, WEBHOOK
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import VaultError, derive_key, open_sealed, seal
from trustguardian.vault.rng import random_bytes

SECRET_KEY_PURPOSE = "webhook-secrets/v1"  # noqa: S105 -- a key-derivation label, not a secret


def create_system(
    ctx: Context,
    *,
    key: str,
    name: str,
    kind: SystemKind,
    identifier_kinds: Sequence[str] = ("email",),
    mapping: Mapping[str, Mapping[str, str]] | None = None,
    actor: str = "registry",
) -> System:
    """Registers a company system to keep in sync."""
    check_key(key)
    errors = []
    for n, purpose_channels in enumerate((mapping or {}).values()):
        for channel in purpose_channels:
            if channel not in Channel.__members__.values():
                errors.append(FieldError(f"mapping.{n}", f"unknown channel {channel!r}"))
    if not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if errors:
        raise InvalidInput("system is not valid", errors=errors)
    system = System(
        key=key,
        name=name.strip(),
        kind=kind,
        identifier_kinds=tuple(dict.fromkeys(identifier_kinds)),
        mapping={p: dict(c) for p, c in (mapping or {}).items()},
        status="active",
        created_at=ctx.clock.now(),
    )
    with ctx.uow() as uow:
        if uow.sync.system(key) is not None:
            raise AlreadyExists(
                f"system {key!r} already exists", errors=[FieldError("key", "taken")]
            )
        uow.sync.add_system(system)
        record_objects(ctx, uow, SYSTEM, [key], "created", actor)
        uow.commit()
    return system


def list_systems(ctx: Context) -> list[System]:
    """Lists the registered systems."""
    with ctx.uow(write=False) as uow:
        return uow.sync.systems()


def create_webhook(
    ctx: Context,
    *,
    system_key: str,
    url: str,
    event_kinds: Sequence[str] = (),
    purposes: Sequence[str] = (),
    from_start: bool = False,
    actor: str = "registry",
) -> tuple[Webhook, str]:
    """Subscribes a system's URL; returns the webhook and its signing secret (shown once).

    It receives the events recorded from now on; with `from_start`, the whole history first.

    A URL whose host is or resolves to a loopback, private, link-local, metadata or other
    non-public address is refused unless the allow-list names it (it is checked again on every
    delivery, against the address actually connected to)."""
    _check_url(ctx, url)
    unknown = [k for k in event_kinds if k not in EventKind.__members__.values()]
    if unknown:
        raise InvalidInput("unknown event kinds", errors=[FieldError("event_kinds", str(unknown))])
    hook = Webhook(
        id=ctx.ids.new_id("wh"),
        system_key=system_key,
        url=url,
        event_kinds=tuple(event_kinds),
        purposes=tuple(purposes),
        status="active",
        created_at=ctx.clock.now(),
    )
    with ctx.uow() as uow:
        if uow.sync.system(system_key) is None:
            raise InvalidInput(
                f"no system {system_key!r}", errors=[FieldError("system", "unknown system")]
            )
        missing = [p for p in purposes if p not in uow.purposes.existing_keys(list(purposes))]
        if missing:
            raise InvalidInput("unknown purposes", errors=[FieldError("purposes", str(missing))])
        uow.sync.add_webhook(hook)
        start = 0 if from_start else uow.sync.outbox_end()
        uow.sync.start_position(hook.destination, start, hook.created_at)
        secret = _add_secret(ctx, uow, hook.id)
        record_objects(ctx, uow, WEBHOOK, [hook.id], "created", actor)
        uow.commit()
    return hook, secret


def rotate_secret(ctx: Context, *, hook_id: str, actor: str = "registry") -> str:
    """Issues a new secret; the old one keeps signing during the grace period, then expires."""
    with ctx.uow() as uow:
        if uow.sync.webhook(hook_id) is None:
            raise NotFound(f"no webhook {hook_id!r}")
        grace = timedelta(hours=ctx.settings.webhook_secret_grace_hours)
        uow.sync.expire_secrets(hook_id, ctx.clock.now() + grace)
        secret = _add_secret(ctx, uow, hook_id)
        record_objects(ctx, uow, WEBHOOK, [hook_id], "rotated", actor)
        uow.commit()
    return secret


def list_webhooks(ctx: Context, *, deleted: bool = False) -> list[Webhook]:
    """Lists the webhooks, deleted ones only if asked (never their secrets)."""
    with ctx.uow(write=False) as uow:
        return [h for h in uow.sync.webhooks() if deleted or h.status != "deleted"]


def signing_secrets(ctx: Context, uow: UnitOfWork, hook_id: str) -> list[str]:
    """The secrets a message must be signed with now, newest first."""
    return [
        open_secret(ctx, sealed, hook_id, version)
        for version, sealed in uow.sync.secrets(hook_id, ctx.clock.now())
    ]


def open_secret(ctx: Context, sealed: bytes, hook_id: str, version: int) -> str:
    """Opens a webhook secret sealed under the current or, until re-sealed, a retired master key."""
    return open_under_masters(ctx, SECRET_KEY_PURPOSE, sealed, _aad(hook_id, version)).decode()


def open_under_masters(ctx: Context, purpose: str, sealed: bytes, aad: bytes) -> bytes:
    """Opens bytes sealed under a key derived for `purpose` from any master key still held."""
    *first, last = ctx.keys.masters
    for master in first:
        try:
            return open_sealed(derive_key(master, purpose), sealed, aad)
        except VaultError:
            continue
    return open_sealed(derive_key(last, purpose), sealed, aad)


def seal_secret(ctx: Context, secret: str, hook_id: str, version: int) -> bytes:
    """Seals a webhook secret under the current master key."""
    key = derive_key(ctx.keys.master, SECRET_KEY_PURPOSE)
    return seal(key, secret.encode(), _aad(hook_id, version), ctx.rng)


def _add_secret(ctx: Context, uow: UnitOfWork, hook_id: str) -> str:
    secret = new_secret(random_bytes(ctx.rng, 24))
    version = uow.sync.last_secret_version(hook_id) + 1
    key = derive_key(ctx.keys.master, SECRET_KEY_PURPOSE)
    uow.sync.add_secret(
        hook_id,
        version,
        seal(key, secret.encode(), _aad(hook_id, version), ctx.rng),
        ctx.clock.now(),
    )
    return secret


def _aad(hook_id: str, version: int) -> bytes:
    return f"webhook-secret:{hook_id}:{version}".encode()


def _check_url(ctx: Context, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            "the webhook URL must be http(s)", errors=[FieldError("url", "not an http(s) URL")]
        )
    try:
        parts.port  # noqa: B018 -- reading it checks it
    except ValueError as exc:
        raise InvalidInput(
            f"the webhook URL's port is not valid ({exc})",
            errors=[FieldError("url", "not a valid port")],
        ) from None
    try:
        ctx.outbound.check_url(url)
    except AddressRefused as exc:
        raise InvalidInput(
            f"the webhook URL is refused: {exc}; {HINT}",
            errors=[FieldError("url", "not a public address, nor an allowed host")],
        ) from None
