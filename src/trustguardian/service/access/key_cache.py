"""API keys a process has verified, kept while no key has changed anywhere."""

from __future__ import annotations

import threading

from trustguardian.domain.access import ApiKey

STAMP = "api_keys"


class ApiKeyCache:
    """Live keys with their secret's hash, valid for one value of the `api_keys` stamp."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._keys: dict[str, tuple[ApiKey, str]] = {}
        self._max = max_keys

    def get(self, stamp: int | None, key_id: str) -> tuple[ApiKey, str] | None:
        """The key and its hash if verified under this very stamp (None: read it again)."""
        with self._lock:
            if stamp is None or stamp != self._stamp:
                return None
            return self._keys.get(key_id)

    def put(self, stamp: int | None, found: tuple[ApiKey, str]) -> None:
        """Keeps a live key read after the stamp was; a newer stamp forgets every older key."""
        if stamp is None:
            return
        with self._lock:
            if stamp != self._stamp:
                self._stamp, self._keys = stamp, {}
            if len(self._keys) >= self._max:
                self._keys.clear()
            self._keys[found[0].id] = found
