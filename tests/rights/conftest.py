from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
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
