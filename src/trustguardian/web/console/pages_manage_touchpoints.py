"""Touchpoints administered from the console: create, edit, retire, confirmation settings.

Every form goes through the registry's own use cases (as the API does); the leaf of each change
names the console user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.collect import LANGUAGES, Confirmation
from trustguardian.domain.registry import Channel, Nature, ProofType, TouchpointKind
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.collect import admin as collect_admin
from trustguardian.service.console.overview import registry_purposes
from trustguardian.service.context import Context
from trustguardian.service.registry import touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft, TouchpointPatch
from trustguardian.web.console.core import PREFIX, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Submitted, show
from trustguardian.web.console.pages_requests import actor
from trustguardian.web.console.registry_lists import all_notices

router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Editor = Annotated[AdminUser, Depends(need(Permission.EDIT_TOUCHPOINTS))]
TEMPLATE = "manage_touchpoint.html"


def _page(ctx: Context, key: str | None) -> dict[str, object]:
    """What the form needs to offer: the choices, the current touchpoint and its settings."""
    tp = None if key is None else touchpoints.get_touchpoint(ctx, key=key)
    settings = None
    if tp is not None and tp.kind is TouchpointKind.COLLECT and tp.status.value != "retired":
        settings = collect_admin.get_settings(ctx, touchpoint=tp.key)
    return {
        "tp": tp,
        "settings": settings,
        "kinds": [(k.value, k.value) for k in TouchpointKind],
        "channels": [(c.value, c.value) for c in Channel],
        "natures": [(n.value, n.value) for n in Nature],
        "purposes": [
            (p.key, f"{p.current.content.name} ({p.key})") for p in registry_purposes(ctx).values()
        ],
        "notices": [(n.key, f"{n.title} ({n.key})") for n in all_notices(ctx)],
        "proofs": [(p.value, p.value) for p in ProofType],
        "confirmations": [(c.value, c.value) for c in Confirmation],
        "languages": [(x, x) for x in LANGUAGES],
    }


@router.get("/touchpoints/new")
def new_touchpoint(request: Request, ctx: Ctx, session: SessionDep, _: Editor) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx, None))


@router.post("/touchpoints")
def create(ctx: Ctx, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        key, name = f.text("key", limit=64), f.text("name")
        kind, channel = f.choice("kind", TouchpointKind), f.choice("channel", Channel)
        nature = f.choice("nature", Nature)
        proofs = f.choices("required_proofs", ProofType)
        f.check()
        draft = TouchpointDraft(
            key=key,
            name=name,
            kind=kind,
            channel=channel,
            nature=nature,
            owner=f.text("owner", required=False),
            systems=f.lines("systems"),
            purposes=f.keys("purposes"),
            notice_key=f.optional("notice_key", limit=64),
            required_proofs=proofs,
            description=f.text("description", required=False, limit=5000),
        )
        tp = touchpoints.create_touchpoint(ctx, draft=draft, actor=actor(user))
        return f"{PREFIX}/touchpoints/{tp.key}"

    return post.run(TEMPLATE, _page(ctx, None), action)


@router.get("/touchpoints/{key}")
def edit_form(request: Request, ctx: Ctx, session: SessionDep, key: str, _: Editor) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx, key))


@router.post("/touchpoints/{key}")
def edit(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        name, channel, nature = (
            f.text("name"),
            f.choice("channel", Channel),
            f.choice("nature", Nature),
        )
        proofs = f.choices("required_proofs", ProofType)
        notice = f.optional("notice_key", limit=64)
        f.check()
        patch = TouchpointPatch(
            name=name,
            channel=channel,
            nature=nature,
            owner=f.text("owner", required=False),
            systems=f.lines("systems"),
            purposes=f.keys("purposes"),
            notice_key=notice,
            clear_notice=notice is None,
            required_proofs=proofs,
            description=f.text("description", required=False, limit=5000),
        )
        touchpoints.update_touchpoint(ctx, key=key, patch=patch, actor=actor(user))
        return f"{PREFIX}/touchpoints/{key}"

    return post.run(TEMPLATE, _page(ctx, key), action)


@router.post("/touchpoints/{key}/retire")
def retire(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        f.ticked("sure", "the touchpoint is to be retired")
        touchpoints.retire_touchpoint(ctx, key=key, actor=actor(user))
        return f"{PREFIX}/touchpoints/{key}"

    return post.run(TEMPLATE, _page(ctx, key), action)


@router.post("/touchpoints/{key}/confirmation")
def confirmation(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        method = f.choice("confirmation", Confirmation)
        within, attempts = f.optional_number("within_minutes"), f.number("max_attempts")
        language = f.text("language", limit=8)
        f.check()
        collect_admin.configure(
            ctx,
            touchpoint=key,
            confirmation=method,
            within_minutes=within,
            max_attempts=attempts,
            language=language,
            confirmed_by=f.optional("confirmed_by", limit=80),
            actor=actor(user),
        )
        return f"{PREFIX}/manage/touchpoints/{key}"

    return post.run(TEMPLATE, _page(ctx, key), action)
