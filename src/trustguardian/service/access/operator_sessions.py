"""Sessions of the operator page: the cookie holds a random id, never the API key itself.

Signing in with an API key opens a session that lives `console_session_hours`; only the SHA-256
of its id is stored, mapped to the key, so a copy of the database opens no session and revoking
the key ends every session opened with it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from trustguardian.domain.access import ApiKey, Scope
from trustguardian.domain.errors import Forbidden
from trustguardian.service.access.api_keys import authenticate
from trustguardian.service.context import Context


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_operator_session(ctx: Context, *, token: str) -> tuple[ApiKey, str]:
    """Opens a session for a key that may record events; returns the key and the session id."""
    key = authenticate(ctx, token=token)
    if not key.allows(Scope.EVENTS_WRITE):
        raise Forbidden("this key cannot record events")
    session_id = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    expires = now + timedelta(hours=ctx.settings.console_session_hours)
    with ctx.uow() as uow:
        uow.api_keys.add_operator_session(_digest(session_id), key.id, now, expires)
        uow.commit()
    return key, session_id


def operator_session_key(ctx: Context, *, session_id: str) -> ApiKey | None:
    """The key a live session was opened with; None when it ended, expired or was revoked."""
    if not session_id:
        return None
    with ctx.uow(write=False) as uow:
        key = uow.api_keys.operator_session_key(_digest(session_id), ctx.clock.now())
    return key if key is not None and key.allows(Scope.EVENTS_WRITE) else None


def end_operator_session(ctx: Context, *, session_id: str) -> None:
    """Ends a session (signing out); an unknown or ended one is left as it is."""
    with ctx.uow() as uow:
        uow.api_keys.end_operator_session(_digest(session_id), ctx.clock.now())
        uow.commit()
