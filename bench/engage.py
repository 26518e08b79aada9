"""Engage benchmark: single contact checks over HTTP against a real `trustguardian serve`, and the
bulk filter of a campaign list (filter_rows, the CLI end to end, and the HTTP bulk endpoint),
each against merely reading and normalising the same list in the same run; cProfile hot spots.
The bulk figures also have a lookup floor: the CPU time of reading, normalising and hashing the
list plus only the two index lookups every check makes (owner, consent state), straight through
the driver; divided by the cores, no filter that reads these tables can take less time.

    python bench/engage.py [--subjects 1000000] [--requests 5000] [--clients 4]
                           [--http-seconds 10] [--server-workers CORES]
                           [--rows 1000000] [--profile-rows 50000] [--http-bulk-rows 20000]
                           [--backend sqlite|postgresql] [--skip-cli] [--filter-workers N]
                           [--db PATH] [--skip-http] [--skip-filter-rows]
                           [--repeats 3] [--rows-10m] [--skip-dialects] [--skip-phases]

`--db PATH` (SQLite) keeps the built database in PATH (its key file beside it, PATH.keys.json):
built when missing, reused as it is when present (the build of 1M people takes minutes; a reused
database must have been built with the same --subjects). `--skip-http` runs only the bulk filter
(no single checks, no server); `--skip-filter-rows` leaves out the one-process filter_rows run.

The CLI is measured against a naive SQL join that gives the same answers (bench/engage_join.py:
the list's keyed hashes in a temporary table, one join deciding every row), the two run one
after the other --repeats times so that both meet the same load from the rest of the machine:
the figures are the medians and the median of the per-run CPU ratios. `--rows-10m` also runs
the CLI on a list of 10 million rows and reports its peak heap against the 1M-row run's.

Unless --skip-phases, the phases of a list run by set are also timed apart in this process
(bench/engage_phases.py: the set load, which the CLI's parent does alone before its workers start,
and the rows answered from the sets), with the best wall they allow on --filter-workers workers.

Prints each figure, then one JSON line with all of them. The HTTP load comes from `wrk` when it
is installed (`apt-get install wrk`: --http-seconds per run), else from Python threads
(--requests per run); `http_load_generator` says which (see bench/checkload.py).

How the database is built (the service layer would take hours for 1M people): the registry
(purposes, notice, touchpoints) goes through the service layer; then rows are generated straight
into the tables, in the form the service writes them (through store.bulk.bulk_insert, which
converts values as SQLAlchemy would):

- subjects: `sub_` + 32 random hex (RandomIds), created_at, shredded_at NULL;
- subject_identifiers: one e-mail per person, `person{n}@example.com`, its blind index
  `trustguardian.service.events.subjects.blind(ctx, Identifier(EMAIL, value))`, kind `email`, and
  `sealed` NULL (no subject_keys rows: checks never open an identifier);
- consent_states for the purpose `newsletter` (e-mail and SMS, 730-day lifetime), both channels:
  60% given, 10% withdrawn, 5% refused (since = 1 to 300 days ago, expires_at = since + 730 days
  for a given consent), 25% without any state. event_id/event_seq are fresh ids and numbers: no
  events rows back them (checks only cite the id), so the events table stays empty;
- suppression_entries: 1% of the people (blind index, reason, added_at).

No contact policy is set for e-mail, so no contact counting; a `contract` purpose exists so the
existing-customer query runs (on the empty events table).

The list for the bulk runs has a header `email` and --rows rows: 90% known people, 9% unknown
addresses, 1% malformed ones, in random order (its own seed: the same list whether the database
was built or reused). Unless --skip-cli, the CLI also runs on that list with a second column,
written with commas and as Excel's Italian export saves it (semicolons, a byte order mark, CRLF,
the header `E-mail;Nome`): the same answers, and the ratio of their CPU times.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import dataclasses
import hashlib
import io
import json
import os
import pstats
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, event, text

import checkload
from common import MASTER, context, database, figure, free_port, percentile
from engage_join import naive_join
from engage_phases import phases
from trustguardian.domain.access import Scope
from trustguardian.domain.checks import ALLOWED
from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    PurposeContent,
    TouchpointKind,
)
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import csv_rows, filter_rows
from trustguardian.service.engage.checks import CheckRequest, check_contact
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.subjects import blind
from trustguardian.service.registry import notices, purposes, touchpoints
from trustguardian.service.registry.touchpoints import TouchpointDraft
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert

PURPOSE = "newsletter"
CHUNK = 50_000
RATE_LIMIT_PER_MINUTE = 6_000_000
LIST_SEED = 7
ALLOWED_REASONS = {r.value for r in ALLOWED}


# --- the database -----------------------------------------------------------------------------


def registry(ctx: Context) -> None:
    past = dataclasses.replace(ctx, clock=FixedClock(datetime.now(UTC) - timedelta(days=400)))
    purposes.create_purpose(
        past,
        key=PURPOSE,
        content=PurposeContent(
            "Newsletter",
            "",
            LegalBasis.CONSENT,
            (Channel.EMAIL, Channel.SMS),
            "Bench S.p.A.",
            730,
            730,
            True,
        ),
    )
    purposes.create_purpose(
        past,
        key="orders",
        content=PurposeContent(
            "Orders", "", LegalBasis.CONTRACT, (Channel.EMAIL,), "Bench S.p.A.", 3650, None, False
        ),
    )
    notices.create_notice(past, key="privacy", language="it", title="Informativa", text="x\n")
    touchpoints.create_touchpoint(
        past,
        draft=TouchpointDraft(
            key="web-form",
            name="Web form",
            kind=TouchpointKind.COLLECT,
            channel=Channel.WEB_FORM,
            nature=Nature.DIGITAL,
            purposes=[PURPOSE],
            notice_key="privacy",
        ),
    )


def person(n: int) -> str:
    return f"person{n}@example.com"


def populate(ctx: Context, subjects: int, rnd: random.Random) -> dict[str, int]:
    """Writes the people, their blind-indexed e-mails, consent states and suppression rows."""
    now = datetime.now(UTC)
    counts = {"given": 0, "withdrawn": 0, "refused": 0, "none": 0, "suppressed": 0}
    seq = 0
    for first in range(0, subjects, CHUNK):
        people, idents, states, suppressed = [], [], [], []
        for n in range(first, min(first + CHUNK, subjects)):
            sid = f"sub_{secrets.token_hex(16)}"
            people.append({"id": sid, "created_at": now - timedelta(days=400)})
            hashed = blind(ctx, Identifier(IdentifierKind.EMAIL, person(n)))
            idents.append(
                {
                    "blind": hashed,
                    "subject_id": sid,
                    "kind": "email",
                    "sealed": None,
                    "created_at": now - timedelta(days=400),
                }
            )
            draw = rnd.random()
            status = (
                "given"
                if draw < 0.60
                else "withdrawn"
                if draw < 0.70
                else "refused"
                if draw < 0.75
                else "none"
            )
            counts[status] += 1
            if status != "none":
                since = now - timedelta(days=rnd.uniform(1, 300))
                event_id, seq = f"evt_{secrets.token_hex(16)}", seq + 1
                for channel in ("email", "sms"):
                    states.append(
                        {
                            "subject_id": sid,
                            "purpose_key": PURPOSE,
                            "channel": channel,
                            "status": status,
                            "since": since,
                            "event_id": event_id,
                            "event_seq": seq,
                            "purpose_version": 1,
                            "notice_key": "privacy",
                            "notice_version": 1,
                            "expires_at": since + timedelta(days=730)
                            if status == "given"
                            else None,
                        }
                    )
            if rnd.random() < 0.01:
                counts["suppressed"] += 1
                suppressed.append({"blind": hashed, "reason": "bench", "added_at": now})
        with ctx.engine.begin() as conn:
            bulk_insert(conn, t.subjects, people)
            bulk_insert(conn, t.subject_identifiers, idents)
            bulk_insert(conn, t.consent_states, states)
            bulk_insert(conn, t.suppression_entries, suppressed)
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return counts


# --- the list ---------------------------------------------------------------------------------


def write_list(path: Path, rows: int, subjects: int, rnd: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("email\n")
        buffer = []
        for n in range(rows):
            draw = rnd.random()
            if draw < 0.90:
                buffer.append(person(rnd.randrange(subjects)))
            elif draw < 0.99:
                buffer.append(f"stranger{n}@example.org")
            else:
                buffer.append(f"broken{n}@@example")
            if len(buffer) == 10_000:
                out.write("\n".join(buffer) + "\n")
                buffer = []
        if buffer:
            out.write("\n".join(buffer) + "\n")


def read_and_normalise(path: Path) -> tuple[int, int]:
    """The floor: read the list as the CLI does (bytes, decode, csv) and normalise each e-mail."""
    good = bad = 0
    with path.open("rb") as handle:
        handle.readline()
        for raw in handle:
            values = next(csv.reader([raw.decode("utf-8").rstrip("\r\n")]), [])
            try:
                normalise(IdentifierKind.EMAIL, values[0])
                good += 1
            except InvalidInput:
                bad += 1
    return good, bad


def lookup_floor(ctx: Context, path: Path) -> tuple[int, int]:
    """A lower bound for any filter that reads these tables: read and normalise the list (as
    `read_and_normalise`), compute each row's keyed hash, and run only the two index lookups
    every check needs, owner by keyed hash and consent state by owner, for the whole list in
    key order (the best case for the page cache) through the bare driver cursor: no row is
    converted, decided or written. Returns how many keyed hashes and states were found."""
    hashes: set[str] = set()
    with path.open("rb") as handle:
        handle.readline()
        for raw in handle:
            values = next(csv.reader([raw.decode("utf-8").rstrip("\r\n")]), [])
            try:
                hashes.add(blind(ctx, normalise(IdentifierKind.EMAIL, values[0])))
            except InvalidInput:
                continue
    owners_sql = "SELECT blind, subject_id FROM subject_identifiers WHERE blind {keys}"
    states_sql = (
        "SELECT subject_id, status, since, event_id, expires_at FROM consent_states"
        " WHERE subject_id {keys} AND purpose_key = 'newsletter' AND channel = 'email'"
    )
    with ctx.engine.connect() as conn:
        owners = dict(driver_rows(conn, owners_sql, sorted(hashes)))
        states = driver_rows(conn, states_sql, sorted(set(owners.values())))
    return len(owners), len(states)


def driver_rows(conn: Connection, sql: str, keys: list[str]) -> list[tuple[Any, ...]]:
    """All rows of `sql` for the keys (`{keys}`: an IN list of up to 30,000 on SQLite, as the
    filter sends them; one array on PostgreSQL), straight from the driver's cursor."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    if conn.dialect.name == "postgresql":
        cursor.execute(sql.format(keys="= ANY(%s)"), (keys,))
        return list(cursor.fetchall())
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), 30_000):
        chunk = keys[start : start + 30_000]
        cursor.execute(sql.format(keys=f"IN ({','.join('?' * len(chunk))})"), chunk)
        rows += cursor.fetchall()
    return rows


