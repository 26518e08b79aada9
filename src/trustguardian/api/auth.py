"""API key authentication and scope checks for every /v1 endpoint."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from trustguardian.domain.access import ApiKey, Scope
from trustguardian.domain.errors import Forbidden, Unauthorized
from trustguardian.service.access.api_keys import authenticate
from trustguardian.service.context import Context

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer tg_...`")


async def get_context(request: Request) -> Context:
    """The process's context, set on the app at start."""
    ctx: Context = request.app.state.context
    return ctx


def require(scope: Scope, *, unbound: bool = False) -> Callable[..., ApiKey]:
    """A dependency that authenticates the caller and checks one scope.

    With `unbound`, a key bound to one touchpoint is refused: the endpoint acts beyond it.
    """

    def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
        ctx: Context = Depends(get_context),
    ) -> ApiKey:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
        return authorise(ctx, token=credentials.credentials, scope=scope, unbound=unbound)

    return dependency


def authorise(ctx: Context, *, token: str, scope: Scope, unbound: bool = False) -> ApiKey:
    """The live key a bearer token stands for, if it holds the scope (else refuses)."""
    key = authenticate(ctx, token=token)
    if not key.allows(scope):
        raise Forbidden(f"this key lacks the scope {scope.value!r}")
    if unbound:
        check_unbound(key)
    return key


def check_unbound(key: ApiKey) -> None:
    """Refuses a touchpoint-bound key acting on the registry beyond its own touchpoint."""
    if key.touchpoint_key is not None:
        raise Forbidden(f"this key may act only for touchpoint {key.touchpoint_key!r}")


def check_touchpoint(key: ApiKey, touchpoint_key: str) -> None:
    """Refuses a touchpoint-bound key acting for another touchpoint."""
    if key.touchpoint_key is not None and key.touchpoint_key != touchpoint_key:
        raise Forbidden(f"this key may act only for touchpoint {key.touchpoint_key!r}")
