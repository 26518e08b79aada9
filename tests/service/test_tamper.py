"""Tamper evidence: any single changed, deleted or swapped value in the ledger's tables is found.

A ledger of ~60 events (several batches, proofs with and without evidence files, sealed data, a
correction, withdrawals, an out-of-order paper form) is built once through the service. Then
hundreds of random single mutations are applied, each to a fresh copy of that database (a file
copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), and `verify_ledger` must report
every one of them, naming the sequence number, tree node, checkpoint or consent state touched.

Mutations (see `COLUMNS` and `STRUCTURAL`):
- every column of `events`: text and JSON change one character (JSON stays valid JSON), times
  change one digit (still a valid, different time), integers +-1, blobs get one byte flipped;
  `events.seq` +-1 becomes a swap of two neighbours' seq when the target is taken;
- `event_proofs.commitment` / `.type`, `tree_nodes.hash`, `checkpoints.note` / `.root_hash`,
  `consent_states.status` / `.since` / `.event_id`, `ledger_head.size`;
- swapping the leaves of two events, deleting an event with its proofs, a tree node, the last
  checkpoint, or a checkpoint in the middle.

Deleting a checkpoint in the middle is ALLOWED to pass verification: checkpoints attest the log,
they are not part of it. Every event and every tree node is still there and checked, and the
remaining checkpoints are still checked against the tree and against each other for
consistency; what must hold is that the last checkpoint still covers the whole log. (Deleting the
last one must fail: then no signed checkpoint covers the newest events.)

Row-level corruptions that cannot come from a single character (invalid JSON, an unparseable
time, an unknown consent status) are covered by `test_unreadable_values_are_reported`: verify
must report them, not crash. `test_sealed_bytes_of_an_event_are_covered_by_verify` isolates the
sealed columns (`events.data_sealed`, and the same gap in `event_proofs.sealed` /
`.blob_address` and `evidence_blobs.sealed`): the personal data and evidence a leaf commits to.

Run with `-s` to see how many mutations of each kind were tried and caught.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from tests.conftest import PG_URL, TEST_MASTER_KEY, Dropper
from tests.factories.cli import tg
from tests.factories.retail import SEED, Built, build_ledger

from trustguardian.service.context import Context
from trustguardian.service.verify.full import Report, verify_ledger
from trustguardian.store.engine import make_engine

# --- fresh copies of the database -------------------------------------------------------------


class Copies:
    """Fresh copies of a pristine database, and a connection that can break any constraint."""

    def __init__(
        self, backend: str, pristine: str, workdir: Path, dropper: Dropper | None = None
    ) -> None:
        self.backend = backend
        self.pristine = pristine
        self.workdir = workdir
        self.dropper = dropper  # PostgreSQL copies are dropped on its threads, not waited for
        self.made = 0

    @contextmanager
    def fresh(self) -> Iterator[str]:
        """A URL of a new copy; the copy is removed afterwards."""
        self.made += 1
        if self.backend == "sqlite":
            path = self.workdir / f"copy-{self.made}.db"
            shutil.copyfile(make_url(self.pristine).database or "", path)
            try:
                yield f"sqlite:///{path}"
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        admin = make_engine_admin()
        name = f"tg_tamper_{uuid.uuid4().hex[:12]}"
        source = make_url(self.pristine).database
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
            yield make_url(self.pristine).set(database=name).render_as_string(hide_password=False)
        finally:
            if self.dropper is not None:
                self.dropper.drop(name)
            else:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def make_engine_admin() -> Engine:
    return create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool)


class Raw:
    """Reads and writes cells with constraints off (foreign keys are what an attacker skips).

    SQL is written once for both backends: `TEXT(col)` reads a column as text (PostgreSQL hands
    JSON back parsed otherwise) and `CAST(:v AS JSON)` writes JSON text; on SQLite, which keeps
    both as text already, they read and write the plain value.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self._engine: Engine | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Connection | None = None

    def __enter__(self) -> Raw:
        if self.sqlite:
            self._sqlite = sqlite3.connect(make_url(self.url).database or "")
            self._sqlite.execute("PRAGMA foreign_keys=OFF")
        else:
            self._engine = make_engine(self.url)
            self._pg = self._engine.connect()
            self._pg.exec_driver_sql("SET session_replication_role = replica")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sqlite is not None:
            if exc[0] is None:
                self._sqlite.commit()
            self._sqlite.close()
        if self._pg is not None:
            if exc[0] is None:
                self._pg.commit()
            self._pg.close()
        if self._engine is not None:
            self._engine.dispose()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if self._sqlite is not None:
            return [tuple(r) for r in self._sqlite.execute(self._sql(sql), params or {})]
        assert self._pg is not None
        return [tuple(r) for r in self._pg.execute(text(self._sql(sql)), params or {})]

    def run(self, sql: str, params: dict[str, Any] | None = None) -> int:
        if self._sqlite is not None:
            return self._sqlite.execute(self._sql(sql), params or {}).rowcount
        assert self._pg is not None
        return self._pg.execute(text(self._sql(sql)), params or {}).rowcount

    def _sql(self, sql: str) -> str:
        if self.sqlite:
            sql = re.sub(r"\bTEXT\((\w+)\)", r"\1", sql)
            return re.sub(r"CAST\((:\w+) AS JSON\)", r"\1", sql)
        return re.sub(r"\bTEXT\((\w+)\)", r"CAST(\1 AS TEXT)", sql)


