"""Console logins under attack, on both backends: concurrent guesses, one cost for every answer,
waits per account and per source address."""

from __future__ import annotations

import dataclasses
import math
import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.helpers import CSRF

from trustguardian.asgi import create_app
from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import TooManyAttempts
from trustguardian.domain.roles import Role
from trustguardian.service.access import users
from trustguardian.service.access.login_throttle import LoginThrottle
from trustguardian.service.context import Context
from trustguardian.store import tables as t

PASSWORD = "correct horse battery staple"
WRONG = "wrong password 123"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hash every argon2 verification ran against, in order (the verification still runs)."""
    seen: list[str] = []
    real = PasswordHasher.verify

    def verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        seen.append(hash.decode() if isinstance(hash, bytes) else hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return seen


@pytest.fixture
def clock(ctx: Context) -> FixedClock:
    return FixedClock(ctx.clock.now())


@pytest.fixture
def lctx(ctx: Context, clock: FixedClock) -> Context:
    """The context on a clock the test moves (the same login throttle all along)."""
    users.create_user(ctx, username="dpo", password=PASSWORD, role=Role.DPO)
    return dataclasses.replace(ctx, clock=clock)


def _stored(ctx: Context) -> tuple[str, int]:
    with ctx.engine.connect() as conn:
        row = conn.execute(select(t.admin_users).where(t.admin_users.c.username == "dpo")).one()
    return row.password_hash, row.failed_logins


def test_concurrent_wrong_logins_check_no_more_passwords_than_the_limit(
    lctx: Context, verified: list[str]
) -> None:
    # As many checks at once as attempts: only the claim on the user's row keeps the count.
    lctx = dataclasses.replace(lctx, login_throttle=LoginThrottle(checks=24, wait=120))
    start = threading.Barrier(24)
    answers: list[BaseException | None] = []

    def guess() -> None:
        start.wait()
        try:
            users.login(lctx, username="dpo", password=WRONG)
            answers.append(None)
        except users.LoginFailed as exc:
            answers.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    real_hash, failures = _stored(lctx)
    limit = lctx.settings.console_max_failures
    assert len(answers) == 24
    assert all(isinstance(a, users.LoginFailed) for a in answers)
    assert len(verified) == 24  # every attempt costs one verification ...
    assert verified.count(real_hash) == limit == failures  # ... only `limit` of the password


def test_unknown_disabled_waiting_and_wrong_each_cost_one_verification_and_one_answer(
    lctx: Context, verified: list[str]
) -> None:
    users.create_user(lctx, username="gone", password=PASSWORD, role=Role.LEGAL)
    users.disable_user(lctx, username="gone")
    answers = []
    attempts = [("nobody", PASSWORD), ("gone", PASSWORD), ("dpo", WRONG)]
    attempts += [("dpo", WRONG)] * (lctx.settings.console_max_failures - 1)
    attempts += [("dpo", PASSWORD)]  # the right password while the account waits
    for username, password in attempts:
        before = len(verified)
        with pytest.raises(users.LoginFailed) as failed:
            users.login(lctx, username=username, password=password, source=ATTACKER)
        assert len(verified) == before + 1
        answers.append(failed.value.detail)
    assert len(set(answers)) == 1
    real_hash, _ = _stored(lctx)
    assert verified[-1] != real_hash  # waiting: checked against the dummy hash, no oracle


def test_an_anonymous_source_cannot_keep_the_owner_out(
    lctx: Context, clock: FixedClock, verified: list[str]
) -> None:
    settings = lctx.settings
    for _ in range(settings.console_source_max_failures):
        with pytest.raises(users.LoginFailed):
            users.login(lctx, username="dpo", password=WRONG, source=ATTACKER)
    checks = len(verified)
    with pytest.raises(TooManyAttempts) as refused:
        users.login(lctx, username="dpo", password=WRONG, source=ATTACKER)
    assert refused.value.retry_after == settings.console_delay_seconds
    assert len(verified) == checks  # over its budget, the address is not even checked
    # The account waits the first delay after its free failures, not a fixed lock ...
    with pytest.raises(users.LoginFailed):
        users.login(lctx, username="dpo", password=PASSWORD, source=OWNER)
    clock.moment += timedelta(seconds=settings.console_delay_seconds)
    # ... then its owner gets in from another address.
    assert users.login(lctx, username="dpo", password=PASSWORD, source=OWNER).user.role is Role.DPO
    assert _stored(lctx)[1] == 0
    # The attacker's address gets one more guess, then waits twice as long.
    with pytest.raises(users.LoginFailed):
        users.login(lctx, username="dpo", password=WRONG, source=ATTACKER)
    with pytest.raises(TooManyAttempts) as again:
        users.login(lctx, username="dpo", password=WRONG, source=ATTACKER)
    assert again.value.retry_after == 2 * settings.console_delay_seconds


def test_a_login_waits_its_turn_for_a_check_then_is_refused_untouched(
    lctx: Context, verified: list[str]
) -> None:
    throttle = LoginThrottle(checks=1, wait=0.05)
    lctx = dataclasses.replace(lctx, login_throttle=throttle)
    with throttle.turn(None, lctx.settings), pytest.raises(TooManyAttempts) as busy:
        users.login(lctx, username="dpo", password=PASSWORD, source=OWNER)
    assert busy.value.retry_after == 0.05
    assert verified == []
    assert _stored(lctx)[1] == 0  # neither the account ...
    for _ in range(lctx.settings.console_source_max_failures - 1):  # ... nor the address is charged
        with pytest.raises(users.LoginFailed):
            users.login(lctx, username="nobody", password=WRONG, source=OWNER)
    assert users.login(lctx, username="dpo", password=PASSWORD, source=OWNER).user.username == "dpo"


def test_each_failure_past_the_free_ones_doubles_the_wait(lctx: Context, clock: FixedClock) -> None:
    settings = lctx.settings
    for _ in range(settings.console_max_failures):
        with pytest.raises(users.LoginFailed):
            users.login(lctx, username="dpo", password=WRONG)
    waits = []
    for _ in range(3):
        [user] = users.list_users(lctx)
        assert user.locked_until is not None
        waits.append((user.locked_until - clock.moment).total_seconds())
        clock.moment = user.locked_until
        with pytest.raises(users.LoginFailed):
            users.login(lctx, username="dpo", password=WRONG)
    first = settings.console_delay_seconds
    assert waits == [first, 2 * first, 4 * first]
    clock.moment += timedelta(minutes=settings.console_lockout_minutes)
    assert users.login(lctx, username="dpo", password=PASSWORD).user.failed_logins == 0


def test_an_address_over_its_budget_gets_429_with_retry_after(lctx: Context) -> None:
    lctx.settings = lctx.settings.model_copy(update={"console_source_max_failures": 2})
    with TestClient(create_app(lctx), follow_redirects=False) as client:
        statuses = []
        for _ in range(3):
            token = CSRF.search(client.get("/console/login").text)
            assert token is not None
            answer = client.post(
                "/console/login",
                data={"username": "dpo", "password": WRONG, "csrf_token": token.group(1)},
            )
            statuses.append(answer.status_code)
    assert statuses == [401, 401, 429]
    assert answer.headers["retry-after"] == str(math.ceil(lctx.settings.console_delay_seconds))
