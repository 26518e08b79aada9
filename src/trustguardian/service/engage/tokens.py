"""Link tokens: minted for a person, checked when the link is opened, used once or revoked.

    token = mint_token(ctx, uow, "doi", subject_id=s, claims={"event": e}, ttl=timedelta(days=7))
    claims = redeem_token(ctx, uow, token, "doi")           # raises InvalidToken, or uses it

Every refusal raises `InvalidToken` with a reason (`forged`, `wrong-kind`, `expired`, `used`,
`revoked`, `unknown`) and changes nothing, so callers only act after a successful redeem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from trustguardian.domain.errors import InvalidToken
from trustguardian.service.context import Context
from trustguardian.store.engage.tokens import NewToken
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault.tokens import TokenForged, open_token, sign_token

# The single-use token of a public form (the rights form, the preference-centre e-mail form):
# its guard against a page on another site submitting it on a visitor's behalf.
FORM = "rights-form"
FORM_TTL = timedelta(hours=2)


@dataclass(frozen=True)
class TokenClaims:
    id: str
    kind: str
    subject_id: str | None
    expires_at: datetime | None
    claims: dict[str, Any]


def mint_token(
    ctx: Context,
    uow: UnitOfWork,
    kind: str,
    *,
    subject_id: str | None = None,
    claims: dict[str, Any] | None = None,
    ttl: timedelta | None = None,
    single_use: bool = True,
) -> str:
    """Records a token and returns its signed text. `claims` must hold no personal data."""
    now = ctx.clock.now()
    token_id = ctx.ids.new_id("tok")
    expires = now + ttl if ttl is not None else None
    uow.tokens.add(
        NewToken(
            id=token_id,
            kind=kind,
            subject_id=subject_id,
            single_use=single_use,
            created_at=now,
            expires_at=expires,
        )
    )
    body = {
        "id": token_id,
        "k": kind,
        "s": subject_id,
        "exp": int(expires.timestamp()) if expires else None,
        "c": claims or {},
    }
    return sign_token(ctx.keys.token_key, body)


def read_token(ctx: Context, uow: UnitOfWork, token: str, kind: str) -> TokenClaims:
    """Checks a token without using it (to show a page before the click)."""
    try:
        body = open_token(ctx.keys.token_key, token)
    except TokenForged as exc:
        raise InvalidToken("This link was altered or is not one of ours.", reason="forged") from exc
    if body.get("k") != kind:
        raise InvalidToken("This link is not meant for this page.", reason="wrong-kind")
    row = uow.tokens.get(str(body.get("id")))
    if row is None:
        raise InvalidToken("This link is not known here.", reason="unknown")
    if row.revoked_at is not None:
        raise InvalidToken("This link was revoked.", reason="revoked")
    if row.single_use and row.used_at is not None:
        raise InvalidToken("This link was used already.", reason="used")
    if row.expires_at is not None and ctx.clock.now() >= row.expires_at:
        raise InvalidToken("This link has expired.", reason="expired")
    claims = body.get("c")
    return TokenClaims(
        id=row.id,
        kind=row.kind,
        subject_id=row.subject_id,
        expires_at=row.expires_at,
        claims=claims if isinstance(claims, dict) else {},
    )


def redeem_token(ctx: Context, uow: UnitOfWork, token: str, kind: str) -> TokenClaims:
    """Checks a token and, if single-use, marks it used in the caller's unit of work."""
    found = read_token(ctx, uow, token, kind)
    repo = uow.tokens
    row = repo.get(found.id)
    if row.single_use and not repo.use(found.id, ctx.clock.now()):
        raise InvalidToken("This link was used already.", reason="used")
    return found


def revoke_token(ctx: Context, uow: UnitOfWork, token_id: str) -> bool:
    return uow.tokens.revoke(token_id, ctx.clock.now())


def new_form_token(ctx: Context) -> str:
    """Mints the single-use token a public form carries."""
    with ctx.uow() as uow:
        token = mint_token(ctx, uow, FORM, ttl=FORM_TTL)
        uow.commit()
    return token
