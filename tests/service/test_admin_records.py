"""What the console's administration relies on, on SQLite and PostgreSQL: purpose labels per
language round-trip and are committed by the purpose version's leaf; systems, webhooks and
role changes are registry leaves with their actor, and `verify` finds a row changed behind
their back."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from tests.factories import add_purpose, purpose_content

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.registry import PurposeLabel, purpose_description, purpose_label
from trustguardian.domain.roles import Role
from trustguardian.domain.sync import SystemKind
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.service.registry import purposes
from trustguardian.service.sync import systems, webhooks
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

IT = PurposeLabel("it", "Newsletter promozionale", "E-mail con offerte")
EN = PurposeLabel("en", "Promotional newsletter")


def _latest(ctx: Context, object_type: str, key: str) -> tuple[str, str, str]:
    with ctx.uow(write=False) as uow:
        record = uow.records.latest(object_type)[(object_type, key)]
    return record.kind, record.actor, record.content


def test_labels_round_trip_sorted_and_fall_back_to_the_default(ctx: Context) -> None:
    content = purpose_content(labels=(IT, PurposeLabel(" en ", " Promotional newsletter ")))
    purposes.create_purpose(ctx, key="newsletter", content=content, actor="console:dpo")
    found = purposes.get_purpose(ctx, key="newsletter")
    assert found.current.content.labels == (EN, IT)
    assert purpose_label(found, "it-IT") == "Newsletter promozionale"
    assert purpose_description(found, "it") == "E-mail con offerte"
    assert purpose_description(found, "en") == "Promotional e-mails."  # no English description
    assert purpose_label(found, "fr") == "Newsletter marketing"
    kind, actor, leaf = _latest(ctx, "purpose_version", "newsletter/1")
    assert (kind, actor) == ("registry.purpose_version.created", "console:dpo")
    assert '"labels":{"en":{"description":"","name":"Promotional newsletter"}' in leaf
    # The same labels given in another order are no change: no new version.
    again = purposes.revise_purpose(ctx, key="newsletter", content=purpose_content(labels=(IT, EN)))
    assert again.current.version == 1
    assert verify_ledger(ctx, evidence=False).ok


def test_a_purpose_without_labels_keeps_the_leaf_it_always_had(ctx: Context) -> None:
    add_purpose(ctx)
    _, actor, leaf = _latest(ctx, "purpose_version", "newsletter/1")
    assert actor == "registry"
    assert '"labels"' not in leaf  # so versions written before labels still verify
    assert verify_ledger(ctx, evidence=False).ok


def test_bad_labels_are_refused_and_nothing_is_written(ctx: Context) -> None:
    for labels in [
        (IT, PurposeLabel("IT", "Doppia")),
        (PurposeLabel("italiano", "Nome"),),
        (PurposeLabel("it", " "),),
    ]:
        with pytest.raises(InvalidInput) as refused:
            purposes.create_purpose(ctx, key="newsletter", content=purpose_content(labels=labels))
        assert refused.value.errors[0].loc.startswith("labels.")
    with ctx.uow(write=False) as uow:
        assert uow.purposes.get("newsletter") is None
        assert uow.ledger.size() == 0


def test_labels_changed_behind_the_ledger_are_named(ctx: Context) -> None:
    purposes.create_purpose(ctx, key="newsletter", content=purpose_content(labels=(IT,)))
    with ctx.engine.begin() as c:
        c.execute(
            update(t.purpose_versions).values(labels={"it": {"name": "Altro", "description": ""}})
        )
    problems = verify_ledger(ctx, evidence=False).problems
    assert any(p.startswith("purpose newsletter v1: labels differs") for p in problems), problems


def test_systems_and_webhooks_are_leaves_and_a_url_changed_behind_them_is_named(
    ctx: Context,
) -> None:
    systems.create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM, actor="console:ict")
    hook, _ = systems.create_webhook(
        ctx, system_key="crm", url="https://crm.invalid/h?token=s3cret", actor="console:ict"
    )
    systems.rotate_secret(ctx, hook_id=hook.id, actor="console:ict")
    webhooks.disable_webhook(ctx, hook_id=hook.id, actor="console:dpo")
    assert _latest(ctx, "system", "crm")[:2] == ("registry.system.created", "console:ict")
    kind, actor, leaf = _latest(ctx, "webhook", hook.id)
    assert (kind, actor) == ("registry.webhook.disabled", "console:dpo")
    assert '"secret_version":2' in leaf
    assert '"host":"crm.invalid"' in leaf
    assert "s3cret" not in leaf
    assert verify_ledger(ctx, evidence=False).ok
    with ctx.engine.begin() as c:
        c.execute(update(t.webhooks).values(url="https://attacker.invalid/h"))
    problems = verify_ledger(ctx, evidence=False).problems
    assert any(p.startswith(f"webhook {hook.id}: host, url_sha256 differ") for p in problems)


def test_a_role_change_is_a_leaf_and_closes_the_users_sessions(ctx: Context) -> None:
    password = "correct horse battery staple"
    user = users.create_user(ctx, username="anna", password=password, role=Role.LEGAL)
    session = users.login(ctx, username="anna", password=password)
    changed = users.set_role(ctx, username="anna", role=Role.AUDITOR, actor="console:dpo")
    assert changed.role is Role.AUDITOR
    assert users.open_session(ctx, token=session.token) is None
    kind, actor, leaf = _latest(ctx, "admin_user", user.id)
    assert (kind, actor) == ("registry.admin_user.role_changed", "console:dpo")
    assert '"role":"auditor"' in leaf
    assert verify_ledger(ctx, evidence=False).ok
