"""What every use case needs: settings, the database, the clock, ids and the instance's keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine

from trustguardian.domain.common import Clock, IdGenerator, RandomIds, SystemClock
from trustguardian.service.instance import InstanceKeys, load_instance_keys
from trustguardian.settings import Settings
from trustguardian.store.engine import make_engine
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import PURPOSE_BLIND_INDEX, SYSTEM_RANDOM, Random, derive_key


@dataclass
class Context:
    """Built once per process (never at import time) and handed to every use case."""

    settings: Settings
    engine: Engine
    keys: InstanceKeys
    clock: Clock = field(default_factory=SystemClock)
    ids: IdGenerator = field(default_factory=RandomIds)
    rng: Random = SYSTEM_RANDOM

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """Opens a unit of work; writers take the write lock up front."""
        return UnitOfWork(self.engine, write=write)

    def limit(self, requested: int | None) -> int:
        """Clamps a page size to the configured maximum."""
        if requested is None:
            return min(50, self.settings.page_size_max)
        return max(1, min(requested, self.settings.page_size_max))

    @cached_property
    def blind_key(self) -> bytes:
        """The key of the identifiers' blind index."""
        return derive_key(self.keys.master, PURPOSE_BLIND_INDEX)


def build_context(
    settings: Settings, *, clock: Clock | None = None, ids: IdGenerator | None = None
) -> Context:
    """Creates the context for a process."""
    return Context(
        settings=settings,
        engine=make_engine(settings.database_url),
        keys=load_instance_keys(settings),
        clock=clock or SystemClock(),
        ids=ids or RandomIds(),
    )
