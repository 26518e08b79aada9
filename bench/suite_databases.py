"""What a test pays for its database: the two ways `tests/conftest.py` can hand one out.

    python bench/suite_databases.py [--rounds 20] [--backends sqlite,postgresql]

Per backend, `--rounds` times each:

- raw: a copy of the migrated template (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
  PostgreSQL) and its removal, nothing else: the floor;
- init: the copy, then `trustguardian init` binding it to a new key file, as every test paid
  before the session's bound template;
- bound: a copy of a template already bound to a session key file, the key file copied beside
  it and the instance opened (keys checked against the database), as `make_ctx` does now;
- drop: the DROP DATABASE a PostgreSQL test no longer waits for (a thread does it).

Prints each figure in ms per test and its ratio to raw, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from common import MASTER, PG
from trustguardian.service.ops.binding import init_instance, open_instance
from trustguardian.settings import Settings
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import upgrade


def settings(url: str, directory: Path) -> Settings:
    return Settings(
        database_url=url,
        keys_file=directory / "keys.json",
        master_key=MASTER,  # type: ignore[arg-type]
    )


class Backend:
    """Copies of a migrated and of a bound template, on one backend."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.made = 0
        self.dropped: list[float] = []
        self.migrated = self._template("migrated")
        self.session = workdir / "session"
        self.session.mkdir()
        bound = self._template("bound", source=self.migrated)
        init_instance(settings(bound, self.session)).engine.dispose()
        self.bound = bound

    def _template(self, label: str, source: str | None = None) -> str:
        if source is not None:
            return self.copy(source)
        if self.name == "sqlite":
            url = f"sqlite:///{self.workdir / f'{label}.db'}"
        else:
            name = f"tg_bench_{label}_{uuid.uuid4().hex[:8]}"
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(PG).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url

    def copy(self, template: str) -> str:
        self.made += 1
        if self.name == "sqlite":
            path = self.workdir / f"copy-{self.made}.db"
            shutil.copyfile(make_url(template).database or "", path)
            return f"sqlite:///{path}"
        name = f"tg_bench_{uuid.uuid4().hex[:10]}"
        source = make_url(template).database
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        return make_url(PG).set(database=name).render_as_string(hide_password=False)

    def remove(self, url: str) -> None:
        started = time.perf_counter()
        if self.name == "sqlite":
            Path(make_url(url).database or "").unlink()
            return
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        self.dropped.append(time.perf_counter() - started)

    def close(self) -> None:
        for url in (self.bound, self.migrated):
            if self.name == "sqlite":
                Path(make_url(url).database or "").unlink()
            else:
                self.remove(url)
        self.admin.dispose()


def timed(rounds: int, one: Callable[[Path], None], workdir: Path) -> float:
    """Median seconds of `one`, each round in a directory of its own (a test's tmp_path)."""
    seconds = []
    for n in range(rounds):
        directory = workdir / f"{one.__name__}-{n}"
        directory.mkdir()
        started = time.perf_counter()
        one(directory)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def measure(name: str, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        backend = Backend(name, workdir)
        try:

            def raw(directory: Path) -> None:
                backend.remove(backend.copy(backend.migrated))

            def init(directory: Path) -> None:
                url = backend.copy(backend.migrated)
                init_instance(settings(url, directory)).engine.dispose()
                backend.remove(url)

            def bound(directory: Path) -> None:
                url = backend.copy(backend.bound)
                shutil.copy2(backend.session / "keys.json", directory / "keys.json")
                open_instance(settings(url, directory)).engine.dispose()
                backend.remove(url)

            figures = {
                "raw_ms": timed(rounds, raw, workdir) * 1000,
                "init_ms": timed(rounds, init, workdir) * 1000,
                "bound_ms": timed(rounds, bound, workdir) * 1000,
            }
            if backend.dropped:
                figures["drop_ms"] = statistics.median(backend.dropped) * 1000
        finally:
            backend.close()
    return {key: round(value, 1) for key, value in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    result: dict[str, object] = {"bench": "suite_databases", "rounds": args.rounds}
    for name in args.backends.split(","):
        figures = measure(name, args.rounds)
        raw = figures["raw_ms"]
        for key, value in figures.items():
            print(f"{name:<10} {key:<9} {value:8.1f} ms  ({value / raw:.1f}x raw)")
        result[name] = figures
    print(json.dumps(result))


if __name__ == "__main__":
    main()
