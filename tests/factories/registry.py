"""A registry with an object of every kind that registry records commit to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from unittest import mock

from tests.factories.events import PURPOSE, TP, email, make_draft, record_one, setup_registry

import trustguardian.service.events.records as records
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import Channel
from trustguardian.domain.roles import Role
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.access.users import create_user
from trustguardian.service.context import Context
from trustguardian.service.engage.admin import add_policy, file_digest, import_register, suppress
from trustguardian.service.ops.keyring import register_signing_key
from trustguardian.service.registry.census import examine_touchpoints
from trustguardian.service.registry.purpose_flags import set_sale_sharing

REGISTER = b"numero\n+39 02 1234567\n+39 06 7654321\n"


@dataclass(frozen=True)
class FullRegistry:
    api_key: str
    user: str
    policy: str


def full_registry(ctx: Context) -> FullRegistry:
    """Touchpoints, purposes, a notice, an API key, a console user, a contact policy, a
    suppression entry, an opposition register, an examination and a purpose flag; and an
    event."""
    setup_registry(ctx)
    key, _ = create_api_key(ctx, name="web form", scopes=[Scope.EVENTS_WRITE], touchpoint_key=TP)
    user = create_user(ctx, username="dpo", password="a long passphrase 1", role=Role.DPO)
    policy = add_policy(ctx, purpose=PURPOSE, channel=Channel.EMAIL, max_contacts=4, days=30)
    suppress(ctx, identifiers=[email("no.contact@example.com")], reason="asked by phone")
    import_register(
        ctx,
        name="rpo",
        kind="phone",
        register_date=date(2026, 11, 30),
        lines=REGISTER.decode().splitlines(),
        file_sha256=file_digest(REGISTER),
    )
    examine_touchpoints(ctx, key=TP)
    set_sale_sharing(ctx, purpose=PURPOSE, value=False)
    register_signing_key(ctx)
    record_one(ctx, make_draft())
    return FullRegistry(key.id, user.id, policy)


@contextmanager
def as_previous_release() -> Iterator[None]:
    """Registry changes written as the release before registry records wrote them: the rows
    only, no leaf (for databases at a revision before 0017)."""
    with mock.patch.object(records, "record_registry_changes", return_value=[]):
        yield
