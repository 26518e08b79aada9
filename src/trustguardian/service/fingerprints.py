"""Idempotency fingerprints: what tells a retry from another request sent with a reused key.

A retry with a known idempotency key returns the original result only when its fingerprint
equals the one stored with the key (table `idempotency_keys`, column `request_sha256`); another
fingerprint is a key reused for different content, and is refused.

The format, tagged so that it can evolve: ``jcs1:`` followed by the SHA-256, in hex, of the
RFC 8785 canonical JSON of ``{"kind": <use case>, "fields": {<name>: <value>, ...}}``. Fields are
named, so their order does not count; values are plain JSON (str, int, bool, None, lists and
objects with str keys), converted explicitly by the caller: `instant` for times (an instant,
whatever offset it was given in), `digest` for bytes, an enum by its ``.value``,
`identifiers_of` for identifiers. Nothing depends on a class's repr or on its list of fields,
so adding a field to a dataclass changes no fingerprint; a use case that wants a new field in
its fingerprint adds it by name (and accepts that retries in flight then read as other content)
or bumps the tag.

Fingerprints written before revision 0016 have no tag. Rights requests, complaints and
in-person consents then wrote ``sha256(repr(tuple_of_arguments))``; web forms hashed JSON that
held every field of a dataclass. A retry that arrives after the upgrade for a request recorded
before it must still replay, so `same_request` compares an untagged stored value with the
caller's legacy fingerprint, recomputed only when such a row is found. The legacy functions are
frozen: `legacy_repr_sha256` spells out the reprs the old code produced, so later changes to
our classes, to the enum repr or to pydantic's time zone repr do not change it (the web form's
lives in its module and lists its fields). Once no retry from before the upgrade can arrive,
they can go. Paths whose fingerprints never depended on a class (events sent through the API,
imports, confirmations) store untagged values as before and compare them as before: equal
strings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import TypeAlias

from trustguardian.domain.subjects import Identifier
from trustguardian.ledger import canonical_json, canonical_json_plain

TAG = "jcs1:"
SAFE_INTEGER = 2**53 - 1

Json: TypeAlias = str | int | bool | Sequence["Json"] | Mapping[str, "Json"] | None


def fingerprint(kind: str, fields: Mapping[str, Json]) -> str:
    """The tagged fingerprint of a use case's request, from its named fields."""
    _check(dict(fields), "")
    # Plain JSON with ASCII keys, which _check ensures: orjson writes its RFC 8785 form an order
    # of magnitude faster than the general encoder (a web form's page can weigh 2 MB).
    body = canonical_json_plain({"kind": kind, "fields": dict(fields)})
    return TAG + hashlib.sha256(body).hexdigest()


def of_body(kind: str, body: Mapping[str, object]) -> str:
    """The tagged fingerprint of a request body as an API model dumps it: bytes by their digest,
    times as instants, enums by value, integers beyond 2**53 and other objects (addresses) by
    their text. Keys beyond ASCII take the general RFC 8785 encoder; the bytes are the same."""
    fields = _loose(dict(body))
    assert isinstance(fields, dict)
    try:
        return fingerprint(kind, fields)
    except TypeError:
        document = canonical_json({"kind": kind, "fields": fields})
        return TAG + hashlib.sha256(document).hexdigest()


