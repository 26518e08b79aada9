"""Webhooks reach only public hosts: a URL to loopback, private, link-local, metadata or other
internal addresses is refused when registered (HTTP and command line, nothing written) and
again on every delivery, against the address actually connected to (a DNS answer that turns
to 127.0.0.1 after registration is refused); the allow-list lets named internal hosts through;
a failed delivery keeps only the status code of the answer. SQLite (the layers above storage).
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.factories.api import assert_problem
from tests.factories.cli import instance_env, tg
from tests.factories.events import make_draft, record
from tests.sync.conftest import MakeSyncCtx
from tests.sync.helpers import delivery_rows

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.sync import SystemKind
from trustguardian.outbound import AllowList, Outbound
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.sync.systems import create_system, create_webhook
from trustguardian.store import tables as t
from trustguardian.sync.dispatcher import Dispatcher

# The addresses of the report, and the other spellings of loopback the resolver accepts.
INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://127.0.0.1:8080/hook",
    "http://127.5.6.7/hook",
    "http://[::1]:8080/hook",
    "http://localhost:5432/",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://127.1/hook",
    "http://0177.0.0.1/hook",
    "http://192.168.1.10/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://[fd00:ec2::254]/",
    "http://100.100.100.200/",
    "http://0.0.0.0:8000/",
]
ANSWER_BODY = b"root:x:0:0:internal secret of the receiver"


class Answers:
    """A receiver on 127.0.0.1 that answers `status` with a body, and keeps the Host headers."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.hosts: list[str] = []
        answers = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                answers.hosts.append(self.headers["Host"])
                self.send_response(answers.status)
                self.send_header("Content-Length", str(len(ANSWER_BODY)))
                self.end_headers()
                self.wfile.write(ANSWER_BODY)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Dns:
    """A resolver whose answers the test sets: `answers[name]` is given out in turn, the last
    one for ever after (a DNS record that changes once)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = {name: list(a) for name, a in answers.items()}
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        queue = self.answers.get(host)
        if not queue:
            raise OSError(f"{host}: no such name")
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def ctx(make_sync_ctx: MakeSyncCtx) -> Context:
    """No allow-list: the loopback receivers of these tests are internal hosts like any."""
    ctx = make_sync_ctx("sqlite", outbound_allow_hosts=None)
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    return ctx


@pytest.fixture
def answers() -> Iterator[list[Answers]]:
    started: list[Answers] = []
    yield started
    for receiver in started:
        receiver.stop()


def webhooks(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.webhooks)).scalar_one())


def deliver_once(ctx: Context) -> tuple[int, int]:
    """One dispatcher pass with its own client (the one `sync run` uses): (delivered, failed)."""
    dispatcher = Dispatcher(ctx)
    try:
        done = dispatcher.run_once()
    finally:
        dispatcher.close()
    return done.delivered, done.failed


def test_internal_urls_are_refused_over_http_and_nothing_is_written(ctx: Context) -> None:
    _, token = create_api_key(ctx, name="admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"}) as api:
        for url in INTERNAL:
            body = assert_problem(
                api.post("/v1/webhooks", json={"system": "esp", "url": url}), 422, "invalid-input"
            )
            assert "TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS" in body["detail"], url
            assert [e["loc"] for e in body["errors"]] == ["url"], url
        public = api.post("/v1/webhooks", json={"system": "esp", "url": "https://93.184.216.34/"})
        assert public.status_code == 201, public.text
    assert webhooks(ctx) == 1


def test_internal_urls_are_refused_on_the_command_line(ctx: Context, tmp_path: Path) -> None:
    env = {**os.environ, **instance_env(ctx, tmp_path)}
    env.pop("TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS", None)
    for url in INTERNAL:
        done = tg("webhooks", "add", "--system", "esp", "--url", url, env=env)
        assert done.returncode == 2, (url, done.stdout, done.stderr)
        first = done.stderr.splitlines()[0]
        assert first.startswith("error: the webhook URL is refused:"), done.stderr
        assert any(w in first for w in ("loopback", "private", "metadata", "unspecified")), first
    done = tg("webhooks", "add", "--system", "esp", "--url", "http://a.example:99999/", env=env)
    assert done.returncode == 2
    assert "error: the webhook URL's port is not valid" in done.stderr
    assert webhooks(ctx) == 0


def test_a_name_that_resolves_inside_is_refused_when_registered(ctx: Context) -> None:
    ctx.resolver = Dns({"intranet.example.com": [["93.184.216.34", "10.1.2.3"]]})
    with pytest.raises(Exception, match=r"intranet\.example\.com resolves to 10\.1\.2\.3"):
        create_webhook(ctx, system_key="esp", url="https://intranet.example.com/hook")
    # Not resolvable yet: accepted, and judged on every connection.
    create_webhook(ctx, system_key="esp", url="https://later.example.com/hook")
    assert webhooks(ctx) == 1


def test_a_dns_answer_that_turns_to_loopback_is_refused_when_sending(
    ctx: Context, answers: list[Answers]
) -> None:
    receiver = Answers(204)
    answers.append(receiver)
    dns = Dns({"hooks.example.com": [["93.184.216.34"], ["127.0.0.1"]]})
    ctx.resolver = dns
    hook, _ = create_webhook(
        ctx, system_key="esp", url=f"http://hooks.example.com:{receiver.port}/hook"
    )
    [event] = record(ctx, make_draft())
    assert deliver_once(ctx) == (0, 1)
    assert receiver.hosts == []  # nothing reached the loopback receiver
    assert dns.asked == ["hooks.example.com", "hooks.example.com"]
    error = delivery_rows(ctx, hook.destination)[event.seq].last_error
    assert error.startswith("ConnectError: refused: hooks.example.com resolves to 127.0.0.1")
    assert "a loopback address" in error


def test_the_allow_list_lets_a_named_internal_host_through_by_the_checked_address(
    make_sync_ctx: MakeSyncCtx, answers: list[Answers]
) -> None:
    receiver = Answers(204)
    answers.append(receiver)
    ctx = make_sync_ctx("sqlite", outbound_allow_hosts="crm.internal.test")
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    # The name is unknown to the system's resolver: the connection goes to the address ours
    # gave, and the Host header stays the URL's.
    ctx.resolver = Dns(
        {"crm.internal.test": [["127.0.0.1"]], "other.internal.test": [["127.0.0.1"]]}
    )
    with pytest.raises(Exception, match="loopback"):
        create_webhook(ctx, system_key="esp", url=f"http://other.internal.test:{receiver.port}/")
    create_webhook(ctx, system_key="esp", url=f"http://crm.internal.test:{receiver.port}/hook")
    record(ctx, make_draft())
    assert deliver_once(ctx) == (1, 0)
    assert receiver.hosts == [f"crm.internal.test:{receiver.port}"]


def test_tls_names_the_host_while_connecting_to_the_checked_address(tmp_path: Path) -> None:
    """Over https the connection goes to the address the check resolved, and the TLS handshake
    still names (SNI) and verifies the URL's host: a self-signed receiver is not trusted."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.example.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.example.com")]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    names: list[str | None] = []
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    def hello(_sock: ssl.SSLObject, sni: str | None, _ctx: ssl.SSLContext) -> None:
        names.append(sni)

    server_side.sni_callback = hello  # type: ignore[assignment]
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with contextlib.suppress(OSError), server_side.wrap_socket(conn, server_side=True):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    dns = Dns({"hooks.example.com": [["127.0.0.1"]]})
    outbound = Outbound(AllowList.parse("127.0.0.1"), dns)
    with outbound.client(timeout=5) as client, pytest.raises(httpx.ConnectError, match="CERT"):
        client.post(f"https://hooks.example.com:{port}/hook", content=b"{}")
    thread.join(5)
    listener.close()
    assert dns.asked == ["hooks.example.com"]
    assert names == ["hooks.example.com"]


def test_a_failed_delivery_keeps_only_the_status_code(
    make_sync_ctx: MakeSyncCtx, answers: list[Answers]
) -> None:
    receiver = Answers(500)
    answers.append(receiver)
    ctx = make_sync_ctx("sqlite")  # loopback allowed, as for every receiver of the suite
    create_system(ctx, key="esp", name="ESP", kind=SystemKind.ESP)
    hook, _ = create_webhook(ctx, system_key="esp", url=f"http://127.0.0.1:{receiver.port}/")
    [event] = record(ctx, make_draft())
    assert deliver_once(ctx) == (0, 1)
    assert receiver.hosts == [f"127.0.0.1:{receiver.port}"]
    assert delivery_rows(ctx, hook.destination)[event.seq].last_error == "HTTP 500"
