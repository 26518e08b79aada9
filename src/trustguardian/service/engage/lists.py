"""Use cases that list, change and remove contact policies, suppression entries and opposition
register imports (adding them: service.engage.admin).

Nothing is forgotten: a changed or removed policy or suppression entry moves to its history,
and a removed register import is dated, so checks of a past moment see what stood then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.domain.subjects import Identifier
from trustguardian.service.context import Context
from trustguardian.service.engage.admin import OPERATOR, check_policy
from trustguardian.service.events.records import record_objects
from trustguardian.service.events.subjects import blind
from trustguardian.store.engage import NewPolicy
from trustguardian.store.engage.lists import RegisterImport as RegisterImport
from trustguardian.store.snapshots import CONTACT_POLICY, OPPOSITION_REGISTER, SUPPRESSION_ENTRY

# A policy as listed: its id, cap, window and since when it stands (as stored).
PolicyRow = NewPolicy


@dataclass(frozen=True)
class SuppressionRow:
    """An entry of the suppression list: a keyed hash (the identifier is never stored)."""

    blind: str
    reason: str
    added_at: datetime


def list_policies(ctx: Context) -> list[PolicyRow]:
    """Lists the contact policies in force, oldest first."""
    with ctx.uow(write=False) as uow:
        return uow.engage_lists.policy_rows()


def change_policy(
    ctx: Context,
    *,
    policy_id: str,
    max_contacts: int | None = None,
    days: int | None = None,
    window: dict[str, object] | None = None,
    actor: str = OPERATOR,
) -> PolicyRow:
    """Changes a policy's cap and/or window from now on (what it was stays in its history)."""
    check_policy(max_contacts, days, window)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        old = uow.engage_lists.retire_policy(policy_id, now)
        if old is None:
            raise NotFound(f"no contact policy {policy_id}")
        new = PolicyRow(
            id=old.id,
            purpose_key=old.purpose_key,
            channel=old.channel,
            max_contacts=max_contacts,
            days=days,
            window=window,
            created_at=now,
        )
        uow.engage.add_policy(new)
        record_objects(ctx, uow, CONTACT_POLICY, [policy_id], "changed", actor)
        uow.commit()
    return new


def remove_policy(ctx: Context, *, policy_id: str, actor: str = OPERATOR) -> None:
    """Removes a policy from now on (checks of an earlier moment still apply it)."""
    with ctx.uow() as uow:
        if uow.engage_lists.retire_policy(policy_id, ctx.clock.now()) is None:
            raise NotFound(f"no contact policy {policy_id}")
        record_objects(ctx, uow, CONTACT_POLICY, [policy_id], "removed", actor)
        uow.commit()


def list_suppression(
    ctx: Context, *, after: str | None = None, limit: int = 100
) -> list[SuppressionRow]:
    """Lists suppression entries by keyed hash, a page at a time (after a hash)."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit is 1 to 1000", errors=[FieldError("limit", str(limit))])
    with ctx.uow(write=False) as uow:
        rows = uow.engage_lists.suppression_page(after=after, limit=limit)
    return [SuppressionRow(r.blind, r.reason, r.added_at) for r in rows]


def change_suppression(
    ctx: Context,
    *,
    reason: str,
    identifier: Identifier | None = None,
    entry: str | None = None,
    actor: str = OPERATOR,
) -> SuppressionRow:
    """Changes why an identifier (or the entry of this keyed hash) is on the suppression list."""
    _reason(reason)
    hashed = _entry(ctx, identifier, entry)
    with ctx.uow() as uow:
        if not uow.engage_lists.change_suppression(hashed, reason):
            raise NotFound("this identifier is not on the suppression list")
        row = uow.engage_lists.suppression_entry(hashed)
        record_objects(ctx, uow, SUPPRESSION_ENTRY, [hashed], "changed", actor)
        uow.commit()
    return SuppressionRow(row.blind, row.reason, row.added_at)


def remove_suppression(
    ctx: Context,
    *,
    identifier: Identifier | None = None,
    entry: str | None = None,
    actor: str = OPERATOR,
) -> None:
    """Takes an identifier (or the entry of this keyed hash) off the suppression list from now
    on.

    An erased person's identifiers stay suppressed whatever the list says: the erasure itself
    suppresses them.
    """
    hashed = _entry(ctx, identifier, entry)
    with ctx.uow() as uow:
        if not uow.engage_lists.remove_suppression(hashed, ctx.clock.now()):
            raise NotFound("this identifier is not on the suppression list")
        record_objects(ctx, uow, SUPPRESSION_ENTRY, [hashed], "removed", actor)
        uow.commit()


def list_registers(ctx: Context) -> list[RegisterImport]:
    """Lists every import of every register, removed ones too, newest first per register."""
    with ctx.uow(write=False) as uow:
        return uow.engage_lists.register_imports()


def change_register(
    ctx: Context, *, register_id: str, register_date: date, actor: str = OPERATOR
) -> RegisterImport:
    """Corrects the date of a register import (a typo at import time), and with it the date
    its numbers were first seen."""
    if register_date > ctx.clock.now().date():
        raise InvalidInput(
            "a register's date cannot be in the future",
            errors=[FieldError("register_date", register_date.isoformat())],
        )
    with ctx.uow() as uow:
        found = _register(uow.engage_lists.register_import(register_id), register_id)
        uow.engage_lists.redate_register(found, register_date)
        changed = uow.engage_lists.register_import(register_id)
        assert changed is not None
        record_objects(ctx, uow, OPPOSITION_REGISTER, [register_id], "redated", actor)
        uow.commit()
    return changed


def remove_register(ctx: Context, *, register_id: str, actor: str = OPERATOR) -> RegisterImport:
    """Removes a register import from now on (the previous import of the register is current
    again); checks of an earlier moment still see it."""
    with ctx.uow() as uow:
        found = _register(uow.engage_lists.register_import(register_id), register_id)
        uow.engage_lists.remove_register(register_id, ctx.clock.now())
        record_objects(ctx, uow, OPPOSITION_REGISTER, [register_id], "removed", actor)
        uow.commit()
    return replace(found, removed_at=ctx.clock.now())


def _register(found: RegisterImport | None, register_id: str) -> RegisterImport:
    if found is None or found.removed_at is not None:
        raise NotFound(f"no register import {register_id}")
    return found


def _entry(ctx: Context, identifier: Identifier | None, entry: str | None) -> str:
    """The keyed hash an identifier or an entry names (exactly one of them)."""
    if (identifier is None) == (entry is None):
        raise InvalidInput(
            "name one identifier or one entry", errors=[FieldError("identifier", "")]
        )
    return blind(ctx, identifier) if identifier is not None else str(entry)


def _reason(reason: str) -> None:
    if not reason.strip() or len(reason) > 200:
        raise InvalidInput(
            "a reason is 1 to 200 characters", errors=[FieldError("reason", "1 to 200")]
        )
