"""A failing command prints one sentence and a non-zero status, never a traceback (--debug
shows it), as a user running the installed command sees it: through the console script's entry
point in this process, and once in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import TEST_MASTER_KEY
from tests.factories import cli

from trustguardian.cli import failure


def tg(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Runs `trustguardian` in `tmp_path` with a test master key."""
    return cli.tg(*args, cwd=tmp_path, env=environment(tmp_path, **env))


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    return {
        **os.environ,
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
        "TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}",
        **env,
    }


def initialised(tmp_path: Path) -> Path:
    """An instance in `tmp_path` (key file and SQLite database), as `trustguardian init` makes."""
    tmp_path.mkdir(exist_ok=True)
    done = tg(tmp_path, "init")
    assert done.returncode == 0, done.stderr
    return tmp_path


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single line the command printed, asserting there is nothing else."""
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert done.stdout == ""
    return lines[0]


def test_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    initialised(tmp_path)
    url = "postgresql+psycopg://tg:secret-pw@127.0.0.1:1/trustguardian"
    done = tg(tmp_path, "--database-url", url, "purposes", "list")
    assert done.returncode == failure.EXIT_DATABASE
    line = one_error_line(done)
    assert "cannot connect to the database" in line
    assert "127.0.0.1:1" in line
    assert "secret-pw" not in line


def test_unreachable_database_from_the_environment_too(tmp_path: Path) -> None:
    initialised(tmp_path)
    done = tg(
        tmp_path,
        "touchpoints",
        "list",
        TRUSTGUARDIAN_DATABASE_URL="postgresql://tg@127.0.0.1:1/trustguardian",
    )
    assert done.returncode == failure.EXIT_DATABASE
    assert "cannot connect to the database" in one_error_line(done)


@pytest.mark.parametrize("url", ["mysql://x", "foo://", "not a url"])
def test_an_unsupported_url_is_one_line(tmp_path: Path, url: str) -> None:
    initialised(tmp_path)
    done = tg(tmp_path, "--database-url", url, "purposes", "list")
    assert done.returncode == failure.EXIT_DATABASE
    line = one_error_line(done)
    assert "database" in line
    assert "sqlite" in line


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    initialised(tmp_path)
    url = "postgresql+psycopg://tg@127.0.0.1:1/trustguardian"
    done = tg(tmp_path, "--debug", "--database-url", url, "purposes", "list")
    assert done.returncode == failure.EXIT_DATABASE
    assert "Traceback (most recent call last)" in done.stderr
    assert "OperationalError" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("error: cannot connect to the database")
    from_env = tg(
        tmp_path, "purposes", "list", TRUSTGUARDIAN_DATABASE_URL=url, TRUSTGUARDIAN_DEBUG="1"
    )
    assert "Traceback (most recent call last)" in from_env.stderr
    # The next run without --debug is one line again: no run inherits another's --debug.
    assert "Traceback" not in tg(tmp_path, "--database-url", url, "purposes", "list").stderr


def test_a_bad_key_file_is_one_line(tmp_path: Path) -> None:
    initialised(tmp_path)
    keys = tmp_path / "keys.json"
    keys.write_text("not json")
    done = tg(tmp_path, "purposes", "list", TRUSTGUARDIAN_MASTER_KEY="")
    # An unreadable key file is no instance's: refused like a missing one (service.binding).
    assert done.returncode == failure.EXIT_REFUSED
    assert str(keys) in one_error_line(done)
    assert keys.read_text() == "not json"
    # The instance's own key file with a malformed master key: the keys cannot be read.
    initialised(tmp_path / "other")
    stored = json.loads((tmp_path / "other" / "keys.json").read_text())
    keys.write_text(json.dumps({**stored, "master_key": "not-a-key"}))
    done = tg(tmp_path, "purposes", "list", TRUSTGUARDIAN_MASTER_KEY="")
    assert done.returncode == failure.EXIT_REFUSED  # the binding refuses keys it cannot read
    assert "master key must start with" in one_error_line(done)


def test_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    done = tg(tmp_path, "purposes", "list", TRUSTGUARDIAN_PORT="eighty")
    assert done.returncode == failure.EXIT_DATABASE
    assert "port" in one_error_line(done)


def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    initialised(tmp_path)
    # /dev/full answers every write with ENOSPC, as a full disk does.
    target = tmp_path / "register.csv"
    target.symlink_to("/dev/full")
    done = tg(tmp_path, "report", "register", "--out", str(target))
    assert done.returncode == failure.EXIT_SYSTEM
    assert "No space left on device" in one_error_line(done)


def test_a_refusal_keeps_status_2(tmp_path: Path) -> None:
    done = tg(tmp_path, "purposes", "list")
    assert done.returncode == failure.EXIT_REFUSED
    assert "trustguardian " in one_error_line(done)


def test_an_unexpected_error_is_one_line_with_a_hint() -> None:
    sentence, status = failure.explain(ZeroDivisionError("division by zero"))
    assert status == failure.EXIT_INTERNAL
    assert sentence == "unexpected ZeroDivisionError: division by zero"


def test_the_installed_command_prints_the_same_one_line(tmp_path: Path) -> None:
    """The console script in a real process: what `main` turns a failure into reaches the
    terminal as the in-process runs above see it."""
    initialised(tmp_path)
    url = "postgresql+psycopg://tg:secret-pw@127.0.0.1:1/trustguardian"
    args = ["--database-url", url, "purposes", "list"]
    done = subprocess.run(
        [sys.executable, "-m", "trustguardian", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(tmp_path),
        check=False,
        timeout=120,
    )
    assert done.returncode == failure.EXIT_DATABASE
    line = one_error_line(done)
    assert line == one_error_line(tg(tmp_path, *args))
    assert "cannot connect to the database" in line
    assert "secret-pw" not in line
