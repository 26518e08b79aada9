"""Load on loopback: `trustguardian serve --workers N` as a real process tree, and writer threads
that POST events with idempotency keys, retrying each until it is acknowledged.

Shared by `bench/load.py` (figures) and `tests/prod/test_load.py` (every acknowledged event is in
the ledger exactly once, the ledger is dense and verifies, even when processes are killed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from trustguardian.domain.access import Scope
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft

TOUCHPOINT = "web-load"
PURPOSE = "newsletter"


def prepare(ctx: Context) -> str:
    """A purpose, a notice and a web form to record against; returns an admin API key."""
    purposes.create_purpose(
        ctx,
        key=PURPOSE,
        content=PurposeContent(
            name="Newsletter",
            description="Promotional e-mails.",
            legal_basis=LegalBasis.CONSENT,
            channels=(Channel.EMAIL,),
            controller="Bottega Rossi S.p.A.",
            retention_days=730,
            consent_lifetime_days=730,
            marketing=True,
        ),
    )
    notices.create_notice(ctx, key="privacy", language="it", title="Informativa", text="v1\n")
    touchpoints.create_touchpoint(
        ctx,
        draft=TouchpointDraft(
            key=TOUCHPOINT,
            name="Load form",
            kind=TouchpointKind.COLLECT,
            channel=Channel.WEB_FORM,
            nature=Nature.DIGITAL,
            purposes=[PURPOSE],
            notice_key="privacy",
        ),
    )
    _, token = create_api_key(ctx, name="load", scopes=[Scope.ADMIN])
    return token


def event_body(n: int, people: int) -> dict[str, Any]:
    """Consent given or withdrawn by one of `people` people (so states change under load)."""
    return {
        "kind": "consent.withdrawn" if n % 5 == 4 else "consent.given",
        "touchpoint": TOUCHPOINT,
        "identifiers": [{"kind": "email", "value": f"person{n % people}@example.com"}],
        "purpose": PURPOSE,
        "occurred_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """A `trustguardian serve` process tree on loopback."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the supervisor)."""
        pid = self.process.pid
        found: list[int] = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            found += [int(c) for c in children]
        return [p for p in found if _is_worker(p)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _is_worker(pid: int) -> bool:
    # uvicorn's workers are spawned interpreters; the resource tracker is another child.
    with contextlib.suppress(OSError):
        return "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    return False


def start_server(env: dict[str, str], *, workers: int, log: Path, timeout: float = 90) -> Server:
    """Starts the server and waits until every worker answers /readyz."""
    port = free_port()
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trustguardian",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(port),
        ],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()  # the child holds its own descriptor
    server = Server(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200 and (
                len(server.workers()) >= workers
            ):
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not become ready: {log.read_text()[-2000:]}")


@dataclass
class Results:
    acked: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (event id, seq)
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seconds: float = 0.0


def run_writers(
    url: str,
    token: str,
    *,
    threads: int,
    per_thread: int,
    people: int = 200,
    batch: int = 1,
    max_seconds: float = 120,
    on_progress: Any = None,
    prefix: str = "load",
) -> Results:
    """Each thread POSTs `per_thread` events, `batch` to a request, retrying a request with the
    same Idempotency-Key until the server acknowledges it: 201, or 200 when a retry finds the
    request already recorded (its first answer was lost with a killed worker)."""
    results = Results()
    deadline = time.monotonic() + max_seconds

    def writer(w: int) -> None:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            for r in range(per_thread // batch):
                key = f"{prefix}-{w}-{r}"
                first = w * per_thread + r * batch
                bodies = [event_body(first + j, people) for j in range(batch)]
                path, body = (
                    ("/v1/events", bodies[0])
                    if batch == 1
                    else ("/v1/events/batch", {"events": bodies})
                )
                while time.monotonic() < deadline:
                    started = time.perf_counter()
                    try:
                        answer = client.post(path, json=body, headers={"Idempotency-Key": key})
                    except httpx.TransportError:
                        answer = None
                    if answer is not None and answer.status_code in (200, 201):
                        data = answer.json()
                        created = [data] if batch == 1 else data["events"]
                        with results.lock:
                            for j, event in enumerate(created):
                                results.acked[f"{key}-{j}"] = (event["id"], event["seq"])
                            results.latencies.append(time.perf_counter() - started)
                            if on_progress is not None:
                                on_progress(len(results.acked))
                        break
                    if answer is not None and answer.status_code < 500:
                        with results.lock:
                            results.failures.append(f"{key}: {answer.status_code} {answer.text}")
                        break
                    with results.lock:
                        results.retries += 1
                    time.sleep(0.05)

    started = time.perf_counter()
    pool = [threading.Thread(target=writer, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    results.seconds = time.perf_counter() - started
    return results


def server_env(settings_env: dict[str, str]) -> dict[str, str]:
    """The environment of a server process: ours without TRUSTGUARDIAN_*, plus the given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTGUARDIAN_")}
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "TRUSTGUARDIAN_RATE_LIMIT_API_PER_MINUTE": "0",
            "TRUSTGUARDIAN_DB_POOL_SIZE": "4",
            **settings_env,
        }
    )
    return env


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
