"""Campaign lists in the console: marketing uploads a CSV or XLSX list, maps its columns, picks
the purpose, channel and send time, watches the run, and downloads the allowed and rejected
files; the run is `audience filter`'s (service.engage.console_lists)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import UploadFile

from trustguardian.domain.errors import FieldError, InvalidInput
from trustguardian.domain.registry import Channel
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.console.overview import registry_purposes
from trustguardian.service.context import Context
from trustguardian.service.engage import console_lists
from trustguardian.service.engage.list_files import ListRun
from trustguardian.service.engage.list_header import ROLES
from trustguardian.web.console.core import PREFIX, CsrfSession, Ctx, SessionDep, need, redirect
from trustguardian.web.console.forms import Fields, Posted, attempt, one_click, show

router = APIRouter(prefix=f"{PREFIX}/lists", include_in_schema=False)
Marketer = Annotated[AdminUser, Depends(need(Permission.CHECK_CONTACT))]
INDEX, RUN = "lists.html", "list_run.html"


def _index(ctx: Context, user: AdminUser) -> dict[str, object]:
    return {
        "runs": console_lists.list_runs(ctx, owner=user.id),
        "limit_mb": ctx.settings.max_list_bytes // 1_048_576,
    }


def _run_page(ctx: Context, run: ListRun) -> dict[str, object]:
    purposes = registry_purposes(ctx).values()
    return {
        "run": run,
        "roles": ROLES,
        "purposes": [
            (p.key, f"{p.current.content.name} ({p.key})")
            for p in purposes
            if p.status.value != "retired"
        ],
        "channels": [(c.value, c.value) for c in Channel],
        "chosen": {str(run.names.index(column)): role for role, column in run.roles.items()},
        "refresh": run.active,
    }


@router.get("")
def index(request: Request, ctx: Ctx, session: SessionDep, user: Marketer) -> HTMLResponse:
    return show(request, session, INDEX, **_index(ctx, user))


@router.post("")
def upload(
    request: Request, ctx: Ctx, session: CsrfSession, form: Posted, user: Marketer
) -> Response:
    def action() -> Response:
        sent = form.get("list")
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise InvalidInput("choose a list to upload", errors=[FieldError("list", "no file")])
        run = console_lists.upload_list(ctx, owner=user.id, filename=sent.filename, data=sent.file)
        return redirect(f"{PREFIX}/lists/{run.id}")

    return attempt(request, session, form, INDEX, action, **_index(ctx, user))


@router.get("/{run_id}")
def run_page(
    request: Request, ctx: Ctx, session: SessionDep, run_id: str, user: Marketer
) -> HTMLResponse:
    run = console_lists.get_list_run(ctx, owner=user.id, run_id=run_id)
    return show(request, session, RUN, **_run_page(ctx, run))


@router.post("/{run_id}/run")
def start(
    request: Request, ctx: Ctx, session: CsrfSession, run_id: str, form: Posted, user: Marketer
) -> Response:
    run = console_lists.get_list_run(ctx, owner=user.id, run_id=run_id)
    zone = ZoneInfo(ctx.settings.timezone)

    def action() -> Response:
        f = Fields(form)
        columns = {
            n: role
            for n in range(len(run.names))
            if (role := f.text(f"column-{n}", required=False, limit=20))
        }
        purpose, channel = f.text("purpose", limit=64), f.choice("channel", Channel)
        at = _send_time(f, f.text("at", required=False, limit=20), zone)
        f.check()
        console_lists.start_list_run(
            ctx,
            owner=user.id,
            run_id=run.id,
            columns=columns,
            purpose=purpose,
            channel=channel,
            at=at,
        )
        return redirect(f"{PREFIX}/lists/{run.id}")

    return attempt(request, session, form, RUN, action, **_run_page(ctx, run))


def _send_time(f: Fields, text: str, zone: ZoneInfo) -> datetime | None:
    """The send time as typed (the company's time zone); none: when the run starts."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=zone)
    except ValueError:
        f.errors.append(FieldError("at", "a date and time, e.g. 2026-12-07T10:00"))
        return None


@router.get("/{run_id}/files/{which}")
def download(ctx: Ctx, _s: SessionDep, run_id: str, which: str, user: Marketer) -> FileResponse:
    run = console_lists.get_list_run(ctx, owner=user.id, run_id=run_id)
    path = console_lists.list_run_file(ctx, owner=user.id, run_id=run.id, which=which)
    # The list's own name, in characters a Content-Disposition header carries as they are.
    stem = re.sub(r"[^\w.-]+", "_", run.filename.rsplit(".", 1)[0], flags=re.ASCII) or "list"
    return FileResponse(
        path,
        media_type="text/csv; charset=utf-8",
        filename=f"{stem}-{which}.csv",
        headers={"Cache-Control": "no-store"},
    )


@router.post("/{run_id}/delete")
def delete(
    request: Request, ctx: Ctx, session: CsrfSession, run_id: str, form: Posted, user: Marketer
) -> Response:
    run = console_lists.get_list_run(ctx, owner=user.id, run_id=run_id)
    change = partial(console_lists.delete_list_run, ctx, owner=user.id, run_id=run.id)
    return one_click(request, session, form, RUN, change, f"{PREFIX}/lists", **_run_page(ctx, run))
