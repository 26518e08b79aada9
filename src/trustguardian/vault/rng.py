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


def random_bytes(rng: Random, n: int) -> bytes:
    """Draw `n` bytes from `rng`, refusing a source that returns the wrong length."""
    out = rng.token_bytes(n)
    if len(out) != n:
        raise ValueError(f"random source returned {len(out)} bytes, expected {n}")
    return out
