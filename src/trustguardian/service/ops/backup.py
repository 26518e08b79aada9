"""Backups that are consistent while the server runs and refused on restore if any byte changed.

A backup file is::

    TGBACKUP1\\n
    <length of the manifest note in bytes>\\n
    <manifest note>      a C2SP signed note: one JSON line, signed by the instance's signing key
    <payload>            SQLite: an online-backup copy; PostgreSQL: a pg_dump custom archive

The manifest names the payload's SHA-256 and length, the backend, the migration revision and the
ledger head inside the copy. Every byte is either in the signed manifest or covered by its hash,
so one changed byte anywhere fails the signature, the hash or the framing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from trustguardian.domain.errors import Conflict, InvalidInput
from trustguardian.ledger import NoteError, Verifier
from trustguardian.ledger.note import open_note
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import settle_checks
from trustguardian.store.check_log import journals_of
from trustguardian.store.engine import normalise_url

MAGIC = b"TGBACKUP1\n"
MAX_MANIFEST = 64 * 1024
CHUNK = 1024 * 1024


class BackupRefused(InvalidInput):
    code = "backup-refused"
    title = "Backup refused"


class RestoreTargetNotEmpty(Conflict):
    code = "restore-target-not-empty"
    title = "The database to restore into is not empty"


@dataclass(frozen=True)
class Manifest:
    backend: str
    created_at: str
    revision: str | None
    tree_size: int
    root_hash: str | None
    payload_sha256: str
    payload_bytes: int

    def as_json(self) -> dict[str, Any]:
        return {"format": 1, **self.__dict__}


def backup(ctx: Context, out: Path) -> Manifest:
    """Writes a signed backup of the database to `out` (atomically)."""
    url = normalise_url(ctx.settings.database_url)
    with tempfile.TemporaryDirectory(prefix="tg-backup-") as work:
        payload = Path(work) / "payload"
        if url.get_backend_name() == "sqlite":
            settle_checks(ctx)  # the checks the server journalled belong in the copy
            _sqlite_copy(url, payload)
            head = _head(URL.create("sqlite", database=str(payload)))
        else:
            head = _pg_dump(url, payload)
        digest, size = _sha256(payload)
        manifest = Manifest(
            backend=url.get_backend_name(),
            created_at=ctx.clock.now().isoformat(),
            revision=head[0],
            tree_size=head[1],
            root_hash=head[2],
            payload_sha256=digest,
            payload_bytes=size,
        )
        line = json.dumps(manifest.as_json(), sort_keys=True, separators=(",", ":"))
        note = ctx.keys.signer.sign(line + "\n").encode()
        staging = out.with_name(out.name + ".partial")
        with staging.open("wb") as handle:
            handle.write(MAGIC + f"{len(note)}\n".encode() + note)
            with payload.open("rb") as source:
                shutil.copyfileobj(source, handle, CHUNK)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, out)
    return manifest


def read_manifest(path: Path, verifiers: list[Verifier]) -> tuple[Manifest, int]:
    """Checks the framing and the signature; returns the manifest and the payload's offset."""
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise BackupRefused(f"{path} is not a Trust Guardian backup")
        length_line = handle.readline(16)
        if not length_line.endswith(b"\n") or not length_line[:-1].isdigit():
            raise BackupRefused("the backup's header is damaged")
        length = int(length_line)
        if length > MAX_MANIFEST:
            raise BackupRefused("the backup's manifest is too long")
        note = handle.read(length)
        offset = handle.tell()
    try:
        body, _ = open_note(note.decode(), verifiers)
        data = json.loads(body)
        manifest = Manifest(**{k: v for k, v in data.items() if k != "format"})
    except (NoteError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise BackupRefused(
            f"the backup's manifest is not signed by this instance's keys ({exc})"
        ) from exc
    return manifest, offset


def restore(
    ctx: Context, source: Path, *, force: bool = False, extra: list[Verifier] | None = None
) -> Manifest:
    """Restores a backup into the configured database after checking signature and hash."""
    manifest, offset = read_manifest(source, [*ctx.keys.verifiers, *(extra or [])])
    url = normalise_url(ctx.settings.database_url)
    if manifest.backend != url.get_backend_name():
        raise BackupRefused(f"this is a {manifest.backend} backup; the target is not")
    with tempfile.TemporaryDirectory(prefix="tg-restore-") as work:
        payload = Path(work) / "payload"
        with source.open("rb") as handle, payload.open("wb") as out:
            handle.seek(offset)
            shutil.copyfileobj(handle, out, CHUNK)
        digest, size = _sha256(payload)
        if (digest, size) != (manifest.payload_sha256, manifest.payload_bytes):
            raise BackupRefused("the backup's content does not match its signed hash")
        ctx.engine.dispose()
        if manifest.backend == "sqlite":
            _sqlite_restore(url, payload, force=force)
        else:
            _pg_restore(url, payload, force=force)
    found = _head(url)
    if found[1] != manifest.tree_size:
        raise BackupRefused(f"restored {found[1]} ledger entries, manifest says so many: bug")
    return manifest


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _head(url: URL) -> tuple[str | None, int, str | None]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            return _read_head(c)
    finally:
        engine.dispose()


def _read_head(c: Any) -> tuple[str | None, int, str | None]:
    revision = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    size = int(c.execute(text("SELECT size FROM ledger_head WHERE id = 1")).scalar_one())
    root = c.execute(
        text("SELECT root_hash FROM checkpoints WHERE tree_size = :n"), {"n": size}
    ).scalar()
    return revision, size, base64.b64encode(bytes(root)).decode() if root else None


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


def _pg_dump(url: URL, dest: Path) -> tuple[str | None, int, str | None]:
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
