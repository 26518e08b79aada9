from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import BACKENDS
from tests.engage.server import live_server
from tests.web.browser import Site
from tests.web.helpers import (
    CSRF,
    PASSWORD,
    Company,
    add_person,
    add_users,
    build_company,
    build_registry,
)

from trustguardian.asgi import create_app
from trustguardian.service.context import Context


@dataclass(frozen=True)
class Served:
    base: str  # the server's URL
    ctx: Context  # on the server's database
    outbox: Path  # where the server writes messages to people (its working directory's)


@pytest.fixture(scope="session", params=BACKENDS)
def console_server(
    request: pytest.FixtureRequest,
    make_shared_ctx: Callable[[str], Context],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """A real `trustguardian serve` per backend, shared by the browser tests of a worker, over a
    database with the test company's registry; each test adds its own person and users."""
    ctx = make_shared_ctx(request.param)
    build_registry(ctx)
    workdir = tmp_path_factory.mktemp(f"console-{request.param}")
    # A browser walking many pages is not the client the per-address rate limit is about.
    unlimited = {"TRUSTGUARDIAN_RATE_LIMIT_PUBLIC_PER_MINUTE": "0"}
    # Campaign lists in the server's own directory (PostgreSQL's default is the system's).
    env = unlimited | {"TRUSTGUARDIAN_LISTS_DIR": str(workdir / "lists")}
    with live_server(ctx.settings, workdir, env=env) as base:
        yield Served(base, ctx, workdir / "trustguardian-outbox")


@pytest.fixture
def company(ctx: Context) -> Company:
    """The test company on a fresh database (both backends), with one user per role."""
    found = build_company(ctx)
    add_users(ctx)
    return found


@pytest.fixture
def sign_in(ctx: Context, company: Company) -> Iterator[Callable[[str], TestClient]]:
    """Returns a factory: username -> a client of the real app signed in as that user."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(create_app(ctx), follow_redirects=False)
        clients.append(client)
        form = client.get("/console/login")
        token = CSRF.search(form.text)
        assert token is not None
        answer = client.post(
            "/console/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert answer.status_code == 303, answer.text
        return client

    yield make
    for client in clients:
        client.close()


def csrf_of(client: TestClient, page: str = "/console") -> str:
    """The session's CSRF token, as a page's forms carry it."""
    found = CSRF.search(client.get(page).text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def site(console_server: Served) -> Site:
    """The backend's shared server, with a person and one user per role of this test's own."""
    tag = uuid.uuid4().int % 10_000_000
    email, phone = f"giulia.bianchi.{tag}@example.it", f"+39347{tag:07d}"
    ctx = console_server.ctx
    company = add_person(ctx, email, phone)
    add_users(ctx, suffix=f"-{tag}")
    backend = ctx.engine.dialect.name
    return Site(
        console_server.base, company, backend, ctx, console_server.outbox, email, phone, f"-{tag}"
    )
