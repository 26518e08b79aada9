"""Adapters for the messaging ports: SMTP, an HTTP SMS gateway, and a directory of files."""

from __future__ import annotations

import json
import smtplib
import string
import uuid
from email.message import EmailMessage as MimeMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path

import httpx

from trustguardian.messaging.ports import EmailMessage, MessagingError, SmsMessage
from trustguardian.outbound import Outbound


def _mime(message: EmailMessage, sender: str) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    address = parseaddr(sender)[1] or sender
    mime["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    mime.set_content(message.text)
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html")
    return mime


class SmtpMailer:
    """Sends through an SMTP server (STARTTLS and login when configured)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls = username, password, starttls
        self.timeout = timeout

    def send(self, message: EmailMessage) -> str:
        mime = _mime(message, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mime)
        except (OSError, smtplib.SMTPException) as exc:
            raise MessagingError(f"the SMTP server did not take the message: {exc}") from exc
        return str(mime["Message-ID"])


class DirectoryMailer:
    """Writes each message as an .eml file into a directory (the demo's outbox)."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory, self.sender = directory, sender

    def send(self, message: EmailMessage) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        mime = _mime(message, self.sender)
        name = f"{uuid.uuid4().hex}.eml"
        (self.directory / name).write_bytes(mime.as_bytes())
        return str(mime["Message-ID"])


class HttpSmsGateway:
    """A generic HTTP gateway: POSTs a body built from a template with `$to` and `$text`.

    The template is JSON by default (`{"to": "$to", "text": "$text"}`); values are JSON-escaped
    before substitution. The gateway's answer may carry an `id`; otherwise a local one is made.
    Its own client checks every connection against the address rules (trustguardian.outbound).
    """

    def __init__(
        self,
        url: str,
        *,
        authorization: str | None = None,
        body_template: str = '{"to": "$to", "text": "$text"}',
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        outbound: Outbound | None = None,
    ) -> None:
        self.url, self.authorization = url, authorization
        self.template = string.Template(body_template)
        self.timeout = timeout
        self.client = client
        self.outbound = outbound or Outbound()

    def send(self, message: SmsMessage) -> str:
        def escape(value: str) -> str:
            return json.dumps(value)[1:-1]

        body = self.template.substitute(to=escape(message.to), text=escape(message.text))
        headers = {"Content-Type": "application/json"}
        if self.authorization:
            headers["Authorization"] = self.authorization
        try:
            if self.client is not None:
                response = self.client.post(self.url, content=body, headers=headers)
            else:
                with self.outbound.client(timeout=self.timeout) as client:
                    response = client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise MessagingError(f"the SMS gateway could not be reached: {exc}") from exc
        if response.status_code >= 300:
            raise MessagingError(f"the SMS gateway answered {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and isinstance(answer.get("id"), str | int):
            return str(answer["id"])
        return uuid.uuid4().hex


class DirectorySms:
    """Writes each text message as a JSON file into a directory (the demo's outbox)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: SmsMessage) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        ident = uuid.uuid4().hex
        payload = {"id": ident, "to": message.to, "text": message.text}
        (self.directory / f"{ident}.json").write_text(json.dumps(payload), encoding="utf-8")
        return ident
