"""Batch memory benchmark: how much a `POST /v1/events/batch` raises the memory of a real
`trustguardian serve` (one worker, SQLite).

    python bench/batch_memory.py [--mib 63,8] [--events 1000]

For each body size, a batch of --events consent events (network, notice and form-snapshot
proofs, the snapshot padded so the JSON body has that size) is POSTed to a fresh server after
one small warm-up batch, each size on a fresh
database and server. The rise is the server's peak resident memory (VmHWM) after the request
minus its resident memory (VmRSS) before it. The ratio is rise / body size (1.0: the server held
no more than the body). Prints each figure, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from common import MASTER, context, database, free_port
from ingest import registry
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key

MIB = 1024 * 1024


def memory_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(field))


def batch(events: int, size: int, notice: tuple[str, int, str], tag: str) -> bytes:
    """A batch of `events` events whose JSON is about `size` bytes."""
    now = datetime.now(UTC)

    def event(n: int, html: bytes) -> dict[str, object]:
        return {
            "kind": "consent.given",
            "touchpoint": "web-form",
            "occurred_at": (now - timedelta(seconds=events - n)).isoformat(),
            "identifiers": [{"kind": "email", "value": f"{tag}{n}@example.com"}],
            "purpose": "newsletter",
            "proofs": [
                {"type": "network", "ip": "192.0.2.7", "user_agent": "Mozilla/5.0 bench"},
                {"type": "notice_shown", "key": notice[0], "version": notice[1]}
                | {"sha256": notice[2]},
                {
                    "type": "form_snapshot",
                    "media_type": "text/html",
                    "content_base64": base64.b64encode(html).decode(),
                },
            ],
        }

    bare = len(json.dumps({"events": [event(n, b"") for n in range(events)]}))
    pad = max(1, (size - bare) // events * 3 // 4)
    html = (b"<form><input name=email></form>" * (pad // 31 + 1))[:pad]
    return json.dumps({"events": [event(n, html) for n in range(events)]}).encode()


def measure(base: str, pid: int, key: str, body: bytes) -> tuple[int, float, float]:
    """POSTs a batch; returns the status, the memory rise (MiB) and the seconds it took."""
    before = memory_kb(pid, "VmRSS:")
    # The high-water mark starts again from the current resident size (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    started = time.perf_counter()
    answer = httpx.post(
        f"{base}/v1/events/batch",
        content=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=600,
    )
    took = time.perf_counter() - started
    return answer.status_code, (memory_kb(pid, "VmHWM:") - before) / 1024, took


def run(mib: int, events: int, workdir: Path) -> dict[str, float]:
    """One size, on a fresh database and server: a server that already held a big batch
    reuses the memory it grew to, and would understate the next one's rise."""
    url, drop = database("sqlite", workdir)
    ctx = context(url, workdir)
    notice = registry(ctx)
    _, key = create_api_key(ctx, name="bench", scopes=[Scope.EVENTS_WRITE])
    ctx.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": url,
        "TRUSTGUARDIAN_KEYS_FILE": str(workdir / "keys.json"),
        "TRUSTGUARDIAN_MASTER_KEY": MASTER,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "trustguardian", "serve", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        warm = measure(base, proc.pid, key, batch(10, 20_000, notice, "warm"))
        assert warm[0] == 201, warm
        body = batch(events, mib * MIB, notice, f"b{mib}-")
        status, rise, took = measure(base, proc.pid, key, body)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        drop()
    size = len(body) / MIB
    print(
        f"{size:6.1f} MiB batch of {events} events: {status}, server memory +{rise:.0f} MiB "
        f"({rise / size:.2f}x the body) in {took:.1f} s",
        flush=True,
    )
    name = f"batch_{mib}mib"
    return {
        f"{name}_body_mib": round(size, 1),
        f"{name}_status": status,
        f"{name}_rise_mib": round(rise, 1),
        f"{name}_ratio": round(rise / size, 2),
        f"{name}_seconds": round(took, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", default="63,8")
    parser.add_argument("--events", type=int, default=1_000)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for mib in (int(m) for m in args.mib.split(",")):
        with tempfile.TemporaryDirectory(prefix="tg-bench-") as tmp:
            figures |= run(mib, args.events, Path(tmp))
    print(json.dumps({"bench": "batch_memory", "events": args.events, **figures}))


if __name__ == "__main__":
    main()
