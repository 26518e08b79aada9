"""Single sign-on to the console: the OpenID Connect authorization code flow with PKCE.

`start` sends the browser to the provider with a fresh state, nonce and PKCE verifier, which
travel in a short-lived cookie signed with a key derived from the instance's keys; `finish`
checks that the provider's answer comes back to the browser that asked, exchanges the code (over
`Outbound`, so the provider must be a public host or on the allow-list), verifies the ID token
with the provider's published keys (joserfc) and its claims (Authlib's `CodeIDToken`: issuer,
audience, expiry, nonce), maps the role claim to a console role and opens the same server-side
session a password login opens. The first sign-in of a person creates their console user (a
registry change, in the ledger); a changed role is recorded the same way. A local account is
never taken over: an SSO identity is bound to the user created for it, by issuer and subject.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from trustguardian.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from trustguardian.domain.roles import AdminUser, Role
from trustguardian.service.access.users import Session, start_session
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_objects
from trustguardian.store.snapshots import ADMIN_USER

CALLBACK_PATH = "/console/sso/callback"
FLOW_SECONDS = 600  # the person has ten minutes at the provider
ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
_NAME = re.compile(r"[^a-z0-9_.@-]+")
_METADATA: dict[str, tuple[float, dict[str, Any]]] = {}


class SsoOff(NotFound):
    code = "sso-off"
    title = "Single sign-on is not configured"


class SsoFailed(DomainError):
    code = "sso-failed"
    title = "Single sign-on did not complete"


class NoRole(Forbidden):
    code = "sso-no-role"
    title = "Your account has no console role"


@dataclass(frozen=True)
class Start:
    url: str  # where to send the browser
    cookie: str  # the signed flow state the browser keeps until it comes back


def enabled(ctx: Context) -> bool:
    s = ctx.settings
    return bool(s.oidc_issuer and s.oidc_client_id and s.oidc_client_secret)


def redirect_uri(ctx: Context) -> str:
    return ctx.settings.public_base_url.rstrip("/") + CALLBACK_PATH


def start(ctx: Context) -> Start:
    """The provider's authorization URL for a new sign-in, and the cookie that binds it."""
    settings = _settings(ctx)
    role_pairs(settings.oidc_roles)  # a wrong setting is said before the person signs in
    meta = _metadata(ctx)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": redirect_uri(ctx),
            "scope": settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "until": _now() + FLOW_SECONDS}
    return Start(f"{meta['authorization_endpoint']}?{query}", _sign(ctx, flow))


def finish(ctx: Context, *, cookie: str, state: str, code: str) -> Session:
    """Completes a sign-in the provider sent back; raises SsoFailed, NoRole or Forbidden."""
    settings = _settings(ctx)
    flow = _unsign(ctx, cookie)
    if not secrets.compare_digest(str(flow["state"]), state):
        raise SsoFailed("the sign-in came back to another browser or was started twice")
    meta = _metadata(ctx)
    token = _exchange(ctx, meta, code, str(flow["verifier"]))
    claims = _id_claims(ctx, meta, token, str(flow["nonce"]))
    claims = _with_userinfo(ctx, meta, token, claims)
    role = role_for(claims.get(settings.oidc_role_claim), settings.oidc_roles)
    if role is None:
        raise NoRole(f"no value of the claim {settings.oidc_role_claim!r} maps to a console role")
    return _session(ctx, f"{claims['iss']} {claims['sub']}", _username(claims), role)


def role_pairs(pairs: str | None) -> list[tuple[str, Role]]:
    """The "claim value=role" pairs of the setting, in order; InvalidInput names a bad one."""
    found = []
    for pair in (pairs or "").replace(",", " ").split():
        group, _, role = pair.rpartition("=")
        if not group or role not in set(Role):
            known = ", ".join(r.value for r in Role)
            raise InvalidInput(f"TRUSTGUARDIAN_OIDC_ROLES: {pair!r} is not value=role ({known})")
        found.append((group, Role(role)))
    return found


def role_for(values: object, pairs: str | None) -> Role | None:
    """The role of the first "value=role" pair whose value the claim holds (a string or list)."""
    held = {values} if isinstance(values, str) else set()
    if isinstance(values, list):
        held = {v for v in values if isinstance(v, str)}
    return next((role for group, role in role_pairs(pairs) if group in held), None)


def _settings(ctx: Context) -> Any:
    if not enabled(ctx):
        raise SsoOff("set TRUSTGUARDIAN_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET to use it")
    return ctx.settings


def _now() -> int:
    return int(time.time())


