"""The `trustguardian` command as a new user runs it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.conftest import TEST_MASTER_KEY
from tests.factories.cli import tg
from typer.testing import CliRunner

from trustguardian.cli.app import app

COMMANDS = ["init", "migrate", "serve", "touchpoints", "purposes", "notices", "keys"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "TRUSTGUARDIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'tg.db'}",
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_help_lists_every_command_with_its_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trustguardian", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in COMMANDS:
        assert re.search(rf"│ {command}\s+\S", out), command


def test_registry_from_the_command_line(env: dict[str, str]) -> None:
    assert run(env, "init")[0] == 0
    code, _ = run(
        env,
        "purposes",
        "add",
        "newsletter",
        "--name",
        "Newsletter",
        "--basis",
        "consent",
        "--channel",
        "email",
        "--controller",
        "Bottega Rossi",
        "--retention-days",
        "730",
        "--marketing",
    )
    assert code == 0
    code, _ = run(
        env,
        "touchpoints",
        "add",
        "web-newsletter",
        "--name",
        "Newsletter form",
        "--kind",
        "collect",
        "--channel",
        "web_form",
        "--purpose",
        "newsletter",
        "--requires",
        "form_snapshot",
    )
    assert code == 0
    code, out = run(env, "touchpoints", "list")
    assert code == 0
    assert "web-newsletter" in out
    assert "newsletter" in out


def test_bad_input_exits_non_zero_with_a_message(env: dict[str, str]) -> None:
    run(env, "init")
    code, out = run(
        env, "touchpoints", "add", "x", "--name", "X", "--kind", "broadcast", "--channel", "email"
    )
    assert code != 0
    assert "broadcast" in out
    code = tg(
        "touchpoints",
        "add",
        "x",
        "--name",
        "X",
        "--kind",
        "collect",
        "--channel",
        "email",
        "--purpose",
        "ghost",
        env={**os.environ, **env},
    )
    assert code.returncode == 2
    assert "unknown purpose 'ghost'" in code.stderr
    assert "x" not in run(env, "touchpoints", "list")[1].split("Touchpoints")[1]


def test_notice_text_comes_back_byte_for_byte(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "init")
    text = "Informativa\r\nTitolare — Milano ✓\n".encode()
    (tmp_path / "v1.txt").write_bytes(text)
    assert (
        run(
            env,
            "notices",
            "add",
            "privacy-it",
            "--language",
            "it",
            "--title",
            "Info",
            "--text",
            str(tmp_path / "v1.txt"),
        )[0]
        == 0
    )
    done = tg("notices", "text", "privacy-it", "1", env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert done.stdout.encode() == text


def test_api_key_is_printed_once_and_works(env: dict[str, str]) -> None:
    run(env, "init")
    code, out = run(env, "keys", "create", "--scope", "registry:read", "--name", "crm")
    assert code == 0
    token = re.search(r"tg_[0-9a-f]{16}_\S+", out)
    assert token is not None
    code, listing = run(env, "keys", "list")
    assert "crm" in listing
    assert token.group(0) not in listing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_demo_starts_a_working_company(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustguardian", "serve", "--demo", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 120  # creating, migrating and seeding on a busy machine
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=9).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        log.seek(0)
        output = log.read()
        token = re.search(r"tg_[0-9a-f]{16}_\S+", output)
        assert token is not None, output
        headers = {"Authorization": f"Bearer {token.group(0)}"}
        touchpoints = httpx.get(f"http://127.0.0.1:{port}/v1/touchpoints", headers=headers).json()[
            "items"
        ]
        assert {tp["kind"] for tp in touchpoints} == {"collect", "engage", "right"}
        assert len(touchpoints) >= 12
        notices = httpx.get(f"http://127.0.0.1:{port}/v1/notices", headers=headers).json()["items"]
        assert {n["language"] for n in notices} == {"it", "en"}
        home = httpx.get(f"http://127.0.0.1:{port}/")
        # Anonymous visitors see the public entry points, nothing of the census.
        assert 'href="/rights?lang=' in home.text
        assert "web-newsletter" not in home.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_a_command_where_there_is_no_instance_says_to_init(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = tg("purposes", "list", env={**os.environ, **env})
    assert done.returncode == 2
    assert "no Trust Guardian instance here" in done.stderr
    assert "trustguardian init" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "tg.db").exists()
    assert run(env, "init")[0] == 0
    assert run(env, "purposes", "list")[0] == 0
