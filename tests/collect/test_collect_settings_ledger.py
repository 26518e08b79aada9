"""A collect touchpoint's confirmation settings are a registry object (SQLite and PostgreSQL):
each change is a leaf naming who made it, `verify` names a settings row changed or added
behind the ledger's back, and settings from before are entered by the registry genesis."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from tests.factories.events import STORE_TP, TP, setup_registry
from tests.factories.registry import as_previous_release

from trustguardian.domain.collect import Confirmation
from trustguardian.service.collect import admin
from trustguardian.service.context import Context
from trustguardian.service.registry.genesis import enter_registry_genesis
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

S = t.collect_settings


def test_a_settings_change_is_a_leaf_naming_its_actor_and_verify_checks_the_row(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    admin.configure(ctx, touchpoint=TP, confirmation=Confirmation.DOUBLE_OPT_IN, actor="cli")
    admin.configure(
        ctx, touchpoint=TP, confirmation=Confirmation.OTP_SMS, max_attempts=3, actor="console:dpo"
    )
    with ctx.uow(write=False) as uow:
        leaf = uow.records.latest("collect_settings")[("collect_settings", TP)]
    assert (leaf.kind, leaf.actor) == ("registry.collect_settings.configured", "console:dpo")
    assert '"confirmation":"otp_sms"' in leaf.content
    assert '"otp_max_attempts":3' in leaf.content
    assert verify_ledger(ctx, evidence=False).ok

    with ctx.engine.begin() as c:
        c.execute(update(S).where(S.c.touchpoint_key == TP).values(confirmation="none"))
        row = dict(c.execute(select(S).where(S.c.touchpoint_key == TP)).mappings().one())
        c.execute(insert(S).values(**(row | {"touchpoint_key": STORE_TP})))
    problems = verify_ledger(ctx, evidence=False).problems
    assert (
        f"confirmation settings of touchpoint {TP}: confirmation differs from leaf {leaf.seq}"
        in (problems)
    )
    assert f"confirmation settings of touchpoint {STORE_TP}: no ledger leaf records it" in problems


def test_settings_stored_before_they_were_recorded_are_entered_by_the_genesis(
    ctx: Context,
) -> None:
    setup_registry(ctx)
    with as_previous_release():
        admin.configure(ctx, touchpoint=TP, confirmation=Confirmation.DOUBLE_OPT_IN)
    assert not verify_ledger(ctx, evidence=False).ok
    assert enter_registry_genesis(ctx) == 1
    assert verify_ledger(ctx, evidence=False).ok
    assert enter_registry_genesis(ctx) == 0
