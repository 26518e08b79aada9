"""POST /v1/checks and /v1/checks/bulk: answers, scopes and problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories.api import assert_problem
from tests.factories.events import LUIGI, MARIO, PURPOSE, ago, email

from trustguardian.domain.access import Scope
from trustguardian.domain.events import EventKind
from trustguardian.service.context import Context

from .helpers import CALLS, MONDAY, event, next_day, next_sunday, phone, rome, setup_engage

Bearer = Callable[..., dict[str, str]]


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "identifier": {"kind": "email", "value": MARIO},
        "purpose": PURPOSE,
        "channel": "email",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def registry(sqlite_ctx: Context) -> Context:
    setup_engage(sqlite_ctx)
    return sqlite_ctx


def test_a_check_answers_with_the_deciding_event_and_its_proof(
    client: TestClient, registry: Context
) -> None:
    given = event(registry)
    answer = client.post("/v1/checks", json=body())
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["allowed"] is True
    assert found["reason"] == "consent_given"
    assert found["words"]
    assert found["subject_id"] == given.subject_id
    assert found["event_id"] == given.id
    assert found["check_id"].startswith("chk")
    assert found["event_proof"] == f"/v1/events/{given.id}/proof"
    assert client.get(found["event_proof"]).status_code == 200
    by_id = client.post(
        "/v1/checks", json=body(identifier=None, subject_id=given.subject_id)
    ).json()
    assert (by_id["allowed"], by_id["event_id"]) == (True, given.id)


def test_a_denial_has_no_proof_link_when_no_event_decides(
    client: TestClient, registry: Context
) -> None:
    found = client.post(
        "/v1/checks", json=body(identifier={"kind": "email", "value": LUIGI})
    ).json()
    assert (found["allowed"], found["reason"]) == (False, "unknown_subject")
    assert (found["event_id"], found["event_proof"], found["subject_id"]) == (None, None, None)


def test_the_moment_of_contact_is_honoured(client: TestClient, registry: Context) -> None:
    event(registry, purpose=CALLS, who=(email(), phone()), at=ago(days=1))
    call = {"identifier": {"kind": "phone", "value": "333 123 4567"}, "purpose": CALLS}
    sunday = rome(next_sunday(), 11).isoformat()
    monday = rome(next_day(MONDAY), 10).isoformat()
    on_sunday = client.post("/v1/checks", json={**call, "channel": "phone", "at": sunday}).json()
    assert (on_sunday["allowed"], on_sunday["reason"]) == (False, "outside_contact_hours")
    on_monday = client.post("/v1/checks", json={**call, "channel": "phone", "at": monday}).json()
    assert (on_monday["allowed"], on_monday["reason"]) == (True, "consent_given")


def test_a_withdrawal_is_honoured_by_the_next_http_check(
    client: TestClient, registry: Context
) -> None:
    event(registry, at=ago(minutes=10))
    assert client.post("/v1/checks", json=body()).json()["allowed"] is True
    withdrawal = event(registry, EventKind.CONSENT_WITHDRAWN)
    found = client.post("/v1/checks", json=body()).json()
    assert (found["allowed"], found["reason"], found["event_id"]) == (
        False,
        "withdrawn",
        withdrawal.id,
    )


def test_checks_need_the_consent_check_scope(
    client: TestClient, registry: Context, bearer: Bearer
) -> None:
    event(registry)
    reader = bearer(Scope.REGISTRY_READ)
    assert_problem(client.post("/v1/checks", json=body(), headers=reader), 403, "forbidden")
    bulk = client.post(
        "/v1/checks/bulk",
        params={"purpose": PURPOSE, "channel": "email"},
        content=f"email\n{MARIO}\n".encode(),
        headers={**reader, "Content-Type": "text/csv"},
    )
    assert_problem(bulk, 403, "forbidden")
    checker = bearer(Scope.CONSENT_CHECK)
    assert client.post("/v1/checks", json=body(), headers=checker).json()["allowed"] is True
    anonymous = {"Authorization": ""}
    assert_problem(client.post("/v1/checks", json=body(), headers=anonymous), 401, "unauthorized")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"channel": "pigeon"}, "validation-error"),
        ({"channel": None}, "validation-error"),
        ({"purpose": None}, "validation-error"),
        ({"identifier": None}, "invalid-input"),
        ({"subject_id": "sub_x"}, "invalid-input"),  # both an identifier and a subject id
        ({"identifier": {"kind": "email", "value": "not-an-email"}}, "invalid-input"),
        ({"identifier": {"kind": "fax", "value": "06 123"}}, "validation-error"),
        ({"purpose": "no-such-purpose"}, "invalid-input"),
        ({"at": "2026-11-30T10:00:00"}, "validation-error"),  # no time zone
        ({"surprise": 1}, "validation-error"),
    ],
)
def test_an_invalid_check_is_a_problem(
    client: TestClient, registry: Context, changes: dict[str, Any], code: str
) -> None:
    payload = body()
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    assert_problem(client.post("/v1/checks", json=payload), 422, code)


def test_a_bulk_check_with_an_unknown_channel_is_a_problem(
    client: TestClient, registry: Context
) -> None:
    answer = client.post(
        "/v1/checks/bulk",
        params={"purpose": PURPOSE, "channel": "pigeon"},
        content=f"email\n{MARIO}\n".encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert_problem(answer, 422, "validation-error")
