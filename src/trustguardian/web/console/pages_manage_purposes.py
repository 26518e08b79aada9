"""Purposes administered from the console: create, new versions (with a name and description
per language, legal basis, lifetime, recipients), retire; through the registry's use cases."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from trustguardian.domain.errors import FieldError
from trustguardian.domain.registry import Channel, LegalBasis, Purpose, PurposeContent, PurposeLabel
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.registry import purposes
from trustguardian.web.console.core import PREFIX, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Submitted, show
from trustguardian.web.console.pages_requests import actor

router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Editor = Annotated[AdminUser, Depends(need(Permission.EDIT_PURPOSES))]
TEMPLATE = "manage_purpose.html"
LABEL_LANGUAGES = ("it", "en")  # offered on every form; a purpose's other labels are kept too


def _page(purpose: Purpose | None) -> dict[str, object]:
    c = purpose.current.content if purpose else None
    labels = {x.language: x for x in c.labels} if c else {}
    return {
        "key": purpose.key if purpose else "",
        "purpose_status": purpose.status.value if purpose else "",
        "c": c,
        "labels": labels,
        "languages": list(dict.fromkeys([*LABEL_LANGUAGES, *labels])),
        "bases": [(b.value, b.value) for b in LegalBasis],
        "channels": [(ch.value, ch.value) for ch in Channel],
    }


def _content(f: Fields, current: PurposeContent | None) -> PurposeContent:
    """The content the form states; what the form does not show is kept from `current`."""
    form = f.form
    name, description = f.text("name"), f.text("description", required=False, limit=20_000)
    basis = f.choice("legal_basis", LegalBasis)
    channels = f.choices("channels", Channel)
    controller = f.text("controller")
    retention_days = f.number("retention_days")
    lifetime = f.optional_number("consent_lifetime_days")
    labels = []
    languages = {str(k).split(".", 1)[1] for k in form if str(k).startswith("label_name.")}
    for lang in sorted(languages):
        label = f.text(f"label_name.{lang}", required=False)
        text = f.text(f"label_description.{lang}", required=False, limit=20_000)
        if label:
            labels.append(PurposeLabel(lang, label, text))
        elif text:
            f.errors.append(FieldError(f"label_name.{lang}", "a description needs a name"))
    f.check()
    stated = PurposeContent(
        name=name,
        description=description,
        legal_basis=basis,
        channels=tuple(channels),
        controller=controller,
        retention_days=retention_days,
        consent_lifetime_days=lifetime,
        marketing=f.flag("marketing"),
        analogous_products=f.flag("analogous_products"),
        recipients=tuple(f.lines("recipients")),
        retention=f.text("retention", required=False, limit=20_000),
        labels=tuple(labels),
    )
    if current is None:
        return stated
    return dataclasses.replace(
        stated,
        transfers=current.transfers,
        data_categories=current.data_categories,
        subject_categories=current.subject_categories,
    )


@router.get("/purposes/new")
def new_purpose(request: Request, session: SessionDep, _: Editor) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(None))


@router.post("/purposes")
def create(ctx: Ctx, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        key = f.text("key", required=False, limit=64)
        content = _content(f, None)
        purposes.create_purpose(ctx, key=key, content=content, actor=actor(user))
        return f"{PREFIX}/purposes/{key}"

    return post.run(TEMPLATE, _page(None), action)


@router.get("/purposes/{key}")
def edit_form(request: Request, ctx: Ctx, session: SessionDep, key: str, _: Editor) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(purposes.get_purpose(ctx, key=key)))


@router.post("/purposes/{key}")
def revise(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    purpose = purposes.get_purpose(ctx, key=key)

    def action(f: Fields) -> str:
        content = _content(f, purpose.current.content)
        purposes.revise_purpose(ctx, key=key, content=content, actor=actor(user))
        return f"{PREFIX}/purposes/{key}"

    return post.run(TEMPLATE, _page(purpose), action)


@router.post("/purposes/{key}/retire")
def retire(ctx: Ctx, key: str, post: Submitted, user: Editor) -> Response:
    def action(f: Fields) -> str:
        f.ticked("sure", "the purpose is to be retired")
        purposes.retire_purpose(ctx, key=key, actor=actor(user))
        return f"{PREFIX}/purposes/{key}"

    return post.run(TEMPLATE, _page(purposes.get_purpose(ctx, key=key)), action)
