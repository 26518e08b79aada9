"""Notices administered from the console: create, write a draft, preview it beside the version
in force, publish it; through the registry's use cases (a published text never changes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import NoticeVersion
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.console.subject import line_diff
from trustguardian.service.context import Context
from trustguardian.service.registry import notices
from trustguardian.web.console.core import PREFIX, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Submitted, show
from trustguardian.web.console.pages_requests import actor

router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Editor = Annotated[AdminUser, Depends(need(Permission.EDIT_NOTICES))]
TEMPLATE = "manage_notice.html"
NOTICE_TEXT = 200_000


def _page(ctx: Context, key: str | None) -> dict[str, object]:
    if key is None:
        return {"notice": None}
    notice, versions = notices.get_notice(ctx, key=key)
    draft = _draft(versions)
    published = [v for v in versions if v.published]
    previous = published[-1] if published else None
    diff = line_diff(previous.text, draft.text) if draft and previous else []
    return {
        "notice": notice,
        "versions": versions,
        "draft": draft,
        "previous": previous,
        "diff": diff,
    }


@router.get("/notices/new")
def new_notice(request: Request, ctx: Ctx, session: SessionDep, _: Editor) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx, None))


@router.post("/notices")
def create(ctx: Ctx, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        key, language, title = (
            f.text("key", limit=64),
            f.text("language", limit=16),
            f.text("title"),
        )
        f.check()
        notices.create_notice(ctx, key=key, language=language, title=title, actor=actor(user))
        return f"{PREFIX}/manage/notices/{key}"

    return post.run(TEMPLATE, _page(ctx, None), action)


@router.get("/notices/{key}")
def manage(request: Request, ctx: Ctx, session: SessionDep, key: str, _: Editor) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx, key))


@router.post("/notices/{key}/draft")
def save_draft(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    page = _page(ctx, key)

    def action(f: Fields) -> str:
        text = f.text("text", limit=NOTICE_TEXT)
        f.check()
        text += "\n"  # a textarea drops the final line end; the stored text keeps one
        draft = _draft(notices.get_notice(ctx, key=key)[1])
        if draft is None:
            notices.add_notice_version(ctx, key=key, text=text, publish=False, actor=actor(user))
        else:
            notices.update_notice_draft(
                ctx, key=key, version=draft.version, text=text, actor=actor(user)
            )
        return f"{PREFIX}/manage/notices/{key}#preview"

    return post.run(TEMPLATE, page, action)


@router.post("/notices/{key}/publish")
def publish(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        version = f.number("version")
        moment = _moment(f.text("effective_from", required=False, limit=32))
        if not f.flag("final"):
            f.errors.append(FieldError("final", "tick the box: a published text never changes"))
        f.check()
        notices.publish_notice_version(
            ctx,
            key=key,
            version=version,
            effective_from=moment or ctx.clock.now(),
            actor=actor(user),
        )
        return f"{PREFIX}/notices/{key}"

    return post.run(TEMPLATE, _page(ctx, key), action)


def _draft(versions: list[NoticeVersion]) -> NoticeVersion | None:
    """The draft being written: the newest version, while it is unpublished."""
    return versions[-1] if versions and not versions[-1].published else None


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(
            "the date is not YYYY-MM-DD HH:MM",
            errors=[FieldError("effective_from", "YYYY-MM-DD HH:MM, in UTC")],
        ) from None
