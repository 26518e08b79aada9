"""API key authentication and the authorisation of every /v1 route.

Each route declares one grant, `require(scope, reach)`: the scope a key needs and what the route
acts on, named by a path parameter. The dependency authenticates the key, checks the scope and
confines a touchpoint-bound key to its own touchpoint's resources (service.access.reach decides);
ids a route takes from a body go through `confine`, listings through `confined_touchpoint`.
tests/api/test_route_access.py holds every route to the key kinds allowed to reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from trustguardian.domain.access import ApiKey, Grant, Reach, Scope
from trustguardian.domain.errors import Forbidden, Unauthorized
from trustguardian.service.access import reach as reaching
from trustguardian.service.access.api_keys import authenticate
from trustguardian.service.context import Context

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer tg_...`")

# The path parameter that names the resource of each reach, unless a route names another.
PARAMS = {
    Reach.TOUCHPOINT: "key",
    Reach.SUBJECT: "subject_id",
    Reach.EVENT: "event_id",
    Reach.REQUEST: "request_id",
    Reach.COMPLAINT: "complaint_id",
    Reach.LINK: "token_id",
    Reach.CONFIRMATION: "confirmation_id",
}


async def get_context(request: Request) -> Context:
    """The process's context, set on the app at start."""
    ctx: Context = request.app.state.context
    return ctx


def require(scope: Scope, reach: Reach = Reach.ANY) -> Callable[..., ApiKey]:
    """A route's grant, as a dependency: authenticates the caller, checks the scope, and
    confines a bound key to what `reach` names in the path."""
    grant = Grant(scope, reach, PARAMS.get(reach))

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
        ctx: Context = Depends(get_context),
    ) -> ApiKey:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
        key = authorise(ctx, token=credentials.credentials, scope=scope)
        named = request.path_params.get(grant.param) if grant.param else None
        reaching.check_reach(ctx, key=key, reach=reach, resource_ids=[named] if named else [])
        return key

    dependency.grant = grant  # type: ignore[attr-defined]  # read by the route table test
    return dependency


def authorise(ctx: Context, *, token: str, scope: Scope) -> ApiKey:
    """The live key a bearer token stands for, if it holds the scope (else refuses)."""
    key = authenticate(ctx, token=token)
    if not key.allows(scope):
        raise Forbidden(f"this key lacks the scope {scope.value!r}")
    return key


def confine(ctx: Context, key: ApiKey, reach: Reach, ids: Iterable[str | None]) -> None:
    """Confines a bound key to the resources a body names (touchpoints, subjects, events)."""
    named = [i for i in ids if i is not None]
    reaching.check_reach(ctx, key=key, reach=reach, resource_ids=named)


def confined_touchpoint(key: ApiKey, asked: str | None = None) -> str | None:
    """The touchpoint a listing is limited to: a bound key's own, whatever it asked for."""
    return reaching.touchpoint_filter(key, asked)
