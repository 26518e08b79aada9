"""Waits after failed console logins: per account (in the database) and per source address (in
this process's memory), each doubling at every failure past its free ones.

A wait rather than a hard lock: five wrong passwords sent by anyone would otherwise shut the DPO
out for good; with a wait the account is checked again after it, and the address that keeps
failing runs out of its own budget (429) long before the account's wait grows large.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from trustguardian.domain.errors import TooManyAttempts
from trustguardian.settings import Settings

T = TypeVar("T")
TURN_SECONDS = 5.0  # the longest a login waits for its turn to check a password


def wait_after(failures: int, free: int, settings: Settings) -> timedelta:
    """How long the next check waits after `failures` failures in a row: nothing for the first
    `free - 1`, then console_delay_seconds, doubling, up to console_lockout_minutes."""
    if failures < free:
        return timedelta()
    longest = timedelta(minutes=settings.console_lockout_minutes)
    exponent = min(failures - free, 40)  # 2**40 delays are far past any cap
    return min(longest, timedelta(seconds=settings.console_delay_seconds * 2**exponent))


@dataclass
class _Source:
    failures: int
    last: datetime
    until: datetime


class LoginThrottle:
    """Failed logins per source address, counted before the password is checked (so concurrent
    attempts cannot outrun the budget) and given back when the login succeeds.

    One process answers for its own clients, like the request rate limits; a source forgets its
    failures after twice the longest wait without one.
    """

    def __init__(
        self, max_sources: int = 100_000, checks: int | None = None, wait: float = TURN_SECONDS
    ) -> None:
        self._sources: OrderedDict[str, _Source] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_sources
        # Password checks at once: a flood of logins from many addresses takes at most half the
        # cores from the ledger's writers; the others wait their turn, for a while.
        workers = checks or max(1, (os.cpu_count() or 2) // 2)
        self._checking = threading.BoundedSemaphore(workers)
        self._wait = wait
        # ... in threads of the lowest priority: a writer of the ledger always goes first.
        self._checkers = ThreadPoolExecutor(workers, "password-check", initializer=_lowest_priority)

    def begin(self, source: str, now: datetime, settings: Settings) -> None:
        """Counts an attempt from `source` as failed until `succeeded`; raises TooManyAttempts
        when the source must still wait."""
        forget = 2 * timedelta(minutes=settings.console_lockout_minutes)
        with self._lock:
            found = self._sources.pop(source, None)
            if found is None or now - found.last > forget:
                found = _Source(0, now, now)
            self._sources[source] = found  # the most recent last
            if found.until > now:
                wait = (found.until - now).total_seconds()
                raise TooManyAttempts(
                    "too many failed logins from this address: try again later", retry_after=wait
                )
            found.failures += 1
            found.last = now
            found.until = now + wait_after(
                found.failures, settings.console_source_max_failures, settings
            )
            while len(self._sources) > self._max:  # a flood of addresses: forget the oldest
                self._sources.popitem(last=False)

    def succeeded(self, source: str, settings: Settings) -> None:
        """Gives back the attempt `begin` counted: a right password is no failure."""
        with self._lock:
            found = self._sources.get(source)
            if found is not None and found.failures > 0:
                found.failures -= 1
                free = settings.console_source_max_failures
                found.until = found.last + wait_after(found.failures, free, settings)

    def check(self, verify: Callable[[], T]) -> T:
        """Runs a password verification (inside `turn`) in a checker thread."""
        return self._checkers.submit(verify).result()

    @contextmanager
    def turn(self, source: str | None, settings: Settings) -> Iterator[None]:
        """Holds one of the process's password checks; raises TooManyAttempts (giving the
        source its attempt back: nothing was checked) when none is free in time."""
        if not self._checking.acquire(timeout=self._wait):
            if source is not None:
                self.succeeded(source, settings)
            raise TooManyAttempts(
                "too many logins at once: try again in a moment", retry_after=self._wait
            )
        try:
            yield
        finally:
            self._checking.release()


def _lowest_priority() -> None:
    """Gives the calling thread the lowest CPU priority (Linux sets it per thread)."""
    if sys.platform == "linux":
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
