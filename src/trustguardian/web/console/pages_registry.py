"""Purposes and notices with their versions, and a diff between two versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.domain.registry import PurposeVersion
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.console.overview import registry_purposes
from trustguardian.service.console.subject import line_diff
from trustguardian.service.registry import notices, purposes
from trustguardian.web.console.core import (
    PREFIX,
    CsrfSession,
    Ctx,
    SessionDep,
    need,
    redirect,
    render,
)
from trustguardian.web.console.registry_lists import all_notices

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Registry = Annotated[AdminUser, Depends(need(Permission.VIEW_REGISTRY))]


@router.get("/purposes")
def purpose_list(request: Request, ctx: Ctx, session: SessionDep, _: Registry) -> HTMLResponse:
    found = list(registry_purposes(ctx).values())
    return render(request, "purposes.html", session=session, purposes=found)


def purpose_text(v: PurposeVersion) -> str:
    """A purpose version as lines of `field: value`, so two versions can be diffed."""
    c = v.content
    return "\n".join(
        [
            f"name: {c.name}",
            f"description: {c.description}",
            f"legal basis: {c.legal_basis.value}",
            f"channels: {', '.join(ch.value for ch in c.channels)}",
            f"controller: {c.controller}",
            f"retention days: {c.retention_days}",
            f"consent lifetime days: {c.consent_lifetime_days or '—'}",
            f"marketing: {'yes' if c.marketing else 'no'}",
            f"analogous products (soft spam): {'yes' if c.analogous_products else 'no'}",
            f"recipients: {', '.join(c.recipients) or '—'}",
            *(f"name ({x.language}): {x.name}" for x in c.labels),
            *(f"description ({x.language}): {x.description}" for x in c.labels),
        ]
    )


def _pick(versions: list[int], wanted: int | None, default: int) -> int:
    if wanted is None:
        return default
    if wanted not in versions:
        raise NotFound(f"no version {wanted}")
    return wanted


@router.get("/purposes/{key}")
def purpose(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    key: str,
    _: Registry,
    a: int | None = None,
    b: int | None = None,
) -> HTMLResponse:
    current = purposes.get_purpose(ctx, key=key)
    versions = purposes.purpose_versions(ctx, key=key)
    numbers = [v.version for v in versions]
    vb = _pick(numbers, b, numbers[-1])
    va = _pick(numbers, a, numbers[-2] if len(numbers) > 1 else numbers[-1])
    by_number = {v.version: v for v in versions}
    return render(
        request,
        "versions.html",
        session=session,
        title=current.current.content.name,
        key=key,
        back=f"{PREFIX}/purposes",
        back_label="Purposes",
        notice=False,
        facts=[
            ("Status", "record status", current.status.value),
            ("Current version", None, current.current.version),
        ],
        editable=False,
        versions=versions,
        a=va,
        b=vb,
        diff=line_diff(purpose_text(by_number[va]), purpose_text(by_number[vb])),
        shown=by_number[vb],
        shown_text=purpose_text(by_number[vb]),
    )


@router.get("/notices")
def notice_list(request: Request, ctx: Ctx, session: SessionDep, _: Registry) -> HTMLResponse:
    return render(request, "notices.html", session=session, notices=all_notices(ctx))


@router.get("/notices/{key}")
def notice(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    key: str,
    _: Registry,
    a: int | None = None,
    b: int | None = None,
) -> HTMLResponse:
    found, versions = notices.get_notice(ctx, key=key)
    if not versions:
        raise NotFound(f"notice {key!r} has no version yet")
    numbers = [v.version for v in versions]
    vb = _pick(numbers, b, numbers[-1])
    va = _pick(numbers, a, numbers[-2] if len(numbers) > 1 else numbers[-1])
    by_number = {v.version: v for v in versions}
    return render(
        request,
        "versions.html",
        session=session,
        title=found.title,
        key=key,
        back=f"{PREFIX}/notices",
        back_label="Notices",
        notice=True,
        facts=[
            ("Language", "language", found.language),
            ("Status", "record status", found.status.value),
        ],
        editable=found.status.value == "active",
        versions=versions,
        a=va,
        b=vb,
        diff=line_diff(by_number[va].text, by_number[vb].text),
        shown=by_number[vb],
        shown_text=by_number[vb].text,
    )


@router.post("/notices/{key}/versions")
def publish_version(
    ctx: Ctx,
    session: CsrfSession,
    key: str,
    text: Annotated[str, Form(max_length=200_000)],
    _: Annotated[AdminUser, Depends(need(Permission.EDIT_NOTICES))],
    final: Annotated[bool, Form()] = False,
) -> Response:
    """Publishes a new version, in force now; published versions never change, hence `final`."""
    if not final:
        raise InvalidInput(
            "confirm that the text is final: a published version can never change",
            errors=[FieldError("final", "tick the box")],
        )
    # Browsers send CRLF line ends from a textarea; the stored text keeps the notice's LF ends.
    version = notices.add_notice_version(ctx, key=key, text=text.replace("\r\n", "\n"))
    return redirect(f"{PREFIX}/notices/{key}?b={version.version}")
