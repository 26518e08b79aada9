"""Console benchmark: how long the console's heaviest pages take to gather, on the demo company.

    python bench/console.py [--repeat 20] [--backends sqlite,postgresql]

Per backend, on the demo company (`seed_demo`: 14 touchpoints, about 3,000 people and 10,000
events over two years):
- dashboard: `service.console.dashboard` (census, risk, the 12-month chart in one conditional
  scan of the events, consent totals, ledger and sync state) vs the raw baseline of one
  `SELECT count(*) FROM events` (the scan it cannot do without);
- map: `service.console.touchpoint_map` vs the same raw count;
- subject: `service.console_subject.subject_page` for one person (identifiers opened with the
  person's key, consents, timeline, checks, contacts, deliveries) vs a raw
  `SELECT * FROM events WHERE subject_id = ?`;
- login: `service.users.login` (argon2id verification, a session written);
- queue: `service.console_queues.request_queue` (a page of open rights requests with their
  steps and assignees) and `requests_due` (the dashboard's card) vs a raw
  `SELECT * FROM rights_requests WHERE status IN (...) ORDER BY due_at LIMIT 50`.

Prints median and p95 milliseconds and the ratio to the baseline, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

from common import context, database, percentile
from trustguardian.domain.roles import Role
from trustguardian.service.access import users
from trustguardian.service.console import overview as console
from trustguardian.service.console import queues as console_queues
from trustguardian.service.console import subject as console_subject
from trustguardian.service.demo.company import seed_demo
from trustguardian.store import tables as t

PASSWORD = "a long pass phrase"  # noqa: S105 -- a throwaway user of a throwaway database


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm caches and connections once
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        found.append((time.perf_counter() - start) * 1000)
    return found


def run(backend: str, repeat: int, workdir: Path) -> dict[str, float]:
    url, drop = database(backend, workdir)
    ctx = context(url, workdir)
    try:
        seed_demo(ctx)
        users.create_user(ctx, username="bench", password=PASSWORD, role=Role.DPO)
        with ctx.engine.connect() as conn:
            subject = conn.execute(
                select(t.events.c.subject_id).order_by(t.events.c.seq.desc()).limit(1)
            ).scalar_one()
            events = conn.execute(select(func.count()).select_from(t.events)).scalar_one()

        def count_all() -> object:
            with ctx.engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM events")).scalar_one()

        def raw_subject() -> object:
            with ctx.engine.connect() as conn:
                return conn.execute(
                    text("SELECT * FROM events WHERE subject_id = :s"), {"s": subject}
                ).all()

        def raw_queue() -> object:
            with ctx.engine.connect() as conn:
                return conn.execute(
                    text(
                        "SELECT * FROM rights_requests WHERE status IN "
                        "('received', 'verifying', 'in_progress', 'extended') "
                        "ORDER BY due_at, id LIMIT 50"
                    )
                ).all()

        samples = {
            "dashboard": timed(lambda: console.dashboard(ctx), repeat),
            "map": timed(lambda: console.touchpoint_map(ctx), repeat),
            "subject": timed(lambda: console_subject.subject_page(ctx, subject_id=subject), repeat),
            "login": timed(
                lambda: users.login(ctx, username="bench", password=PASSWORD),
                max(3, repeat // 4),
            ),
            "queue": timed(lambda: console_queues.request_queue(ctx), repeat),
            "due": timed(lambda: console_queues.requests_due(ctx), repeat),
            "raw_count": timed(count_all, repeat),
            "raw_queue": timed(raw_queue, repeat),
            "raw_subject": timed(raw_subject, repeat),
        }
    finally:
        ctx.engine.dispose()
        drop()
    figures: dict[str, float] = {"events": float(events)}
    for name, values in samples.items():
        figures[f"{name}_ms_p50"] = round(statistics.median(values), 2)
        figures[f"{name}_ms_p95"] = round(percentile(values, 0.95), 2)
    for name, base in [
        ("dashboard", "raw_count"),
        ("map", "raw_count"),
        ("subject", "raw_subject"),
        ("queue", "raw_queue"),
        ("due", "raw_queue"),
    ]:
        figures[f"{name}_ratio"] = round(figures[f"{name}_ms_p50"] / figures[f"{base}_ms_p50"], 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    result: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            figures = run(backend, args.repeat, Path(workdir))
            result[backend] = figures
            print(f"{backend}: {int(figures['events'])} events")
            for name in [
                "dashboard",
                "map",
                "subject",
                "login",
                "queue",
                "due",
                "raw_count",
                "raw_subject",
                "raw_queue",
            ]:
                line = (
                    f"  {name:12} p50 {figures[f'{name}_ms_p50']:8.2f} ms"
                    f"  p95 {figures[f'{name}_ms_p95']:8.2f} ms"
                )
                if f"{name}_ratio" in figures:
                    line += f"  ({figures[f'{name}_ratio']}x the raw baseline)"
                print(line)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
