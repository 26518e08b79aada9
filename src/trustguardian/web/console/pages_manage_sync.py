"""Company systems and their webhooks administered from the console: register a system,
subscribe a webhook (its secret shown once), rotate the secret, disable or enable it, and read,
retry or discard the dead letters; through the sync use cases (the CLI's and the API's), each
change a ledger leaf naming the user."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.domain.events import EventKind
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.domain.sync import SystemKind
from trustguardian.service.console.overview import registry_purposes
from trustguardian.service.context import Context
from trustguardian.service.sync import systems, webhooks
from trustguardian.web.console.core import PREFIX, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Submission, Submitted, show
from trustguardian.web.console.pages_requests import actor

router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Manager = Annotated[AdminUser, Depends(need(Permission.MANAGE_SYSTEMS))]
TEMPLATE = "manage_systems.html"
BACK = f"{PREFIX}/manage/systems"
DEAD_LETTERS = "dead_letters.html"
# The use cases the CLI's `sync dead-letters retry|discard` runs, by the console's path.
MOVES = {"retry": webhooks.retry_dead_letters, "discard": webhooks.discard_dead_letters}


def _page(ctx: Context) -> dict[str, object]:
    found = systems.list_systems(ctx)
    return {
        "systems": found,
        "webhooks": systems.list_webhooks(ctx),
        "kinds": [(k.value, k.value) for k in SystemKind],
        "system_choices": [(s.key, f"{s.name} ({s.key})") for s in found],
        "event_kinds": [(k.value, k.value) for k in EventKind],
        "purposes": [(p.key, p.key) for p in registry_purposes(ctx).values()],
        "secret": None,
        "secret_for": None,
    }


def _secret_page(post: Submission, ctx: Context, hook_id: str, secret: str) -> HTMLResponse:
    """The page again, with a secret shown this once (never cached: the console's headers)."""
    return post.show(TEMPLATE, **_page(ctx) | {"secret": secret, "secret_for": hook_id})


@router.get("/systems")
def page(request: Request, ctx: Ctx, session: SessionDep, _: Manager) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx))


@router.post("/systems")
def create_system(ctx: Ctx, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> str:
        key, name, kind = f.text("key", limit=64), f.text("name"), f.choice("kind", SystemKind)
        f.check()
        systems.create_system(ctx, key=key, name=name, kind=kind, actor=actor(user))
        return BACK

    return post.run(TEMPLATE, _page(ctx), action)


@router.post("/webhooks")
def create_webhook(ctx: Ctx, post: Submitted, user: Manager) -> Response:
    def action(f: Fields) -> Response:
        system, url = f.text("system", limit=64), f.text("url", limit=2000)
        kinds = f.choices("event_kinds", EventKind)
        f.check()
        hook, secret = systems.create_webhook(
            ctx,
            system_key=system,
            url=url,
            event_kinds=kinds,
            purposes=f.keys("purposes"),
            from_start=f.flag("from_start"),
            actor=actor(user),
        )
        return _secret_page(post, ctx, hook.id, secret)

    return post.run(TEMPLATE, _page(ctx), action)


@router.post("/webhooks/{hook_id}/rotate")
def rotate(ctx: Ctx, hook_id: str, post: Submitted, user: Manager) -> Response:
    def action(_: Fields) -> Response:
        secret = systems.rotate_secret(ctx, hook_id=hook_id, actor=actor(user))
        return _secret_page(post, ctx, hook_id, secret)

    return post.run(TEMPLATE, _page(ctx), action)


@router.post("/webhooks/{hook_id}/disable")
def disable(ctx: Ctx, hook_id: str, post: Submitted, user: Manager) -> Response:
    change = partial(webhooks.disable_webhook, ctx, hook_id=hook_id, actor=actor(user))
    return post.click(TEMPLATE, _page(ctx), change, BACK)


@router.post("/webhooks/{hook_id}/enable")
def enable(ctx: Ctx, hook_id: str, post: Submitted, user: Manager) -> Response:
    change = partial(webhooks.enable_webhook, ctx, hook_id=hook_id, actor=actor(user))
    return post.click(TEMPLATE, _page(ctx), change, BACK)


def _letters(ctx: Context) -> dict[str, object]:
    return {"letters": webhooks.list_dead_letters(ctx, limit=500), "moved": None}


@router.get("/dead-letters")
def dead_letters(request: Request, ctx: Ctx, session: SessionDep, _: Manager) -> HTMLResponse:
    return show(request, session, DEAD_LETTERS, **_letters(ctx))


@router.post("/dead-letters/{what}")
def move_dead_letters(ctx: Ctx, what: str, post: Submitted, user: Manager) -> Response:
    """Retries or discards one dead letter (a webhook and an event), or all of a system's."""

    def action(f: Fields) -> Response:
        if what not in MOVES:
            raise NotFound(f"no way to move dead letters called {what!r}")
        hook, system = f.optional("webhook", limit=40), f.optional("system", limit=64)
        seq = f.optional_number("seq")
        f.check()
        if hook is None and system is None:
            raise InvalidInput(
                "name a webhook or a system", errors=[FieldError("system", "must not be empty")]
            )
        count = MOVES[what](
            ctx,
            hook_id=hook,
            system=system,
            seqs=None if seq is None else [seq],
            actor=actor(user),
        )
        return post.show(DEAD_LETTERS, **_letters(ctx) | {"moved": (what, count)})

    return post.run(DEAD_LETTERS, _letters(ctx), action)
