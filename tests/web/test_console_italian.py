"""The whole console in Italian: every page, found from the console's routes, with data in it,
shows no coded value and no English source string; times are in the company's zone."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route
from tests.web.helpers import Company
from tests.web.lists import wait_for
from tests.web.untranslated import page_text, untranslated

from trustguardian.asgi import create_app
from trustguardian.domain.registry import Channel
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.roles import Role
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.service.engage import console_lists
from trustguardian.service.events.recording import get_event
from trustguardian.service.rights.complaints import open_complaint
from trustguardian.service.rights.requests import submit_request
from trustguardian.store import tables as t

SignIn = Callable[[str], TestClient]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Routes that are no page to read: they redirect (to the identity provider too), or serve
# files, styles and frames.
NOT_PAGES = re.compile(
    r"/lang/|/static/|/file$|/snapshot$|/attachments/|/dossier$|/login$|/sso/|/lists/.*/files/"
)


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """Every route, included routers' too (FastAPI keeps those inside the router it includes)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def _console_pages(ctx: Context) -> list[str]:
    """Every GET path template of the console, as the app routes it (new pages included)."""
    return sorted(
        path
        for path, route in _routes(create_app(ctx).router.routes)
        if "GET" in (route.methods or ())
        and path.startswith("/console")
        and not NOT_PAGES.search(path)
    )


@pytest.fixture
def history(ctx: Context, company: Company, tmp_path: Path) -> dict[str, str]:
    """A rights request, a complaint, a campaign list and the access log behind the company."""
    ctx.settings.lists_dir = tmp_path / "lists"
    request = submit_request(
        ctx,
        kind=RequestKind.ACCESS,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        subject_id=company.subject_id,
        language="it",
        details="Vorrei una copia dei miei dati.",
        actor="legal",
    )
    complaint = open_complaint(
        ctx,
        touchpoint="unsubscribe-link",
        channel=Channel.EMAIL,
        summary="Ricevo ancora la newsletter.",
        actor="api",
        subject_id=company.subject_id,
        about_event_id=company.consent_event,
    )
    dpo = next(u for u in users.list_users(ctx) if u.username == "dpo")
    listed = console_lists.upload_list(
        ctx, owner=dpo.id, filename="lista.csv", data=io.BytesIO(LIST)
    )
    console_lists.start_list_run(
        ctx,
        owner=dpo.id,
        run_id=listed.id,
        columns={0: "email"},
        purpose="newsletter",
        channel=Channel.EMAIL,
        at=None,
    )
    wait_for(ctx, dpo.id, listed.id)
    return {
        "run_id": listed.id,
        "subject_id": company.subject_id,
        "event_id": company.consent_event,
        "position": "0",
        "request_id": request.id,
        "complaint_id": complaint.id,
    }


# A campaign list of the company's person (withdrawn) and a row that cannot be read.
LIST = b"E-mail;Nome\r\ngiulia.bianchi@example.it;Giulia\r\nnon-una-mail;X\r\n"
# A `{key}` names a different thing under each section.
KEYS = {"notices": "privacy-it", "purposes": "newsletter", "touchpoints": "web-newsletter"}


def _names(ctx: Context) -> tuple[str, ...]:
    """What the company named in its own words: users (one per role), touchpoints, systems."""
    with ctx.engine.connect() as conn:
        named = [*conn.execute(select(t.touchpoints.c.name)).scalars()]
        named += conn.execute(select(t.systems.c.key)).scalars()  # "crm" is a key, not a kind
        for systems in conn.execute(select(t.touchpoints.c.systems)).scalars():
            named += systems or ()
    return (*(role.value for role in Role), *named)


def _path(template: str, values: dict[str, str]) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        if name == "key":  # named by the section just before it: /console/manage/notices/{key}
            parts = template.split("/")
            return KEYS[parts[parts.index("{key}") - 1]]
        assert name in values, f"the page walk has no value for {{{name}}} in {template}"
        return values[name]

    return PLACEHOLDER.sub(value, template)


def test_every_console_page_in_italian_shows_no_untranslated_word(
    ctx: Context, history: dict[str, str], sign_in: SignIn
) -> None:
    dpo = sign_in("dpo")
    assert dpo.get("/console/lang/it?next=/console").status_code == 303
    legal = sign_in("legal")  # the access log gets a reader other than the dpo
    legal.get(f"/console/subjects/{history['subject_id']}")
    legal.get(f"/console/events/{history['event_id']}/proofs/1")
    templates = _console_pages(ctx)
    assert len(templates) >= 18, templates
    walked: dict[str, list[str]] = {}
    for template in templates:
        page = dpo.get(_path(template, history))
        assert page.status_code == 200, (template, page.status_code)
        assert 'lang="it"' in page.text
        walked[template] = untranslated(page_text(page.text, _names(ctx)))
    failures = "\n".join(f"{t}: {found}" for t, found in walked.items() if found)
    assert not failures, failures
    assert users.access_log(ctx, subject_id=history["subject_id"])


def test_the_page_text_check_finds_an_untranslated_enum_and_msgid() -> None:
    assert untranslated("Base giuridica: legitimate_interest")
    assert untranslated("Stato: consent given")
    assert untranslated("Registro delle prove · Access log")
    assert not untranslated("Base giuridica: legittimo interesse · Registro degli accessi")


def test_times_show_in_the_company_zone_in_the_readers_format(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    dpo = sign_in("dpo")
    dpo.get("/console/lang/it?next=/console")
    proof = f"/console/events/{company.consent_event}/proofs/0"
    page = page_text(dpo.get(proof).text)
    occurred = _occurred(ctx, company.consent_event)
    rome = format_datetime(
        occurred, "d MMM y, HH:mm:ss", tzinfo=ZoneInfo("Europe/Rome"), locale="it"
    )
    utc = format_datetime(occurred, "d MMM y, HH:mm:ss", tzinfo=ZoneInfo("UTC"), locale="it")
    assert rome != utc
    assert rome in page
    assert utc not in page
    ctx.settings = ctx.settings.model_copy(update={"timezone": "America/New_York"})
    elsewhere = TestClient(create_app(ctx))
    elsewhere.cookies = dpo.cookies
    moved = page_text(elsewhere.get(proof).text)
    york = format_datetime(
        occurred, "d MMM y, HH:mm:ss", tzinfo=ZoneInfo("America/New_York"), locale="it"
    )
    assert york in moved
    assert rome not in moved


def _occurred(ctx: Context, event_id: str) -> datetime:
    return get_event(ctx, event_id=event_id).occurred_at


def _in(moment: datetime, zone: str) -> str:
    """A moment as the Italian console writes it (medium date, time with seconds) in a zone."""
    return format_datetime(moment, "d MMM y, HH:mm:ss", tzinfo=ZoneInfo(zone), locale="it")
