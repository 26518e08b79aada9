"""Verification codes and extension notices through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import io
import re
import zipfile
from email import message_from_bytes
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories.smtp import Inbox

from trustguardian.asgi import create_app
from trustguardian.service.context import Context
from trustguardian.service.rights.fulfil import fulfil_request
from trustguardian.service.rights.verification import confirm_code, extend_request, send_code

from .helpers import ANNA, person, submit, text_part


@pytest.fixture
def mailed(rctx: Context, smtp: tuple[Inbox, int]) -> tuple[Context, Inbox]:
    inbox, port = smtp
    rctx.settings = rctx.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    return rctx, inbox


def _body(envelope: Any) -> str:
    return text_part(envelope.content).decode()


def test_the_code_and_the_extension_reach_the_person_by_smtp(
    mailed: tuple[Context, Inbox],
) -> None:
    ctx, inbox = mailed
    person(ctx)
    request_id = submit(ctx)
    send_code(ctx, request_id=request_id)
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [ANNA]
    code = re.search(r"\b(\d{6})\b", _body(envelope)).group(1)  # type: ignore[union-attr]
    confirm_code(ctx, request_id=request_id, code=code)
    view = extend_request(
        ctx, request_id=request_id, reason="Verifiche presso i fornitori", actor="dpo"
    )
    notice = inbox.messages[-1]
    assert "Verifiche presso i fornitori" in _body(notice)
    assert view.due_on.isoformat() in _body(notice)
    assert message_from_bytes(notice.content)["Message-ID"] == view.extension_message_id


def test_the_access_answer_reaches_the_person_by_smtp_with_a_working_link(
    mailed: tuple[Context, Inbox],
) -> None:
    ctx, inbox = mailed
    person(ctx)
    request_id = submit(ctx)
    send_code(ctx, request_id=request_id)
    code = re.search(r"\b(\d{6})\b", _body(inbox.messages[-1])).group(1)  # type: ignore[union-attr]
    confirm_code(ctx, request_id=request_id, code=code)
    fulfil_request(ctx, request_id=request_id, actor="dpo", outcome="Ecco i suoi dati")
    answer = inbox.messages[-1]
    assert answer.rcpt_tos == [ANNA]
    body = _body(answer)
    assert "Ecco i suoi dati" in body
    link = re.search(r"(/rights/answer/\S+)", body).group(1)  # type: ignore[union-attr]
    with TestClient(create_app(ctx)) as browser:
        got = browser.post(link)
        assert got.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
        assert sorted(names) == ["data.csv", "data.json", "information.json"]
        assert browser.post(link).status_code == 410
