"""The console's brand row: read without its logo for every page, the logo on its own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from trustguardian.domain.brand import FIELDS
from trustguardian.store import tables as t

KEY = "brand"


@dataclass(frozen=True)
class BrandRow:
    """What the console set: a field left None falls back to settings."""

    values: dict[str, str | None]
    logo_type: str | None
    logo_sha256: str | None
    updated_at: datetime
    updated_by: str


class BrandRepository:
    """Reads and replaces the one brand row."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self) -> BrandRow | None:
        b = t.brand
        columns = [b.c[name] for name in FIELDS]
        row = self._c.execute(
            select(*columns, b.c.logo, b.c.logo_type, b.c.updated_at, b.c.updated_by)
        ).first()
        if row is None:
            return None
        logo = None if row.logo is None else hashlib.sha256(bytes(row.logo)).hexdigest()
        values = {name: getattr(row, name) for name in FIELDS}
        return BrandRow(values, row.logo_type, logo, row.updated_at, row.updated_by)

    def logo(self) -> tuple[bytes, str] | None:
        """The logo's bytes and media type, if the console set one."""
        row = self._c.execute(select(t.brand.c.logo, t.brand.c.logo_type)).first()
        if row is None or row.logo is None:
            return None
        return bytes(row.logo), str(row.logo_type)

    def replace(
        self,
        values: dict[str, str | None],
        logo: tuple[bytes, str] | None,
        at: datetime,
        by: str,
    ) -> None:
        """Stores the brand (the logo given, or none) in place of the one before."""
        self._c.execute(delete(t.brand))
        self._c.execute(
            insert(t.brand).values(
                id=KEY,
                **{name: values.get(name) for name in FIELDS},
                logo=None if logo is None else logo[0],
                logo_type=None if logo is None else logo[1],
                updated_at=at,
                updated_by=by,
            )
        )
