"""A process keeps the registry that checks read, and still answers from what is committed now.

"Another process" is a second context on the same database with its own engine and its own copy;
every change goes through it while the first context's copy is warm.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from tests.conftest import make_settings
from tests.factories.events import PURPOSE, ago, email

from trustguardian.domain.checks import Reason
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin
from trustguardian.service.engage.check_registry import STAMP
from trustguardian.service.ops.instance import load_instance_keys
from trustguardian.service.registry import purposes
from trustguardian.store import tables as t
from trustguardian.store.engine import make_engine

from .helpers import CALLS, MONDAY, check, event, import_register, next_day, phone, rome
from .helpers import setup_engage as setup


def other_process(ctx: Context) -> Context:
    settings = make_settings(ctx.settings.database_url, ctx.settings.keys_file.parent)
    return Context(
        settings=settings,
        engine=make_engine(settings.database_url),
        keys=load_instance_keys(settings),
    )


def stamp(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(
            conn.execute(select(t.stamps.c.value).where(t.stamps.c.name == STAMP)).scalar_one()
        )


def test_a_purpose_retired_by_another_process_is_seen_by_the_next_check(ctx: Context) -> None:
    setup(ctx)
    event(ctx, at=ago(days=3))
    assert check(ctx).reason is Reason.CONSENT_GIVEN
    other = other_process(ctx)
    try:
        purposes.retire_purpose(other, key=PURPOSE)
        outcome = check(ctx)
    finally:
        other.engine.dispose()
    assert (outcome.allowed, outcome.reason) == (False, Reason.PURPOSE_RETIRED)


def test_a_policy_added_by_another_process_is_seen_by_the_next_check(ctx: Context) -> None:
    setup(ctx)
    event(ctx, at=ago(days=20))
    allowed = check(ctx, channel=Channel.SMS)
    assert allowed.reason is Reason.CONSENT_GIVEN
    event(
        ctx,
        EventKind.CONTACT_MADE,
        channels=(Channel.SMS,),
        at=ago(hours=2),
        check_id=allowed.check_id,
        campaign="spring",
    )
    assert check(ctx, channel=Channel.SMS).reason is Reason.CONSENT_GIVEN
    other = other_process(ctx)
    try:
        engage_admin.add_policy(other, purpose=None, channel=Channel.SMS, max_contacts=1, days=7)
        outcome = check(ctx, channel=Channel.SMS)
    finally:
        other.engine.dispose()
    assert (outcome.allowed, outcome.reason) == (False, Reason.FREQUENCY_CAP)


def test_a_register_imported_by_another_process_is_seen_by_the_next_check(ctx: Context) -> None:
    setup(ctx)
    event(ctx, purpose=CALLS, who=(email(), phone()), at=ago(days=10))
    monday = rome(next_day(MONDAY), 10)
    assert check(ctx, CALLS, Channel.PHONE, who=phone(), moment=monday).allowed
    other = other_process(ctx)
    try:
        import_register(other, ["3331234567"], datetime.now(UTC).date() - timedelta(days=5))
        outcome = check(ctx, CALLS, Channel.PHONE, who=phone(), moment=monday)
    finally:
        other.engine.dispose()
    assert (outcome.allowed, outcome.reason) == (False, Reason.OPPOSITION_REGISTER)


def test_every_change_to_what_checks_read_moves_the_stamp(ctx: Context) -> None:
    """Triggers move it, whoever writes: here plain SQL, as an operator or a bulk load would."""
    setup(ctx)
    changes = [
        insert(t.contact_policies).values(
            id="pol_1", channel="sms", max_contacts=1, days=1, created_at=datetime.now(UTC)
        ),
        update(t.contact_policies).values(max_contacts=2),
        delete(t.contact_policies),
        update(t.purposes).where(t.purposes.c.key == PURPOSE).values(status="retired"),
        update(t.purpose_versions)
        .where(t.purpose_versions.c.purpose_key == PURPOSE)
        .values(description="changed"),
        insert(t.opposition_registers).values(
            id="reg_1",
            name="rpo",
            kind="phone",
            register_date=datetime.now(UTC).date(),
            entries=0,
            file_sha256="0" * 64,
            imported_at=datetime.now(UTC),
        ),
        delete(t.opposition_registers),
    ]
    for change in changes:
        before = stamp(ctx)
        with ctx.engine.begin() as conn:
            conn.execute(change)
        assert stamp(ctx) > before, change


def test_without_its_stamp_a_check_reads_the_registry_every_time(ctx: Context) -> None:
    setup(ctx)
    event(ctx, at=ago(days=3))
    with ctx.engine.begin() as conn:
        conn.execute(delete(t.stamps).where(t.stamps.c.name == STAMP))
    assert check(ctx).reason is Reason.CONSENT_GIVEN
    other = other_process(ctx)
    try:
        purposes.retire_purpose(other, key=PURPOSE)
        outcome = check(ctx)
    finally:
        other.engine.dispose()
    assert (outcome.allowed, outcome.reason) == (False, Reason.PURPOSE_RETIRED)
