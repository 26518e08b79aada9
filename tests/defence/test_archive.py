"""`trustguardian archive export` writes a time range of the ledger as a bundle (directory or
zip) that `trustguardian archive verify` checks offline: leaves with inclusion proofs, the
range's checkpoints with consistency proofs, their RFC 3161 stamps from a local TSA, the sealed
blobs still encrypted, the public keys. One changed byte anywhere fails it. Both backends."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.factories.cli import instance_env, tg
from tests.factories.defence import DESK, defence_world
from tests.factories.events import LUIGI, MARIO, email, make_draft, record, utcnow
from tests.reports.tsa import local_tsa, with_tsa

from trustguardian.cli.failure import EXIT_UNPINNED
from trustguardian.reports.archive_verify import verify_archive
from trustguardian.service.context import Context
from trustguardian.service.ops.timestamps import stamp_checkpoint
from trustguardian.service.rights.erasure import erase_subject
from trustguardian.store import tables as t


def _run(ctx: Context, tmp_path: Path, *args: str) -> tuple[int, str]:
    done = tg(*args, env={**os.environ, **instance_env(ctx, tmp_path)})
    return done.returncode, done.stdout + done.stderr


def _flip(path: Path, at: int = -1) -> None:
    body = bytearray(path.read_bytes())
    body[at] ^= 0x01
    path.write_bytes(bytes(body))


def _leaves_at(ctx: Context, moment: object) -> int:
    counts = 0
    with ctx.engine.connect() as conn:
        for table in (t.events, t.registry_records):
            query = select(func.count()).select_from(table).where(table.c.recorded_at == moment)
            counts += int(conn.execute(query).scalar_one())
    return counts


def test_an_archive_verifies_offline_and_fails_on_any_changed_byte(
    ctx: Context, tmp_path: Path
) -> None:
    # Mario's consent, withdrawal and erasure two days ago, stamped; Luigi's consent a day later.
    ctx, clock, subject = defence_world(ctx, start=utcnow() - timedelta(days=2))
    erase_subject(ctx, subject_id=subject, touchpoint=DESK, actor="dpo")
    with local_tsa() as tsa:
        stamped = stamp_checkpoint(with_tsa(ctx, tsa.url))
    archived_at = clock.now()
    clock.moment += timedelta(days=1)
    record(ctx, make_draft(identifiers=(email(LUIGI),), occurred_at=clock.now()))

    key = ctx.keys.signer.verifier_key
    start = (archived_at - timedelta(hours=1)).isoformat()
    end = (archived_at + timedelta(hours=1)).isoformat()
    folder, zipped = tmp_path / "archive", tmp_path / "archive.zip"
    for out in (folder, zipped):
        code, said = _run(ctx, tmp_path, "archive", "export", "--from", start, "--to", end,
                          "--out", str(out))  # fmt: skip
        assert code == 0, said
        code, said = _run(ctx, tmp_path, "archive", "verify", str(out), "--key", key, "--json")
        assert code == 0, said
        report = json.loads(said)
        assert report["problems"] == []
        assert report["leaves"] == _leaves_at(ctx, archived_at)
        assert report["stamps"] == 1
        assert report["checkpoints"] >= 1
        assert report["sealed"] >= 2  # the scan's sealed proof and its sealed file
    assert (folder / f"stamps/{stamped.tree_size:012d}.tsr").is_file()
    assert (folder / "README.txt").read_text().count("trustguardian archive verify") == 1
    every = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert MARIO.encode() not in every  # sealed blobs stay sealed; leaves hold no contact data
    # The tiles rebuild the signed tree; an entry changed in a bundle no longer hashes to it.
    assert verify_archive(folder, trusted_key=key).tiles >= 2
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    _flip(next(p for p in sorted((changed / "tile" / "entries").rglob("*")) if p.is_file()))
    said_by_tiles = [m for _, m in verify_archive(changed, trusted_key=key).problems]
    assert any("does not hash to its level-0 hash" in m for m in said_by_tiles), said_by_tiles

    # Unpinned, it verifies but says so; a changed byte anywhere fails, naming the file.
    assert _run(ctx, tmp_path, "archive", "verify", str(folder))[0] == EXIT_UNPINNED
    leaf = sorted(folder.glob("leaves/*.bin"))[0]
    sealed = sorted(folder.glob("sealed/evidence/*.bin"))[0]
    checkpoint = sorted(folder.glob("checkpoints/*.txt"))[0]
    for victim in (leaf, sealed, checkpoint, folder / "checkpoint.txt", folder / "manifest.txt"):
        copy = tmp_path / f"copy-{victim.name}"
        shutil.copytree(folder, copy)
        _flip(copy / victim.relative_to(folder), at=len(victim.read_bytes()) // 2)
        code, said = _run(ctx, tmp_path, "archive", "verify", str(copy), "--key", key, "--json")
        assert code == 1, victim
        problems = json.loads(said)["problems"]
        assert any(p["file"] in (victim.relative_to(folder).as_posix(), "manifest.txt")
                   for p in problems), (victim, problems)  # fmt: skip
    zipped_bytes = bytearray(zipped.read_bytes())
    zipped_bytes[len(zipped_bytes) // 3] ^= 0x01
    zipped.write_bytes(bytes(zipped_bytes))
    assert _run(ctx, tmp_path, "archive", "verify", str(zipped), "--key", key)[0] == 1


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [("yesterday", "2026-01-01", "--from"), ("2026-02-01", "2026-01-01", "the range is empty")],
)
def test_a_bad_range_is_one_sentence_and_writes_nothing(
    sqlite_ctx: Context, tmp_path: Path, start: str, end: str, said: str
) -> None:
    out = tmp_path / "never"
    code, text = _run(sqlite_ctx, tmp_path, "archive", "export", "--from", start, "--to", end,
                      "--out", str(out))  # fmt: skip
    assert code != 0
    assert said in text
    assert "Traceback" not in text
    assert not out.exists()
