"""The console's campaign lists over HTTP on both backends: marketing uploads a list, maps its
columns, and downloads the same files `audience filter` writes; roles that may not check
contacts get 403; a list that cannot be read comes back as the upload page with one sentence,
a list over the limit as a 413 page, and nothing of either is kept."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import csrf_of
from tests.web.helpers import Company
from tests.web.lists import CHANNEL, PURPOSE, add_listed_people, audience_filter, campaign_list
from tests.web.untranslated import page_text, untranslated

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.service.engage.list_files import lists_dir

SignIn = Callable[[str], TestClient]
RUN_PAGE = re.compile(r"/console/lists/(lst_[0-9a-f]{32})$")


@pytest.fixture(autouse=True)
def own_lists_dir(ctx: Context, tmp_path: Path) -> None:
    """This test's lists in its own directory (PostgreSQL's default is the system's)."""
    ctx.settings.lists_dir = tmp_path / "lists"


def _upload(client: TestClient, name: str, data: bytes) -> httpx.Response:
    return client.post(
        "/console/lists",
        data={"csrf_token": csrf_of(client, "/console/lists")},
        files={"list": (name, data, "text/csv")},
    )


def _finished(client: TestClient, page: str) -> str:
    """The run's page once it no longer refreshes itself (a hung run fails, never hangs)."""
    deadline = time.monotonic() + 300
    while True:
        text = client.get(page).text
        if 'http-equiv="refresh"' not in text:
            return text
        assert time.monotonic() < deadline, text
        time.sleep(0.1)


def test_marketing_maps_a_list_and_downloads_the_audience_filters_files(
    ctx: Context, company: Company, sign_in: SignIn, tmp_path: Path
) -> None:
    listed = add_listed_people(ctx, "web")
    data = campaign_list(listed, 800)
    marketing = sign_in("marketing")
    assert 'href="/console/lists"' in marketing.get("/console").text  # in the navigation
    answer = _upload(marketing, "campagna.csv", data)
    assert answer.status_code == 303, answer.text
    page = answer.headers["location"]
    found = RUN_PAGE.search(page)
    assert found is not None
    mapping = marketing.get(page).text
    assert "800" in mapping
    assert '<option value="email" selected>' in mapping  # E-mail, read by its name
    started = marketing.post(
        f"{page}/run",
        data={
            "csrf_token": csrf_of(marketing, page),
            "column-1": "email",
            "purpose": PURPOSE,
            "channel": CHANNEL,
            "at": "",
        },
    )
    assert started.status_code == 303, started.text
    text = _finished(marketing, page)
    assert 'data-state="done"' in text, text
    good = marketing.get(f"{page}/files/allowed")
    bad = marketing.get(f"{page}/files/rejected")
    assert good.status_code == bad.status_code == 200
    assert "campagna-allowed.csv" in good.headers["content-disposition"]
    source = tmp_path / "campagna.csv"
    source.write_bytes(data)
    # The CLI reads every identifier column it finds: `Codice cliente` is empty in every row.
    assert (good.content, bad.content) == audience_filter(ctx, source, tmp_path)
    # Another user sees neither the run nor its files.
    dpo = sign_in("dpo")
    assert dpo.get(page).status_code == 404
    assert dpo.get(f"{page}/files/allowed").status_code == 404
    assert found.group(1) not in dpo.get("/console/lists").text


@pytest.mark.parametrize("role", ["legal", "ict", "auditor"])
def test_roles_that_may_not_check_contacts_get_403(
    role: str, company: Company, sign_in: SignIn
) -> None:
    client = sign_in(role)
    assert client.get("/console/lists").status_code == 403
    assert 'href="/console/lists"' not in client.get("/console").text
    answer = client.post(
        "/console/lists",
        data={"csrf_token": csrf_of(client)},
        files={"list": ("l.csv", b"email\na@b.it\n", "text/csv")},
    )
    assert answer.status_code == 403


def test_an_unreadable_list_comes_back_with_one_sentence_writing_nothing(
    ctx: Context, company: Company, sign_in: SignIn
) -> None:
    marketing = sign_in("marketing")
    for name, data, words in [
        ("vuota.csv", b"", "is empty"),
        ("pipe.csv", b"email|nome\na@b.it|x\n", "single column"),
        ("rotta.xlsx", b"PK\x03\x04garbage", "not a readable XLSX"),
    ]:
        answer = _upload(marketing, name, data)
        assert answer.status_code == 422, (name, answer.status_code)
        assert words in answer.text
        assert 'id="form-error"' in answer.text
    root = lists_dir(ctx)
    assert not root.exists() or not any(root.iterdir())


def test_a_list_over_the_limit_is_a_413_page_and_not_kept(
    ctx: Context, company: Company, tmp_path: Path
) -> None:
    settings = ctx.settings.model_copy(
        update={"max_list_bytes": 4096, "lists_dir": tmp_path / "lists"}
    )
    small = dataclasses.replace(ctx, settings=settings)
    client = TestClient(create_app(small), follow_redirects=False)
    form = client.get("/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    signed = client.post(
        "/console/login",
        data={
            "username": "marketing",
            "password": "correct horse battery staple",
            "csrf_token": token.group(1),
        },
    )
    assert signed.status_code == 303
    big = b"email\n" + b"mario.rossi@example.it\n" * 300
    answer = _upload(client, "grande.csv", big)
    assert answer.status_code == 413
    assert "4096 bytes" in answer.text
    huge = _upload(client, "enorme.csv", big * 20)  # past the form's room too: problem+json
    assert huge.status_code == 413
    assert huge.headers["content-type"] == "application/problem+json"
    assert not (tmp_path / "lists").exists() or not any((tmp_path / "lists").iterdir())


def test_the_column_map_in_italian_shows_no_untranslated_word_and_refuses_a_wrong_map(
    company: Company, sign_in: SignIn
) -> None:
    marketing = sign_in("marketing")
    assert marketing.get("/console/lang/it?next=/console/lists").status_code == 303
    answer = _upload(marketing, "lista.csv", b"Nome;E-mail;Canale\r\nMario;m@example.it;sms\r\n")
    page = answer.headers["location"]
    mapping = marketing.get(page).text
    assert 'lang="it"' in mapping
    assert "non letta" in mapping
    assert not untranslated(page_text(mapping, ("Nome", "E-mail", "Canale", "lista.csv")))
    refused = marketing.post(
        f"{page}/run",
        data={
            "csrf_token": csrf_of(marketing, page),
            "column-0": "purpose",  # no identifier
            "purpose": PURPOSE,
            "channel": CHANNEL,
            "at": "domani",
        },
    )
    assert refused.status_code == 422
    assert 'id="form-error"' in refused.text
    assert "<code>at</code>" in refused.text
    assert 'data-state="mapping"' in marketing.get(page).text  # nothing started
