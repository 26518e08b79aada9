"""Use cases for contact policies, suppression lists and opposition registers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.records import record_objects
from trustguardian.service.events.subjects import blind
from trustguardian.store.engage import NewPolicy, NewRegister, SuppressionEntry
from trustguardian.store.snapshots import CONTACT_POLICY, OPPOSITION_REGISTER, SUPPRESSION_ENTRY

REFRESH_DAYS = 31  # the opposition register is to be consulted at least monthly
# Who a change to the contact rules is recorded as made by, unless the caller names someone.
OPERATOR = "operator"


@dataclass(frozen=True)
class RegisterStatus:
    name: str
    kind: str
    register_date: date
    entries: int
    imported_at: datetime
    age_days: int

    @property
    def stale(self) -> bool:
        return self.age_days > REFRESH_DAYS


def add_policy(
    ctx: Context,
    *,
    purpose: str | None,
    channel: Channel | None,
    max_contacts: int | None = None,
    days: int | None = None,
    window: dict[str, object] | None = None,
    actor: str = OPERATOR,
) -> str:
    """Adds a contact policy (frequency cap and/or contact window) for a purpose and channel."""
    check_policy(max_contacts, days, window)
    policy_id = ctx.ids.new_id("pol")
    with ctx.uow() as uow:
        if purpose is not None and uow.purposes.get(purpose) is None:
            raise InvalidInput(
                f"unknown purpose {purpose!r}", errors=[FieldError("purpose", "unknown")]
            )
        policy = NewPolicy(
            id=policy_id,
            purpose_key=purpose,
            channel=channel.value if channel else None,
            max_contacts=max_contacts,
            days=days,
            window=window,
            created_at=ctx.clock.now(),
        )
        uow.engage.add_policy(policy)
        record_objects(ctx, uow, CONTACT_POLICY, [policy_id], "added", actor)
        uow.commit()
    return policy_id


def check_policy(
    max_contacts: int | None, days: int | None, window: dict[str, object] | None
) -> None:
    """Refuses a policy that caps nothing and sets no window, or whose window does not read."""
    if (max_contacts is not None and max_contacts < 1) or (days is not None and days < 1):
        raise InvalidInput(
            "a cap is at least 1 contact in at least 1 day",
            errors=[FieldError("policy", "max and days are at least 1")],
        )
    if (max_contacts is None) != (days is None) or (max_contacts is None and window is None):
        raise InvalidInput(
            "a policy caps contacts (max and days together) or sets a window",
            errors=[FieldError("policy", "give --max and --days, or a window")],
        )
    if window is not None and not isinstance(window, dict):
        raise InvalidInput("bad window", errors=[FieldError("window", "a JSON object")])
    if window is not None:
        for day in ("weekdays", "saturday", "sunday"):
            bounds = window.get(day)
            if bounds is not None and (not isinstance(bounds, list) or len(bounds) != 2):
                raise InvalidInput(
                    "bad window", errors=[FieldError(f"window.{day}", "[start, end] or null")]
                )
            for value in bounds or []:
                try:
                    time.fromisoformat(str(value))
                except ValueError as exc:
                    raise InvalidInput(
                        "bad window", errors=[FieldError(f"window.{day}", str(exc))]
                    ) from exc
        try:
            ZoneInfo(str(window.get("time_zone", "Europe/Rome")))
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise InvalidInput(
                "unknown time zone",
                errors=[FieldError("window.time_zone", str(window.get("time_zone")))],
            ) from exc


def suppress(
    ctx: Context, *, identifiers: Iterable[Identifier], reason: str, actor: str = OPERATOR
) -> int:
    """Puts identifiers on the internal suppression list (as keyed hashes); returns how many new.
    Each new entry is a ledger record (its keyed hash and reason)."""
    if not reason.strip() or len(reason) > 200:
        raise InvalidInput(
            "a reason is 1 to 200 characters", errors=[FieldError("reason", "1 to 200")]
        )
    now = ctx.clock.now()
    rows = [SuppressionEntry(blind(ctx, i), reason, now) for i in identifiers]
    with ctx.uow() as uow:
        added = uow.engage.add_suppression(rows)
        record_objects(ctx, uow, SUPPRESSION_ENTRY, [e.blind for e in added], "added", actor)
        uow.commit()
    return len(added)


# What each kind of register lists, and the header words its files may start with.
REGISTER_KINDS = {"phone": IdentifierKind.PHONE, "post": IdentifierKind.POSTAL}
_HEADERS = ("phone", "numero", "number", "address", "indirizzo")


def import_register(
    ctx: Context,
    *,
    name: str,
    kind: str,
    register_date: date,
    lines: Iterable[str | bytes],
    file_sha256: str,
    actor: str = OPERATOR,
) -> tuple[int, list[tuple[int, str]]]:
    """Imports a public opposition register; returns entries and rejected lines.

    A `phone` register lists one number per line (further CSV columns ignored); a `post` register
    one postal address per line (commas are part of an address). Lines given as bytes are read
    as UTF-8; one that is not is rejected with its number and the first bad byte.
    """
    if kind not in REGISTER_KINDS:
        raise InvalidInput(
            f"unknown register kind {kind!r}", errors=[FieldError("kind", "phone or post")]
        )
    identifier_kind = REGISTER_KINDS[kind]
    blinds: set[str] = set()
    rejected: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        try:
            line = (
                raw if isinstance(raw, str) else raw.decode("utf-8-sig" if number == 1 else "utf-8")
            )
        except UnicodeDecodeError as exc:
            rejected.append((number, f"invalid_encoding: not UTF-8 (byte 0x{raw[exc.start]:02X})"))
            continue
        value = line.strip() if kind == "post" else line.strip().split(",")[0].strip()
        if not value or value.lower() in _HEADERS:
            continue
        try:
            blinds.add(
                blind(
                    ctx,
                    normalise(identifier_kind, value, region=ctx.settings.default_phone_region),
                )
            )
        except InvalidInput as exc:
            rejected.append((number, exc.errors[0].msg if exc.errors else exc.detail))
    register = NewRegister(
        id=ctx.ids.new_id("reg"),
        name=name,
        kind=kind,
        register_date=register_date,
        entries=len(blinds),
        file_sha256=file_sha256,
        imported_at=ctx.clock.now(),
    )
    with ctx.uow() as uow:
        uow.engage.add_register(register, sorted(blinds))
        record_objects(ctx, uow, OPPOSITION_REGISTER, [register.id], "imported", actor)
        uow.commit()
    return len(blinds), rejected


def registers_status(ctx: Context) -> list[RegisterStatus]:
    """Each register's latest import and how old its data is."""
    today = ctx.clock.now().date()
    with ctx.uow(write=False) as uow:
        rows = uow.engage.current_registers()
    return [
        RegisterStatus(
            r.name,
            r.kind,
            r.register_date,
            r.entries,
            r.imported_at,
            (today - r.register_date).days,
        )
        for r in rows
    ]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
