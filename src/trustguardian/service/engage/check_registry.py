"""What contact checks read from the registry, kept once per process and never stale.

Purposes, contact policies, the current opposition registers and holds (restrictions, complaints
about a contact) change rarely and are read by
every check. Triggers move the `registry` stamp in the same transaction as any change to them;
each check reads the stamp (one small statement) and reloads the copy when it moved, so a change
committed by any process is seen by the very next check everywhere.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from trustguardian.domain.checks import Policy
from trustguardian.domain.holds import Hold
from trustguardian.domain.registry import Purpose
from trustguardian.store.uow import UnitOfWork

STAMP = "registry"
PAGE = 1000


@dataclass(frozen=True)
class CheckRegistry:
    stamp: int | None
    purposes: dict[str, Purpose]
    policies: list[Policy]
    registers: list[str]
    holds: dict[str, tuple[Hold, ...]]


class CheckRegistryCache:
    """One process's copy of the registry as checks see it, reloaded when the stamp moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._copy: CheckRegistry | None = None

    def get(self, uow: UnitOfWork) -> CheckRegistry:
        """The registry as of this unit of work's reads (the stamp is read before the rows)."""
        return self.at(uow, uow.check_reads.stamp(STAMP))

    def current(self, stamp: int) -> CheckRegistry | None:
        """The copy when it is the registry as of `stamp`, else None (then load it with `at`)."""
        held = self._copy
        return held if held is not None and held.stamp == stamp else None

    def at(self, uow: UnitOfWork, stamp: int | None) -> CheckRegistry:
        """The registry for a stamp this unit of work has just read (rows are read after it)."""
        held = self._copy
        if held is not None and stamp is not None and held.stamp == stamp:
            return held
        fresh = _load(uow, stamp)
        with self._lock:
            self._copy = fresh
        return fresh


def _load(uow: UnitOfWork, stamp: int | None) -> CheckRegistry:
    purposes: dict[str, Purpose] = {}
    after: str | None = None
    while True:
        page = uow.purposes.page(after=after, limit=PAGE)
        purposes.update((p.key, p) for p in page)
        if len(page) < PAGE:
            break
        after = page[-1].key
    return CheckRegistry(
        stamp=stamp,
        purposes=purposes,
        policies=uow.engage.policies(),
        registers=[r.id for r in uow.engage.current_registers()],
        holds=uow.holds.everyone(),
    )
