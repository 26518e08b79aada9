"""HTTP benchmark: POST /v1/checks served by `trustguardian serve` (SQLite and PostgreSQL) against
a bare ASGI app (bench/bare_asgi.py) on the same uvicorn, protocol and worker count, driven by the
same client with the same request bodies, the arms interleaved over --runs runs.

    python bench/http_checks.py [--people 1000000] [--seconds 10] [--connections 4] [--runs 3]
                         [--workers CORES] [--backends sqlite,postgresql] [--cache DIR]

The client is `wrk` with a Lua script for the bodies (bench/checkload.py) when it is installed,
else Python threads (their figures understate every arm alike). Each check names a random person
among --people by e-mail (90%) or a stranger (10%), purpose `newsletter`, channel e-mail.

The database of --people people is built once per backend and size and kept (SQLite: a file in
--cache; PostgreSQL: the database `tg_http_bench_<people>_<hash of --cache>`, its key file in
--cache, so that two caches never share a database their key files disagree on): the people,
their blind-indexed e-mails, consent states and 1% suppression rows, written straight into the
tables as bench/engage.py does. A build cut short leaves no `built.json` and is redone.

Figures per arm: requests a second, p50 and p99 latency (wrk's), server CPU per request (all the
server's processes, from /proc); then the ratios of each run's interleaved pair (our SQLite arm
to the bare app; PostgreSQL to SQLite) and their medians. In process, without HTTP: the check's
own cost (`check_contact`) and the whole app's (its ASGI stack called directly). The last line
is one JSON object of all figures.

Acceptance (the defaults): SQLite >= 0.35x the bare app's rate with p99 < 5 ms at 4
connections, 1M people; PostgreSQL >= 0.6x SQLite's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import checkload
from common import MASTER, PG, context, figure, free_port, percentile, web_form_registry
from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import (
    Channel,
)
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.events.subjects import blind
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert

PURPOSE = "newsletter"
CHUNK = 50_000
# All the load comes from one address: the limit still runs on every request, never answers 429.
RATE_LIMIT_PER_MINUTE = 60_000_000


# --- the database, built once per backend and size ---------------------------------------------


def cached_context(backend: str, people: int, cache: Path) -> tuple[Context, float | None]:
    """A context on the kept database of `people` people (built when missing); the build's
    seconds, or None when it was reused."""
    home = cache / f"{backend}-{people}"
    built = home / "built.json"
    where = hashlib.sha256(str(cache.resolve()).encode()).hexdigest()[:8]
    name = f"tg_http_bench_{people}_{where}"
    if backend == "sqlite":
        url = f"sqlite:///{home / 'bench.db'}"
    else:
        url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    if built.exists() and (backend == "sqlite" or _pg_exists(name)):
        return context(url, home, keys_file=home / "keys.json"), None
    shutil.rmtree(home, ignore_errors=True)  # a build cut short, or a database dropped since
    home.mkdir(parents=True)
    if backend == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    ctx = context(url, home, keys_file=home / "keys.json")
    start = time.perf_counter()
    registry(ctx)
    counts = populate(ctx, people, random.Random(2026))
    built.write_text(json.dumps({"people": people, "states": counts}))  # last: the build is whole
    return ctx, time.perf_counter() - start


def _pg_admin(*statements: str, **params: str) -> list[Any]:
    admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    found: list[Any] = []
    with admin.connect() as conn:
        for statement in statements:
            result = conn.execute(text(statement), params)
            found.append(result.all() if result.returns_rows else None)
    admin.dispose()
    return found


def _pg_exists(name: str) -> bool:
    [rows] = _pg_admin("SELECT 1 FROM pg_database WHERE datname = :name", name=name)
    return bool(rows)


def registry(ctx: Context) -> None:
    web_form_registry(ctx, notice_text="x\n")


def populate(ctx: Context, people: int, rnd: random.Random) -> dict[str, int]:
    """People with one blind-indexed e-mail each: 60% consent given, 10% withdrawn, 5% refused,
    25% no state; 1% suppressed. Event ids are fresh (no events rows: checks only cite them)."""
    now = datetime.now(UTC)
    created = now - timedelta(days=400)
    counts = {"given": 0, "withdrawn": 0, "refused": 0, "none": 0, "suppressed": 0}
    seq = 0
    for first in range(0, people, CHUNK):
        subjects, idents, states, suppressed = [], [], [], []
        for n in range(first, min(first + CHUNK, people)):
            sid = f"sub_{secrets.token_hex(16)}"
            subjects.append({"id": sid, "created_at": created})
            hashed = blind(ctx, Identifier(IdentifierKind.EMAIL, f"person{n}@example.com"))
            idents.append(
                {"blind": hashed, "subject_id": sid, "kind": "email", "sealed": None,
                 "created_at": created}
            )  # fmt: skip
            draw = rnd.random()
            status = (
                "given" if draw < 0.6 else "withdrawn" if draw < 0.7 else
                "refused" if draw < 0.75 else "none"
            )  # fmt: skip
            counts[status] += 1
            if status != "none":
                since, seq = now - timedelta(days=rnd.uniform(1, 300)), seq + 1
                states.append(
                    {"subject_id": sid, "purpose_key": PURPOSE, "channel": "email",
                     "status": status, "since": since, "event_id": f"evt_{secrets.token_hex(16)}",
                     "event_seq": seq, "purpose_version": 1, "notice_key": "privacy",
                     "notice_version": 1,
                     "expires_at": since + timedelta(days=730) if status == "given" else None}
                )  # fmt: skip
            if rnd.random() < 0.01:
                counts["suppressed"] += 1
                suppressed.append({"blind": hashed, "reason": "bench", "added_at": now})
        with ctx.engine.begin() as conn:
            bulk_insert(conn, t.subjects, subjects)
            bulk_insert(conn, t.subject_identifiers, idents)
            bulk_insert(conn, t.consent_states, states)
            bulk_insert(conn, t.suppression_entries, suppressed)
    with ctx.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return counts


# --- the servers -------------------------------------------------------------------------------


def start(argv: list[str], env: dict[str, str], log: Path, probe: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(probe, timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    stop(proc)
    raise SystemExit(f"the server did not start: see {log}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def serve_ours(ctx: Context, workers: int, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": MASTER,
        "TRUSTGUARDIAN_RATE_LIMIT_API_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
    }
    argv = [sys.executable, "-m", "trustguardian", "serve", "--port", str(port)]
    argv += ["--workers", str(workers)]
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"serve-{ctx.engine.dialect.name}.log"
    return start(argv, env, log, f"{base}/healthz"), base


def serve_bare(workers: int, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    bare = Path(__file__).resolve().parent / "bare_asgi.py"
    argv = [sys.executable, str(bare), str(port), str(workers)]
    base = f"http://127.0.0.1:{port}"
    return start(argv, dict(os.environ), workdir / "bare.log", base), base


# --- in process --------------------------------------------------------------------------------


def in_process(
    ctx: Context, token: str, people: int, samples: int, figures: dict[str, object]
) -> None:
    name = ctx.engine.dialect.name
    """Milliseconds per check: the service alone, then through the whole ASGI app (no socket)."""
    rnd = random.Random(11)
    asks = [f"person{rnd.randrange(people)}@example.com" for _ in range(samples)]
    service = []
    for value in asks:
        begin = time.perf_counter()
        check_contact(
            ctx,
            request=CheckRequest(PURPOSE, Channel.EMAIL, Identifier(IdentifierKind.EMAIL, value)),
        )
        service.append((time.perf_counter() - begin) * 1000)
    app = create_app(ctx)
    headers = [
        (b"host", b"bench"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]
    statuses: list[int] = []

    async def one(value: str) -> float:
        body = json.dumps(
            {"identifier": {"kind": "email", "value": value}, "purpose": PURPOSE,
             "channel": "email"}
        ).encode()  # fmt: skip
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/v1/checks", "raw_path": b"/v1/checks",
            "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80),
        }  # fmt: skip
        sent = False

        async def receive() -> dict[str, object]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        begin = time.perf_counter()
        await app(scope, receive, send)
        return (time.perf_counter() - begin) * 1000

    async def all_of() -> list[float]:
        return [await one(v) for v in asks]

    stack = asyncio.run(all_of())
    figure(figures, f"{name}_inprocess_service_check_ms_p50", round(statistics.median(service), 3))
    figure(figures, f"{name}_inprocess_app_check_ms_p50", round(statistics.median(stack), 3))
    figure(figures, f"{name}_inprocess_app_check_ms_p99", round(percentile(stack, 0.99), 3))
    figure(figures, f"{name}_inprocess_app_non_200", sum(1 for s in statuses if s != 200))


# --- the runs ----------------------------------------------------------------------------------


def drive(arm: str, base: str, token: str, args: argparse.Namespace, workdir: Path,
          proc: subprocess.Popen[bytes], path: str = "/v1/checks") -> dict[str, float]:  # fmt: skip
    cpu = checkload.cpu_seconds(proc.pid)
    load = checkload.run(
        base, token, subjects=args.people, clients=args.connections, seconds=args.seconds,
        requests=args.requests, workdir=workdir, path=path, rnd=random.Random(3),
    )  # fmt: skip
    cpu = checkload.cpu_seconds(proc.pid) - cpu
    print(
        f"  {arm:10s} {load.per_second:9.0f}/s  p50 {load.p50_ms:6.3f} ms"
        f"  p99 {load.p99_ms:6.3f} ms  cpu {cpu / max(1, load.requests) * 1000:6.3f} ms/req",
        flush=True,
    )
    # A GET (/healthz) is answered with no reason in its body: its 200s are no errors.
    errors = load.errors - (load.reasons.get("http_200", 0) if path != "/v1/checks" else 0)
    return {
        "per_s": load.per_second,
        "p50_ms": load.p50_ms,
        "p99_ms": load.p99_ms,
        "cpu_ms": cpu / max(1, load.requests) * 1000,
        "errors": errors,
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    figures: dict[str, object] = {
        "people": args.people,
        "connections": args.connections,
        "seconds": args.seconds,
        "runs": args.runs,
        "server_workers": args.workers,
        "client": "wrk" if checkload.have_wrk() else "python",
    }
    for name, value in figures.items():
        figure(figures, name, value)
    contexts: dict[str, Context] = {}
    for backend in args.backends:
        ctx, took = cached_context(backend, args.people, args.cache)
        contexts[backend] = ctx
        figure(figures, f"{backend}_build_seconds", "reused" if took is None else round(took, 1))
    tokens = {
        b: create_api_key(ctx, name="bench", scopes=[Scope.CONSENT_CHECK])[1]
        for b, ctx in contexts.items()
    }
    for backend, ctx in contexts.items():
        in_process(ctx, tokens[backend], args.people, args.samples, figures)
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        servers["bare"] = serve_bare(args.workers, workdir)
        for backend, ctx in contexts.items():
            servers[backend] = serve_ours(ctx, args.workers, workdir)
        arms = list(servers)
        for arm in arms:  # warm-up: every worker opens its pool and reads the registry
            proc, base = servers[arm]
            drive(f"{arm} warm", base, tokens.get(arm, ""), _warm(args), workdir, proc)
        results: dict[str, list[dict[str, float]]] = {arm: [] for arm in [*arms, "healthz"]}
        for n in range(args.runs):
            print(f"run {n + 1}/{args.runs}", flush=True)
            for arm in arms if n % 2 == 0 else reversed(arms):
                proc, base = servers[arm]
                results[arm].append(drive(arm, base, tokens.get(arm, ""), args, workdir, proc))
            if "sqlite" in servers:
                proc, base = servers["sqlite"]
                healthz = drive("healthz", base, "", args, workdir, proc, "/healthz")
                results["healthz"].append(healthz)
    finally:
        for proc, _ in servers.values():
            stop(proc)
        for ctx in contexts.values():
            ctx.engine.dispose()
    summarise(figures, results)
    return figures


def _warm(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "seconds": 1, "requests": min(args.requests, 500)})


def summarise(figures: dict[str, object], results: dict[str, list[dict[str, float]]]) -> None:
    for arm, runs in results.items():
        if not runs:
            continue
        figure(figures, f"{arm}_per_s", round(statistics.median(r["per_s"] for r in runs)))
        figure(figures, f"{arm}_p50_ms", round(statistics.median(r["p50_ms"] for r in runs), 3))
        figure(figures, f"{arm}_p99_ms", round(statistics.median(r["p99_ms"] for r in runs), 3))
        figure(figures, f"{arm}_p99_ms_worst", round(max(r["p99_ms"] for r in runs), 3))
        cpu = statistics.median(r["cpu_ms"] for r in runs)
        figure(figures, f"{arm}_server_cpu_ms", round(cpu, 3))
        figure(figures, f"{arm}_errors", int(sum(r["errors"] for r in runs)))

    def ratios(top: str, bottom: str) -> list[float]:
        return [a["per_s"] / b["per_s"] for a, b in zip(results[top], results[bottom], strict=True)]

    if results.get("sqlite") and results.get("bare"):
        each = ratios("sqlite", "bare")
        figure(figures, "sqlite_to_bare_ratios", [round(r, 3) for r in each])
        figure(figures, "sqlite_to_bare_ratio", round(statistics.median(each), 3))
        figure(figures, "target_sqlite_ge_0_35x_bare", statistics.median(each) >= 0.35)
        figure(figures, "target_sqlite_p99_lt_5ms", figures["sqlite_p99_ms"] < 5)  # type: ignore[operator]
    if results.get("postgresql") and results.get("sqlite"):
        each = ratios("postgresql", "sqlite")
        figure(figures, "postgresql_to_sqlite_ratios", [round(r, 3) for r in each])
        figure(figures, "postgresql_to_sqlite_ratio", round(statistics.median(each), 3))
        figure(figures, "target_postgresql_ge_0_6x_sqlite", statistics.median(each) >= 0.6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=20_000, help="per run, without wrk")
    parser.add_argument("--samples", type=int, default=2000, help="checks timed in process")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "tg-http-bench")
    args = parser.parse_args()
    args.backends = [b for b in args.backends.split(",") if b]
    if not set(args.backends) <= {"sqlite", "postgresql"}:
        parser.error("--backends takes sqlite and/or postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(args, Path(tmp))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
