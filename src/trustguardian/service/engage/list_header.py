"""The header of a campaign list as people save it: which delimiter it uses, whether it starts
with a byte order mark, and which column holds what. Only the header line is looked at; the rows
are then split on the delimiter found, on the fast path of `audience.record_values`.

One table of column names (`ALIASES`) serves `audience filter` and `POST /v1/checks/bulk`. Names
are compared case- and accent-insensitively, ignoring spaces and punctuation: `E-mail`, `e_mail`
and `EMAIL` all read as `email`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from trustguardian.domain.errors import InvalidInput
from trustguardian.service.engage.audience import COLUMNS

# What a column can hold: a way of naming the person, or the row's own purpose or channel.
ROLES = (*COLUMNS, "purpose", "channel")

# Each role's column names, the preferred first: when two columns match one role (`Cellulare`
# and `Telefono`), the one named earlier here is read and the other is reported as not read.
# A row's own purpose and channel are read only from columns so named: `Canale` in a CRM export
# is the channel a customer came from, not the one to contact them on.
ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "mail",
        "email address",
        "indirizzo email",
        "indirizzo mail",
        "posta elettronica",
        "indirizzo di posta elettronica",
    ),
    "phone": (
        "phone",
        "cellulare",
        "numero cellulare",
        "telefono cellulare",
        "cell",
        "mobile",
        "mobile phone",
        "mobile number",
        "cellphone",
        "telefono",
        "tel",
        "numero di telefono",
        "numero telefono",
        "phone number",
        "telephone",
    ),
    "customer_id": (
        "customer id",
        "customer code",
        "customer number",
        "client id",
        "codice cliente",
        "cod cliente",
        "id cliente",
        "numero cliente",
    ),
    "postal": ("postal", "postal address", "indirizzo postale"),
    "subject_id": ("subject id",),
    "purpose": ("purpose",),
    "channel": ("channel",),
}

# The delimiters a header is tried with, the most usual first (it wins a tie).
DELIMITERS = (",", ";", "\t")
# Excel's `sep=;` first line names the delimiter; these are the ones honoured.
_SEP = re.compile(r"sep=([,;\t|])")
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def name_key(name: str) -> str:
    """A column name as compared: letters and digits only, lower case, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


_RANK: dict[str, tuple[str, int]] = {}
for _role, _names in ALIASES.items():
    for _rank, _name in enumerate(_names):
        assert name_key(_name) not in _RANK, f"{_name!r} names two roles"
        _RANK[name_key(_name)] = (_role, _rank)


@dataclass(frozen=True)
class ListHeader:
    """A list's header: its column names as written, the key each column is read under (its
    role, else its own name), the column read for each role, and how the file is written."""

    names: list[str]
    keys: list[str]
    roles: dict[str, str]
    delimiter: str = ","
    bom: bool = False
    line: int = 1  # the header's line number
    size: int = 0  # bytes up to the end of the header line
    unread: dict[str, list[str]] = field(default_factory=dict)  # role -> other columns matching

    def describe(self) -> str:
        """One sentence: which column is read for what (and which matching ones are not)."""
        read = [f"{role} from {column!r}" for role, column in self.roles.items()]
        skipped = [
            f"{', '.join(repr(c) for c in columns)} (also {role})"
            for role, columns in self.unread.items()
        ]
        return f"Reading {', '.join(read)}" + (
            f"; not reading {', '.join(skipped)}." if skipped else "."
        )


def parse_columns(items: Sequence[str], *, how: str) -> dict[str, str]:
    """`ROLE=COLUMN` mappings, each checked (`how` is how the caller spells the option)."""
    mapping: dict[str, str] = {}
    for item in items:
        named, equals, column = item.partition("=")
        # `E-mail=...` and `customer-id=...` name their roles too
        role = next((r for r in ROLES if name_key(r) == name_key(named)), named)
        if not equals or not column:
            raise InvalidInput(f"{how} {item!r} is not ROLE=COLUMN, e.g. {how} email=Indirizzo.")
        if role not in ROLES:
            raise InvalidInput(
                f"{how} {item!r} names no role: use one of {', '.join(ROLES)} before the =."
            )
        if role in mapping:
            raise InvalidInput(f"{how} maps {role} twice ({mapping[role]!r} and {column!r}).")
        if column in mapping.values():
            raise InvalidInput(f"{how} maps the column {column!r} to two roles.")
        mapping[role] = column
    return mapping


