"""Use cases for API keys: created once, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import replace

from trustguardian.domain.access import ApiKey, Scope
from trustguardian.domain.errors import Conflict, FieldError, InvalidInput, NotFound, Unauthorized
from trustguardian.service.access.key_cache import STAMP
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.ops.stamps import read_stamps
from trustguardian.store.snapshots import API_KEY
from trustguardian.store.uow import UnitOfWork

PREFIX = "tg"


def _digest(secret: str) -> str:
    # The secret is 256 random bits: a plain SHA-256 cannot be brute-forced, and it keeps
    # authentication on every request cheap (a password hash would cost ~50 ms per call).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    ctx: Context,
    *,
    name: str,
    scopes: Iterable[Scope],
    touchpoint_key: str | None = None,
    system_key: str | None = None,
    actor: str = "registry",
) -> tuple[ApiKey, str]:
    """Creates a key; returns it with the token, which is never shown again."""
    if not name.strip():
        raise InvalidInput("a key needs a name", errors=[FieldError("name", "must not be empty")])
    scope_set = _scopes(scopes, touchpoint_key)
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        id=key_id,
        name=name.strip(),
        scopes=scope_set,
        touchpoint_key=touchpoint_key,
        created_at=ctx.clock.now(),
        revoked_at=None,
        system_key=system_key,
    )
    with ctx.uow() as uow:
        _check_binding(uow, touchpoint_key, system_key)
        uow.api_keys.add(key, _digest(secret))
        record_objects(ctx, uow, API_KEY, [key_id], "created", actor)
        uow.commit()
    return key, f"{PREFIX}_{key_id}_{secret}"


def change_api_key(
    ctx: Context,
    *,
    key_id: str,
    scopes: Iterable[Scope],
    touchpoint_key: str | None = None,
    system_key: str | None = None,
    actor: str = "registry",
) -> ApiKey:
    """Gives a live key these scopes and this binding (None: unbound); its token stays the same.

    Takes effect on the key's next request in every process (the `api_keys` stamp moves)."""
    scope_set = _scopes(scopes, touchpoint_key)
    with ctx.uow() as uow:
        current = _get(uow, key_id)
        if current.revoked_at is not None:
            raise Conflict(f"API key {key_id!r} is revoked and can no longer change")
        _check_binding(uow, touchpoint_key, system_key)
        changed = replace(
            current, scopes=scope_set, touchpoint_key=touchpoint_key, system_key=system_key
        )
        uow.api_keys.change(changed)
        record_objects(ctx, uow, API_KEY, [key_id], "changed", actor)
        uow.commit()
    return changed


def _scopes(scopes: Iterable[Scope], touchpoint_key: str | None) -> frozenset[Scope]:
    scope_set = frozenset(scopes)
    if not scope_set:
        raise InvalidInput("a key needs at least one scope", errors=[FieldError("scopes", "empty")])
    if touchpoint_key is not None and Scope.ADMIN in scope_set:
        raise InvalidInput(
            "a touchpoint key cannot be an admin key",
            errors=[FieldError("scopes", "admin with touchpoint")],
        )
    return scope_set


def _check_binding(uow: UnitOfWork, touchpoint_key: str | None, system_key: str | None) -> None:
    if touchpoint_key is not None and uow.touchpoints.get(touchpoint_key) is None:
        raise InvalidInput(
            f"no touchpoint {touchpoint_key!r}",
            errors=[FieldError("touchpoint", "unknown touchpoint")],
        )
    if system_key is not None and uow.sync.system(system_key) is None:
        raise InvalidInput(
            f"no system {system_key!r}", errors=[FieldError("system", "unknown system")]
        )


def authenticate(ctx: Context, *, token: str) -> ApiKey:
    """Finds the live key a token stands for, or refuses.

    A key this process verified before is taken from its copy while the `api_keys` stamp has
    not moved since; any change to any key (a revocation above all) moves it, in every process.
    """
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise Unauthorized("malformed API key")
    stamp = read_stamps(ctx.engine).get(STAMP)
    found = ctx.key_cache.get(stamp, parts[1])
    if found is None:
        with ctx.uow(write=False) as uow:
            found = uow.api_keys.get_with_hash(parts[1])
        if found is not None and found[0].revoked_at is None:
            ctx.key_cache.put(stamp, found)
    if found is None or not hmac.compare_digest(found[1], _digest(parts[2])):
        raise Unauthorized("unknown API key")
    if found[0].revoked_at is not None:
        raise Unauthorized("revoked API key")
    return found[0]


def list_api_keys(ctx: Context) -> list[ApiKey]:
    """Lists every key, revoked ones included (never their secrets)."""
    with ctx.uow(write=False) as uow:
        return uow.api_keys.all()


def get_api_key(ctx: Context, *, key_id: str) -> ApiKey:
    """Gets a key by its id (never its secret)."""
    with ctx.uow(write=False) as uow:
        return _get(uow, key_id)


def _get(uow: UnitOfWork, key_id: str) -> ApiKey:
    found = uow.api_keys.get_with_hash(key_id)
    if found is None:
        raise NotFound(f"no API key {key_id!r}")
    return found[0]


def revoke_api_key(ctx: Context, *, key_id: str, actor: str = "registry") -> None:
    """Revokes a key at once."""
    with ctx.uow() as uow:
        if not uow.api_keys.revoke(key_id, ctx.clock.now()):
            raise NotFound(f"no live API key {key_id!r}")
        record_objects(ctx, uow, API_KEY, [key_id], "revoked", actor)
        uow.commit()


def renew_named_key(ctx: Context, *, name: str, scopes: Iterable[Scope]) -> tuple[ApiKey, str]:
    """Revokes the live keys with this name and creates a fresh one (used by `serve --demo`)."""
    with ctx.uow() as uow:
        live = [k.id for k in uow.api_keys.all() if k.name == name and k.revoked_at is None]
        uow.api_keys.revoke_named(name, ctx.clock.now())
        record_objects(ctx, uow, API_KEY, live, "revoked")
        uow.commit()
    return create_api_key(ctx, name=name, scopes=scopes)
