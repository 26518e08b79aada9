"""Contexts whose keys live only in a key file (as in production), on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import BACKENDS, bound_context
from tests.sync.helpers import Receivers

from trustguardian.service.context import Context
from trustguardian.settings import Settings


@pytest.fixture
def file_settings(make_db: Callable[[str], str], tmp_path: Path) -> Callable[[str], Settings]:
    def make(backend: str) -> Settings:
        return Settings(database_url=make_db(backend), keys_file=tmp_path / "instance.keys")

    return make


@pytest.fixture(params=BACKENDS)
def fctx(
    request: pytest.FixtureRequest, file_settings: Callable[[str], Settings]
) -> Iterator[Context]:
    """A context on a fresh database whose keys come from a key file, once per backend."""
    ctx = bound_context(file_settings(request.param))
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def webhook_receivers() -> Iterator[Receivers]:
    """Local webhook receivers, all stopped at the end."""
    started = Receivers()
    yield started
    started.stop_all()
