"""Registry records: the leaves that commit to changes of the registry, beside the events.

A registry change (a notice version published, a purpose revised, a key revoked, ...) is one
leaf of the same tree as the privacy events, at the next index of the one sequencer. Its leaf is
the RFC 8785 JSON of an object with exactly the keys of `RECORD_KEYS`:

    {"actor": "...", "content": {...}, "kind": "registry.<object>.<change>",
     "object": {"key": "...", "type": "..."}, "record": "registry/1",
     "recorded_at": "RFC 3339 UTC", "seq": <leaf index>}

An event's leaf has exactly its envelope keys, among them `v` and `subject` and never `record`,
and its kind is never in the `registry.` namespace: no byte string is read as both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from .canonical import canonical_json

__all__ = ["KIND_PREFIX", "RECORD_FORMAT", "RECORD_KEYS", "RecordLeaf", "content_text"]

RECORD_FORMAT = "registry/1"
KIND_PREFIX = "registry."
RECORD_KEYS = frozenset({"actor", "content", "kind", "object", "record", "recorded_at", "seq"})


def content_text(content: Mapping[str, object]) -> str:
    """The RFC 8785 text of a record's content, as stored beside its leaf."""
    return canonical_json(dict(content)).decode()


@dataclass(frozen=True)
class RecordLeaf:
    """What a registry record's leaf says; `recorded_at` as the leaf writes it."""

    seq: int
    kind: str
    object_type: str
    object_key: str
    content: Mapping[str, Any]
    recorded_at: str
    actor: str

    def __post_init__(self) -> None:
        if not self.kind.startswith(KIND_PREFIX):
            raise ValueError(f"a registry record's kind starts with {KIND_PREFIX!r}")

    def leaf(self) -> bytes:
        """The exact bytes hashed into the tree."""
        return canonical_json(
            {
                "actor": self.actor,
                "content": dict(self.content),
                "kind": self.kind,
                "object": {"key": self.object_key, "type": self.object_type},
                "record": RECORD_FORMAT,
                "recorded_at": self.recorded_at,
                "seq": self.seq,
            }
        )

    @classmethod
    def parse(cls, leaf: bytes) -> RecordLeaf:
        """Reads a record leaf strictly: ValueError unless it is one, canonically written."""
        try:
            parsed = orjson.loads(leaf)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from exc
        if not isinstance(parsed, dict) or parsed.keys() != RECORD_KEYS:
            raise ValueError("not a registry record's fields")
        obj = parsed["object"]
        if parsed["record"] != RECORD_FORMAT or not isinstance(obj, dict):
            raise ValueError(f"not a {RECORD_FORMAT} record")
        if obj.keys() != {"key", "type"} or not isinstance(parsed["content"], dict):
            raise ValueError("malformed object or content")
        texts = (parsed["kind"], obj["type"], obj["key"], parsed["recorded_at"], parsed["actor"])
        seq = parsed["seq"]
        if not all(isinstance(v, str) for v in texts) or type(seq) is not int or seq < 0:
            raise ValueError("malformed field types")
        found = cls(
            seq=parsed["seq"],
            kind=parsed["kind"],
            object_type=obj["type"],
            object_key=obj["key"],
            content=parsed["content"],
            recorded_at=parsed["recorded_at"],
            actor=parsed["actor"],
        )
        if found.leaf() != leaf:
            raise ValueError("not canonically written")
        return found
