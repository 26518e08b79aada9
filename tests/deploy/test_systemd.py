"""The shipped systemd units pass `systemd-analyze verify` and start real commands.

`verify` refuses an ExecStart whose program is missing, so each unit is verified with the
installed `trustguardian` script in place of /opt/trustguardian/venv/bin/trustguardian (that
path, checked to be there, is the only change). An unknown or misspelt setting is only a
warning to `verify` (exit 0): the test wants no output at all.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from trustguardian.cli import main

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
SHIPPED = "/opt/trustguardian/venv/bin/trustguardian"
SCRIPT = Path(sysconfig.get_path("scripts")) / "trustguardian"
NAMES = ["trustguardian.service", "trustguardian-sync.service"]


def exec_start(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, lines
    return shlex.split(lines[0].removeprefix("ExecStart="))


@pytest.mark.parametrize("name", NAMES)
def test_the_unit_passes_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    assert shutil.which("systemd-analyze"), "systemd-analyze is missing (Debian's systemd)"
    assert SCRIPT.exists(), f"{SCRIPT} is missing: install the package first"
    text = (UNITS / name).read_text()
    assert exec_start(text)[0] == SHIPPED
    unit = tmp_path / name  # verify reads the unit's name from the file name
    unit.write_text(text.replace(SHIPPED, str(SCRIPT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout + done.stderr == ""


@pytest.mark.parametrize("name", NAMES)
def test_the_unit_runs_a_real_command(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The console script's own entry point, in this process (a second interpreter would import
    # the command tree again), with `--help` after the unit's arguments: an unknown command or
    # option exits 2.
    _, *args = exec_start((UNITS / name).read_text())
    monkeypatch.setattr(sys, "argv", ["trustguardian", *args, "--help"])
    with pytest.raises(SystemExit) as done:
        main()
    shown = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0, shown
    words = " ".join(a for a in args if not a.startswith("-") and not a.isdigit())
    assert f" {words} [OPTIONS]" in shown, shown


def test_the_units_are_sandboxed() -> None:
    for name in NAMES:
        settings = {
            line.split("=", 1)[0]: line.split("=", 1)[1]
            for line in (UNITS / name).read_text().splitlines()
            if "=" in line and not line.startswith("#")
        }
        assert settings["User"] == "trustguardian", name
        assert settings["NoNewPrivileges"] == "yes", name
        assert settings["ProtectSystem"] == "strict", name
        assert settings["PrivateTmp"] == "yes", name
        assert settings["EnvironmentFile"] == "/etc/trustguardian/env", name
        assert settings["ReadWritePaths"] == "/var/lib/trustguardian", name