def verify_url(url: str, template: Context) -> Report:
    ctx = Context(
        settings=template.settings.model_copy(update={"database_url": url}),
        engine=make_engine(url),
        keys=template.keys,
    )
    try:
        return verify_ledger(ctx)
    finally:
        ctx.engine.dispose()


# --- single-value changes ---------------------------------------------------------------------

HEX = "0123456789abcdef"
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def other_char(rng: random.Random, ch: str) -> str:
    for pool in (HEX, "0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        if ch in pool:
            return rng.choice([c for c in pool if c != ch])
    return rng.choice([c for c in "xyz=" if c != ch])


def change_text(rng: random.Random, value: str) -> str:
    n = rng.randrange(len(value))
    return value[:n] + other_char(rng, value[n]) + value[n + 1 :]


def change_json(rng: random.Random, value: str) -> str:
    """Changes one character inside a string of the JSON text: still JSON, a different value."""
    inside: list[int] = []
    quoted = False
    for n, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif quoted and ch != "\\":
            inside.append(n)
    n = rng.choice(inside)
    changed = value[:n] + other_char(rng, value[n]) + value[n + 1 :]
    assert json.loads(changed) != json.loads(value)
    return changed


def change_time(rng: random.Random, value: Any) -> Any:
    """Changes one digit of a stored time; still a valid time, and a different one."""
    moment = value if isinstance(value, datetime) else datetime.strptime(value, SQLITE_TIME)
    shown = (
        moment.astimezone(UTC).strftime(SQLITE_TIME)
        if moment.tzinfo
        else moment.strftime(SQLITE_TIME)
    )
    digits = [n for n, ch in enumerate(shown) if ch.isdigit()]
    while True:
        n = rng.choice(digits)
        candidate = shown[:n] + other_char(rng, shown[n]) + shown[n + 1 :]
        try:
            parsed = datetime.strptime(candidate, SQLITE_TIME)
        except ValueError:
            continue
        if parsed.strftime(SQLITE_TIME) != shown:
            return candidate if isinstance(value, str) else parsed.replace(tzinfo=UTC)


def flip_byte(rng: random.Random, value: bytes) -> bytes:
    n = rng.randrange(len(value))
    return value[:n] + bytes([value[n] ^ rng.randrange(1, 256)]) + value[n + 1 :]


# Columns and how one value of each changes: text, json, time, int or blob.
COLUMNS: dict[str, dict[str, str]] = {
    "events": {
        "seq": "seq",
        "id": "text",
        "kind": "text",
        "touchpoint_key": "text",
        "subject_id": "text",
        "identifiers": "json",
        "purpose_key": "text",
        "purpose_version": "int",
        "channels": "json",
        "notice_key": "text",
        "notice_version": "int",
        "notice_sha256": "text",
        "occurred_at": "time",
        "recorded_at": "time",
        "corrects": "text",
        "data_commitment": "text",
        "data_sealed": "blob",
        "leaf": "blob",
    },
    "event_proofs": {"commitment": "text", "type": "text"},
    "tree_nodes": {"hash": "blob"},
    "checkpoints": {"note": "text", "root_hash": "blob"},
    "consent_states": {"status": "text", "since": "time", "event_id": "text"},
    "ledger_head": {"size": "int"},
    "registry_records": {
        "kind": "text",
        "object_type": "text",
        "object_key": "text",
        "content": "text",
        "recorded_at": "time",
        "actor": "text",
        "leaf": "blob",
    },
}
KEYS = {
    "events": ("seq",),
    "event_proofs": ("event_seq", "position"),
    "tree_nodes": ("level", "idx"),
    "checkpoints": ("tree_size",),
    "consent_states": ("subject_id", "purpose_key", "channel"),
    "ledger_head": ("id",),
    "registry_records": ("seq",),
}
STRUCTURAL = [
    "swap leaves",
    "delete event",
    "delete tree node",
    "delete last checkpoint",
    "delete middle checkpoint",
]


@dataclasses.dataclass
class Mutation:
    what: str  # "table.column" or a structural name
    detail: str
    expect: list[str]  # regexes: at least one problem must match one of them (empty: any)
    may_pass: bool = False


def seq_pattern(seq: int) -> str:
    """A problem naming this seq: `seq N`, a range `seq A..B` holding it, or its leaf node."""
    return f"seq={seq}"


def _names(problem: str, pattern: str) -> bool:
    if not pattern.startswith("seq="):
        return re.search(pattern, problem) is not None
    seq = int(pattern[4:])
    if re.search(rf"\bseq {seq}\b(?!\.\.)|tree node \(0, {seq}\)", problem):
        return True
    return any(int(a) <= seq <= int(b) for a, b in re.findall(r"seq (\d+)\.\.(\d+)", problem))


def problem_matches(problems: list[str], patterns: list[str]) -> bool:
    """Whether some problem names what `patterns` describe (no patterns: any problem will do)."""
    if not patterns:
        return True
    return any(_names(problem, pattern) for problem in problems for pattern in patterns)


def mutate_cell(raw: Raw, rng: random.Random, table: str, column: str) -> Mutation | None:
    """Changes one value of `table.column` in a random row; None if the column is all NULL."""
    kind = COLUMNS[table][column]
    keys = KEYS[table]
    cols = ", ".join(keys)
    # JSON as text on both backends; a time as text (SQLite) or a datetime (PostgreSQL).
    getter = f"TEXT({column})" if kind == "json" else column
    sql = f"SELECT {cols}, {getter} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
    rows = raw.rows(sql)
    if kind == "json":
        rows = [r for r in rows if '"' in r[-1]]  # a JSON value holding some string
    if not rows:
        return None
    *key, value = rng.choice(rows)
    where = " AND ".join(f"{k} = :k{n}" for n, k in enumerate(keys))
    params: dict[str, Any] = {f"k{n}": v for n, v in enumerate(key)}
    what = f"{table}.{column}"
    if kind == "seq":
        return _mutate_seq(raw, rng, int(value))
    if kind == "text":
        new: Any = change_text(rng, value)
    elif kind == "json":
        new = change_json(rng, value)
    elif kind == "time":
        new = change_time(rng, value)
    elif kind == "int":
        new = value + rng.choice((-1, 1))
    else:
        new = flip_byte(rng, bytes(value))
    assert new != value
    setter = "CAST(:v AS JSON)" if kind == "json" else ":v"
    sql = f"UPDATE {table} SET {column} = {setter} WHERE {where}"  # noqa: S608
    changed = raw.run(sql, {**params, "v": new})
    assert changed == 1
    detail = f"{key} {_short(value, new)}"
    return Mutation(what, detail, _expect(table, key))


def _short(old: Any, new: Any) -> str:
    """Where the two values differ, briefly."""
    if isinstance(old, bytes | memoryview):
        old = bytes(old)
        at = next(n for n in range(len(old)) if old[n] != new[n])
        return f"byte {at}: {old[at]:02x} -> {new[at]:02x}"
    a, b = str(old), str(new)
    at = next((n for n in range(min(len(a), len(b))) if a[n] != b[n]), 0)
    start = max(0, at - 12)
    return f"...{a[start : at + 12]!r} -> {b[start : at + 12]!r}"


def _expect(table: str, key: list[Any]) -> list[str]:
    if table in ("events", "registry_records"):
        return [seq_pattern(key[0])]
    if table == "event_proofs":
        return [seq_pattern(key[0])]
    if table == "tree_nodes":
        level, idx = key
        return [rf"tree node \({level}, {idx}\)"]
    if table == "checkpoints":
        return [rf"checkpoint {key[0]}\b"]
    if table == "consent_states":
        subject, purpose, channel = key
        return [re.escape(f"consent state {subject}/{purpose}/{channel}")]
    return [r"ledger head says"]


def _mutate_seq(raw: Raw, rng: random.Random, seq: int) -> Mutation:
    size = raw.rows("SELECT size FROM ledger_head")[0][0]
    delta = rng.choice((-1, 1))
    target = seq + delta
    taken = raw.rows("SELECT count(*) FROM events WHERE seq = :s", {"s": target})[0][0]
    if taken:
        # Both neighbours' seq change by one: a swap through a free value.
        raw.run("UPDATE events SET seq = :t WHERE seq = :s", {"t": -12345, "s": target})
        raw.run("UPDATE events SET seq = :t WHERE seq = :s", {"t": target, "s": seq})
        raw.run("UPDATE events SET seq = :t WHERE seq = :s", {"t": seq, "s": -12345})
        detail = f"swapped seq {seq} and {target}"
    else:
        raw.run("UPDATE events SET seq = :t WHERE seq = :s", {"t": target, "s": seq})
        detail = f"seq {seq} -> {target} (size {size})"
    return Mutation("events.seq", detail, [seq_pattern(seq), seq_pattern(target)])


def mutate_structure(raw: Raw, rng: random.Random, what: str) -> Mutation:
    if what == "swap leaves":
        seqs = [r[0] for r in raw.rows("SELECT seq FROM events ORDER BY seq")]
        a, b = rng.sample(seqs, 2)
        leaf_a = raw.rows("SELECT leaf FROM events WHERE seq = :s", {"s": a})[0][0]
        leaf_b = raw.rows("SELECT leaf FROM events WHERE seq = :s", {"s": b})[0][0]
        raw.run("UPDATE events SET leaf = :v WHERE seq = :s", {"v": leaf_b, "s": a})
        raw.run("UPDATE events SET leaf = :v WHERE seq = :s", {"v": leaf_a, "s": b})
        return Mutation(what, f"seq {a} <-> {b}", [seq_pattern(a), seq_pattern(b)])
    if what == "delete event":
        seqs = [r[0] for r in raw.rows("SELECT seq FROM events ORDER BY seq")]
        seq = rng.choice(seqs)
        raw.run("DELETE FROM event_proofs WHERE event_seq = :s", {"s": seq})
        assert raw.run("DELETE FROM events WHERE seq = :s", {"s": seq}) == 1
        return Mutation(what, f"seq {seq}", [seq_pattern(seq)])
    if what == "delete tree node":
        nodes = raw.rows("SELECT level, idx FROM tree_nodes ORDER BY level, idx")
        level, idx = rng.choice(nodes)
        raw.run("DELETE FROM tree_nodes WHERE level = :l AND idx = :i", {"l": level, "i": idx})
        return Mutation(what, f"({level}, {idx})", [rf"tree node \({level}, {idx}\)", "tree holds"])
    sizes = [r[0] for r in raw.rows("SELECT tree_size FROM checkpoints ORDER BY tree_size")]
    if what == "delete last checkpoint":
        size = sizes[-1]
        raw.run("DELETE FROM checkpoints WHERE tree_size = :s", {"s": size})
        return Mutation(what, f"checkpoint {size}", [r"no valid checkpoint covers"])
    assert what == "delete middle checkpoint"
    size = rng.choice(sizes[1:-1])
    raw.run("DELETE FROM checkpoints WHERE tree_size = :s", {"s": size})
    return Mutation(what, f"checkpoint {size}", [], may_pass=True)


def mutation_plan(rng: random.Random, count: int) -> list[str]:
    """Every column and structural change in turn, then random ones, shuffled."""
    kinds = [f"{t}.{c}" for t, cols in COLUMNS.items() for c in cols] + STRUCTURAL
    plan = list(kinds)
    while len(plan) < count:
        plan.append(rng.choice(kinds))
    rng.shuffle(plan)
    return plan


@dataclasses.dataclass
class Outcome:
    tried: Counter[str] = dataclasses.field(default_factory=Counter)
    caught: Counter[str] = dataclasses.field(default_factory=Counter)
    missed: list[str] = dataclasses.field(default_factory=list)
    unnamed: list[str] = dataclasses.field(default_factory=list)
    crashed: list[str] = dataclasses.field(default_factory=list)
    passed_allowed: list[str] = dataclasses.field(default_factory=list)

    def table(self) -> str:
        lines = [f"{'mutation':<28} {'tried':>5} {'caught':>6}"]
        for what in sorted(self.tried):
            lines.append(f"{what:<28} {self.tried[what]:>5} {self.caught[what]:>6}")
        lines.append(f"{'total':<28} {sum(self.tried.values()):>5} {sum(self.caught.values()):>6}")
        return "\n".join(lines)


def run_mutations(ctx: Context, copies: Copies, count: int, seed: int) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome()
    for what in mutation_plan(rng, count):
        with copies.fresh() as url:
            with Raw(url) as raw:
                if what in STRUCTURAL:
                    mutation: Mutation | None = mutate_structure(raw, rng, what)
                else:
                    table, column = what.split(".")
                    mutation = mutate_cell(raw, rng, table, column)
            if mutation is None:
                continue
            outcome.tried[what] += 1
            label = f"{what}: {mutation.detail}"
            try:
                report = verify_url(url, ctx)
            except Exception as exc:  # verify must report, never crash
                outcome.crashed.append(f"{label}: {type(exc).__name__}: {exc}"[:300])
                continue
            if report.ok:
                if mutation.may_pass:
                    outcome.passed_allowed.append(label)
                    with Raw(url) as raw:
                        last = raw.rows("SELECT max(tree_size) FROM checkpoints")[0][0]
                        head = raw.rows("SELECT size FROM ledger_head")[0][0]
                    assert last == head, f"{label}: passed but the last checkpoint is {last}"
                    outcome.caught[what] += 1
                else:
                    outcome.missed.append(label)
                continue
            outcome.caught[what] += 1
            if not problem_matches(report.problems, mutation.expect):
                outcome.unnamed.append(f"{label}: {report.problems[:3]}")
    return outcome


def pristine(ctx: Context) -> str:
    """Disposes the context's engine so the database can be copied; returns its URL."""
    ctx.engine.dispose()
    url = ctx.settings.database_url
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        # Fold the WAL into the main file so a plain copy holds everything.
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return url


def check_outcome(outcome: Outcome, minimum: int) -> None:
    print(outcome.table())
    if outcome.passed_allowed:
        print("allowed to pass (documented):", *outcome.passed_allowed, sep="\n  ")
    problems = []
    if outcome.missed:
        problems.append("NOT DETECTED:\n  " + "\n  ".join(outcome.missed))
    if outcome.crashed:
        problems.append("VERIFY CRASHED:\n  " + "\n  ".join(outcome.crashed))
    if outcome.unnamed:
        problems.append("DETECTED BUT NOT NAMED:\n  " + "\n  ".join(outcome.unnamed))
    assert sum(outcome.tried.values()) >= minimum, outcome.table()
    assert not problems, "\n".join(problems) + "\n" + outcome.table()


def _built_ctx(make_ctx: Callable[[str], Context], backend: str) -> tuple[Context, Built]:
    ctx = make_ctx(backend)
    built = build_ledger(ctx)
    report = verify_ledger(ctx)
    assert report.ok, report.problems
    assert report.events == len(built.event_ids) >= 55
    assert report.events + report.records == built.size
    assert report.checkpoints == len(built.checkpoints) >= 5
    assert report.proofs > 40
    with ctx.engine.connect() as conn:
        counts = {
            name: conn.execute(text(sql)).scalar_one()
            for name, sql in {
                "corrections": "SELECT count(*) FROM events WHERE corrects IS NOT NULL",
                "withdrawals": "SELECT count(*) FROM events WHERE kind = 'consent.withdrawn'",
                "sealed data": "SELECT count(*) FROM events WHERE data_sealed IS NOT NULL",
                "evidence files": "SELECT count(*) FROM event_proofs"
                " WHERE blob_address IS NOT NULL",
                "consent states": "SELECT count(*) FROM consent_states",
            }.items()
        }
    assert all(counts.values()), counts
    return ctx, built


@pytest.mark.slow  # hundreds of copies, each verified
def test_every_single_mutation_is_found_on_sqlite(
    make_ctx: Callable[[str], Context], tmp_path: Path
) -> None:
    ctx, _ = _built_ctx(make_ctx, "sqlite")
    copies = Copies("sqlite", pristine(ctx), tmp_path)
    outcome = run_mutations(ctx, copies, count=400, seed=SEED)
    check_outcome(outcome, minimum=300)


@pytest.mark.slow  # a database created per mutation
@pytest.mark.postgres
def test_every_single_mutation_is_found_on_postgresql(
    make_ctx: Callable[[str], Context], tmp_path: Path, pg_dropper: Dropper
) -> None:
    ctx, _ = _built_ctx(make_ctx, "postgresql")
    copies = Copies("postgresql", pristine(ctx), tmp_path, pg_dropper)
    outcome = run_mutations(ctx, copies, count=36, seed=SEED + 1)
    check_outcome(outcome, minimum=30)


# --- focused cases ----------------------------------------------------------------------------


@pytest.fixture
def built_sqlite(make_ctx: Callable[[str], Context], tmp_path: Path) -> tuple[Context, Copies]:
    ctx, _ = _built_ctx(make_ctx, "sqlite")
    return ctx, Copies("sqlite", pristine(ctx), tmp_path)


SEALED = {
    # column: SQL giving (seq of the event it belongs to, a where-clause key, the value)
    "events.data_sealed": "SELECT seq, seq, data_sealed FROM events"
    " WHERE data_sealed IS NOT NULL ORDER BY seq",
    "event_proofs.sealed": "SELECT event_seq, event_seq, sealed FROM event_proofs"
    " WHERE position = 0 ORDER BY event_seq",
    "event_proofs.blob_address": "SELECT event_seq, event_seq, blob_address FROM event_proofs"
    " WHERE blob_address IS NOT NULL AND position = 0 ORDER BY event_seq",
    "evidence_blobs.sealed": "SELECT p.event_seq, b.address, b.sealed FROM evidence_blobs b"
    " JOIN event_proofs p ON p.blob_address = b.address ORDER BY p.event_seq",
}
SEALED_KEY = {
    "events": "seq",
    "event_proofs": "position = 0 AND event_seq",
    "evidence_blobs": "address",
}


@pytest.mark.parametrize("what", list(SEALED))
def test_sealed_bytes_of_an_event_are_covered_by_verify(
    built_sqlite: tuple[Context, Copies], what: str
) -> None:
    """The personal data and evidence an event's leaf commits to are stored sealed next to it:
    a flipped byte there silently destroys what the ledger vouches for. `events.data_sealed` is
    in the mutation set of the brief; the proof and evidence columns fail the same way."""
    ctx, copies = built_sqlite
    table, column = what.split(".")
    with copies.fresh() as url:
        with Raw(url) as raw:
            seq, key, value = raw.rows(SEALED[what])[0]
            changed = (
                change_text(random.Random(1), value)
                if isinstance(value, str)
                else flip_byte(random.Random(1), bytes(value))
            )
            sql = f"UPDATE {table} SET {column} = :v WHERE {SEALED_KEY[table]} = :k"  # noqa: S608
            assert raw.run(sql, {"v": changed, "k": key}) == 1
        report = verify_url(url, ctx)
    assert not report.ok, f"a changed byte in {what} of seq {seq} went unnoticed"
    assert problem_matches(report.problems, [seq_pattern(seq)]), report.problems


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("events", "identifiers", '["not json'),
        ("events", "channels", '["email"'),
        ("events", "channels", "{}"),
        ("events", "purpose_version", "one"),
        ("events", "occurred_at", "yesterday"),
        ("events", "recorded_at", "2025-13-45 99:99:99.000000"),
        ("consent_states", "status", "gone"),
        ("consent_states", "since", "not a time"),
    ],
)
def test_unreadable_values_are_reported(
    built_sqlite: tuple[Context, Copies], table: str, column: str, value: str
) -> None:
    """A value no single-character edit produces (SQLite stores anything): reported, no crash."""
    ctx, copies = built_sqlite
    with copies.fresh() as url:
        with Raw(url) as raw:
            key = KEYS[table]
            sql = f"SELECT {', '.join(key)} FROM {table} ORDER BY {key[0]} LIMIT 1"  # noqa: S608
            row = raw.rows(sql)[0]
            where = " AND ".join(f"{k} = :k{n}" for n, k in enumerate(key))
            params = {f"k{n}": v for n, v in enumerate(row)}
            sql = f"UPDATE {table} SET {column} = :v WHERE {where}"  # noqa: S608
            raw.run(sql, {**params, "v": value})
        try:
            report = verify_url(url, ctx)
        except Exception as exc:
            pytest.fail(f"verify crashed on {table}.{column} = {value!r}: {exc!r}")
    assert not report.ok
    assert problem_matches(report.problems, _expect(table, list(row))), report.problems


