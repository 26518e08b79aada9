"""Signed tokens for links sent to people: confirmation, unsubscribe, preference centre.

A token is `base64url(claims JSON) "." base64url(HMAC-SHA256(key, claims JSON))`. The claims
carry only pseudonymous ids (never an e-mail or a phone number), so the token can sit in a URL.
Whether a token was used or revoked is the store's business, not the signature's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Final

import orjson

PURPOSE_LINK_TOKENS: Final = "link-tokens/v1"
"""`derive_key` purpose of the key that signs link tokens."""


class TokenForged(ValueError):
    """The token is malformed or its signature does not match."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decodes only the canonical form `_b64` writes: no padding, no stray characters, no
    unused bits set; so one token has exactly one spelling."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def sign_token(key: bytes, claims: dict[str, Any]) -> str:
    payload = orjson.dumps(claims, option=orjson.OPT_SORT_KEYS)
    mac = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def open_token(key: bytes, token: str) -> dict[str, Any]:
    """Returns the claims of a token signed with `key`; raises `TokenForged` otherwise."""
    head, dot, tail = token.partition(".")
    if not dot or len(token) > 4096:
        raise TokenForged("not a token")
    try:
        payload, mac = _unb64(head), _unb64(tail)
    except (ValueError, TypeError) as exc:
        raise TokenForged("not a token") from exc
    expected = hmac.new(key, payload, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise TokenForged("the signature does not match")
    try:
        claims = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise TokenForged("not a token") from exc
    if not isinstance(claims, dict):
        raise TokenForged("not a token")
    return claims
