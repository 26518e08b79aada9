"""A client sending a byte a second is cut off: its request head after the header timeout, its
body after the body timeout (408), against a real `trustguardian serve`."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.engage.server import live_server

from trustguardian.service.context import Context

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 2.0
# What a loaded machine may add before the server acts on a timer.
MARGIN = 3.0


@pytest.fixture
def server(
    sqlite_ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, int]]:
    monkeypatch.setenv("TRUSTGUARDIAN_HEADER_TIMEOUT_SECONDS", str(HEADER_TIMEOUT))
    monkeypatch.setenv("TRUSTGUARDIAN_BODY_TIMEOUT_SECONDS", str(BODY_TIMEOUT))
    workdir = tmp_path / "serve"
    workdir.mkdir()
    with live_server(sqlite_ctx.settings, workdir) as base:
        url = urlsplit(base)
        assert url.hostname is not None
        assert url.port is not None
        yield url.hostname, url.port


def trickle(address: tuple[str, int], data: bytes, *, for_at_most: float) -> tuple[float, bytes]:
    """Sends `data` a byte every 0.2 s until the server answers or closes; returns how long that
    took and what it answered (the test fails if it never does within `for_at_most`)."""
    started = time.monotonic()
    with socket.create_connection(address, timeout=for_at_most) as conn:
        conn.settimeout(0.2)
        answer = b""
        for byte in (data[i : i + 1] for i in range(len(data))):
            if time.monotonic() - started > for_at_most:
                break
            try:
                conn.sendall(byte)
            except OSError:
                return time.monotonic() - started, answer  # closed by the server
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return time.monotonic() - started, answer
            if not chunk:
                return time.monotonic() - started, answer
            answer += chunk
            if b"\r\n\r\n" in answer:
                conn.settimeout(2)
                while more := conn.recv(65536):
                    answer += more
                return time.monotonic() - started, answer
    raise AssertionError(f"the server still listened after {for_at_most} s of a byte at a time")


def test_a_slow_request_head_is_cut_off(server: tuple[str, int]) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    took, answer = trickle(server, head, for_at_most=HEADER_TIMEOUT + MARGIN + 5)
    assert answer == b""
    assert took < HEADER_TIMEOUT + MARGIN


def test_a_slow_body_is_answered_408_and_closed(server: tuple[str, int]) -> None:
    body = b'{"kind": "consent.given"' + b" " * 500 + b"}"
    head = (
        f"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(server, timeout=5) as conn:
        conn.sendall(head)  # the head at once, then the body a byte at a time
        started = time.monotonic()
        conn.settimeout(0.2)
        answer = b""
        for i in range(len(body)):
            if time.monotonic() - started > BODY_TIMEOUT + MARGIN + 5:
                break
            try:
                conn.sendall(body[i : i + 1])
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
        took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"application/problem+json" in answer
    assert took < BODY_TIMEOUT + MARGIN


def test_a_prompt_request_is_unaffected(server: tuple[str, int]) -> None:
    host, port = server
    with httpx.Client(base_url=f"http://{host}:{port}", timeout=5) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(HEADER_TIMEOUT / 2)
        answer = client.post("/v1/events", json={"kind": "consent.given"})
    assert answer.status_code == 401  # read, then refused for want of a key, not cut off


def test_a_large_body_at_a_fair_speed_outlasts_the_body_timeout(server: tuple[str, int]) -> None:
    chunk, chunks, every = 64 * 1024, 8, 0.5  # 128 KiB/s for 4 s, twice the body timeout
    head = (
        f"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {chunk * chunks}\r\n\r\n"
    ).encode()
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(head)
        started = time.monotonic()
        for _ in range(chunks):
            conn.sendall(b" " * chunk)
            time.sleep(every)
        answer = conn.recv(65536)
    assert time.monotonic() - started > BODY_TIMEOUT
    assert answer.startswith(b"HTTP/1.1 422"), answer[:200]  # read whole: spaces are no JSON
