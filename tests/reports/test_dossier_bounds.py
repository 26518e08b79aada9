"""A dossier is safe to handle: its zip is read within limits (a zip bomb is refused without
being unpacked), and the pages it holds open as text."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from tests.factories.cli import tg
from tests.reports.helpers import FORM_HTML, mario_history

from trustguardian.cli.failure import EXIT_REFUSED
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.reports.zip_limits import ZipLimits, ZipRefused, read_all, read_member
from trustguardian.service.context import Context

MIB = 1024 * 1024


def zip_bomb(path: Path, *, mib_of_zeros: int = 1700) -> bytes:
    """One member of `mib_of_zeros` MiB of zeros, deflated: 1,700 MiB make a ~1.7 MB zip."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        z.open("events/bomb.json", "w", force_zip64=True) as member,
    ):
        zeros = bytes(MIB)
        for _ in range(mib_of_zeros):
            member.write(zeros)
    return path.read_bytes()


def test_a_zip_bomb_is_refused_by_dossier_verify_in_little_memory(tmp_path: Path) -> None:
    body = zip_bomb(tmp_path / "bomb.zip")
    assert 1_000_000 < len(body) < 2_500_000
    tracemalloc.start()
    try:
        with pytest.raises(ZipRefused, match=r"zip bomb|limit"):
            verify_dossier(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * MIB, f"verifying a zip bomb peaked at {peak / MIB:.0f} MiB"
    done = tg("dossier", "verify", str(tmp_path / "bomb.zip"), env={"COLUMNS": "300"})
    assert done.returncode == EXIT_REFUSED, done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "bomb.json" in done.stderr
    assert done.stdout == ""


def test_a_member_is_read_as_a_stream_and_abandoned_at_the_cap(tmp_path: Path) -> None:
    """Whatever the directory declared, reading stops a chunk past the cap."""
    body = zip_bomb(tmp_path / "bomb.zip", mib_of_zeros=200)
    with zipfile.ZipFile(tmp_path / "bomb.zip") as z:
        [info] = z.infolist()
        tracemalloc.start()
        try:
            with pytest.raises(ZipRefused, match="per file"):
                read_member(z, info, ZipLimits(member_bytes=4 * MIB, ratio=10**6))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(body) < MIB
    assert peak < 8 * MIB


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (ZipLimits(members=2), "members"),
        (ZipLimits(member_bytes=MIB, ratio_floor=8 * MIB), "per file"),
        (ZipLimits(total_bytes=3 * MIB, ratio_floor=8 * MIB), "unpack to more than"),
        (ZipLimits(ratio=10, ratio_floor=MIB), "compressed more than 10:1"),
    ],
)
def test_each_limit_refuses_in_one_sentence(
    tmp_path: Path, limits: ZipLimits, message: str
) -> None:
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in ("a.txt", "b.txt", "c.txt"):
            z.writestr(name, b"y" * (2 * MIB))
    with zipfile.ZipFile(path) as z, pytest.raises(ZipRefused, match=message):
        read_all(z, limits, damaged=lambda n, e: None, errors=())


def test_a_real_dossier_is_within_the_limits_and_verifies(sqlite_ctx: Context) -> None:
    history = mario_history(sqlite_ctx)
    body = subject_dossier(history.ctx, subject_id=history.subject_id)
    check = verify_dossier(body, trusted_key=history.ctx.keys.signer.verifier_key)
    assert check.ok, check.problems
    assert check.events == 3


def test_a_form_snapshot_in_a_dossier_opens_as_text(sqlite_ctx: Context) -> None:
    """The snapshot is the page as the person saw it, scripts and all: extracted and opened, it
    must show its source, not run it."""
    history = mario_history(sqlite_ctx)
    body = subject_dossier(history.ctx, subject_id=history.subject_id)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        names = z.namelist()
        snapshots = [n for n in names if n.startswith("evidence/") and z.read(n) == FORM_HTML]
    assert snapshots
    assert all(n.endswith(".html.txt") for n in snapshots), snapshots
    scriptable = (".html", ".htm", ".svg", ".xhtml", ".xml", ".js")
    assert not [n for n in names if n.startswith("evidence/") and n.endswith(scriptable)]
    assert verify_dossier(body, trusted_key=history.ctx.keys.signer.verifier_key).ok
