"""Logins benchmark: do wrong console logins stall the ledger? On the embedded SQLite (one writer),
the time of single event writes alone, then while threads send wrong logins.

    python bench/logins.py [--seconds 10] [--threads 3] [--rate 2] [--backends sqlite]

Each phase writes one event at a time (`record_events`, one event with its proofs), a new one
every 20 ms, for `--seconds`. The loaded phase runs `--threads` threads that each try a wrong
password `--rate` times a second (`service.access.users.login`, the console's path: a source
address per attempt, argon2id at the default cost). Since the password is verified outside any
transaction, in a checker thread of the lowest priority, the writes should keep a median within
2x of the unloaded one.

Prints median and p95 milliseconds per phase and the ratio, then one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from common import context, database, percentile
from ingest import drafts, registry
from trustguardian.domain.errors import TooManyAttempts
from trustguardian.domain.roles import Role
from trustguardian.service.access import users
from trustguardian.service.context import Context
from trustguardian.service.events.recording import record_events

PASSWORD = "a long pass phrase"  # noqa: S105 -- a throwaway user of a throwaway database
WRONG = "wrong guess 1234"
PAUSE = 0.02


def writes(ctx: Context, notice: tuple[str, int, str], seconds: float, first: int) -> list[float]:
    """Milliseconds of each single-event write for `seconds`."""
    found = []
    end = time.perf_counter() + seconds
    n = first
    while time.perf_counter() < end:
        [draft] = drafts(1, notice, first=n, total=n + 1)
        start = time.perf_counter()
        record_events(ctx, drafts=[draft])
        found.append((time.perf_counter() - start) * 1000)
        n += 1
        time.sleep(PAUSE)
    return found


def guesses(ctx: Context, rate: float, stop: threading.Event, tried: list[int], n: int) -> None:
    """Wrong logins at `rate` a second until stopped, each from its own address (1: checked,
    0: refused while the process's password checks were all busy)."""
    attempt = 0
    while not stop.is_set():
        start = time.perf_counter()
        source = f"198.51.{n}.{attempt % 250}"
        try:
            users.login(ctx, username="dpo", password=WRONG, source=source)
        except users.LoginFailed:
            tried.append(1)
        except TooManyAttempts:
            tried.append(0)
        attempt += 1
        stop.wait(max(0.0, 1 / rate - (time.perf_counter() - start)))


def wrong_login_ms(ctx: Context) -> float:
    """Milliseconds of one wrong login on an idle database."""
    start = time.perf_counter()
    with contextlib.suppress(users.LoginFailed):
        users.login(ctx, username="dpo", password=WRONG, source="192.0.2.1")
    return (time.perf_counter() - start) * 1000


def run(backend: str, seconds: float, threads: int, rate: float, workdir: Path) -> dict[str, float]:
    url, drop = database(backend, workdir)
    ctx = context(url, workdir)
    try:
        notice = registry(ctx)
        users.create_user(ctx, username="dpo", password=PASSWORD, role=Role.DPO)
        writes(ctx, notice, 1.0, 0)  # warm caches and connections
        alone = writes(ctx, notice, seconds, 100_000)
        stop = threading.Event()
        tried: list[int] = []
        workers = [
            threading.Thread(target=guesses, args=(ctx, rate, stop, tried, n))
            for n in range(threads)
        ]
        for worker in workers:
            worker.start()
        loaded = writes(ctx, notice, seconds, 200_000)
        stop.set()
        for worker in workers:
            worker.join()
        one_login = wrong_login_ms(ctx)
    finally:
        ctx.engine.dispose()
        drop()
    figures = {
        "alone_ms_p50": round(statistics.median(alone), 2),
        "alone_ms_p95": round(percentile(alone, 0.95), 2),
        "loaded_ms_p50": round(statistics.median(loaded), 2),
        "loaded_ms_p95": round(percentile(loaded, 0.95), 2),
        "writes_alone": float(len(alone)),
        "writes_loaded": float(len(loaded)),
        "wrong_logins": float(sum(tried)),
        "refused_busy": float(len(tried) - sum(tried)),
        "login_ms": round(one_login, 2),
    }
    figures["ratio_p50"] = round(figures["loaded_ms_p50"] / figures["alone_ms_p50"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()
    result: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            f = run(backend, args.seconds, args.threads, args.rate, Path(workdir))
            result[backend] = f
            print(f"{backend}: single event writes, {args.seconds:g} s per phase")
            print(
                f"  alone        p50 {f['alone_ms_p50']:8.2f} ms  p95 {f['alone_ms_p95']:8.2f} ms"
                f"  ({int(f['writes_alone'])} writes)"
            )
            print(
                f"  with logins  p50 {f['loaded_ms_p50']:8.2f} ms  p95 {f['loaded_ms_p95']:8.2f} ms"
                f"  ({int(f['writes_loaded'])} writes, {int(f['wrong_logins'])} wrong logins"
                f" checked, {int(f['refused_busy'])} refused busy,"
                f" from {args.threads} threads at {args.rate:g}/s)"
            )
            print(f"  ratio of the medians {f['ratio_p50']}x (target: within 2x)")
            print(f"  one wrong login {f['login_ms']:.0f} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
