"""What `/readyz` checks beyond a connection: the keys open this database's data, and the
database takes writes (not read-only, disk not full)."""

from __future__ import annotations

import os
from pathlib import Path

from trustguardian.domain.errors import DomainError
from trustguardian.service.context import Context
from trustguardian.service.ops.binding import canary_problem
from trustguardian.store.engine import sqlite_file
from trustguardian.store.migrate import current_revision, head_revision
from trustguardian.store.ops import probes
from trustguardian.store.ops.probes import DatabaseError, pg_write_state, sqlstate

# Below this much free space a batch of events (a few WAL pages each) may fail half-way: the
# probe calls the disk full before a write does.
MIN_FREE_BYTES = 1024 * 1024
PG_READ_ONLY = "25006"  # read_only_sql_transaction: a standby or default_transaction_read_only
PG_DISK_FULL = ("53100", "53000")  # disk_full, insufficient_resources


class NotReady(DomainError):
    """The `/readyz` answer when the server cannot serve (its `detail` names every reason)."""

    code = "not-ready"
    title = "Not ready"


def revisions(ctx: Context) -> tuple[str | None, str | None]:
    """The database's migration revision (None when never migrated) and this code's head."""
    return current_revision(ctx.engine), head_revision()


def ping(ctx: Context) -> None:
    """Reaches the database (raises when it is away)."""
    probes.ping(ctx.engine)


def keys_problem(ctx: Context) -> str | None:
    """Why the keys in use cannot serve (None when they can): they must unwrap the instance's
    sample data key, and this process must sign with the registered current signing key."""
    with ctx.uow(write=False) as uow:
        record = uow.instance.get()
        registered = uow.ledger.current_signing_key()
    if record is None:
        return "the database is not bound to its keys: run `trustguardian migrate`"
    try:
        ctx.masters_for(record.canary)  # reloads the key file once if a rotation happened since
    except DomainError as exc:  # the key file went missing or bad since the start
        return exc.detail
    unwrap = canary_problem(ctx.keys, record)
    if unwrap is not None:
        return unwrap
    try:
        ctx.signer_for(registered)
    except RuntimeError:
        return f"this process cannot sign with the current signing key {registered}"
    return None


def storage_problem(ctx: Context, *, reachable: bool) -> str | None:
    """Why the database cannot take writes now (None when it can). A SQLite file is judged by
    its filesystem even when it cannot be opened (a read-only one often cannot)."""
    path = sqlite_file(ctx.settings.database_url)
    if path is not None:
        try:
            return _file_problem(path)
        except OSError as exc:
            return f"unknown ({exc.strerror or type(exc).__name__} at {path})"
    if not reachable:
        return "unknown (no database)"
    return _pg_write_problem(ctx)


def _file_problem(path: Path) -> str | None:
    # The filesystem, not a write: a write probe would queue behind the single SQLite writer,
    # and a full disk still takes writes that fit in the WAL's pages already allocated.
    folder = path.parent.resolve()
    stat = os.statvfs(folder)
    if stat.f_flag & os.ST_RDONLY:
        return f"read-only: the filesystem holding {path} is mounted read-only"
    if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
        return f"read-only: {path} or its folder is not writable by this process"
    free = stat.f_bavail * stat.f_frsize
    if free < MIN_FREE_BYTES:
        return f"disk full: {free} bytes free on the filesystem holding {path}"
    return None


def _pg_write_problem(ctx: Context) -> str | None:
    found = pg_write_state(ctx.engine)
    if found.standby:
        return "read-only: the database is a standby (in recovery)"
    if found.read_only_by_default:
        # Set by an operator to stop writes (our transactions would still start READ WRITE).
        return "read-only: the database is set read-only (default_transaction_read_only)"
    try:
        with ctx.uow() as uow:
            record = uow.instance.get()
            if record is not None:
                uow.instance.probe(record.id, ctx.clock.now())
            uow.commit()
    except DatabaseError as exc:
        state = sqlstate(exc)
        if state == PG_READ_ONLY:
            return "read-only: the database refuses writes (a standby, or read-only by default)"
        if state in PG_DISK_FULL:
            return "disk full: the database server has no space left"
        return f"cannot write ({type(exc.orig).__name__}, SQLSTATE {state})"
    return None