def _key(ctx: Context) -> bytes:
    return hmac.new(ctx.blind_key, b"trustguardian console sso state", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(ctx: Context, flow: dict[str, Any]) -> str:
    body = _b64(json.dumps(flow, separators=(",", ":")).encode())
    return body + "." + _b64(hmac.new(_key(ctx), body.encode(), hashlib.sha256).digest())


def _unsign(ctx: Context, cookie: str) -> dict[str, Any]:
    body, _, mac = cookie.partition(".")
    expected = _b64(hmac.new(_key(ctx), body.encode(), hashlib.sha256).digest())
    if not body or not secrets.compare_digest(mac, expected):
        raise SsoFailed("the sign-in was not started from this browser: start it again")
    flow: dict[str, Any] = json.loads(_unb64(body))
    if int(flow.get("until", 0)) < _now():
        raise SsoFailed("the sign-in took too long: start it again")
    return flow


def _call(ctx: Context, method: str, url: str, refused: str, **request: Any) -> dict[str, Any]:
    """The JSON object the identity provider answers; any failure on the way is SsoFailed
    (`refused` names a status other than 200: `{status}` and `{url}` are filled in)."""
    with ctx.outbound.client(timeout=10) as client:
        try:
            answer = client.request(method, url, **request)
        except Exception as exc:
            raise SsoFailed(f"the identity provider could not be reached ({exc})") from None
    if answer.status_code != 200:
        raise SsoFailed(refused.format(status=answer.status_code, url=url))
    try:
        data = answer.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SsoFailed(f"the identity provider answered no JSON object at {url}")
    return data


def _get_json(ctx: Context, url: str, **headers: str) -> dict[str, Any]:
    return _call(
        ctx, "GET", url, "the identity provider answered {status} at {url}", headers=headers
    )


def _metadata(ctx: Context) -> dict[str, Any]:
    issuer = str(ctx.settings.oidc_issuer).rstrip("/")
    cached = _METADATA.get(issuer)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    meta = _get_json(ctx, issuer + "/.well-known/openid-configuration")
    if meta.get("issuer", "").rstrip("/") != issuer:
        raise SsoFailed(f"the provider at {issuer} names another issuer ({meta.get('issuer')})")
    _METADATA[issuer] = (time.monotonic() + 3600, meta)
    return meta


def _exchange(ctx: Context, meta: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
    s = ctx.settings
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(ctx),
        "code_verifier": verifier,
    }
    secret = s.oidc_client_secret.get_secret_value() if s.oidc_client_secret else ""
    token = _call(
        ctx,
        "POST",
        meta["token_endpoint"],
        "the identity provider refused the code ({status})",
        data=form,
        auth=(str(s.oidc_client_id), secret),
    )
    if not isinstance(token.get("id_token"), str):
        raise SsoFailed("the identity provider sent no ID token")
    return token


def _id_claims(
    ctx: Context, meta: dict[str, Any], token: dict[str, Any], nonce: str
) -> dict[str, Any]:
    keys = KeySet.import_key_set(cast(Any, _get_json(ctx, meta["jwks_uri"])))
    try:
        decoded = jwt.decode(token["id_token"], keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SsoFailed(f"the ID token's signature does not verify ({exc})") from None
    claims = CodeIDToken(
        dict(decoded.claims),
        dict(decoded.header),
        options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": ctx.settings.oidc_client_id},
        },
        params={"nonce": nonce},
    )
    try:
        claims.validate(now=_now(), leeway=60)
    except Exception as exc:  # Authlib: one error class per claim
        raise SsoFailed(f"the ID token is not for this sign-in ({exc})") from None
    return dict(claims)


def _with_userinfo(
    ctx: Context, meta: dict[str, Any], token: dict[str, Any], claims: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims, with the role claim read from userinfo when the token lacks it."""
    claim = ctx.settings.oidc_role_claim
    if claim in claims or not meta.get("userinfo_endpoint") or "access_token" not in token:
        return claims
    info = _get_json(
        ctx, meta["userinfo_endpoint"], Authorization=f"Bearer {token['access_token']}"
    )
    if info.get("sub") != claims.get("sub"):
        raise SsoFailed("the provider's userinfo names another person")
    return {**claims, claim: info.get(claim)}


def _username(claims: dict[str, Any]) -> str:
    for name in ("preferred_username", "email", "sub"):
        value = claims.get(name)
        if isinstance(value, str):
            cleaned = _NAME.sub("-", value.strip().lower()).strip("-._@")[:80]
            if len(cleaned) >= 2:
                return cleaned
    raise SsoFailed("the provider sent no usable user name")


def _session(ctx: Context, external_id: str, username: str, role: Role) -> Session:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        user = uow.admin.user_by_external_id(external_id)
        if user is None:
            if uow.admin.user_by_name(username) is not None:
                raise InvalidInput(
                    f"a console user named {username!r} already exists: single sign-on does not "
                    "take over an existing account"
                )
            user = AdminUser(ctx.ids.new_id("usr"), username, role, now)
            # No password: local sign-in with this account is impossible (not an argon2 hash).
            uow.admin.add_user(user, "!sso", external_id=external_id)
            record_objects(ctx, uow, ADMIN_USER, [user.id], "created", f"sso:{username}")
        elif user.disabled_at is not None:
            raise Forbidden("this console user is disabled")
        elif user.role != role:
            uow.admin.update_user(user.id, role=role.value)
            record_objects(ctx, uow, ADMIN_USER, [user.id], "role-changed", f"sso:{username}")
            user = AdminUser(user.id, user.username, role, user.created_at)
        uow.admin.update_user(user.id, last_login_at=now)
        session = start_session(ctx, uow, user, now)
        uow.commit()
    return session
