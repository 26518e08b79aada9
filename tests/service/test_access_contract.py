"""API keys on SQLite and PostgreSQL: shown once, stored hashed, revocable."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import event, select
from tests.factories import add_touchpoint

from trustguardian.domain.access import Scope
from trustguardian.domain.errors import InvalidInput, Unauthorized
from trustguardian.service.access import api_keys as access
from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.engine import make_engine


def test_token_authenticates_and_only_its_hash_is_stored(ctx: Context) -> None:
    key, token = access.create_api_key(ctx, name="crm sync", scopes=[Scope.REGISTRY_READ])
    assert access.authenticate(ctx, token=token) == key
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(t.api_keys)).one()
    secret = token.split("_", 2)[2]
    assert secret not in str(tuple(stored))


def test_wrong_or_revoked_tokens_are_refused(ctx: Context) -> None:
    key, token = access.create_api_key(ctx, name="k", scopes=[Scope.ADMIN])
    with pytest.raises(Unauthorized):
        access.authenticate(ctx, token=token[:-2] + "xx")
    with pytest.raises(Unauthorized):
        access.authenticate(ctx, token="nonsense")
    access.revoke_api_key(ctx, key_id=key.id)
    with pytest.raises(Unauthorized):
        access.authenticate(ctx, token=token)


def test_admin_scope_grants_everything_and_others_only_themselves(ctx: Context) -> None:
    admin, _ = access.create_api_key(ctx, name="a", scopes=[Scope.ADMIN])
    reader, _ = access.create_api_key(ctx, name="r", scopes=[Scope.REGISTRY_READ])
    assert admin.allows(Scope.EVENTS_WRITE)
    assert reader.allows(Scope.REGISTRY_READ)
    assert not reader.allows(Scope.REGISTRY_WRITE)


def test_touchpoint_key_must_name_a_real_touchpoint(ctx: Context) -> None:
    with pytest.raises(InvalidInput):
        access.create_api_key(ctx, name="t", scopes=[Scope.EVENTS_WRITE], touchpoint_key="ghost")
    add_touchpoint(ctx)
    key, _ = access.create_api_key(
        ctx, name="t", scopes=[Scope.EVENTS_WRITE], touchpoint_key="web-newsletter"
    )
    assert key.touchpoint_key == "web-newsletter"


def test_a_key_revoked_by_another_process_is_refused_at_once(ctx: Context) -> None:
    key, token = access.create_api_key(ctx, name="k", scopes=[Scope.CONSENT_CHECK])
    kept, other_token = access.create_api_key(ctx, name="other", scopes=[Scope.CONSENT_CHECK])
    assert access.authenticate(ctx, token=token) == key  # verified once: this process keeps it
    assert access.authenticate(ctx, token=other_token) == kept
    other = dataclasses.replace(ctx, engine=make_engine(ctx.settings.database_url))
    try:
        access.revoke_api_key(other, key_id=key.id)
    finally:
        other.engine.dispose()
    with pytest.raises(Unauthorized, match="revoked"):
        access.authenticate(ctx, token=token)
    assert access.authenticate(ctx, token=other_token) == kept
    # a kept key still needs its own secret
    with pytest.raises(Unauthorized, match="unknown"):
        access.authenticate(ctx, token=other_token[:-2] + "xx")


def test_a_kept_key_is_read_again_only_when_a_key_changed(ctx: Context) -> None:
    _, token = access.create_api_key(ctx, name="k", scopes=[Scope.CONSENT_CHECK])
    access.authenticate(ctx, token=token)
    reads = _count_key_reads(ctx, lambda: access.authenticate(ctx, token=token))
    assert reads == 0
    access.create_api_key(ctx, name="new", scopes=[Scope.CONSENT_CHECK])
    assert _count_key_reads(ctx, lambda: access.authenticate(ctx, token=token)) == 1


def _count_key_reads(ctx: Context, work: Callable[[], object]) -> int:
    seen: list[str] = []

    def note(_c: object, _cur: object, statement: str, *_: object) -> None:
        if "FROM api_keys" in statement:
            seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)
    return len(seen)
