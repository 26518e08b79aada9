from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from trustguardian.asgi import create_app
from trustguardian.service.context import Context


@pytest.fixture
def client(sqlite_ctx: Context, admin_token: str) -> Iterator[TestClient]:
    """An HTTP client on the real app, authenticated as an admin."""
    with TestClient(
        create_app(sqlite_ctx), headers={"Authorization": f"Bearer {admin_token}"}
    ) as c:
        yield c
