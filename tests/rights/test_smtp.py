"""Verification codes and extension notices through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from email import message_from_bytes
from typing import Any

import pytest
from tests.factories.smtp import Inbox

from trustguardian.service.context import Context
from trustguardian.service.rights.verification import confirm_code, extend_request, send_code

from .helpers import ANNA, person, submit


@pytest.fixture
def mailed(rctx: Context, smtp: tuple[Inbox, int]) -> tuple[Context, Inbox]:
    inbox, port = smtp
    rctx.settings = rctx.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    return rctx, inbox


def _body(envelope: Any) -> str:
    message = message_from_bytes(envelope.content)
    return str(message.get_payload(decode=True).decode())


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
