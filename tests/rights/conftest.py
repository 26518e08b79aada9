from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import BACKENDS
from tests.engage.server import live_server
from tests.factories.smtp import Inbox, smtp_server

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

from .helpers import setup_rights


@pytest.fixture
def rctx(ctx: Context, tmp_path: Path) -> Context:
    """A context (both backends) with the Right touchpoints registry and a private mail outbox."""
    ctx.settings = ctx.settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})
    setup_rights(ctx)
    return ctx


@pytest.fixture(scope="session", params=BACKENDS)
def served(
    request: pytest.FixtureRequest,
    make_shared_ctx: Callable[[str], Context],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Context, str, Path]]:
    """A real server per backend over the Right touchpoints registry, shared by a worker's
    browser tests (each brings its own person); yields a context on its database, its base URL
    and its mail outbox."""
    ctx = make_shared_ctx(request.param)
    setup_rights(ctx)
    workdir = tmp_path_factory.mktemp(f"rights-{request.param}")
    with live_server(ctx.settings, workdir) as base:
        yield ctx, base, workdir / "trustguardian-outbox"


@pytest.fixture
def api(rctx: Context) -> Iterator[TestClient]:
    """The real app on `rctx` (both backends), authenticated as an admin; no cookies are kept."""
    _, token = create_api_key(rctx, name="test admin", scopes=[Scope.ADMIN])
    with TestClient(create_app(rctx), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server: (its inbox, its port)."""
    with smtp_server() as running:
        yield running
