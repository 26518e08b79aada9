"""What operations probes read: liveness of the connection, the gauges scraped by Prometheus,
and whether PostgreSQL takes writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from trustguardian.store import tables as t

# A failure the database itself reported (wrapped by the driver layer).
DatabaseError = DBAPIError


@dataclass(frozen=True)
class Gauges:
    """The ledger size, the time of the last checkpoint, each destination's outbox position and
    its deliveries waiting or being retried; the largest time-stamped tree size and the failed
    stamping tries since the last success."""

    ledger_size: int
    last_checkpoint_at: datetime | None
    positions: dict[str, int]
    pending: dict[str, int]
    stamped_size: int = 0
    stamp_failures: int = 0


@dataclass(frozen=True)
class WriteState:
    """Why a PostgreSQL database may refuse writes: a standby, or read-only by default."""

    standby: bool
    read_only_by_default: bool


def ping(engine: Engine) -> None:
    """Opens a connection and runs a trivial statement (raises when the database is away)."""
    with engine.connect() as c:
        c.execute(text("SELECT 1"))


def gauges(engine: Engine) -> Gauges:
    with engine.connect() as c:
        size = int(c.execute(select(t.ledger_head.c.size)).scalar() or 0)
        last: datetime | None = c.execute(select(func.max(t.checkpoints.c.created_at))).scalar()
        positions: dict[str, int] = {
            destination: int(position)
            for destination, position in c.execute(
                select(t.sync_positions.c.destination, t.sync_positions.c.position)
            ).all()
        }
        pending: dict[str, int] = dict(
            c.execute(
                select(t.deliveries.c.destination, func.count())
                .where(t.deliveries.c.status.in_(("pending", "failed")))
                .group_by(t.deliveries.c.destination)
            ).all()
        )
        stamped = c.execute(select(func.max(t.checkpoint_timestamps.c.tree_size))).scalar()
        failures = c.execute(select(func.max(t.stamping_schedule.c.failures))).scalar()
    return Gauges(size, last, positions, pending, int(stamped or 0), int(failures or 0))


def pg_write_state(engine: Engine) -> WriteState:
    """Whether a PostgreSQL database is a standby or read-only by default."""
    with engine.connect() as c:
        standby, by_default = c.execute(
            text("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')")
        ).one()
    return WriteState(bool(standby), by_default == "on")


def sqlstate(exc: DatabaseError) -> str | None:
    """The SQLSTATE of a failure PostgreSQL reported (None when it has none)."""
    state: str | None = getattr(exc.orig, "sqlstate", None)
    return state
