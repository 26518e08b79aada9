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
) -> str:
    """Adds a contact policy (frequency cap and/or contact window) for a purpose and channel."""
    if (max_contacts is None) != (days is None) or (max_contacts is None and window is None):
        raise InvalidInput(
            "a policy caps contacts (max and days together) or sets a window",
            errors=[FieldError("policy", "give --max and --days, or a window")],
        )
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
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(
                "unknown time zone",
                errors=[FieldError("window.time_zone", str(window.get("time_zone")))],
            ) from exc
    policy_id = ctx.ids.new_id("pol")
    with ctx.uow() as uow:
        if purpose is not None and uow.purposes.get(purpose) is None:
            raise InvalidInput(
                f"unknown purpose {purpose!r}", errors=[FieldError("purpose", "unknown")]
            )
        uow.engage.add_policy(
            NewPolicy(
                id=policy_id,
                purpose_key=purpose,
                channel=channel.value if channel else None,
                max_contacts=max_contacts,
                days=days,
                window=window,
                created_at=ctx.clock.now(),
            )
        )
        record_objects(ctx, uow, CONTACT_POLICY, [policy_id], "created")
        uow.commit()
    return policy_id


def suppress(ctx: Context, *, identifiers: Iterable[Identifier], reason: str) -> int:
    """Puts identifiers on the internal suppression list (as keyed hashes); returns how many new."""
    now = ctx.clock.now()
    rows = [SuppressionEntry(blind(ctx, i), reason, now) for i in identifiers]
    with ctx.uow() as uow:
        added = uow.engage.add_suppression(rows)
        record_objects(ctx, uow, SUPPRESSION_ENTRY, [r.blind for r in rows], "added")
        uow.commit()
    return added


# What each kind of register lists, and the header words its files may start with.
REGISTER_KINDS = {"phone": IdentifierKind.PHONE, "post": IdentifierKind.POSTAL}
_HEADERS = ("phone", "numero", "number", "address", "indirizzo")


def import_register(
    ctx: Context,
    *,
    name: str,
    kind: str,
    register_date: date,
    lines: Iterable[str],
    file_sha256: str,
) -> tuple[int, list[tuple[int, str]]]:
    """Imports a public opposition register; returns entries and rejected lines.

    A `phone` register lists one number per line (further CSV columns ignored); a `post` register
    one postal address per line (commas are part of an address).
    """
    if kind not in REGISTER_KINDS:
        raise InvalidInput(
            f"unknown register kind {kind!r}", errors=[FieldError("kind", "phone or post")]
        )
    identifier_kind = REGISTER_KINDS[kind]
    blinds: set[str] = set()
    rejected: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
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
    register_id = ctx.ids.new_id("reg")
    with ctx.uow() as uow:
        uow.engage.add_register(
            NewRegister(
                id=register_id,
                name=name,
                kind=kind,
                register_date=register_date,
                entries=len(blinds),
                file_sha256=file_sha256,
                imported_at=ctx.clock.now(),
            ),
            sorted(blinds),
        )
        record_objects(ctx, uow, OPPOSITION_REGISTER, [register_id], "imported")
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
