"""Reading the brand in force and changing it from the console.

The brand in force is, field by field, the console's value when set, else the settings' one
(`TRUSTGUARDIAN_BRAND_*`, `privacy_policy_url`, `mail_from`, `controller_name`). The logo is the
console's upload, else the file `brand_logo_file` names; either is sniffed from its bytes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from email.utils import formataddr
from functools import lru_cache
from pathlib import Path

from trustguardian.domain.brand import FIELDS, Brand, check_fields, sniff_logo
from trustguardian.domain.errors import DomainError
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.settings import Settings
from trustguardian.store.brand import KEY, BrandRow
from trustguardian.store.snapshots import BRAND

log = logging.getLogger(__name__)


def _from_settings(s: Settings) -> dict[str, str | None]:
    return {
        "company_name": s.brand_company_name or s.controller_name,
        "primary_color": s.brand_primary_color.lower(),
        "accent_color": s.brand_accent_color.lower(),
        "on_primary_color": s.brand_on_primary_color.lower(),
        "footer_text": s.brand_footer_text,
        "privacy_url": s.privacy_policy_url,
        "contact_url": s.brand_contact_url,
        "sender_name": s.brand_sender_name,
        "sender_address": s.mail_from,
    }


@lru_cache(maxsize=4)
def _logo_file(path: Path, mtime: float, limit: int) -> tuple[bytes, str] | None:
    """The settings' logo file, read and sniffed once per version of the file."""
    data = path.read_bytes()
    try:
        return data, sniff_logo(data, limit)
    except DomainError as exc:
        log.warning("brand_logo_file %s is not used: %s", path, exc.errors[0].msg)
        return None


def _settings_logo(s: Settings) -> tuple[bytes, str] | None:
    path = s.brand_logo_file
    if path is None:
        return None
    try:
        mtime = path.stat().st_mtime
    except OSError:
        log.warning("brand_logo_file %s cannot be read", path)
        return None
    return _logo_file(path, mtime, s.brand_logo_max_bytes)


def _merge(s: Settings, row: BrandRow | None) -> Brand:
    values = _from_settings(s)
    logo_type = logo_sha256 = None
    if row is not None:
        values |= {k: v for k, v in row.values.items() if v is not None}
        logo_type, logo_sha256 = row.logo_type, row.logo_sha256
    if logo_type is None:
        found = _settings_logo(s)
        if found is not None:
            logo_type, logo_sha256 = found[1], hashlib.sha256(found[0]).hexdigest()
    return Brand(
        company_name=values["company_name"],
        primary_color=values["primary_color"] or "#0b4a8b",
        accent_color=values["accent_color"] or "#b35c00",
        on_primary_color=values["on_primary_color"] or "#ffffff",
        footer_text=values["footer_text"],
        privacy_url=values["privacy_url"],
        contact_url=values["contact_url"],
        sender_name=values["sender_name"],
        sender_address=values["sender_address"],
        logo_type=logo_type,
        logo_sha256=logo_sha256,
    )


def brand_in_force(ctx: Context) -> Brand:
    """The brand public pages, mails and reports show now."""
    with ctx.uow(write=False) as uow:
        row = uow.brand.get()
    return _merge(ctx.settings, row)


def brand_logo(ctx: Context) -> tuple[bytes, str] | None:
    """The logo in force (bytes, media type), if any."""
    with ctx.uow(write=False) as uow:
        found = uow.brand.logo()
    return found if found is not None else _settings_logo(ctx.settings)


def mail_sender(brand: Brand) -> str:
    """The From of mails to people: `Sender name <address>`."""
    address = brand.sender_address or "privacy@trustguardian.local"
    name = brand.sender_name or brand.company_name
    return formataddr((name, address)) if name else address


@dataclass(frozen=True)
class BrandForm:
    """The console's brand page: its own values, the settings' ones beneath, the result."""

    own: dict[str, str | None]
    defaults: dict[str, str | None]
    in_force: Brand
    own_logo: bool
    updated_by: str | None


def console_brand(ctx: Context) -> BrandForm:
    """What the console's brand page shows."""
    with ctx.uow(write=False) as uow:
        row = uow.brand.get()
    own = row.values if row is not None else dict.fromkeys(FIELDS)
    return BrandForm(
        own,
        _from_settings(ctx.settings),
        _merge(ctx.settings, row),
        row is not None and row.logo_type is not None,
        row.updated_by if row is not None else None,
    )


def set_brand(
    ctx: Context,
    *,
    values: dict[str, str | None],
    logo: bytes | None = None,
    remove_logo: bool = False,
    actor: str,
) -> Brand:
    """Replaces the console's brand (a blank field falls back to settings); a new logo when
    `logo` is given, none when `remove_logo`, else the one before. Recorded in the ledger."""
    clean = check_fields(values)
    new_logo = None if logo is None else (logo, sniff_logo(logo, ctx.settings.brand_logo_max_bytes))
    with ctx.uow() as uow:
        kept = None if remove_logo or new_logo is not None else uow.brand.logo()
        uow.brand.replace(clean, new_logo or kept, ctx.clock.now(), actor)
        record_objects(ctx, uow, BRAND, [KEY], "changed", actor)
        row = uow.brand.get()
        uow.commit()
    return _merge(ctx.settings, row)
