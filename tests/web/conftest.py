from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import CSRF, PASSWORD, Company, add_users, build_company

from trustguardian.asgi import create_app
from trustguardian.service.context import Context


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