def _loose(value: object) -> Json:
    if value is None or type(value) in (str, bool):
        return value  # type: ignore[return-value]
    if isinstance(value, Enum):
        return _loose(value.value)
    if type(value) is int:
        return value if abs(value) <= SAFE_INTEGER else str(value)
    if isinstance(value, bytes):
        return digest(value)
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, dict):
        return {str(k): _loose(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_loose(v) for v in value]
    return str(value)


def instant(moment: datetime | None) -> str | None:
    """A time as the instant it names, in UTC to the microsecond (a naive time is refused)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("a fingerprint takes aware times only")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(content: bytes | None) -> str | None:
    """Bytes by their SHA-256, in hex."""
    return None if content is None else hashlib.sha256(content).hexdigest()


def identifiers_of(items: Sequence[Identifier]) -> list[Json]:
    """Identifiers in the order given (the first e-mail or phone is the one written to)."""
    return [{"kind": i.kind.value, "value": i.value, "system": i.system} for i in items]


def _check(value: object, where: str) -> None:
    # Exact types: an enum, a date or bytes would otherwise pass as whatever the encoder makes
    # of it, and a class's future change of that would change the fingerprint.
    kind = type(value)
    if value is None or kind in (str, bool):
        return
    if isinstance(value, int) and kind is int:
        if abs(value) > SAFE_INTEGER:
            raise ValueError(f"fingerprint field {where}: beyond the integers JSON keeps exact")
        return
    if isinstance(value, list | tuple) and kind in (list, tuple):
        for n, item in enumerate(value):
            _check(item, f"{where}.{n}")
        return
    if isinstance(value, dict) and kind is dict:
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                raise TypeError(f"fingerprint field {where}: keys are ASCII str, not {key!r}")
            _check(item, f"{where}.{key}" if where else key)
        return
    raise TypeError(f"fingerprint field {where}: convert {kind.__name__} explicitly")


def same_request(stored: str, current: str, legacy: Callable[[], str] | None = None) -> bool:
    """Whether a stored fingerprint is this request's: equal, or (for a value stored before
    fingerprints were tagged) equal to the request's legacy fingerprint."""
    if stored == current:
        return True
    if legacy is None or _tagged(stored):
        return False
    return stored == legacy()


def _tagged(value: str) -> bool:
    # Legacy values are 64 hex digits; every tagged format has a ':' after its name.
    return ":" in value


@dataclass(frozen=True)
class Fingerprint:
    """A request's fingerprint, and how to recompute its legacy one if a stored value needs it."""

    value: str
    legacy: Callable[[], str] | None = None

    @classmethod
    def of(
        cls, kind: str, fields: Mapping[str, Json], *, legacy_parts: tuple[object, ...]
    ) -> Fingerprint:
        """The fingerprint of named fields, for a use case whose legacy one was the repr of
        `legacy_parts` (its arguments, in the order the old code listed them)."""
        return cls(fingerprint(kind, fields), lambda: legacy_repr_sha256(legacy_parts))

    def matches(self, stored: str) -> bool:
        return same_request(stored, self.value, self.legacy)


# --- Frozen: the format of fingerprints written before revision 0016. Do not change. ---------


@dataclass(frozen=True)
class LegacyRecord:
    """A dataclass as its repr read before revision 0016: name and fields, in their order."""

    name: str
    fields: tuple[tuple[str, object], ...]


def legacy_repr_sha256(parts: tuple[object, ...]) -> str:
    """``sha256(repr(parts))`` as the code before revision 0016 computed it."""
    return hashlib.sha256(_legacy_repr(parts).encode()).hexdigest()


def _legacy_repr(value: object) -> str:
    if isinstance(value, Enum):
        return f"<{type(value).__name__}.{value.name}: {value.value!r}>"
    if value is None or type(value) in (str, int, bool):
        return repr(value)
    if isinstance(value, Identifier):
        return (
            f"Identifier(kind={_legacy_repr(value.kind)}, value={value.value!r}, "
            f"system={value.system!r})"
        )
    if isinstance(value, LegacyRecord):
        inner = ", ".join(f"{k}={_legacy_repr(v)}" for k, v in value.fields)
        return f"{value.name}({inner})"
    if isinstance(value, datetime):
        return _legacy_datetime(value)
    if type(value) is tuple:
        inner = ", ".join(_legacy_repr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if type(value) is list:
        return "[" + ", ".join(_legacy_repr(v) for v in value) + "]"
    if type(value) is dict:
        pairs = (f"{_legacy_repr(k)}: {_legacy_repr(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no legacy repr for {type(value).__name__}")


def _legacy_datetime(moment: datetime) -> str:
    # The standard library's repr, with the time zone as it was written: pydantic-core 2.46
    # (the API's parser) wrote its TzInfo as the offset in seconds.
    naive = repr(moment.replace(tzinfo=None))  # ends in ", fold=1)" when fold is set
    zone = moment.tzinfo
    if zone is None:
        return naive
    if type(zone).__name__ == "TzInfo":
        offset = zone.utcoffset(moment)
        assert offset is not None
        written = f"TzInfo({int(offset.total_seconds())})"
    else:
        written = repr(zone)
    return f"{naive[:-1]}, tzinfo={written})"
