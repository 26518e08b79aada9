"""Test databases: a fresh, migrated database per test on SQLite and on PostgreSQL.

Each backend migrates one template database per session through Alembic (the real path); each
test then gets its own copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL),
so tests never share state and the code under test commits for real.

A context (`make_ctx`, `ctx`, `sqlite_ctx`) starts from a second template per backend, bound once
per session by `trustguardian init` (the real path) to a session key file that each test gets a
copy of: binding every test's database anew cost more than most tests (about 0.3 s on SQLite,
0.8 s on PostgreSQL). `make_db` still hands out unbound databases, for tests of init and binding.
PostgreSQL copies are made ahead and dropped on background threads, so that no test waits for
a CREATE or a DROP DATABASE.
"""

from __future__ import annotations

import os

# pytest-xdist's workers run with COLUMNS=80, and Rich fixes a console's width from COLUMNS when
# it is created: CLI tables would be cut in some workers and not in others. Without it Rich
# measures at each print, and tests that need a width pass it to the command they run.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)
# Console passwords: a cheap argon2id in tests (Settings.password_*, read from the environment so
# the servers and commands tests start hash alike). Production keeps argon2-cffi's default cost,
# which tests/web/test_users.py checks.
os.environ.setdefault("TRUSTGUARDIAN_PASSWORD_TIME_COST", "1")
os.environ.setdefault("TRUSTGUARDIAN_PASSWORD_MEMORY_KIB", "8")
os.environ.setdefault("TRUSTGUARDIAN_PASSWORD_PARALLELISM", "1")
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context
from trustguardian.service.ops.binding import init_instance, open_instance
from trustguardian.settings import Settings
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import upgrade

