"""One CLI: `--version`, `--json` on every command that prints data, `--out` for every file
written (with the old spellings still accepted), and a `--help` that lists every command without
importing any of them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.engage.server import env_for
from typer.testing import CliRunner

from trustguardian.cli.app import COMMANDS, app
from trustguardian.service.context import Context
from trustguardian.service.demo.company import seed_demo


def invoke(ctx: Context, *args: str) -> tuple[int, str]:
    """Runs a command on the context's database; its exit status and standard output."""
    result = CliRunner().invoke(app, list(args), env={**env_for(ctx.settings), "COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def as_json(ctx: Context, *args: str, status: int = 0) -> Any:
    """A command's `--json` output, parsed."""
    code, out = invoke(ctx, *args, "--json")
    assert code == status, out
    return json.loads(out)


@pytest.fixture
def demo(sqlite_ctx: Context) -> Context:
    seed_demo(sqlite_ctx)
    return sqlite_ctx


def test_version_comes_from_the_package_metadata() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "trustguardian", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"trustguardian {version('trustguardian')}\n"


def test_help_lists_every_command_without_importing_them() -> None:
    probe = (
        "import sys\n"
        "from trustguardian.cli.app import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['fastapi', 'sqlalchemy', 'trustguardian.service', 'trustguardian.cli.registry']\n"
        "print('LOADED', [m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.stdout.rstrip().endswith("LOADED []"), done.stdout
    for name, lazy in COMMANDS.items():
        assert re.search(rf"│ {re.escape(name)}\s+{re.escape(lazy.help)}", done.stdout), name


def test_every_command_of_the_table_loads_with_its_help() -> None:
    group = typer.main.get_command(app)
    for name, lazy in COMMANDS.items():
        command = group.load(name)  # type: ignore[attr-defined]
        assert command.name == name
        assert command.help == lazy.help
    ledger = group.load("ledger")  # type: ignore[attr-defined]
    assert {"stamp", "keys", "proof"} <= set(ledger.commands)
    touchpoints = group.load("touchpoints")  # type: ignore[attr-defined]
    assert {"examine", "findings", "list"} <= set(touchpoints.commands)


def test_listings_print_json(demo: Context) -> None:
    touchpoints = as_json(demo, "touchpoints", "list")
    assert "web-newsletter" in {t["key"] for t in touchpoints}
    assert {"key", "name", "kind", "channel", "status", "purposes"} <= set(touchpoints[0])
    one = as_json(demo, "touchpoints", "show", "web-newsletter")
    assert one["key"] == "web-newsletter"
    purposes = as_json(demo, "purposes", "list")
    assert "newsletter" in {p["key"] for p in purposes}
    assert as_json(demo, "purposes", "show", "newsletter")[0]["version"] == 1
    notices = as_json(demo, "notices", "list")
    assert {n["language"] for n in notices} == {"it", "en"}
    versions = as_json(demo, "notices", "show", notices[0]["key"])
    assert re.fullmatch(r"[0-9a-f]{64}", versions[0]["sha256"])
    created = as_json(demo, "keys", "create", "--scope", "registry:read", "--name", "crm")
    assert created["token"].startswith("tg_")
    keys = as_json(demo, "keys", "list")
    assert created["id"] in {k["id"] for k in keys}
    assert created["token"] not in json.dumps(keys)
    assert isinstance(as_json(demo, "systems", "list"), list)
    assert isinstance(as_json(demo, "webhooks", "list"), list)
    assert isinstance(as_json(demo, "sync", "status"), list)
    assert isinstance(as_json(demo, "sync", "reconcile"), list)
    assert isinstance(as_json(demo, "registers", "status"), list)
    assert isinstance(as_json(demo, "complaints", "list"), list)
    assert isinstance(as_json(demo, "requests", "overdue"), list)
    assert isinstance(as_json(demo, "collect", "keys", "list"), list)
    assert isinstance(as_json(demo, "sale-sharing", "list"), list)
    roles = as_json(demo, "users", "roles")
    assert "dpo" in {r["role"] for r in roles}
    assert as_json(demo, "users", "list") == []
    status = as_json(demo, "instance-keys", "status")
    assert status["master_keys"][0]["status"] == "current"


def test_check_prints_json_and_keeps_its_exit_status(demo: Context) -> None:
    denied = as_json(
        demo,
        "check",
        "--purpose",
        "newsletter",
        "--channel",
        "email",
        "--email",
        "stranger@example.org",
        status=1,
    )
    assert denied["allowed"] is False
    assert denied["reason"]
    assert denied["check_id"].startswith("chk")


def test_verify_prints_json(demo: Context) -> None:
    report = as_json(demo, "verify", "--no-evidence")
    assert report["ok"] is True
    assert report["problems"] == []
    assert report["events"] > 0


def test_audience_filter_summary_in_json(demo: Context, tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text("email\nstranger@example.org\nnot-an-email\n")
    summary = as_json(
        demo,
        "audience",
        "filter",
        str(source),
        "--purpose",
        "newsletter",
        "--channel",
        "email",
        "--out",
        str(tmp_path / "ok.csv"),
        "--workers",
        "1",
    )
    assert summary["allowed"] == 0
    assert summary["rejected"] == 2
    assert summary["rejected_by_reason"]["invalid_row"] == 1


def test_backup_takes_out_and_the_old_argument(demo: Context, tmp_path: Path) -> None:
    manifest = as_json(demo, "backup", "--out", str(tmp_path / "a.tgbackup"))
    assert manifest["tree_size"] > 0
    assert (tmp_path / "a.tgbackup").stat().st_size > 0
    code, _ = invoke(demo, "backup", str(tmp_path / "b.tgbackup"))
    assert code == 0
    assert (tmp_path / "b.tgbackup").stat().st_size > 0
    code, _ = invoke(demo, "backup")
    assert code == 2
    _, listed = invoke(demo, "backup", "--help")
    assert "--out" in listed


def test_export_takes_out_and_the_old_output(demo: Context, tmp_path: Path) -> None:
    code, out = invoke(
        demo, "requests", "add", "--kind", "access", "--email", "anna@example.com", "--json"
    )
    assert code == 0, out
    request_id = json.loads(out)["id"]
    for spelling in ("--out", "--output", "-o"):
        target = tmp_path / f"export{spelling}.json"
        code, out = invoke(demo, "requests", "export", request_id, spelling, str(target))
        assert code == 0, out
        assert "subject" in json.loads(target.read_text())
    _, listed = invoke(demo, "requests", "export", "--help")
    assert "--out" in listed
    assert "--output" not in listed


def test_creations_print_what_they_made_in_json(demo: Context) -> None:
    policy = as_json(demo, "policies", "add", "--max", "2", "--days", "7")
    assert policy["id"]
    assert as_json(demo, "suppression", "add", "--email", "gone@example.org") == {"added": 1}
    complaint = as_json(
        demo,
        "complaints",
        "add",
        "--summary",
        "Called twice",
        "--channel",
        "phone",
        "--email",
        "anna@example.com",
    )
    assert complaint["status"] == "open"
    shown = as_json(demo, "complaints", "show", complaint["id"])
    assert shown["summary"] == "Called twice"
    assert shown["id"] in {c["id"] for c in as_json(demo, "complaints", "list")}
