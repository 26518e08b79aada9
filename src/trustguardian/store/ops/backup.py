"""The database side of backups: a consistent copy out, a checked copy in, and the head of each.

SQLite copies with its online backup API while writers carry on; PostgreSQL dumps with
`pg_dump` inside one exported snapshot, so the head read is the dump's head. A restore refuses a
target that holds tables unless forced, and checks a SQLite file's integrity before it replaces
the database.
"""

from __future__ import annotations

import base64
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from trustguardian.domain.errors import Conflict, InvalidInput
from trustguardian.store.engage.check_log import journals_of
from trustguardian.store.engine import normalise_url


class BackupRefused(InvalidInput):
    code = "backup-refused"
    title = "Backup refused"


class RestoreTargetNotEmpty(Conflict):
    code = "restore-target-not-empty"
    title = "The database to restore into is not empty"


@dataclass(frozen=True)
class DatabaseHead:
    """What a copy holds: its migration revision, ledger size and the root signed at that size
    (base64, None when no checkpoint covers it)."""

    revision: str | None
    tree_size: int
    root_hash: str | None


def backend_name(database_url: str) -> str:
    """`sqlite` or `postgresql`."""
    return normalise_url(database_url).get_backend_name()


def copy_database(database_url: str, dest: Path) -> DatabaseHead:
    """Writes a consistent copy of the database to `dest`; returns the copy's head."""
    url = normalise_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(url, dest)
        return _head(URL.create("sqlite", database=str(dest)))
    return _pg_dump(url, dest)


def restore_database(database_url: str, payload: Path, *, force: bool) -> DatabaseHead:
    """Replaces the database with a copy made by `copy_database`; returns the restored head."""
    url = normalise_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(url, payload, force=force)
    else:
        _pg_restore(url, payload, force=force)
    return _head(url)


def _head(url: URL) -> DatabaseHead:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            return _read_head(c)
    finally:
        engine.dispose()


def _read_head(c: Connection) -> DatabaseHead:
    revision = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    size = int(c.execute(text("SELECT size FROM ledger_head WHERE id = 1")).scalar_one())
    root = c.execute(
        text("SELECT root_hash FROM checkpoints WHERE tree_size = :n"), {"n": size}
    ).scalar()
    return DatabaseHead(revision, size, base64.b64encode(bytes(root)).decode() if root else None)


def _sqlite_copy(url: URL, dest: Path) -> None:
    # SQLite's online backup API copies a consistent snapshot while writers carry on.
    source = sqlite3.connect(url.database or "", timeout=30)
    target = sqlite3.connect(dest)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_restore(url: URL, payload: Path, *, force: bool) -> None:
    target = Path(url.database or "")
    if target.exists() and target.stat().st_size > 0 and not force:
        _refuse_if_used(url)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(payload, staged)
    check = sqlite3.connect(staged)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if ok != "ok":
        staged.unlink()
        raise BackupRefused(f"the restored SQLite file fails its integrity check: {ok}")
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    # Checks journalled against the replaced database are not the restored one's.
    shutil.rmtree(journals_of(str(target)), ignore_errors=True)
    os.replace(staged, target)


def _refuse_if_used(url: URL) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            tables = inspect(c).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise RestoreTargetNotEmpty(
            "the target database holds tables: restore into an empty one, or pass --force "
            "to replace it (stop the servers first)"
        )


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    # The password travels in the environment, never on a command line others can read.
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-d", url.database or ""]
    if url.username:
        args += ["-U", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _pg_dump(url: URL, dest: Path) -> DatabaseHead:
    """Dumps inside one exported snapshot, so the manifest's head is the dump's head."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="REPEATABLE READ")
    args, env = _pg_env(url)
    try:
        with engine.connect() as c:
            snapshot = c.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            head = _read_head(c)
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(dest),
                ],
                env,
            )
            c.rollback()
    finally:
        engine.dispose()
    return head


def _pg_restore(url: URL, payload: Path, *, force: bool) -> None:
    if not force:
        _refuse_if_used(url)
    else:
        engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as c:
                c.execute(text("DROP SCHEMA public CASCADE"))
                c.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
    args, env = _pg_env(url)
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(payload),
        ],
        env,
    )


def _run(command: list[str], env: dict[str, str]) -> None:
    # A fixed PostgreSQL tool with list arguments: no shell is involved.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupRefused(f"{command[0]} failed: {done.stderr.strip()[:500]}")
