"""API keys administered from the console: created with scopes and a touchpoint binding (the
token shown once, only its hash kept), their scopes and binding changed, revoked; through the
access use cases the API uses."""

from __future__ import annotations

from functools import partial
from typing import Annotated, TypedDict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.access import Scope
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.access import api_keys
from trustguardian.service.context import Context
from trustguardian.service.sync import systems
from trustguardian.web.console.core import PREFIX, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Submitted, show
from trustguardian.web.console.pages_requests import actor
from trustguardian.web.console.registry_lists import all_touchpoints


class Grant(TypedDict):
    scopes: list[Scope]
    touchpoint_key: str | None
    system_key: str | None


router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Manager = Annotated[AdminUser, Depends(need(Permission.MANAGE_KEYS))]
TEMPLATE = "manage_keys.html"
CHANGE_TEMPLATE = "manage_key.html"
BACK = f"{PREFIX}/manage/keys"


def _choices(ctx: Context) -> dict[str, object]:
    """The scopes, touchpoints and systems a key may be given."""
    return {
        "scopes": [(s.value, s.value) for s in Scope],
        "touchpoints": [
            (tp.key, f"{tp.name} ({tp.key})")
            for tp in all_touchpoints(ctx)
            if tp.status.value != "retired"
        ],
        "systems": [(s.key, f"{s.name} ({s.key})") for s in systems.list_systems(ctx)],
    }


def _page(ctx: Context) -> dict[str, object]:
    return _choices(ctx) | {
        "keys": sorted(api_keys.list_api_keys(ctx), key=lambda k: k.created_at, reverse=True),
        "token": None,
        "created": None,
    }


def _key_page(ctx: Context, key_id: str) -> dict[str, object]:
    return _choices(ctx) | {"key": api_keys.get_api_key(ctx, key_id=key_id)}


def _grant(f: Fields) -> Grant:
    """The scopes and binding a key form states (refused at once when a field is wrong)."""
    grant = Grant(
        scopes=f.choices("scopes", Scope),
        touchpoint_key=f.optional("touchpoint", limit=64),
        system_key=f.optional("system", limit=64),
    )
    f.check()
    return grant


@router.get("/keys")
def page(request: Request, ctx: Ctx, session: SessionDep, _: Manager) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx))


@router.post("/keys")
def create(ctx: Ctx, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> Response:
        name = f.text("name")
        key, token = api_keys.create_api_key(ctx, name=name, **_grant(f), actor=actor(user))
        return post.show(TEMPLATE, **_page(ctx) | {"token": token, "created": key})

    return post.run(TEMPLATE, _page(ctx), action)


@router.post("/keys/{key_id}/revoke")
def revoke(ctx: Ctx, key_id: str, post: Submitted, user: Manager) -> Response:
    change = partial(api_keys.revoke_api_key, ctx, key_id=key_id, actor=actor(user))
    return post.click(TEMPLATE, _page(ctx), change, BACK)


@router.get("/keys/{key_id}")
def change_form(
    request: Request, ctx: Ctx, session: SessionDep, key_id: str, _: Manager
) -> HTMLResponse:
    return show(request, session, CHANGE_TEMPLATE, **_key_page(ctx, key_id))


@router.post("/keys/{key_id}")
def change(ctx: Ctx, key_id: str, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> str:
        api_keys.change_api_key(ctx, key_id=key_id, **_grant(f), actor=actor(user))
        return BACK

    return post.run(CHANGE_TEMPLATE, _key_page(ctx, key_id), action)
