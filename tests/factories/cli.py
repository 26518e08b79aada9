"""The `trustguardian` command run in this process, through Typer's test runner.

`tg` runs the console script's own entry point (`trustguardian.cli.main`: a failure becomes one
sentence on stderr and an exit status), so it answers as `python -m trustguardian` does, without
paying for a new interpreter and its imports on every call. Tests whose point is a real process
(a kill, a signal, start-up time, which modules a fresh interpreter imports, a server) still
start one.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import TEST_MASTER_KEY
from typer.testing import CliRunner

from trustguardian.cli import failure, main
from trustguardian.cli.app import app
from trustguardian.service.context import Context


def tg(
    *args: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Runs `trustguardian ARGS` as `subprocess.run` would start it (`env` is the whole
    environment, this process's when None; `cwd` the working directory; `input` the standard
    input), and reports what the finished process would: exit status, stdout, stderr (raising
    CalledProcessError on a failure when `check`)."""
    argv_of_run = ["trustguardian", *map(str, args)]
    failure.run = failure.Run()  # `--debug` and the root options of an earlier run are gone
    overlay: dict[str, str | None] = {}
    if env is not None:
        overlay = {name: None for name in os.environ if name not in env} | dict(env)
    argv, here = sys.argv, Path.cwd()
    # `serve` sends the root logger to its stderr, which the runner closes: a process's logging
    # ends with it, so the next test's commands must not log into that closed stream.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with CliRunner().isolation(input=input, env=overlay) as (stdout, stderr, _):
        sys.argv = argv_of_run
        try:
            if cwd is not None:
                os.chdir(cwd)
            main()
            status = 0
        except SystemExit as exited:
            status = exit_status(exited.code)
        finally:
            sys.argv = argv
            os.chdir(here)
            root.handlers[:] = handlers
            root.setLevel(level)
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    done = subprocess.CompletedProcess(argv_of_run, status, out, err)
    if check:
        done.check_returncode()
    return done


def exit_status(code: object) -> int:
    """The status a process leaving with `sys.exit(code)` has (a text is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def instance_env(ctx: Context, tmp_path: Path) -> dict[str, str]:
    """The settings of the test's instance (its database, the key file in `tmp_path`)."""
    return {
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        "COLUMNS": "200",
    }


def cli(ctx: Context, tmp_path: Path, *args: str) -> tuple[int, str]:
    """Runs a command on the test's instance through Typer's runner: (exit status, output)."""
    result = CliRunner().invoke(app, list(args), env=instance_env(ctx, tmp_path))
    return result.exit_code, result.output
