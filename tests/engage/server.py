"""A real `trustguardian serve` (uvicorn) on 127.0.0.1, for what only a real server shows.

The bulk endpoint streams its answer; how the request body and the client's disconnect arrive
depends on the ASGI server (uvicorn here), so the bulk tests talk to the real server, with
client timeouts: a server that never answers fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
from tests.conftest import TEST_MASTER_KEY

from trustguardian.settings import Settings

from .population import DEFAULT_CHANNEL, DEFAULT_PURPOSE

# A healthy server answers a few hundred rows in well under a second.
BULK_TIMEOUT = httpx.Timeout(10.0, read=4.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "TRUSTGUARDIAN_DATABASE_URL": settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
    }


def filter_args(source: Path, good: Path, bad: Path) -> list[str]:
    """`trustguardian audience filter` of a list, for the population's purpose and channel."""
    return [
        "audience",
        "filter",
        str(source),
        "--purpose",
        DEFAULT_PURPOSE,
        "--channel",
        DEFAULT_CHANNEL.value,
        "--out",
        str(good),
        "--rejected",
        str(bad),
    ]


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: IO[str], what: str) -> None:
    """Waits (90 s at most: a busy machine starts things slowly) until `url` answers 200;
    raises with the process's log if it does not, or if the process ends."""
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{what} did not start:\n{log.read()}") from None
            time.sleep(0.1)


@contextmanager
def live_server(
    settings: Settings, workdir: Path, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """Starts `trustguardian serve` on `port` or a free one (with `env` added to its
    environment); yields its base URL; stops it."""
    port = port or free_port()
    log = (workdir / f"serve-{port}.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustguardian", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env_for(settings), **(env or {})},
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc, log, "the server")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def post_bulk(
    client: httpx.Client,
    body: bytes | Iterator[bytes],
    *,
    content_type: str,
    params: dict[str, str],
) -> httpx.Response:
    """POST /v1/checks/bulk; a server that does not answer in time fails the test, naming why."""
    try:
        return client.post(
            "/v1/checks/bulk",
            params=params,
            content=body,
            headers={"Content-Type": content_type},
            timeout=BULK_TIMEOUT,
        )
    except httpx.ReadTimeout as exc:
        raise AssertionError(
            f"POST /v1/checks/bulk sent no answer within {BULK_TIMEOUT.read} s"
        ) from exc
