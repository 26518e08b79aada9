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

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustguardian.ledger import NoteError, Verifier
from trustguardian.ledger.note import open_note
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import settle_checks
from trustguardian.store.ops.backup import BackupRefused as BackupRefused
from trustguardian.store.ops.backup import RestoreTargetNotEmpty as RestoreTargetNotEmpty
from trustguardian.store.ops.backup import backend_name, copy_database, restore_database

MAGIC = b"TGBACKUP1\n"
MAX_MANIFEST = 64 * 1024
CHUNK = 1024 * 1024


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
    with tempfile.TemporaryDirectory(prefix="tg-backup-") as work:
        payload = Path(work) / "payload"
        settle_checks(ctx)  # the checks the server journalled (SQLite) belong in the copy
        head = copy_database(ctx.settings.database_url, payload)
        digest, size = _sha256(payload)
        manifest = Manifest(
            backend=backend_name(ctx.settings.database_url),
            created_at=ctx.clock.now().isoformat(),
            revision=head.revision,
            tree_size=head.tree_size,
            root_hash=head.root_hash,
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
    if manifest.backend != backend_name(ctx.settings.database_url):
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
        found = restore_database(ctx.settings.database_url, payload, force=force)
    if found.tree_size != manifest.tree_size:
        raise BackupRefused(
            f"restored {found.tree_size} ledger entries, manifest says so many: bug"
        )
    return manifest


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
