"""Messaging adapters against real local peers: an SMTP server and an HTTP SMS gateway."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.factories.smtp import Inbox

from trustguardian.messaging import EmailMessage, SmsMessage, mailer_for, sms_sender_for
from trustguardian.messaging.adapters import DirectoryMailer, HttpSmsGateway
from trustguardian.messaging.ports import MessagingError
from trustguardian.outbound import Outbound
from trustguardian.settings import Settings

# The gateway of these tests listens on loopback, which outbound requests reach only if allowed.
LOOPBACK_ALLOWED = Outbound.of("127.0.0.1")


def test_smtp_mailer_delivers_text_and_html(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, mail_from="dpo@shop.example")
    message_id = mailer_for(settings).send(
        EmailMessage(to="anna@example.com", subject="Conferma", text="Ciao", html="<p>Ciao</p>")
    )
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["anna@example.com"]
    parsed = message_from_bytes(envelope.content)
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"] == "Conferma"
    assert {part.get_content_type() for part in parsed.walk()} >= {"text/plain", "text/html"}


def test_smtp_mailer_reports_an_unreachable_server() -> None:
    settings = Settings(smtp_host="127.0.0.1", smtp_port=1, mail_from="dpo@shop.example")
    with pytest.raises(MessagingError):
        mailer_for(settings).send(EmailMessage(to="a@example.com", subject="s", text="t"))


def test_directory_adapters_write_files(tmp_path: Path) -> None:
    settings = Settings(outbox_dir=tmp_path)
    mailer = mailer_for(settings)
    assert isinstance(mailer, DirectoryMailer)
    mailer.send(EmailMessage(to="a@example.com", subject="s", text="body"))
    (eml,) = (tmp_path / "mail").glob("*.eml")
    assert b"body" in eml.read_bytes()
    sms_sender_for(settings).send(SmsMessage(to="+393331234567", text="codice 123456"))
    (sms,) = (tmp_path / "sms").glob("*.json")
    assert json.loads(sms.read_text())["text"] == "codice 123456"


@pytest.fixture
def gateway() -> Iterator[tuple[list[dict[str, Any]], str]]:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
            status = 500 if self.path == "/fail" else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "gw-42"}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_http_gateway_fills_the_template_and_escapes(
    gateway: tuple[list[dict[str, Any]], str],
) -> None:
    seen, base = gateway
    sender = HttpSmsGateway(
        f"{base}/send",
        authorization="Bearer s3cret",
        body_template='{"dest": "$to", "msg": "$text", "from": "Shop"}',
        outbound=LOOPBACK_ALLOWED,
    )
    answer = sender.send(SmsMessage(to="+393331234567", text='code "123"\nbye'))
    assert answer == "gw-42"
    assert seen == [
        {
            "auth": "Bearer s3cret",
            "body": {"dest": "+393331234567", "msg": 'code "123"\nbye', "from": "Shop"},
        }
    ]
    with pytest.raises(MessagingError):
        HttpSmsGateway(f"{base}/fail", outbound=LOOPBACK_ALLOWED).send(
            SmsMessage(to="+39333", text="x")
        )


def test_the_sms_gateway_is_reached_only_at_allowed_addresses(
    gateway: tuple[list[dict[str, Any]], str],
) -> None:
    """The gateway's URL is the operator's, yet it is checked like a webhook's: a loopback
    gateway is refused before any byte is sent, unless the allow-list names it."""
    seen, base = gateway
    text = SmsMessage(to="+393331234567", text="codice 123456")
    for settings in (
        Settings(sms_gateway_url=f"{base}/send"),
        Settings(sms_gateway_url=f"{base}/send", outbound_allow_hosts="10.0.0.0/8 sms.internal"),
    ):
        with pytest.raises(MessagingError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
            sms_sender_for(settings).send(text)
    assert seen == []
    allowed = Settings(sms_gateway_url=f"{base}/send", outbound_allow_hosts="127.0.0.1")
    assert sms_sender_for(allowed).send(text) == "gw-42"
    assert [s["body"]["text"] for s in seen] == ["codice 123456"]
