"""The wheel as shipped: built from the source tree, it must carry every file of the package.

Package data comes from the tree (`**/*` in pyproject.toml), so a new template folder or a new
kind of asset ships without anyone remembering to list it; this test is what keeps it so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "trustguardian"
CACHES = ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis")


def _is_cache(path: Path) -> bool:
    return any(part in CACHES for part in path.parts) or path.suffix in (".pyc", ".pyo")


def package_files() -> set[str]:
    """Every file under src/trustguardian but caches, as its path inside the wheel."""
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and not _is_cache(path.relative_to(PACKAGE))
    }


def build_wheel(tmp_path: Path) -> Path:
    """Builds the wheel from a copy of the tree (the build writes egg-info and build/ there)."""
    tree = tmp_path / "tree"
    shutil.copytree(
        PACKAGE, tree / "src" / "trustguardian", ignore=shutil.ignore_patterns(*CACHES, "*.py[co]")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    # No isolation: the backend installed with the test extras builds offline, in seconds.
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", "dist", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [wheel] = (tree / "dist").glob("trustguardian-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_carries_every_file_of_the_package_and_no_cache(tmp_path: Path) -> None:
    expected = package_files()
    data = {name for name in expected if not name.endswith(".py")}
    # The folders a hand-kept list once forgot, and the kinds of data the server reads.
    assert {
        "trustguardian/py.typed",
        "trustguardian/web/templates/rights/unsubscribe.html",
        "trustguardian/web/templates/console/base.html",
        "trustguardian/web/static/console.css",
        "trustguardian/store/migrations/script.py.mako",
    } <= data
    with zipfile.ZipFile(build_wheel(tmp_path)) as wheel:
        shipped = {n for n in wheel.namelist() if n.startswith("trustguardian/")}
        entry_points = wheel.read(
            next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
        ).decode()
    missing = sorted(data - shipped)
    assert not missing, f"non-Python files missing from the wheel: {missing}"
    assert not sorted(expected - shipped), "Python modules missing from the wheel"
    caches = sorted(n for n in shipped if _is_cache(Path(n)))
    assert not caches, f"caches in the wheel: {caches}"
    assert "trustguardian = trustguardian.cli:main" in entry_points
