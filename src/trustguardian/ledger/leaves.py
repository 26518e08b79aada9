"""The two kinds of ledger leaf read from their bytes alone, as an outside monitor must.

A leaf is either an event envelope (``v``: 1, pseudonymous ids, keyed hashes and commitments)
or a registry record (`records.RecordLeaf`). `read_leaf` parses either strictly and checks it
sits at its own index; `personal_data` names a value that looks like personal data in clear
(an e-mail address or a telephone number, or an identifier that is not a keyed hash), which a
leaf must never hold; `endorsed_key` reads a signing-key rotation announced by a registry
record, with the endorsement by which the key before it introduced it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from trustguardian.domain.events import EventKind

from .canonical import canonical_json_plain
from .records import RecordLeaf

__all__ = [
    "ENVELOPE_KEYS",
    "OPTIONAL_KEYS",
    "EndorsedKey",
    "endorsed_key",
    "endorsement_text",
    "personal_data",
    "read_leaf",
]

ENVELOPE_KEYS = frozenset({
    "channels", "contact", "corrects", "data", "id", "identifiers", "kind", "notice", "occurred_at",
    "proofs", "purpose", "recorded_at", "seq", "subject", "touchpoint", "v",
})  # fmt: skip
# Present only on a consent awaiting confirmation (double opt-in, OTP), on a confirmation this
# instance recorded, and on a correction of another touchpoint's event.
OPTIONAL_KEYS = frozenset({"confirm_by", "confirms", "correction"})
SIGNING_KEY_KIND = "registry.signing_key."
_KINDS = frozenset(k.value for k in EventKind)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_EMAIL = re.compile(r"[^\s@\"<>]+@[^\s@\"<>]+\.[A-Za-z]{2,}")
# Digits and phone punctuation standing alone (not inside a hash, a base64 text or an id);
# counted as a telephone number when it has 8 to 15 digits (E.164), is not a date, and starts
# with + or groups its digits (a bare run of digits is as likely a count or a tree size).
_PHONE = re.compile(r"(?<![\w+/=.:-])\+?[0-9][0-9 ()./-]{6,22}[0-9](?![\w+/=])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def endorsement_text(verifier_key: str, name: str, from_tree_size: int) -> str:
    """The body of the note by which a signing key introduces the next one."""
    return f"{name}\nkey rotation\n{verifier_key}\nfrom tree size {from_tree_size}\n"


def read_leaf(index: int, raw: bytes) -> dict[str, Any] | RecordLeaf:
    """The leaf at ``index``: an event envelope or a registry record; ValueError saying why it
    is neither, or not written canonically, or not at its own index."""
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc})") from exc
    if not isinstance(parsed, dict):
        raise ValueError("not a JSON object")
    if "record" in parsed:
        record = RecordLeaf.parse(raw)
        if record.seq != index:
            raise ValueError(f"a registry record that says it is leaf {record.seq}")
        return record
    _check_event(parsed)
    if canonical_json_plain(parsed) != raw:
        raise ValueError("an event leaf not written canonically")
    if parsed["seq"] != index:
        raise ValueError(f"an event leaf that says it is leaf {parsed['seq']}")
    return parsed


def _check_event(leaf: dict[str, Any]) -> None:
    keys = leaf.keys()
    if keys - OPTIONAL_KEYS != ENVELOPE_KEYS:
        missing, extra = ENVELOPE_KEYS - keys, keys - ENVELOPE_KEYS - OPTIONAL_KEYS
        raise ValueError(
            f"not an event envelope (missing {sorted(missing)}, extra {sorted(extra)})"
        )
    if leaf["v"] != 1 or leaf["kind"] not in _KINDS:
        raise ValueError(f"an event of unknown version or kind {leaf['kind']!r}")
    texts = ("id", "subject", "touchpoint", "occurred_at", "recorded_at")
    if not all(isinstance(leaf[k], str) for k in texts) or type(leaf["seq"]) is not int:
        raise ValueError("an event envelope with malformed field types")
    if not isinstance(leaf["identifiers"], list) or not isinstance(leaf["proofs"], list):
        raise ValueError("an event envelope whose identifiers or proofs are not lists")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


def personal_data(leaf: dict[str, Any] | RecordLeaf) -> str | None:
    """Names the first field of a read leaf holding what looks like personal data in clear."""
    if isinstance(leaf, RecordLeaf):
        fields: dict[str, Any] = {"content": dict(leaf.content), "actor": leaf.actor}
    else:
        fields = leaf
        for i, blind in enumerate(leaf["identifiers"]):
            if not isinstance(blind, str) or not _HEX64.fullmatch(blind):
                return f"identifiers[{i}] is not a keyed hash"
        proofs = leaf["proofs"]
        commitments = [("data", leaf["data"])] + [
            (f"proofs[{i}]", p.get("commitment") if isinstance(p, dict) else p)
            for i, p in enumerate(proofs)
        ]
        for name, value in commitments:
            if value is not None and not (isinstance(value, str) and _HEX64.fullmatch(value)):
                return f"{name} is not a commitment"
    for where, text in _strings(fields, ""):
        if "@" in text and _EMAIL.search(text):  # the test first: the search is slow
            return f"{where} holds an e-mail address"
        for number in _PHONE.findall(text):
            grouped = number.startswith("+") or not number.isdigit()
            digits = sum(c.isdigit() for c in number)
            if grouped and 8 <= digits <= 15 and not _DATE.match(number):
                return f"{where} holds a telephone number"
    return None


@dataclass(frozen=True)
class EndorsedKey:
    """A signing key a registry record announces, valid from a tree size, and the signed note
    by which the key before it endorsed it."""

    verifier_key: str
    from_tree_size: int
    endorsement: str


def endorsed_key(leaf: dict[str, Any] | RecordLeaf) -> EndorsedKey | None:
    """The signing key a record announces with an endorsement, if the leaf is one."""
    if not isinstance(leaf, RecordLeaf) or not leaf.kind.startswith(SIGNING_KEY_KIND):
        return None
    content = leaf.content
    vkey, start, note = (content.get(k) for k in ("verifier_key", "from_tree_size", "endorsement"))
    if not isinstance(vkey, str) or type(start) is not int or not isinstance(note, str):
        return None
    return EndorsedKey(vkey, start, note)
