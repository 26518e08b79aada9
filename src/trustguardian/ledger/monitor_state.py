"""What a monitor remembers between runs: the last verified checkpoint, the keys it trusts, and
every leaf hash it has seen (so that a log that forks can be told where it forked).

The state is JSON (`dumps` / `loads`); the leaf hashes, 32 bytes each, are kept apart as raw
bytes, which a monitor appends to rather than rewrites.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from typing import Any

from .hashing import EMPTY_ROOT, HASH_SIZE
from .keys import Verifier
from .tree import root_coords

__all__ = ["FORMAT", "MonitorState", "TrustedKey"]

FORMAT = "trustguardian-monitor/1"


@dataclass(frozen=True)
class TrustedKey:
    """A signing key the monitor trusts for the checkpoints of tree sizes `first` to `last`
    (`last` None: still current); `how` says why it is trusted."""

    verifier_key: str
    first: int = 0
    last: int | None = None
    how: str = "pinned"

    def covers(self, size: int) -> bool:
        return self.first <= size and (self.last is None or size <= self.last)

    @property
    def verifier(self) -> Verifier:
        return Verifier.parse(self.verifier_key)


@dataclass(frozen=True)
class MonitorState:
    """The log as last verified: its origin, size, root and note, the trusted keys, the hashes
    of the complete subtrees that make up its root (`frontier`), and its leaf hashes."""

    keys: tuple[TrustedKey, ...]
    origin: str | None = None
    size: int = 0
    root_hash: bytes = EMPTY_ROOT
    checkpoint: str = ""
    frontier: tuple[bytes, ...] = ()
    leaf_hashes: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        if len(self.frontier) != len(root_coords(self.size)):
            raise ValueError(f"a state of size {self.size} needs {len(root_coords(self.size))} "
                             f"frontier hashes, not {len(self.frontier)}")  # fmt: skip
        if len(self.leaf_hashes) != self.size * HASH_SIZE:
            raise ValueError(f"a state of size {self.size} needs {self.size} leaf hashes")

    def leaf(self, index: int) -> bytes:
        return self.leaf_hashes[index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def dumps(self) -> str:
        """The JSON of everything but the leaf hashes."""
        return json.dumps(
            {
                "format": FORMAT,
                "origin": self.origin,
                "size": self.size,
                "root": _b64(self.root_hash),
                "checkpoint": self.checkpoint,
                "frontier": [_b64(h) for h in self.frontier],
                "keys": [vars(k) for k in self.keys],
            },
            indent=1,
        )

    @classmethod
    def loads(cls, text: str, leaf_hashes: bytes) -> MonitorState:
        """Reads a saved state; ValueError saying what is wrong with it."""
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} state")
            size = int(data["size"])
            keys = tuple(TrustedKey(**k) for k in data["keys"])
            state = cls(
                keys=keys,
                origin=data["origin"],
                size=size,
                root_hash=base64.b64decode(data["root"], validate=True),
                checkpoint=str(data["checkpoint"]),
                frontier=tuple(base64.b64decode(h, validate=True) for h in data["frontier"]),
                leaf_hashes=leaf_hashes[: size * HASH_SIZE],
            )
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"malformed monitor state ({exc})") from exc
        return state

    def with_pins(self, pinned: tuple[TrustedKey, ...]) -> MonitorState:
        """This state also trusting the keys pinned on the command line."""
        known = {k.verifier_key for k in self.keys}
        added = tuple(k for k in pinned if k.verifier_key not in known)
        return replace(self, keys=self.keys + added)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
