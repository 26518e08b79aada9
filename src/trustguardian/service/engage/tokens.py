"""Link tokens: minted for a person, checked when the link is opened, used once or revoked.

    token = mint_token(ctx, uow, "doi", subject_id=s, claims={"event": e}, ttl=timedelta(days=7))
    claims = redeem_token(ctx, uow, token, "doi")           # raises InvalidToken, or uses it

Every refusal raises `InvalidToken` with a reason (`forged`, `wrong-kind`, `expired`, `used`,
`revoked`, `unknown`) and changes nothing, so callers only act after a successful redeem.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from trustguardian.domain.errors import InvalidToken
from trustguardian.service.context import Context
from trustguardian.store.engage.tokens import NewToken
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import derive_key
from trustguardian.vault.rng import random_bytes
from trustguardian.vault.tokens import TokenForged, open_token, sign_token

# The single-use token of a public form (the rights form, the preference-centre e-mail form):
# its guard against a page on another site submitting it on a visitor's behalf.
FORM = "rights-form"
FORM_TTL = timedelta(hours=2)
FORM_CLOCK_SKEW = timedelta(minutes=1)
PURPOSE_FORM_TOKENS = "public-form-tokens/v1"


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
    touchpoint: str | None = None,
) -> str:
    """Records a token and returns its signed text. `claims` must hold no personal data.

    `touchpoint`, the one the link is minted for, is what confines its revocation."""
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
            touchpoint_key=touchpoint,
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
    """The token a public form carries: signed, stateless, so that showing a form writes nothing.

    It is an HMAC (under a key derived for the purpose) over the form's kind, the moment it was
    issued and a random nonce; `redeem_form_token` makes it single-use when the form is posted.
    """
    issued = int(ctx.clock.now().timestamp())
    nonce = base64.urlsafe_b64encode(random_bytes(ctx.rng, 16)).decode("ascii").rstrip("=")
    return sign_token(_form_key(ctx), {"k": FORM, "iat": issued, "n": nonce})


def redeem_form_token(ctx: Context, uow: UnitOfWork, token: str) -> None:
    """Checks a form token's signature and age and records its nonce as used, in the caller's
    unit of work: the form's request and the token's use are kept together or not at all.

    Raises `InvalidToken` (`forged`, `expired`, `used`) and changes nothing then.
    """
    try:
        body = open_token(_form_key(ctx), token)
    except TokenForged as exc:
        raise InvalidToken("This form was altered or is not one of ours.", reason="forged") from exc
    issued, nonce = body.get("iat"), body.get("n")
    if body.get("k") != FORM or not isinstance(issued, int) or not isinstance(nonce, str):
        raise InvalidToken("This form is not one of ours.", reason="forged")
    now = ctx.clock.now()
    at = datetime.fromtimestamp(issued, tz=UTC)
    if at > now + FORM_CLOCK_SKEW:
        raise InvalidToken("This form is not one of ours.", reason="forged")
    if now >= at + FORM_TTL:
        raise InvalidToken("This form has expired.", reason="expired")
    used = NewToken(
        id=f"form_{nonce}",
        kind=FORM,
        subject_id=None,
        single_use=True,
        created_at=at,
        expires_at=at + FORM_TTL,
        used_at=now,
    )
    if not uow.tokens.claim(used):
        raise InvalidToken("This form was sent already.", reason="used")


def _form_key(ctx: Context) -> bytes:
    return derive_key(ctx.keys.master, PURPOSE_FORM_TOKENS)
