"""What the fast-path tests of POST /v1/checks share: a check body, the parts of an answer that
must not differ between the fast path and the route, and a bearer header for a new key."""

from __future__ import annotations

from typing import Any

from tests.factories.events import MARIO, PURPOSE

from trustguardian.domain.access import Scope as KeyScope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

# Set per request by the request log, and by the ASGI server: not part of the answer.
VARYING = {"x-request-id", "date", "server"}


def check(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "identifier": {"kind": "email", "value": MARIO},
        "purpose": PURPOSE,
        "channel": "email",
        **changes,
    }
    return {k: v for k, v in values.items() if v is not None}


def answer_of(response: Any) -> tuple[int, Any, dict[str, str]]:
    """Status, body (without the check's own id) and headers that must not differ."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict) and "check_id" in body:
        assert body["check_id"].startswith("chk")
        body["check_id"] = "chk..."
    if isinstance(body, dict) and "request_id" in body:  # every problem names its request
        assert body["request_id"] == response.headers["x-request-id"]
        body["request_id"] = "req..."
    headers = {k: v for k, v in response.headers.items() if k not in VARYING}
    assert response.headers["x-request-id"]
    return response.status_code, body, headers


def bearer(ctx: Context, *scopes: KeyScope) -> dict[str, str]:
    _, token = create_api_key(ctx, name=f"key {'+'.join(scopes)}", scopes=scopes)
    return {"Authorization": f"Bearer {token}"}