def run_filter(ctx: Context, path: Path, digest: Any = None) -> dict[str, int]:
    """filter_rows over the CLI's own row reader; counts the answers (nothing written), and
    feeds each row's reason to `digest` (a hashlib object) when given."""
    reasons: dict[str, int] = {}
    with path.open("rb") as handle:
        header = next(csv.reader([handle.readline().decode("utf-8").strip()]))
        for answer in filter_rows(
            ctx, csv_rows(handle, header, first=2), purpose=PURPOSE, channel=Channel.EMAIL
        ):
            reasons[answer.reason] = reasons.get(answer.reason, 0) + 1
            if digest is not None:
                digest.update(answer.reason.encode() + b"\n")
    return reasons


def verdicts(reasons: dict[str, int]) -> dict[str, int]:
    """Rows by reason with the allowed ones counted together (as the CLI's summary says)."""
    merged = {k: v for k, v in reasons.items() if k not in ALLOWED_REASONS}
    merged["allowed"] = sum(v for k, v in reasons.items() if k in ALLOWED_REASONS)
    return merged


def run_cli(
    ctx: Context, listing: Path, workdir: Path, workers: int
) -> tuple[float, float, int, float, dict[str, int]]:
    """`trustguardian audience filter` end to end (a new process); seconds, CPU seconds of all
    its processes (a measure that other load on the machine does not stretch), allowed rows,
    the peak heap of all its processes together in MB (anonymous memory, proportional: see
    `sample_heap`; sampled every 0.25 s: resident size would also count the pages of the
    database that SQLite memory-maps), and the
    rows by reason as its --json summary gives them (the allowed ones as `allowed`)."""
    command = [
        sys.executable,
        "-m",
        "trustguardian",
        "audience",
        "filter",
        str(listing),
        "--purpose",
        PURPOSE,
        "--channel",
        "email",
        "--out",
        str(workdir / "ok.csv"),
        "--rejected",
        str(workdir / "rejected.csv"),
        "--workers",
        str(workers),
        "--json",
    ]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as summary:
        proc = subprocess.Popen(
            command,
            env={**env_for(ctx), "COLUMNS": "100"},
            stdout=summary,
            stderr=errors,
        )
        peak = [0]
        sampler = threading.Thread(target=sample_heap, args=(proc, peak), daemon=True)
        sampler.start()
        # wait4 gives this run's own usage: the process and the workers it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        errors.seek(0)
        assert proc.returncode == 0, errors.read().decode()[-2000:]
        summary.seek(0)
        said = json.loads(summary.read())
    cpu = usage.ru_utime + usage.ru_stime
    with (workdir / "ok.csv").open("rb") as handle:
        kept = sum(1 for _ in handle) - 1
    reasons = {**said["rejected_by_reason"], "allowed": said["allowed"]}
    return seconds, cpu, kept, peak[0] / 1024, reasons