# Property tests judge answers, never speed: hypothesis' per-example deadline (200 ms) turns a
# busy machine into failures, so no test has one; "too slow" data generation is no failure either.
settings.register_profile(
    "trustguardian", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("trustguardian")

PG_URL = os.environ.get(
    "TRUSTGUARDIAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_MASTER_KEY = "tgmk1:" + "A" * 43
BACKEND_ID = re.compile(r"\[(?:[^\]]*-)?(sqlite|postgresql)(?:-[^\]]*)?\]")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An autocommit engine on the server, to create and drop test databases."""
    engine = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin: Engine) -> Iterator[str]:
    name = f"tg_template_{uuid.uuid4().hex[:10]}"
    admin = pg_admin
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the PostgreSQL suite is mandatory: say so, never skip silently
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {exc}", pytrace=False)
    engine = make_engine(str(make_url(PG_URL).set(database=name)))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Dropper:
    """Drops PostgreSQL test databases on threads of their own, so that no test waits for one.

    A DROP DATABASE waits for a checkpoint of the whole server (seconds on a busy machine);
    several DROPs waiting at once share one, so a few threads drop what a test leaves behind."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-test-databases")
        self.dropping: list[Future[None]] = []

    def drop(self, name: str) -> None:
        """Drops the database `name` soon (now, on another thread)."""
        self.dropping.append(self.pool.submit(self._drop, name))

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Waits for every drop; raises the first that failed."""
        self.pool.shutdown(wait=True)
        for done in self.dropping:
            done.result()


@pytest.fixture(scope="session")
def pg_dropper(pg_admin: Engine) -> Iterator[Dropper]:
    dropper = Dropper(pg_admin)
    yield dropper
    dropper.close()


class Spares:
    """Makes the next PostgreSQL copy of each template while a test runs, on a thread of its
    own: the test after it finds its database made (a CREATE DATABASE writes the whole
    template to the WAL, a second on a busy machine)."""

    def __init__(self, admin: Engine, dropper: Dropper) -> None:
        self.admin = admin
        self.dropper = dropper
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spare-test-databases")
        self.ready: dict[str, Future[str]] = {}

    def take(self, template: str) -> str:
        """The name of a new copy of `template` (the one made ahead, if any), the test's own."""
        made = self.ready.pop(template, None)
        name = made.result() if made is not None else self._create(template)
        self.ready[template] = self.pool.submit(self._create, template)
        return name

    def _create(self, template: str) -> str:
        name = f"tg_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            # A commit need not wait for its WAL flush: that is durability across a crash of
            # the PostgreSQL server, which no test causes; what a commit makes visible, and when,
            # is unchanged. About half the cost of a commit on a busy machine.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        return name

    def close(self) -> None:
        """Drops the copies made ahead that no test took."""
        self.pool.shutdown(wait=True)
        for made in self.ready.values():
            self.dropper.drop(made.result())


@pytest.fixture(scope="session")
def pg_spares(pg_admin: Engine, pg_dropper: Dropper) -> Iterator[Spares]:
    spares = Spares(pg_admin, pg_dropper)
    yield spares
    spares.close()


class BoundTemplates:
    """The session's key file and, per backend, a template database bound to it by init."""

    def __init__(self, request: pytest.FixtureRequest, directory: Path) -> None:
        self.request = request
        self.keys = directory / "keys.json"
        self.sqlite = directory / "bound.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), self.sqlite)
        ctx = bound_context(make_settings(f"sqlite:///{self.sqlite}", directory))
        ctx.engine.dispose()
        self.pg_names: list[str] = []

    def postgresql(self) -> str:
        """The bound PostgreSQL template's name (made on first use: SQLite-only runs need none)."""
        if not self.pg_names:
            admin: Engine = self.request.getfixturevalue("pg_admin")
            migrated: str = self.request.getfixturevalue("pg_template")
            name = f"tg_bound_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{migrated}"'))
            self.pg_names.append(name)
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
            ctx = bound_context(make_settings(url, self.keys.parent))  # binds to the key file
            ctx.engine.dispose()
        return self.pg_names[0]


@pytest.fixture(scope="session")
def bound_templates(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pg_admin: Engine
) -> Iterator[BoundTemplates]:
    templates = BoundTemplates(request, tmp_path_factory.mktemp("bound"))
    yield templates
    if templates.pg_names:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{templates.pg_names[0]}" WITH (FORCE)'))


class Databases:
    """A test's databases: fresh copies of a session template, removed after the test."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.request = request
        self.tmp_path = tmp_path
        self.created: list[str] = []

    def copy(self, backend: str, *, bound: bool) -> str:
        """The URL of a new database: migrated, and bound to the session key file if `bound`."""
        fixture = self.request.getfixturevalue
        if backend == "sqlite":
            template: Path = (
                fixture("bound_templates").sqlite if bound else fixture("sqlite_template")
            )
            path = self.tmp_path / f"db-{len(self.created)}.db"
            shutil.copyfile(template, path)
            self.created.append(str(path))
            return f"sqlite:///{path}"
        template_name: str = (
            fixture("bound_templates").postgresql() if bound else fixture("pg_template")
        )
        spares: Spares = fixture("pg_spares")
        name = spares.take(template_name)
        self.created.append(name)
        return str(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))

    def drop(self) -> None:
        pg_names = [n for n in self.created if not n.endswith(".db")]
        if pg_names:
            dropper: Dropper = self.request.getfixturevalue("pg_dropper")
            for name in pg_names:
                dropper.drop(name)


@pytest.fixture
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    made = Databases(request, tmp_path)
    yield made
    made.drop()


@pytest.fixture
def make_db(databases: Databases) -> Callable[[str], str]:
    """Returns a factory: backend name -> URL of a fresh migrated database for this test."""
    return lambda backend: databases.copy(backend, bound=False)


def make_settings(url: str, tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        database_url=url,
        keys_file=tmp_path / "keys.json",
        master_key=TEST_MASTER_KEY,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def bound_context(settings: Settings) -> Context:
    """A context on a migrated database, bound to its keys as an operator would do it: the
    first database of a test gets a new key file (`trustguardian init`), the next ones are
    bound to that same key file (`trustguardian migrate`)."""
    if settings.keys_file.exists():
        return open_instance(settings, migrate=True)
    return init_instance(settings)


MakeInstance = Callable[..., Context]


@pytest.fixture
def make_instance(
    bound_templates: BoundTemplates, databases: Databases, tmp_path: Path
) -> MakeInstance:
    """Returns a factory: (backend, **settings) -> a Context on a fresh database bound to the
    test's key file, tmp_path/keys.json (the session's, unless the test wrote its own); the
    caller disposes of its engine."""

    def make(backend: str, **extra: object) -> Context:
        keys = tmp_path / "keys.json"
        if not keys.exists():
            shutil.copy2(bound_templates.keys, keys)
        if keys.read_bytes() == bound_templates.keys.read_bytes():
            # The session's keys: a copy of the database bound to them is what init would make.
            url = databases.copy(backend, bound=True)
            return open_instance(make_settings(url, tmp_path, **extra))
        # The test made keys of its own: a database bound to them.
        return bound_context(make_settings(databases.copy(backend, bound=False), tmp_path, **extra))

    return make


@pytest.fixture
def make_ctx(make_instance: MakeInstance) -> Iterator[Callable[[str], Context]]:
    """Returns a factory: backend name -> a Context on a fresh database (the test's key file,
    tmp_path/keys.json, holds its signing key; the master key comes from the environment)."""
    contexts: list[Context] = []

    def make(backend: str) -> Context:
        contexts.append(make_instance(backend))
        return contexts[-1]

    yield make
    for ctx in contexts:
        ctx.engine.dispose()


@pytest.fixture(params=BACKENDS)
def ctx(request: pytest.FixtureRequest, make_ctx: Callable[[str], Context]) -> Context:
    """A context on a fresh database, once per backend."""
    return make_ctx(request.param)


@pytest.fixture
def sqlite_ctx(make_ctx: Callable[[str], Context]) -> Context:
    """A context on a fresh SQLite database (for tests of layers above storage)."""
    return make_ctx("sqlite")


@pytest.fixture(scope="session")
def make_shared_ctx(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pg_admin: Engine
) -> Iterator[Callable[[str], Context]]:
    """Returns a factory: backend name -> a Context on a fresh database kept for the session (a
    server that many tests share serves it; each test makes its own data in it)."""
    contexts: list[Context] = []
    pg_names: list[str] = []

    def make(backend: str) -> Context:
        directory = tmp_path_factory.mktemp(f"shared-{backend}")
        if backend == "sqlite":
            shutil.copyfile(request.getfixturevalue("sqlite_template"), directory / "shared.db")
            url = f"sqlite:///{directory / 'shared.db'}"
        else:
            template: str = request.getfixturevalue("pg_template")
            name = f"tg_shared_{uuid.uuid4().hex[:12]}"
            with pg_admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            pg_names.append(name)
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        contexts.append(bound_context(make_settings(url, directory)))
        return contexts[-1]

    yield make
    for ctx in contexts:
        ctx.engine.dispose()
    if pg_names:
        with pg_admin.connect() as conn:
            for name in pg_names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (no browser download), one per test module:
    each test opens its own pages or contexts in it. Not one per session: while Playwright's sync
    API is open, the thread counts as running an event loop, and asyncio.run() in a later test
    of the worker (the NATS tests) would refuse to start."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def admin_token(sqlite_ctx: Context) -> str:
    _, token = create_api_key(sqlite_ctx, name="test admin", scopes=[Scope.ADMIN])
    return token


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow run first: pytest-xdist hands tests out in this order, so a minute-long
    test starts while the others still have work, instead of holding the run at its end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says how many storage tests passed on each backend, so a CI log shows both ran."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("passed", []):
        found = BACKEND_ID.search(report.nodeid)
        if report.when == "call" and found:
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    terminalreporter.write_line(
        "storage tests passed per backend: "
        + ", ".join(f"{name}={counts.get(name, 0)}" for name in ("sqlite", "postgresql"))
    )
