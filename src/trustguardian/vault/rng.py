"""Injected randomness, so that tests can be deterministic."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final, Protocol


class Random(Protocol):
    """A source of random bytes; production code uses `SecretsRandom`."""

    def token_bytes(self, n: int) -> bytes:
        """Return `n` random bytes."""
        ...


@dataclass(frozen=True)
class SecretsRandom:
    """Cryptographically secure randomness from the operating system."""

    def token_bytes(self, n: int) -> bytes:
        """Return `n` bytes from the operating system CSPRNG (what `secrets.token_bytes` calls)."""
        return os.urandom(n)


SYSTEM_RANDOM: Final[Random] = SecretsRandom()


class BatchRandom:
    """Random bytes for one batch of work, drawn from `source` a block at a time.

    A batch of events takes a salt and a nonce per proof, and a key and nonces per new person:
    thousands of small draws, each a system call of its own. Here each draw is the next unused
    slice of a block drawn from `source`, so no byte is ever handed out twice. An instance
    lives for one batch and one thread (make a new one per batch, never share it): the unused
    rest of its block dies with it, and a forked child, which never carries on its parent's
    batch, cannot hand out the same bytes as its parent.
    """

    __slots__ = ("_at", "_block", "_buffer", "_source")

    def __init__(self, source: Random, block: int = 16384) -> None:
        self._source = source
        self._block = block
        self._buffer = b""
        self._at = 0

    def token_bytes(self, n: int) -> bytes:
        """The next `n` unused bytes of the block (a larger draw goes to the source itself)."""
        at = self._at
        end = at + n
        if end > len(self._buffer):
            if n > self._block // 4:
                return random_bytes(self._source, n)
            self._buffer = random_bytes(self._source, self._block)
            at, end = 0, n
        self._at = end
        return self._buffer[at:end]


def random_bytes(rng: Random, n: int) -> bytes:
    """Draw `n` bytes from `rng`, refusing a source that returns the wrong length."""
    out = rng.token_bytes(n)
    if len(out) != n:
        raise ValueError(f"random source returned {len(out)} bytes, expected {n}")
    return out