def sample_heap(proc: subprocess.Popen[bytes], peak: list[int]) -> None:
    """Keeps in peak[0] the largest sum of Pss_Anon (kB) over the process and its descendants,
    until it ends (Linux /proc; 0 elsewhere). The proportional size: a page the workers still
    share with the parent they were forked from counts once in all, not once per process as
    in RssAnon (the sets a list is checked against are read once and shared)."""
    while proc.returncode is None and Path(f"/proc/{proc.pid}/status").exists():
        peak[0] = max(peak[0], sum(map(heap_kb, process_tree(proc.pid))))
        time.sleep(0.25)


def process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def heap_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("Pss_Anon:")), 0
    )


# --- a real server ----------------------------------------------------------------------------


def env_for(ctx: Context) -> dict[str, str]:
    return {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(ctx.settings.keys_file),
        "TRUSTGUARDIAN_MASTER_KEY": MASTER,
        # All the load comes from one address: the per-address limit (200 a second by default)
        # is raised so that it still runs on every request but never answers 429 here.
        "TRUSTGUARDIAN_RATE_LIMIT_API_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
    }


def start_server(
    ctx: Context, workdir: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (workdir / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trustguardian",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env_for(ctx),
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def http_bulk(base: str, token: str, path: Path, rows: int) -> tuple[int, float, str]:
    """POST the first `rows` rows of the list to /v1/checks/bulk; answered rows, seconds, error."""
    with path.open("rb") as handle:
        data = b"".join(handle.readline() for _ in range(rows + 1))
    start = time.perf_counter()
    try:
        answer = httpx.post(
            f"{base}/v1/checks/bulk",
            params={"purpose": PURPOSE, "channel": "email"},
            content=data,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
            timeout=httpx.Timeout(60.0, read=30.0),
        )
    except httpx.HTTPError as exc:
        return 0, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    answered = max(0, len(answer.text.splitlines()) - 1)
    error = "" if answer.status_code == 200 else f"HTTP {answer.status_code}"
    return answered, time.perf_counter() - start, error


# --- profiles ---------------------------------------------------------------------------------


def profile(label: str, work: Callable[[], object], top: int = 12) -> list[str]:
    """Runs `work` under cProfile; prints the top functions by own time and the project's
    functions by cumulative time; returns the latter (the hot spots in our code)."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    own, ours = io.StringIO(), io.StringIO()
    pstats.Stats(profiler, stream=own).strip_dirs().sort_stats("tottime").print_stats(top)
    pstats.Stats(profiler, stream=ours).sort_stats("cumulative").print_stats("trustguardian", top)
    print(f"\n--- cProfile: {label}, by own time ---")
    print(_table(own.getvalue(), top))
    print(f"--- cProfile: {label}, trustguardian functions by cumulative time ---")
    table = _table(ours.getvalue(), top)
    print(table)
    hot = []
    for line in table.splitlines()[1:]:
        parts = line.split(None, 5)
        if len(parts) == 6:
            where = parts[5].split("trustguardian/")[-1]
            hot.append(f"{where} cum {parts[3]}s")
    return hot


def _table(report: str, top: int) -> str:
    lines = [line for line in report.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start : start + top + 1])


def statements_per_check(ctx: Context, request: CheckRequest) -> int:
    """SQL statements one check_contact sends (counted at the cursor)."""
    count = [0]

    def counted(*_: object) -> None:
        count[0] += 1

    event.listen(ctx.engine, "before_cursor_execute", counted)
    try:
        check_contact(ctx, request=request)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", counted)
    return count[0]


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    figures: dict[str, object] = {
        "backend": args.backend,
        "subjects": args.subjects,
        "rows": args.rows,
        "requests": args.requests,
        "clients": args.clients,
    }
    rnd = random.Random(2026)
    kept: Path | None = args.db
    if kept is not None:
        url, cleanup = f"sqlite:///{kept}", lambda: None
        keys = kept.with_name(kept.name + ".keys.json")
        built = kept.with_name(kept.name + ".built.json")
        reuse = kept.exists()
        if reuse and not built.exists():
            raise SystemExit(f"{kept} has no {built.name}: its build was cut short; delete it")
        if reuse and json.loads(built.read_text()).get("subjects") != args.subjects:
            raise SystemExit(f"{kept} was built with other --subjects (see {built})")
    else:
        url, cleanup = database(args.backend, workdir)
        keys, built, reuse = workdir / "keys.json", workdir / "built.json", False
    ctx = context(url, workdir, keys_file=keys)
    server = None
    try:
        if reuse:
            figure(figures, "build_reused", str(kept))
        else:
            registry(ctx)
            start = time.perf_counter()
            counts = populate(ctx, args.subjects, rnd)
            # written last: a database whose build was cut short has no such file, and is refused
            built.write_text(json.dumps({"subjects": args.subjects, "states": counts}))
            figure(figures, "build_seconds", round(time.perf_counter() - start, 1))
            figure(figures, "build_states", counts)
        if not args.skip_http:
            server = single_checks(ctx, args, figures, workdir, rnd)
        bulk(ctx, args, figures, workdir)
        if server is not None:
            # (c) the HTTP bulk endpoint on a slice of the list
            proc, base, token = server
            answered_rows, seconds, error = http_bulk(
                base, token, workdir / "list.csv", args.http_bulk_rows
            )
            figure(figures, "http_bulk_rows_sent", args.http_bulk_rows)
            figure(figures, "http_bulk_rows_answered", answered_rows)
            figure(figures, "http_bulk_seconds", round(seconds, 2))
            figure(figures, "http_bulk_error", error)
            server = None
            stop_server(proc)
        profiles(ctx, args, figures, workdir)
        return figures
    finally:
        if server is not None:
            stop_server(server[0])
        ctx.engine.dispose()
        cleanup()


def single_checks(
    ctx: Context,
    args: argparse.Namespace,
    figures: dict[str, object],
    workdir: Path,
    rnd: random.Random,
) -> tuple[subprocess.Popen[bytes], str, str]:
    """(a) single checks, in process and over HTTP; returns the running server and a token."""
    # in-process single checks: the service cost without HTTP
    sample = check_sample(args.subjects, rnd)
    timings = []
    for request in sample:
        begin = time.perf_counter()
        check_contact(ctx, request=request)
        timings.append((time.perf_counter() - begin) * 1000)
    figure(figures, "service_check_ms_p50", round(statistics.median(timings), 3))
    figure(figures, "service_check_ms_p99", round(percentile(timings, 0.99), 3))
    figure(figures, "sql_statements_per_check", statements_per_check(ctx, sample[0]))

    # single checks over HTTP against `trustguardian serve`, and GET /healthz (no database, no
    # key) with the same generator and connections as the raw baseline
    _, token = create_api_key(ctx, name="bench", scopes=[Scope.CONSENT_CHECK])
    proc, base = start_server(ctx, workdir, args.server_workers)
    figure(figures, "http_load_generator", "wrk" if checkload.have_wrk() else "python")
    figure(figures, "http_server_workers", args.server_workers)
    figure(figures, "http_rate_limit_api_per_minute", RATE_LIMIT_PER_MINUTE)

    def load(clients: int, path: str = "/v1/checks") -> checkload.Load:
        return checkload.run(
            base,
            token,
            subjects=args.subjects,
            clients=clients,
            seconds=args.http_seconds,
            requests=args.requests,
            workdir=workdir,
            path=path,
            rnd=rnd,
        )

    try:
        checkload.run(  # warm-up: every worker process loads the registry and the key once
            base,
            token,
            subjects=args.subjects,
            clients=args.clients,
            seconds=2,
            requests=200,
            workdir=workdir,
            rnd=rnd,
        )
        floor = load(args.clients, "/healthz")
        figure(figures, "http_healthz_per_s", round(floor.per_second))
        figure(figures, "http_healthz_ms_p50", round(floor.p50_ms, 3))
        figure(figures, "http_healthz_ms_p99", round(floor.p99_ms, 3))
        alone = load(1)
        figure(figures, "http_check_ms_p50_one_client", round(alone.p50_ms, 3))
        figure(figures, "http_check_ms_p99_one_client", round(alone.p99_ms, 3))
        cpu_before = checkload.cpu_seconds(proc.pid)
        checks = load(args.clients)
        cpu = checkload.cpu_seconds(proc.pid) - cpu_before
    except BaseException:
        stop_server(proc)
        raise
    figure(figures, "http_checks_per_s", round(checks.per_second))
    figure(figures, "http_check_ms_p50", round(checks.p50_ms, 3))
    figure(figures, "http_check_ms_p99", round(checks.p99_ms, 3))
    figure(figures, "http_check_errors", checks.errors)
    figure(figures, "http_check_reasons", checks.reasons)
    figure(figures, "server_cpu_ms_per_check", round(cpu / max(1, checks.requests) * 1000, 3))
    figure(figures, "http_checks_to_healthz_ratio", round(checks.per_second / floor.per_second, 2))
    figure(figures, "http_check_p50_to_healthz_p50", round(checks.p50_ms / floor.p50_ms, 2))
    figure(figures, "http_target_p99_lt_10ms", checks.p99_ms < 10)
    figure(figures, "http_target_ge_2000_per_s", checks.per_second >= 2000)
    return proc, base, token


def check_sample(subjects: int, rnd: random.Random) -> list[CheckRequest]:
    """A thousand single checks of known people."""
    return [
        CheckRequest(
            PURPOSE,
            Channel.EMAIL,
            Identifier(IdentifierKind.EMAIL, person(rnd.randrange(subjects))),
        )
        for _ in range(1000)
    ]


def bulk(ctx: Context, args: argparse.Namespace, figures: dict[str, object], workdir: Path) -> None:
    """(b) the bulk filter of the list: the floors, filter_rows in process, then the naive join
    and the CLI end to end interleaved (--repeats runs of each), then the CLI in one process."""
    listing = workdir / "list.csv"
    write_list(listing, args.rows, args.subjects, random.Random(LIST_SEED))
    start, cpu_start = time.perf_counter(), time.process_time()
    _, bad = read_and_normalise(listing)
    floor, cpu_floor = time.perf_counter() - start, time.process_time() - cpu_start
    figure(figures, "read_normalise_seconds", round(floor, 2))
    figure(figures, "read_normalise_cpu_seconds", round(cpu_floor, 2))
    figure(figures, "read_normalise_rows_per_s", round(args.rows / floor))
    figure(figures, "read_normalise_invalid_rows", bad)
    cpu_start = time.process_time()
    found = lookup_floor(ctx, listing)
    cpu_lookups = time.process_time() - cpu_start
    figure(figures, "lookup_floor_cpu_seconds", round(cpu_lookups, 2))
    figure(figures, "lookup_floor_found", list(found))
    # Even spread perfectly over every core, no filter that makes these lookups beats this.
    cores = os.cpu_count() or 1
    figure(figures, "lookup_floor_seconds_on_all_cores", round(cpu_lookups / cores, 2))
    if not args.skip_phases:
        for name, value in phases(ctx, listing, PURPOSE, args.filter_workers).items():
            figure(figures, name, value)
    allowed: int | None = None
    filter_digest = hashlib.sha256()
    if not args.skip_filter_rows:
        start, cpu_start = time.perf_counter(), time.process_time()
        answered = run_filter(ctx, listing, filter_digest)
        filtered = time.perf_counter() - start
        figure(figures, "filter_rows_cpu_seconds", round(time.process_time() - cpu_start, 2))
        assert sum(answered.values()) == args.rows, answered
        assert answered.get("invalid_row", 0) == bad, (answered, bad)
        allowed = answered.get("consent_given", 0)
        figure(figures, "filter_rows_seconds", round(filtered, 2))
        figure(figures, "filter_rows_rows_per_s", round(args.rows / filtered))
        figure(figures, "filter_rows_to_read_normalise_ratio", round(filtered / floor, 2))
        figure(figures, "filter_rows_reasons", answered)
        per_million = filtered / args.rows * 1_000_000
        figure(figures, "filter_rows_seconds_per_1M_rows", round(per_million, 1))
    if args.skip_cli:
        return
    versus_join(ctx, args, figures, workdir, listing, allowed, filter_digest.hexdigest())
    cli, cpu, kept, peak, _ = run_cli(ctx, listing, workdir, 1)
    label = "cli_filter_one_worker"
    figure(figures, f"{label}_seconds", round(cli, 2))
    figure(figures, f"{label}_cpu_seconds", round(cpu, 2))
    figure(figures, f"{label}_cpu_to_read_normalise_cpu_ratio", round(cpu / cpu_floor, 2))
    figure(figures, f"{label}_allowed_rows", kept)
    figure(figures, f"{label}_peak_heap_mb", round(peak))
    if args.rows_10m:
        ten_million(ctx, figures, workdir, args)
    if not args.skip_dialects:
        dialects(ctx, args, figures, workdir, listing)


def versus_join(
    ctx: Context,
    args: argparse.Namespace,
    figures: dict[str, object],
    workdir: Path,
    listing: Path,
    allowed: int | None,
    filter_digest: str,
) -> None:
    """The naive SQL join (bench/engage_join.py) and the CLI with its workers, run after one
    another --repeats times (so both meet the same load from the rest of the machine): each
    one's seconds and CPU seconds, the medians and the median of the per-run ratios."""
    runs: list[tuple[float, float, float, float, float]] = []
    for n in range(args.repeats):
        join_seconds, join_cpu, join_reasons, join_digest = naive_join(ctx, listing)
        cli, cpu, kept, peak, reasons = run_cli(ctx, listing, workdir, args.filter_workers)
        runs.append((join_seconds, join_cpu, cli, cpu, peak))
        print(
            f"run {n + 1}: join {join_seconds:.2f} s, {join_cpu:.2f} s CPU;"
            f" cli {cli:.2f} s, {cpu:.2f} s CPU, peak heap {peak:.0f} MB",
            flush=True,
        )
        if n == 0:
            figure(figures, "join_reasons", join_reasons)
            figure(figures, "cli_filter_agrees_with_join", reasons == verdicts(join_reasons))
            if allowed is not None:
                figure(
                    figures, "filter_rows_agrees_with_join_row_by_row", filter_digest == join_digest
                )
                figure(figures, "cli_filter_agrees_with_filter_rows", kept == allowed)

    def median(column: int) -> float:
        return round(statistics.median(run[column] for run in runs), 2)

    figure(figures, "join_seconds", median(0))
    figure(figures, "join_cpu_seconds", median(1))
    figure(figures, "cli_filter_workers", args.filter_workers)
    figure(figures, "cli_filter_seconds", median(2))
    figure(figures, "cli_filter_cpu_seconds", median(3))
    figure(figures, "cli_filter_peak_heap_mb", round(max(run[4] for run in runs)))
    figure(figures, "cli_filter_seconds_per_1M_rows", round(median(2) / args.rows * 1e6, 2))
    ratios = [run[3] / run[1] for run in runs]
    figure(figures, "cli_filter_cpu_to_join_cpu_ratios", [round(r, 2) for r in ratios])
    figure(figures, "cli_filter_cpu_to_join_cpu_ratio", round(statistics.median(ratios), 2))
    walls = [run[2] / run[0] for run in runs]
    figure(figures, "cli_filter_seconds_to_join_seconds_ratio", round(statistics.median(walls), 2))
    figure(figures, "cli_target_1M_lt_6s", median(2) / args.rows * 1e6 < 6)
    figure(figures, "cli_target_cpu_le_join", statistics.median(ratios) <= 1.0)


def ten_million(
    ctx: Context, figures: dict[str, object], workdir: Path, args: argparse.Namespace
) -> None:
    """The CLI on a list of 10M rows (same mix): its seconds, CPU and peak heap, against the
    1M-row run's peak heap (flat memory: the same, give or take the chunks in flight)."""
    path = workdir / "list-10m.csv"
    write_list(path, 10_000_000, args.subjects, random.Random(LIST_SEED + 3))
    cli, cpu, kept, peak, _ = run_cli(ctx, path, workdir, args.filter_workers)
    path.unlink()
    figure(figures, "cli_filter_10m_seconds", round(cli, 2))
    figure(figures, "cli_filter_10m_cpu_seconds", round(cpu, 2))
    figure(figures, "cli_filter_10m_allowed_rows", kept)
    figure(figures, "cli_filter_10m_peak_heap_mb", round(peak))
    one_million = figures.get("cli_filter_peak_heap_mb")
    if isinstance(one_million, int) and one_million:
        figure(figures, "cli_filter_10m_to_1m_peak_heap_ratio", round(peak / one_million, 2))


def dialects(
    ctx: Context, args: argparse.Namespace, figures: dict[str, object], workdir: Path, listing: Path
) -> None:
    """The list with a second column, written with commas and as Excel's Italian export saves it
    (semicolons, a byte order mark, CRLF, the header `E-mail;Nome`): the CLI on each, the same
    answers, and what reading the header and splitting on `;` costs against `,`."""
    runs: dict[str, tuple[float, float, int]] = {}
    for label, (header, sep, newline, bom) in {
        "comma": ("email,name", ",", "\n", ""),
        "excel": ("E-mail;Nome", ";", "\r\n", "\ufeff"),
    }.items():
        path = workdir / f"list-{label}.csv"
        with listing.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
            source.readline()
            out.write(f"{bom}{header}{newline}")
            out.writelines(f"{line.rstrip()}{sep}P{n}{newline}" for n, line in enumerate(source))
        cli, cpu, kept, _, _ = run_cli(ctx, path, workdir, args.filter_workers)
        runs[label] = (cli, cpu, kept)
        figure(figures, f"cli_filter_{label}_two_columns_seconds", round(cli, 2))
        figure(figures, f"cli_filter_{label}_two_columns_cpu_seconds", round(cpu, 2))
    figure(figures, "cli_filter_excel_agrees_with_comma", runs["excel"][2] == runs["comma"][2])
    figure(
        figures,
        "cli_filter_excel_to_comma_cpu_ratio",
        round(runs["excel"][1] / runs["comma"][1], 2),
    )


def profiles(
    ctx: Context, args: argparse.Namespace, figures: dict[str, object], workdir: Path
) -> None:
    """Hot spots, on a smaller run (none with --profile-rows 0)."""
    if args.profile_rows <= 0:
        return
    small = workdir / "small.csv"
    write_list(small, args.profile_rows, args.subjects, random.Random(LIST_SEED + 1))
    figures["hot_spots_filter_rows"] = profile(
        f"filter_rows over {args.profile_rows} rows", lambda: run_filter(ctx, small)
    )
    if not args.skip_http:
        sample = check_sample(args.subjects, random.Random(LIST_SEED + 2))[:500]
        figures["hot_spots_check_contact"] = profile(
            "500 check_contact calls", lambda: [check_contact(ctx, request=r) for r in sample]
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--http-seconds", type=float, default=10, help="Length of each wrk run.")
    parser.add_argument(
        "--server-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="`trustguardian serve --workers` for the HTTP runs (default: one per core; on "
        "SQLite the workers journal their checks, so they no longer wait on each other's "
        "commits: see store/engage/check_log.py).",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--profile-rows", type=int, default=50_000)
    parser.add_argument("--http-bulk-rows", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument(
        "--filter-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="`audience filter --workers` for the CLI run (then 1)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite database file to keep: built when missing, reused when present.",
    )
    parser.add_argument(
        "--skip-http", action="store_true", help="Only the bulk filter (no single checks)."
    )
    parser.add_argument(
        "--skip-filter-rows", action="store_true", help="No one-process filter_rows run."
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="Interleaved runs of the naive join and the CLI."
    )
    parser.add_argument(
        "--rows-10m",
        action="store_true",
        help="Also run the CLI on a list of 10M rows and report its peak heap (minutes).",
    )
    parser.add_argument(
        "--skip-dialects", action="store_true", help="No comma/Excel two-column CLI runs."
    )
    parser.add_argument(
        "--skip-phases",
        action="store_true",
        help="No in-process timing of the set load and the rows (bench/engage_phases.py).",
    )
    args = parser.parse_args()
    if args.db is not None and args.backend != "sqlite":
        parser.error("--db keeps a SQLite database")
    if args.db is not None:
        args.db = args.db.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(args, Path(tmp))
    print(json.dumps(figures))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