def read_header(
    lines: Iterator[bytes], *, source: str, columns: Mapping[str, str], how: str
) -> ListHeader:
    """Reads the header from the first non-blank line (the lines after it are left to read) and
    matches its columns; a header that names no identifier is refused in one sentence."""
    size = 0
    delimiter: str | None = None
    bom = False
    for number, raw in enumerate(lines, start=1):
        size += len(raw)
        if number == 1:
            if raw.startswith(_UTF16):
                raise InvalidInput(
                    f"{source} is saved as UTF-16 (Excel's Unicode text): save it as CSV UTF-8."
                )
            bom = raw.startswith(b"\xef\xbb\xbf")
            raw = raw[3:] if bom else raw
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        sep = _SEP.fullmatch(text.strip()) if number == 1 else None
        if sep:
            delimiter = sep.group(1)
        elif text.strip():
            match = _header(text, delimiter, columns, source=source, how=how)
            return match.header(bom=bom, line=number, size=size)
    raise InvalidInput(f"{source} is empty: a list starts with a header line naming its columns.")


@dataclass(frozen=True)
class _Match:
    names: list[str]
    delimiter: str
    roles: dict[str, int]
    unread: dict[str, list[int]]

    def header(self, *, bom: bool, line: int, size: int) -> ListHeader:
        """The header this match reads, found at this line of a file."""
        names, roles = self.names, self.roles
        taken = {index: role for role, index in roles.items()}
        # A column read for no role keeps its name, unless that name is a role read elsewhere.
        keys = [
            taken.get(n, name if name not in ROLES else f"{name} (column {n + 1})")
            for n, name in enumerate(names)
        ]
        return ListHeader(
            names=names,
            keys=keys,
            roles={role: names[index] for role, index in roles.items()},
            delimiter=self.delimiter,
            bom=bom,
            line=line,
            size=size,
            unread={role: [names[n] for n in found] for role, found in self.unread.items()},
        )


def _header(
    text: str, delimiter: str | None, columns: Mapping[str, str], *, source: str, how: str
) -> _Match:
    """The header read with the delimiter that finds the most roles, then the most columns (a
    quoted name may hold another candidate delimiter: the csv module reads it)."""
    candidates = [delimiter] if delimiter else list(DELIMITERS)
    best: _Match | None = None
    for candidate in candidates:
        names = next(csv.reader([text], delimiter=candidate), [])
        match = _match(names, candidate, columns)
        if best is None or (len(match.roles), len(names)) > (len(best.roles), len(best.names)):
            best = match
    assert best is not None
    shown = (best.delimiter if best.delimiter != "\t" else ", ").join(best.names)
    for role, column in columns.items():
        if role not in best.roles:  # under no delimiter does the header name this column
            raise InvalidInput(
                f"{how} {role}={column}: {source} has no column {column!r} (its header: {shown})."
            )
    if not any(role in best.roles for role in COLUMNS):
        raise InvalidInput(
            f"no column of {source} is an identifier: found {shown}; "
            f"name one with {how} email=COL (or {', '.join(COLUMNS[1:])})."
        )
    return best


def _match(names: list[str], delimiter: str, columns: Mapping[str, str]) -> _Match:
    """Which column each role is read from: the mapped ones first, then the best-ranked alias
    (the earlier column on a tie); other columns matching a role are listed as unread."""
    roles: dict[str, int] = {}
    keys = [name_key(name) for name in names]
    for role, column in columns.items():
        exact = [n for n, name in enumerate(names) if name == column]
        loose = [n for n, key in enumerate(keys) if key == name_key(column)]
        if exact or loose:
            roles[role] = (exact or loose)[0]
    taken = set(roles.values())
    found: dict[str, list[tuple[int, int]]] = {}
    for n, key in enumerate(keys):
        role_rank = _RANK.get(key)
        if role_rank is not None and n not in taken:
            found.setdefault(role_rank[0], []).append((role_rank[1], n))
    unread: dict[str, list[int]] = {}
    for role, ranked in found.items():
        ordered = [n for _, n in sorted(ranked)]
        if role not in columns:  # a role mapped to a column it lacks is not read from another
            roles[role], ordered = ordered[0], ordered[1:]
        if ordered:
            unread[role] = ordered
    return _Match(names, delimiter, roles, unread)
