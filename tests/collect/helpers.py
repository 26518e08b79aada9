"""Shared builders for the collect tests: a registry, a live server, local SMTP and SMS peers."""

from __future__ import annotations

import dataclasses
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from tests.factories import add_notice, add_purpose, add_touchpoint
from tests.factories.events import HISTORY_DAYS, ago, at_instant, ledger_size

from trustguardian.asgi import create_app
from trustguardian.domain.collect import Confirmation
from trustguardian.domain.common import FixedClock
from trustguardian.domain.registry import Channel, Nature
from trustguardian.service.collect.admin import configure, create_publishable_key
from trustguardian.service.context import Context
from trustguardian.service.events.consent import subject_consents
from trustguardian.store import tables as t

TP = "web-signup"
STORE = "store-milano"
PHONE_TP = "call-center"
LEGACY = "crm-legacy"
NEWSLETTER = "newsletter"
PROFILING = "profiling"
NOTICE = "privacy-web"
NOTICE_TEXT = "Informativa privacy del sito, versione 1.\n"
SHOP = "http://shop.example"
LINK = re.compile(r"(https?://\S+/confirm/[A-Za-z0-9_.-]+)")


def setup_collect(
    ctx: Context, confirmation: Confirmation = Confirmation.NONE, **settings: Any
) -> None:
    """Two purposes, a published notice, a web form, a store counter and a call centre."""
    past = at_instant(ctx, ago(days=HISTORY_DAYS))
    add_purpose(past, NEWSLETTER, channels=(Channel.EMAIL, Channel.SMS))
    add_purpose(past, PROFILING, name="Profiling", channels=(Channel.EMAIL,))
    add_notice(past, NOTICE, text=NOTICE_TEXT)
    add_touchpoint(
        ctx, TP, name="Sign-up form", purposes=[NEWSLETTER, PROFILING], notice_key=NOTICE
    )
    add_touchpoint(
        ctx,
        STORE,
        name="Shop counter",
        channel=Channel.STORE,
        nature=Nature.PHYSICAL,
        purposes=[NEWSLETTER, PROFILING],
    )
    add_touchpoint(ctx, PHONE_TP, name="Call centre", channel=Channel.PHONE, purposes=[NEWSLETTER])
    add_touchpoint(ctx, LEGACY, name="Old CRM", purposes=[NEWSLETTER, PROFILING])
    if confirmation is not Confirmation.NONE:
        configure(ctx, touchpoint=TP, confirmation=confirmation, **settings)


def publishable(ctx: Context, origins: tuple[str, ...] = (SHOP,), rate: int = 30) -> str:
    _, text = create_publishable_key(
        ctx, name="shop site", touchpoint=TP, origins=origins, rate_per_minute=rate
    )
    return text


def with_clock(ctx: Context, moment: datetime) -> Context:
    return dataclasses.replace(ctx, clock=FixedClock(moment))


def status_of(ctx: Context, subject_id: str, purpose: str = NEWSLETTER) -> set[str]:
    return {
        status
        for state, status in subject_consents(ctx, subject_id=subject_id)
        if state.purpose == purpose
    }


def submission(email: str = "anna.bianchi@example.com", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "submission_id": "sub-" + email.replace("@", "-").replace(".", "-")[:40],
        "touchpoint": TP,
        "identifiers": [{"kind": "email", "value": email}],
        "consents": [
            {"purpose": NEWSLETTER, "given": True, "channels": ["email"]},
            {"purpose": PROFILING, "given": False, "channels": ["email"]},
        ],
        "snapshot": {
            "html": f'<form><input name="email" value="{email}">'
            '<input type="checkbox" checked="checked"> Newsletter'
            '<input type="checkbox"> Profiling</form>',
            "url": f"{SHOP}/signup",
        },
    }
    body.update(changes)
    return body


# --- peers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Inbox:
    """A real SMTP server's mailbox (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self, n: int = -1) -> Message:
        return message_from_bytes(self.messages[n].content)

    def text(self, n: int = -1) -> str:
        message = self.parsed(n)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no text part")

    def link(self, n: int = -1) -> str:
        found = LINK.search(self.text(n))
        assert found, self.text(n)
        return found.group(1)


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def sms_gateway() -> Iterator[tuple[list[dict[str, Any]], str]]:
    """A real HTTP SMS gateway that keeps what it was asked to send."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"id": f"gw-{len(seen)}"}).encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}/send"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def live_app(ctx: Context, port: int | None = None) -> Iterator[str]:
    """Serves the real app with uvicorn on 127.0.0.1 (all interfaces of the loopback)."""
    port = port or free_port()
    config = uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def client_from(address: str, base: str, **headers: str) -> httpx.Client:
    """An HTTP client whose requests leave from one loopback address (a distinct client IP)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, transport=transport, headers=headers, timeout=10)


def events_count(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


def recorded_rows(ctx: Context) -> tuple[int, int, int]:
    """Subjects, identifiers and ledger leaves: what a sign-up nobody confirmed must not add."""
    with ctx.engine.connect() as conn:
        subjects = conn.execute(select(func.count()).select_from(t.subjects)).scalar_one()
        identifiers = conn.execute(
            select(func.count()).select_from(t.subject_identifiers)
        ).scalar_one()
    return int(subjects), int(identifiers), ledger_size(ctx)


def subject_of(ctx: Context, event_id: str) -> str:
    """The subject of a recorded event."""
    with ctx.uow(write=False) as uow:
        found = uow.events.get(event_id)
    assert found is not None, f"event {event_id} is not recorded"
    return found[0].subject_id


def mailed_link(outbox: Path) -> str:
    (eml,) = sorted((outbox / "mail").glob("*.eml"))
    text = message_from_bytes(eml.read_bytes()).get_payload()[0].get_payload(decode=True).decode()
    found = LINK.search(text)
    assert found, text
    return found.group(1).split("/confirm/", 1)[1]