def test_consent_status_flipped_to_another_valid_status(
    built_sqlite: tuple[Context, Copies],
) -> None:
    ctx, copies = built_sqlite
    with copies.fresh() as url:
        with Raw(url) as raw:
            rows = raw.rows(
                "SELECT subject_id, purpose_key, channel, status FROM consent_states"
                " ORDER BY subject_id, purpose_key, channel"
            )
            for subject, purpose, channel, status in rows:
                flipped = "withdrawn" if status == "given" else "given"
                raw.run(
                    "UPDATE consent_states SET status = :v WHERE subject_id = :s"
                    " AND purpose_key = :p AND channel = :c",
                    {"v": flipped, "s": subject, "p": purpose, "c": channel},
                )
        report = verify_url(url, ctx)
    assert len([p for p in report.problems if p.startswith("consent state")]) == len(rows)


def test_events_kind_changed_to_another_valid_kind(built_sqlite: tuple[Context, Copies]) -> None:
    ctx, copies = built_sqlite
    with copies.fresh() as url:
        with Raw(url) as raw:
            seq = raw.rows("SELECT seq FROM events WHERE kind = 'consent.withdrawn'")[0][0]
            raw.run("UPDATE events SET kind = 'consent.given' WHERE seq = :s", {"s": seq})
        report = verify_url(url, ctx)
    assert problem_matches(report.problems, [seq_pattern(seq)]), report.problems


