"""An HTTP client on the real app (admin key), keys with chosen scopes, and the seeded
population (built once per session) with a real server on its database."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.conftest import bound_context, make_settings

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

from .population import Population, build
from .server import live_server


@pytest.fixture
def client(sqlite_ctx: Context, admin_token: str) -> Iterator[TestClient]:
    """The same client as tests/api/conftest.py: the real app, authenticated as an admin."""
    with TestClient(
        create_app(sqlite_ctx), headers={"Authorization": f"Bearer {admin_token}"}
    ) as c:
        yield c


@pytest.fixture
def bearer(sqlite_ctx: Context) -> Callable[..., dict[str, str]]:
    """Returns a factory: scopes -> Authorization header of a new key with those scopes."""

    def make(*scopes: Scope) -> dict[str, str]:
        _, token = create_api_key(sqlite_ctx, name=f"key {'+'.join(scopes)}", scopes=scopes)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture(scope="session")
def population(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Population]:
    """~300 people built through the service layer on a SQLite copy of the migrated template."""
    workdir = tmp_path_factory.mktemp("population")
    shutil.copyfile(sqlite_template, workdir / "population.db")
    settings = make_settings(f"sqlite:///{workdir / 'population.db'}", workdir)
    ctx = bound_context(settings)
    yield build(ctx)
    ctx.engine.dispose()


@pytest.fixture(scope="session")
def http(
    population: Population, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """A client of a real `trustguardian serve` on the population's database."""
    _, token = create_api_key(population.ctx, name="bulk", scopes=[Scope.CONSENT_CHECK])
    with (
        live_server(population.ctx.settings, tmp_path_factory.mktemp("serve")) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client,
    ):
        yield client
