"""`trustguardian check | policies | suppression | registers` as an operator runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.factories.events import LUIGI, MARIO, PURPOSE, ago, email
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.domain.checks import Reason
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import admin as engage_admin

from .helpers import (
    CALLS,
    MONDAY,
    check,
    event,
    import_register,
    next_day,
    phone,
    rome,
    setup_engage,
)
from .server import env_for


@pytest.fixture
def mario(sqlite_ctx: Context) -> Context:
    setup_engage(sqlite_ctx)
    event(sqlite_ctx, who=(email(), phone()), at=ago(days=10))
    event(sqlite_ctx, purpose=CALLS, who=(phone(),), at=ago(days=10))
    return sqlite_ctx


def run(ctx: Context, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env_for(ctx.settings))
    return result.exit_code, result.output


def test_check_exits_0_when_allowed_and_1_when_denied(mario: Context) -> None:
    code, out = run(mario, "check", "--purpose", PURPOSE, "--channel", "email", "--email", MARIO)
    assert code == 0, out
    assert "allowed" in out
    assert "consent_given" in out
    code, out = run(mario, "check", "--purpose", PURPOSE, "--channel", "email", "--email", LUIGI)
    assert code == 1, out
    assert "denied" in out
    assert "unknown_subject" in out


def test_check_by_phone_and_by_subject(mario: Context) -> None:
    code, out = run(
        mario, "check", "--purpose", PURPOSE, "--channel", "sms", "--phone", "333 123 4567"
    )
    assert code == 0, out
    subject = check(mario).subject_id
    assert subject is not None
    code, out = run(mario, "check", "--purpose", PURPOSE, "--channel", "sms", "--subject", subject)
    assert code == 0, out


def test_check_needs_a_person(mario: Context) -> None:
    code, _ = run(mario, "check", "--purpose", PURPOSE, "--channel", "email")
    assert code not in (0, 1)


def test_check_records_the_check_for_a_contact_to_cite(mario: Context) -> None:
    code, out = run(mario, "check", "--purpose", PURPOSE, "--channel", "email", "--email", MARIO)
    assert code == 0
    check_id = next(word.rstrip(";") for word in out.split() if word.startswith("chk"))
    event(mario, EventKind.CONTACT_MADE, channels=(Channel.EMAIL,), check_id=check_id)
    with mario.uow(write=False) as uow:
        assert uow.engage.flagged_contacts("newsletter-footer") == {}


def test_suppression_add_denies_the_next_check(mario: Context) -> None:
    code, out = run(mario, "suppression", "add", "--email", MARIO, "--reason", "complaint")
    assert code == 0, out
    assert "1 identifiers added" in out
    code, out = run(mario, "check", "--purpose", PURPOSE, "--channel", "email", "--email", MARIO)
    assert code == 1
    assert "suppressed" in out
    code, out = run(mario, "suppression", "add", "--email", MARIO.upper(), "--phone", "3331234567")
    assert "1 identifiers added" in out  # the e-mail is already there, normalised


def test_policies_add_caps_and_windows(mario: Context) -> None:
    code, out = run(mario, "policies", "add", "--channel", "sms", "--max", "1", "--days", "7")
    assert code == 0, out
    assert "Policy pol" in out
    allowed = check(mario, channel=Channel.SMS)
    assert allowed.allowed
    event(mario, EventKind.CONTACT_MADE, channels=(Channel.SMS,), check_id=allowed.check_id)
    assert check(mario, channel=Channel.SMS).reason is Reason.FREQUENCY_CAP
    window = '{"weekdays": ["10:00", "12:00"], "saturday": null, "sunday": null}'
    code, out = run(mario, "policies", "add", "--purpose", PURPOSE, "--channel", "email",
                    "--window", window)  # fmt: skip
    assert code == 0, out
    monday = next_day(MONDAY)
    assert check(mario, moment=rome(monday, 11)).allowed
    assert check(mario, moment=rome(monday, 13)).reason is Reason.OUTSIDE_CONTACT_HOURS


@pytest.mark.parametrize(
    "args",
    [
        ["--channel", "sms", "--max", "2"],  # a cap needs its period
        ["--channel", "sms"],  # neither a cap nor a window
        ["--purpose", "no-such-purpose", "--max", "2", "--days", "7"],
        ["--window", '{"weekdays": ["09:00"]}'],
    ],
)
def test_policies_add_refuses_incomplete_policies(mario: Context, args: list[str]) -> None:
    code, _ = run(mario, "policies", "add", *args)
    assert code != 0
    with mario.uow(write=False) as uow:
        assert uow.engage.policies() == []


def test_registers_import_and_status(mario: Context, tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    source = tmp_path / "rpo.csv"
    source.write_text("numero\n3331234567\n+39 347 765 4321\nnot a number\n\n")
    code, out = run(
        mario, "registers", "import", str(source), "--date", str(today - timedelta(days=3))
    )
    assert code == 0, out
    assert "Imported 2 entries" in out
    assert "1 lines rejected" in out
    monday = rome(next_day(MONDAY), 10)
    assert check(mario, CALLS, Channel.PHONE, who=phone(), moment=monday).reason is (
        Reason.OPPOSITION_REGISTER
    )
    code, out = run(mario, "registers", "status")
    assert code == 0, out
    assert "rpo" in out
    assert "STALE" not in out
    assert "warning" not in out


def test_registers_status_warns_after_a_month(mario: Context, tmp_path: Path) -> None:
    source = tmp_path / "rpo.csv"
    source.write_text("3331234567\n")
    old = datetime.now(UTC).date() - timedelta(days=40)
    code, out = run(mario, "registers", "import", str(source), "--date", str(old))
    assert code == 0, out
    code, out = run(mario, "registers", "status")
    assert "STALE" in out
    assert "warning" in out
    [status] = engage_admin.registers_status(mario)
    assert (status.age_days, status.stale, status.entries) == (40, True, 1)


def test_a_register_31_days_old_is_not_yet_stale(mario: Context) -> None:
    import_register(mario, ["3331234567"], datetime.now(UTC).date() - timedelta(days=31))
    [status] = engage_admin.registers_status(mario)
    assert (status.age_days, status.stale) == (31, False)
