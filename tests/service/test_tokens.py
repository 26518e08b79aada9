"""Link tokens on SQLite and PostgreSQL: forged, altered, expired, used and revoked are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import InvalidToken
from trustguardian.service.context import Context
from trustguardian.service.engage.tokens import mint_token, read_token, redeem_token, revoke_token

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _mint(ctx: Context, **kw: object) -> str:
    with ctx.uow() as uow:
        token = mint_token(ctx, uow, "doi", subject_id="sub_1", claims={"e": "evt_1"}, **kw)  # type: ignore[arg-type]
        uow.commit()
    return token


def _redeem(ctx: Context, token: str, kind: str = "doi") -> str:
    with ctx.uow() as uow:
        claims = redeem_token(ctx, uow, token, kind)
        uow.commit()
    return str(claims.claims["e"])


def _reason(ctx: Context, token: str, kind: str = "doi") -> str:
    with pytest.raises(InvalidToken) as caught:
        _redeem(ctx, token, kind)
    return caught.value.reason


def test_a_single_use_token_works_once(ctx: Context) -> None:
    ctx.clock = FixedClock(T0)
    token = _mint(ctx, ttl=timedelta(days=1))
    assert "sub_1" not in token.split(".")[1]
    assert _redeem(ctx, token) == "evt_1"
    assert _reason(ctx, token) == "used"


def test_forged_altered_and_wrong_kind_tokens_are_refused(ctx: Context) -> None:
    ctx.clock = FixedClock(T0)
    token = _mint(ctx, ttl=timedelta(days=1))
    head, _, mac = token.partition(".")
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    assert _reason(ctx, f"{head}.{flipped}") == "forged"
    assert _reason(ctx, "x" + token) == "forged"
    assert _reason(ctx, "nonsense") == "forged"
    assert _reason(ctx, token, kind="unsubscribe") == "wrong-kind"
    assert _redeem(ctx, token) == "evt_1"  # none of the refusals used it up


def test_expired_and_revoked_tokens_are_refused(ctx: Context) -> None:
    ctx.clock = FixedClock(T0)
    expiring = _mint(ctx, ttl=timedelta(hours=1))
    lasting = _mint(ctx, single_use=False)
    ctx.clock = FixedClock(T0 + timedelta(hours=1))
    assert _reason(ctx, expiring) == "expired"
    assert _redeem(ctx, lasting) == "evt_1"
    assert _redeem(ctx, lasting) == "evt_1"  # reusable until revoked
    with ctx.uow() as uow:
        assert revoke_token(ctx, uow, read_token(ctx, uow, lasting, "doi").id)
        uow.commit()
    assert _reason(ctx, lasting) == "revoked"
