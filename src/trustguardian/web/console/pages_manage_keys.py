"""API keys administered from the console: created with scopes and a touchpoint binding (the
token shown once, only its hash kept), revoked; through the access use cases."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.access import Scope
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.access import api_keys
from trustguardian.service.context import Context
from trustguardian.service.sync import systems
from trustguardian.web.console.core import PREFIX, CsrfSession, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Posted, attempt, one_click, show
from trustguardian.web.console.pages_requests import actor
from trustguardian.web.console.registry_lists import all_touchpoints

router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Manager = Annotated[AdminUser, Depends(need(Permission.MANAGE_KEYS))]
TEMPLATE = "manage_keys.html"


def _page(ctx: Context) -> dict[str, object]:
    return {
        "keys": sorted(api_keys.list_api_keys(ctx), key=lambda k: k.created_at, reverse=True),
        "scopes": [(s.value, s.value) for s in Scope],
        "touchpoints": [
            (tp.key, f"{tp.name} ({tp.key})")
            for tp in all_touchpoints(ctx)
            if tp.status.value != "retired"
        ],
        "systems": [(s.key, f"{s.name} ({s.key})") for s in systems.list_systems(ctx)],
        "token": None,
        "created": None,
    }


@router.get("/keys")
def page(request: Request, ctx: Ctx, session: SessionDep, _: Manager) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx))


@router.post("/keys")
def create(
    request: Request, ctx: Ctx, session: CsrfSession, form: Posted, user: Manager
) -> Response:
    def action() -> Response:
        f = Fields(form)
        name, scopes = f.text("name"), f.choices("scopes", Scope)
        touchpoint, system = f.optional("touchpoint", limit=64), f.optional("system", limit=64)
        f.check()
        key, token = api_keys.create_api_key(
            ctx,
            name=name,
            scopes=scopes,
            touchpoint_key=touchpoint,
            system_key=system,
            actor=actor(user),
        )
        values = _page(ctx) | {"token": token, "created": key}
        return show(request, session, TEMPLATE, **values)

    return attempt(request, session, form, TEMPLATE, action, **_page(ctx))


@router.post("/keys/{key_id}/revoke")
def revoke(
    request: Request, ctx: Ctx, session: CsrfSession, key_id: str, form: Posted, user: Manager
) -> Response:
    change = partial(api_keys.revoke_api_key, ctx, key_id=key_id, actor=actor(user))
    back = f"{PREFIX}/manage/keys"
    return one_click(request, session, form, TEMPLATE, change, back, **_page(ctx))
