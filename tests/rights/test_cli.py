"""`trustguardian links | requests | complaints | subjects erase` as an operator runs them, on
SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from tests.engage.server import env_for
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.domain.errors import DomainError
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.service.context import Context
from trustguardian.service.demo.company import seed_demo
from trustguardian.service.rights.requests import submit_request

from .helpers import ANNA, DESK, PURPOSE, check, email, last_code, person


def run(ctx: Context, *args: str) -> tuple[int, str]:
    env = {
        **env_for(ctx.settings),
        "TRUSTGUARDIAN_OUTBOX_DIR": str(ctx.settings.outbox_dir),
        "COLUMNS": "250",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    if isinstance(result.exception, DomainError):
        return 2, result.output + result.exception.detail
    return result.exit_code, result.output


def _request(ctx: Context, days_ago: float) -> str:
    return submit_request(
        ctx,
        kind=RequestKind.ACCESS,
        touchpoint=DESK,
        channel=Channel.LETTER,
        identifiers=[email(ANNA)],
        received_at=datetime.now(UTC) - timedelta(days=days_ago),
    ).id


def test_requests_list_due_within_and_overdue(rctx: Context) -> None:
    person(rctx)
    soon, late, fresh = _request(rctx, 27), _request(rctx, 45), _request(rctx, 1)
    code, out = run(rctx, "requests", "list", "--due-within", "7d")
    assert code == 0, out
    assert soon in out
    assert late in out
    assert fresh not in out
    code, out = run(rctx, "requests", "overdue")
    assert code == 0
    assert late in out
    assert soon not in out
    assert "OVERDUE" in out
    code, out = run(rctx, "requests", "list", "--due-within", "soon")
    assert code == 2
    assert "not a duration" in out


def test_a_request_moved_along_by_the_cli(rctx: Context) -> None:
    person(rctx)
    rid = _request(rctx, 0)
    assert run(rctx, "requests", "verify", rid)[0] == 0
    code, out = run(rctx, "requests", "confirm", rid, last_code(rctx.settings.outbox_dir))
    assert code == 0
    assert "in_progress" in out
    code, out = run(rctx, "requests", "extend", rid, "--reason", "Complex request")
    assert code == 0
    assert "extended" in out
    code, out = run(rctx, "requests", "show", rid)
    assert "Complex request" in out
    assert "extended" in out
    code, out = run(rctx, "requests", "export", rid, "--format", "csv")
    assert code == 0
    assert out.startswith("record,id,kind")
    code, out = run(rctx, "requests", "fulfil", rid, "--outcome", "Sent")
    assert code == 0
    assert "fulfilled" in out


def test_links_and_erasure_from_the_cli(rctx: Context) -> None:
    anna = person(rctx)
    code, out = run(
        rctx,
        "links",
        "unsubscribe",
        "--subject",
        anna.subject_id,
        "--purpose",
        PURPOSE,
        "--channel",
        "email",
        "--touchpoint",
        "unsubscribe-link",
    )
    assert code == 0, out
    assert re.search(r"^http://127\.0\.0\.1:8000/u/\S+$", out, re.M)
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in out
    assert ANNA not in out
    code, out = run(rctx, "subjects", "erase", anna.subject_id, "--yes", "--touchpoint", DESK)
    assert code == 0, out
    code, out = run(rctx, "subjects", "show", anna.subject_id)
    assert ANNA not in out
    assert "[erased]" in out
    assert check(rctx, PURPOSE, Channel.EMAIL) == "suppressed"
    code, out = run(rctx, "verify")
    assert code == 0, out


def test_complaints_from_the_cli(rctx: Context, tmp_path: object) -> None:
    anna = person(rctx)
    code, out = run(
        rctx,
        "complaints",
        "add",
        "--summary",
        "Troppe email",
        "--channel",
        "email",
        "--subject",
        anna.subject_id,
        "--touchpoint",
        DESK,
    )
    assert code == 0, out
    cid = re.search(r"(cmp_[0-9a-f]+)", out).group(1)  # type: ignore[union-attr]
    code, out = run(rctx, "complaints", "update", cid, "--status", "closed", "--outcome", "Scuse")
    assert code == 0
    assert "closed" in out
    code, out = run(rctx, "complaints", "show", cid)
    assert "Troppe email" in out
    assert "complaint.opened" in out


def test_new_commands_are_listed_in_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "trustguardian", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("links", "requests", "complaints", "sale-sharing"):
        assert re.search(rf"│ {command}\s+\S", out), command


def test_the_demo_has_requests_to_answer_and_a_complaint(sqlite_ctx: Context) -> None:
    seed_demo(sqlite_ctx)
    code, out = run(sqlite_ctx, "requests", "overdue")
    assert code == 0
    assert "access" in out
    assert "OVERDUE" in out
    code, out = run(sqlite_ctx, "requests", "list", "--due-within", "7d")
    assert "erasure" in out
    code, out = run(sqlite_ctx, "complaints", "list")
    assert "Ufficio legale" in out
    assert run(sqlite_ctx, "sale-sharing", "list")[1].split() == ["third-party-transfer"]
