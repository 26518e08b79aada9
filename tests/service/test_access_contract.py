"""API keys on SQLite and PostgreSQL: shown once, stored hashed, revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.factories import add_touchpoint

from trustguardian.domain.access import Scope
from trustguardian.domain.errors import InvalidInput, Unauthorized
from trustguardian.service import access
from trustguardian.service.context import Context
from trustguardian.store import tables as t


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
