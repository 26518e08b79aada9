"""Fixtures of the sync tests: contexts with fast retries on both backends, local receivers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.conftest import BACKENDS, MakeInstance
from tests.factories.events import setup_registry
from tests.sync.helpers import FAST, Receivers

from trustguardian.service.context import Context

MakeSyncCtx = Callable[..., Context]


@pytest.fixture
def make_sync_ctx(make_instance: MakeInstance) -> Iterator[MakeSyncCtx]:
    """Returns a factory: (backend, **settings) -> a Context with fast retries and the registry
    of tests/service/test_events_recording.py, on a fresh database."""
    contexts: list[Context] = []

    def make(backend: str = "sqlite", *, registry: bool = True, **overrides: Any) -> Context:
        ctx = make_instance(backend, **{**FAST, **overrides})
        contexts.append(ctx)
        if registry:
            setup_registry(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """sqlite, then postgresql."""
    name: str = request.param
    return name


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    """Starts local webhook receivers (`receivers(policy)`), all stopped at the end."""
    started = Receivers()
    yield started
    started.stop_all()
