"""What the HTTP API is sent and answers: event bodies and RFC 9457 problem responses."""

from __future__ import annotations

from typing import Any

from tests.factories.events import MARIO, PURPOSE, TP, ago

PROBLEM = "application/problem+json"

Json = dict[str, Any]

# A POST /v1/touchpoints body: the newsletter form.
TOUCHPOINT = {
    "key": "web-newsletter",
    "name": "Newsletter form",
    "kind": "collect",
    "channel": "web_form",
    "nature": "digital",
}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Asserts `response` is the problem `code` with `status`; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{code}"
    assert body["status"] == status
    assert body["detail"]
    return body


def event_body(kind: str = "consent.given", who: str = MARIO, **changes: Any) -> Json:
    """A POST /v1/events body: a consent.given for Mario on the web form unless told otherwise."""
    body: Json = {
        "kind": kind,
        "touchpoint": TP,
        "identifiers": [{"kind": "email", "value": who}],
        "purpose": PURPOSE,
        "occurred_at": ago(minutes=5).isoformat(),
    }
    body.update(changes)
    return body
