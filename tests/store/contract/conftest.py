"""The storage contract, written once and run once per backend.

Every test here takes `store`: a context on a fresh migrated database of `backend`. `backend`
is package-scoped, so pytest runs the whole suite against SQLite, then the whole suite against
PostgreSQL (which is mandatory: an unreachable server fails the run, see tests/conftest.py).
Node ids carry the backend (`[sqlite]`, `[postgresql]`), which the per-backend summary line of
the run counts.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.conftest import BACKENDS

from trustguardian.service.context import Context


@pytest.fixture(scope="package", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend the suite runs against: "sqlite", then "postgresql"."""
    name: str = request.param
    return name


@pytest.fixture
def store(backend: str, make_ctx: Callable[[str], Context]) -> Context:
    """A context on a fresh, migrated database of `backend`, bound to the test's keys."""
    return make_ctx(backend)
