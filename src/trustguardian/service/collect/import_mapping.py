"""The mapping of a legacy CSV export onto consents: read from TOML and checked up front.

[csv]                       # optional
delimiter = ";"
encoding = "cp1252"         # default: detected (UTF-8 with or without BOM, cp1252, ISO-8859-1)

[identifiers]               # at least one: CSV column of each identifier kind
email = "Email"
phone = "Cellulare"
customer_id = "CodiceCliente"

[columns]
occurred_at = "DataConsenso"   # required: when the consent was given
ip = "IP"                      # optional: network proof (with user_agent)
user_agent = "Browser"
evidence = "Modulo"            # optional: a file in --evidence-dir (scan or HTML page)
staff_member = "Operatore"     # optional: operator proof (with store)
store = "Negozio"
source = "Fonte"               # optional: where the CRM says it came from
notice_version = "Informativa" # optional: the version of the touchpoint's notice shown
notice_text = "TestoInformativa"  # optional: the text shown, or its SHA-256, compared with
notice_sha256 = "HashInformativa" # the version claimed (a mismatch is imported with a finding)

[time]
format = "%d/%m/%Y %H:%M"      # default: ISO 8601
timezone = "Europe/Rome"       # for times written without an offset; default UTC

[[consents]]                   # one per purpose column
purpose = "newsletter"
column = "Newsletter"
channels = ["email"]           # default: every channel of the purpose
given = ["S", "SI", "1"]       # compared case-insensitively; an empty cell records nothing
refused = ["N", "NO", "0"]
withdrawn = ["R"]
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.domain.subjects import IdentifierKind

OPTIONAL_COLUMNS = (
    "ip",
    "user_agent",
    "evidence",
    "staff_member",
    "store",
    "source",
    "notice_version",
    "notice_text",
    "notice_sha256",
)
NOTICE_COLUMNS = ("notice_version", "notice_text", "notice_sha256")


@dataclass(frozen=True)
class ConsentColumn:
    purpose: str
    column: str
    channels: tuple[Channel, ...]
    values: dict[str, EventKind]  # upper-cased cell value -> event kind


@dataclass(frozen=True)
class Mapping:
    identifiers: dict[IdentifierKind, str]
    occurred_at: str
    optional: dict[str, str]
    consents: tuple[ConsentColumn, ...]
    delimiter: str = ","
    encoding: str | None = None  # None: detected
    time_format: str | None = None
    timezone: ZoneInfo | None = None

    def columns(self) -> set[str]:
        """Every CSV column the mapping reads."""
        return (
            set(self.identifiers.values())
            | {self.occurred_at}
            | set(self.optional.values())
            | {c.column for c in self.consents}
        )


def _strings(value: Any, loc: str, errors: list[FieldError]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(FieldError(loc, "a list of strings"))
        return []
    return list(value)


def load_mapping(path: Path) -> Mapping:
    """Reads and checks a mapping file; every problem is named at once."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read the mapping {path}: {exc}") from exc
    errors: list[FieldError] = []
    idents: dict[IdentifierKind, str] = {}
    for kind, column in (raw.get("identifiers") or {}).items():
        if kind not in (k.value for k in IdentifierKind) or kind == "external":
            errors.append(FieldError(f"identifiers.{kind}", "email, phone or customer_id"))
        elif not isinstance(column, str) or not column:
            errors.append(FieldError(f"identifiers.{kind}", "a column name"))
        else:
            idents[IdentifierKind(kind)] = column
    if not idents:
        errors.append(FieldError("identifiers", "map at least one identifier column"))
    columns = raw.get("columns") or {}
    occurred = columns.get("occurred_at")
    if not isinstance(occurred, str) or not occurred:
        errors.append(FieldError("columns.occurred_at", "the column with the consent's date"))
    unknown = set(columns) - {"occurred_at", *OPTIONAL_COLUMNS}
    errors.extend(FieldError(f"columns.{u}", "unknown column role") for u in sorted(unknown))
    optional = {k: v for k, v in columns.items() if k in OPTIONAL_COLUMNS and isinstance(v, str)}
    consents = []
    for n, item in enumerate(raw.get("consents") or []):
        loc = f"consents.{n}"
        purpose, column = item.get("purpose"), item.get("column")
        if not isinstance(purpose, str) or not isinstance(column, str):
            errors.append(FieldError(loc, "purpose and column are required"))
            continue
        channels: list[Channel] = []
        for c in _strings(item.get("channels", []), f"{loc}.channels", errors):
            if c in (ch.value for ch in Channel):
                channels.append(Channel(c))
            else:
                errors.append(FieldError(f"{loc}.channels", f"unknown channel {c!r}"))
        values: dict[str, EventKind] = {}
        for name, kind in (
            ("given", EventKind.CONSENT_GIVEN),
            ("refused", EventKind.CONSENT_REFUSED),
            ("withdrawn", EventKind.CONSENT_WITHDRAWN),
        ):
            for v in _strings(item.get(name, []), f"{loc}.{name}", errors):
                if v.strip().upper() in values:
                    errors.append(FieldError(f"{loc}.{name}", f"{v!r} is mapped twice"))
                values[v.strip().upper()] = kind
        if not values:
            errors.append(FieldError(loc, "map the cell values (given, refused, withdrawn)"))
        consents.append(ConsentColumn(purpose, column, tuple(channels), values))
    if not consents:
        errors.append(FieldError("consents", "map at least one consent column"))
    csv_opts, time_opts = raw.get("csv") or {}, raw.get("time") or {}
    delimiter = csv_opts.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        errors.append(FieldError("csv.delimiter", "one character"))
    encoding = csv_opts.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            errors.append(FieldError("csv.encoding", "a known encoding, or leave it out"))
    zone = None
    if "timezone" in time_opts:
        try:
            zone = ZoneInfo(str(time_opts["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(FieldError("time.timezone", "an IANA zone such as Europe/Rome"))
    if errors:
        raise InvalidInput(f"the mapping {path} is not valid", errors=errors)
    return Mapping(
        identifiers=idents,
        occurred_at=str(occurred),
        optional=optional,
        consents=tuple(consents),
        delimiter=delimiter,
        encoding=None if encoding is None else str(encoding),
        time_format=time_opts.get("format"),
        timezone=zone,
    )
