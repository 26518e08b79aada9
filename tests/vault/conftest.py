"""Deterministic randomness for the vault tests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest


class DeterministicRandom:
    """Counter-mode SHA-256 stream: reproducible, and never repeats a nonce within a seed."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0

    def token_bytes(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            block = self._counter.to_bytes(8, "big")
            out += hashlib.sha256(self._seed + block).digest()
            self._counter += 1
        return out[:n]


RngFactory = Callable[[bytes], DeterministicRandom]


@pytest.fixture(scope="session")
def make_rng() -> RngFactory:
    """Return a factory of fresh deterministic rngs (stateless, so session scope is safe)."""
    return DeterministicRandom


@pytest.fixture
def rng() -> DeterministicRandom:
    """A fresh deterministic rng for one test."""
    return DeterministicRandom(b"vault-tests")