def test_cli_verify_names_the_tampered_seq(
    built_sqlite: tuple[Context, Copies], tmp_path: Path
) -> None:
    _, copies = built_sqlite
    keys = tmp_path / "keys.json"
    assert keys.exists()  # the context's signing key: the CLI must check with the same one
    with copies.fresh() as url:
        with Raw(url) as raw:
            seq = raw.rows("SELECT max(seq) FROM events WHERE purpose_version IS NOT NULL")[0][0]
            raw.run(
                "UPDATE events SET purpose_version = purpose_version + 1 WHERE seq = :s",
                {"s": seq},
            )
        env = {
            **os.environ,
            "TRUSTGUARDIAN_DATABASE_URL": url,
            "TRUSTGUARDIAN_KEYS_FILE": str(keys),
            "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
            "COLUMNS": "200",
        }
        done = tg("verify", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(rf"seq {seq}\b", done.stdout), done.stdout
    assert "verification failed" in done.stdout


def test_clean_copy_verifies_on_the_cli(
    built_sqlite: tuple[Context, Copies], tmp_path: Path
) -> None:
    """The control: the same copy, untouched, passes `trustguardian verify` (exit 0)."""
    _, copies = built_sqlite
    with copies.fresh() as url:
        env = {
            **os.environ,
            "TRUSTGUARDIAN_DATABASE_URL": url,
            "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
            "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
        }
        done = tg("verify", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ledger verified" in done.stdout


def test_a_mutation_restored_verifies_again(built_sqlite: tuple[Context, Copies]) -> None:
    """Sanity of the harness: a change detected, then undone, verifies clean."""
    ctx, copies = built_sqlite
    with copies.fresh() as url:
        with Raw(url) as raw:
            seq, leaf = raw.rows("SELECT seq, leaf FROM events ORDER BY seq LIMIT 1 OFFSET 3")[0]
            raw.run(
                "UPDATE events SET leaf = :v WHERE seq = :s",
                {"v": flip_byte(random.Random(), bytes(leaf)), "s": seq},
            )
        assert not verify_url(url, ctx).ok
        with Raw(url) as raw:
            raw.run("UPDATE events SET leaf = :v WHERE seq = :s", {"v": bytes(leaf), "s": seq})
        assert verify_url(url, ctx).ok
