"""A token bucket per (publishable key, client IP), kept in the serving process's memory.

One process answers for its own clients; several processes behind a balancer each allow the
rate (a shared store would be the next step, not needed for one node).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Allows `rate` requests a minute per bucket, with bursts up to `rate`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_buckets: int = 100_000):
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._max = max_buckets

    def allow(self, key: str, client: str, rate: int) -> float:
        """Takes one token; returns 0 when allowed, else the seconds until the next one."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get((key, client), (float(rate), now))
            tokens = min(float(rate), tokens + (now - last) * rate / 60.0)
            if tokens < 1.0:
                self._buckets[(key, client)] = (tokens, now)
                return (1.0 - tokens) * 60.0 / rate
            if len(self._buckets) >= self._max:
                self._buckets.clear()  # a flood of addresses: forget rather than grow without end
            self._buckets[(key, client)] = (tokens - 1.0, now)
            return 0.0
