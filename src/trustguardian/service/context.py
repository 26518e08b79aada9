"""What every use case needs: settings, the database, the clock, ids and the instance's keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustguardian.domain.common import Clock, IdGenerator, SystemClock, TimeOrderedIds
from trustguardian.ledger import Signer
from trustguardian.outbound import Outbound, Resolver, system_resolver
from trustguardian.service.access.key_cache import ApiKeyCache
from trustguardian.service.access.login_throttle import LoginThrottle
from trustguardian.service.engage.check_registry import CheckRegistryCache
from trustguardian.service.ops.instance import InstanceKeys, load_instance_keys
from trustguardian.settings import Settings
from trustguardian.store.engage.check_log import CheckLog
from trustguardian.store.engine import Engine, is_postgresql, make_engine
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import SYSTEM_RANDOM, MasterKey, Random
from trustguardian.vault.keys import wrapped_key_id


@dataclass
class Context:
    """Built once per process (never at import time) and handed to every use case."""

    settings: Settings
    engine: Engine
    keys: InstanceKeys
    clock: Clock = field(default_factory=SystemClock)
    ids: IdGenerator = field(default_factory=TimeOrderedIds)
    rng: Random = SYSTEM_RANDOM
    # How webhook, SMS-gateway and TSA hosts are looked up (a test may answer for DNS).
    resolver: Resolver = system_resolver
    # Per process and per database: a copy made with `dataclasses.replace` starts its own.
    check_registry: CheckRegistryCache = field(
        default_factory=CheckRegistryCache, init=False, repr=False, compare=False
    )
    key_cache: ApiKeyCache = field(
        default_factory=ApiKeyCache, init=False, repr=False, compare=False
    )
    # Failed console logins per source address; a copy made with `dataclasses.replace` shares it.
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle, repr=False, compare=False)
    # Single checks' rows go through this journal when set (the server on SQLite).
    check_log: CheckLog | None = field(default=None, repr=False, compare=False)

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """Opens a unit of work; writers take the write lock up front."""
        return UnitOfWork(self.engine, write=write)

    def limit(self, requested: int | None) -> int:
        """Clamps a page size to the configured maximum."""
        if requested is None:
            return min(50, self.settings.page_size_max)
        return max(1, min(requested, self.settings.page_size_max))

    def masters_for(self, wrapped: bytes) -> tuple[MasterKey, ...]:
        """The master keys to unwrap a data key with; reloads the keys once when the blob names
        a master key this process does not hold (a rotation happened after it started)."""
        if wrapped_key_id(wrapped) not in {m.key_id for m in self.keys.masters}:
            self.keys = load_instance_keys(self.settings)
        return self.keys.masters

    def signer_for(self, registered: str | None) -> Signer:
        """The signing key to sign with now: the registered current key (by key hash), reloading
        the keys once if another process rotated it; never a retired one."""
        if registered is not None and registered != self.keys.signer.key_hash.hex():
            self.keys = load_instance_keys(self.settings)
            if registered != self.keys.signer.key_hash.hex():
                raise RuntimeError(
                    f"this process's signing key is not the current key {registered}: "
                    "update the key file or TRUSTGUARDIAN_SIGNING_KEY"
                )
        return self.keys.signer

    @property
    def outbound(self) -> Outbound:
        """The rules outbound requests go by: public addresses, and the allow-list."""
        return Outbound.of(self.settings.outbound_allow_hosts, self.resolver)

    @property
    def embedded(self) -> bool:
        """Whether the database is the embedded SQLite (one writer, a local file), not
        PostgreSQL."""
        return not is_postgresql(self.engine)

    @property
    def blind_key(self) -> bytes:
        """The key of the identifiers' blind index (stable across master-key rotations)."""
        return self.keys.blind_key


def build_context(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    keys: InstanceKeys | None = None,
) -> Context:
    """Creates the context for a process (with the keys given, or else read from the settings:
    service.binding.open_instance also checks they are the database's)."""
    return Context(
        settings=settings,
        engine=make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_seconds,
        ),
        keys=keys or load_instance_keys(settings),
        clock=clock or SystemClock(),
        ids=ids or TimeOrderedIds(),
    )
