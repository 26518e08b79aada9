"""The registry over HTTP: what a touchpoint integrator and an admin see."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories.api import TOUCHPOINT, assert_problem

from trustguardian.domain.access import Scope
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.context import Context

PURPOSE = {
    "key": "newsletter",
    "name": "Newsletter marketing",
    "legal_basis": "consent",
    "channels": ["email"],
    "controller": "Bottega Rossi S.p.A.",
    "retention_days": 730,
    "marketing": True,
}


def count(client: TestClient, path: str) -> int:
    return len(client.get(path, params={"limit": 1000}).json()["items"])


def test_touchpoint_is_created_read_and_listed(client: TestClient) -> None:
    client.post("/v1/purposes", json=PURPOSE).raise_for_status()
    created = client.post("/v1/touchpoints", json={**TOUCHPOINT, "purposes": ["newsletter"]})
    assert created.status_code == 201
    assert client.get("/v1/touchpoints/web-newsletter").json()["purposes"] == ["newsletter"]
    assert [tp["key"] for tp in client.get("/v1/touchpoints").json()["items"]] == ["web-newsletter"]


def test_pagination_walks_every_item_once(client: TestClient) -> None:
    for n in range(5):
        client.post("/v1/touchpoints", json={**TOUCHPOINT, "key": f"tp-{n}"}).raise_for_status()
    keys: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = client.get("/v1/touchpoints", params=params).json()
        keys += [tp["key"] for tp in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert keys == [f"tp-{n}" for n in range(5)]
    assert_problem(
        client.get("/v1/touchpoints", params={"cursor": "garbage!"}), 422, "invalid-input"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "broadcast"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"kind": 5}, "kind"),
        ({"name": 123}, "name"),
        ({"key": "Not A Key!"}, "key"),
        ({"purposes": "newsletter"}, "purposes"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_touchpoint_input_is_a_problem_and_writes_nothing(
    client: TestClient, changes: dict[str, Any], field: str
) -> None:
    body = assert_problem(
        client.post("/v1/touchpoints", json={**TOUCHPOINT, **changes}), 422, "validation-error"
    )
    assert any(field in error["loc"] for error in body["errors"])
    assert count(client, "/v1/touchpoints") == 0


def test_unknown_purpose_reference_is_named(client: TestClient) -> None:
    body = assert_problem(
        client.post("/v1/touchpoints", json={**TOUCHPOINT, "purposes": ["ghost"]}),
        422,
        "invalid-input",
    )
    assert "ghost" in body["errors"][0]["msg"]
    assert count(client, "/v1/touchpoints") == 0


def test_duplicate_key_is_a_conflict(client: TestClient) -> None:
    client.post("/v1/touchpoints", json=TOUCHPOINT).raise_for_status()
    assert_problem(
        client.post("/v1/touchpoints", json={**TOUCHPOINT, "name": "Other"}), 409, "already-exists"
    )
    assert client.get("/v1/touchpoints/web-newsletter").json()["name"] == "Newsletter form"


def test_wrong_types_in_a_purpose_are_refused(client: TestClient) -> None:
    assert_problem(
        client.post("/v1/purposes", json={**PURPOSE, "retention_days": "730"}),
        422,
        "validation-error",
    )
    assert_problem(
        client.post("/v1/purposes", json={**PURPOSE, "legal_basis": "whim"}),
        422,
        "validation-error",
    )
    assert count(client, "/v1/purposes") == 0


def test_a_ten_megabyte_body_is_refused_before_it_is_read(client: TestClient) -> None:
    huge = {**TOUCHPOINT, "description": "x" * (10 * 1024 * 1024)}
    assert_problem(client.post("/v1/touchpoints", json=huge), 413, "payload-too-large")
    assert count(client, "/v1/touchpoints") == 0


def test_malformed_json_is_a_problem(client: TestClient) -> None:
    response = client.post(
        "/v1/touchpoints", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422, "validation-error")


def test_missing_and_wrong_scope_keys_are_refused(client: TestClient, sqlite_ctx: Context) -> None:
    assert_problem(
        client.get("/v1/touchpoints", headers={"Authorization": ""}), 401, "unauthorized"
    )
    assert_problem(
        client.get("/v1/touchpoints", headers={"Authorization": "Bearer tg_x_y"}),
        401,
        "unauthorized",
    )
    _, reader = create_api_key(sqlite_ctx, name="reader", scopes=[Scope.REGISTRY_READ])
    as_reader = {"Authorization": f"Bearer {reader}"}
    assert client.get("/v1/touchpoints", headers=as_reader).status_code == 200
    assert_problem(
        client.post("/v1/touchpoints", json=TOUCHPOINT, headers=as_reader), 403, "forbidden"
    )
    assert count(client, "/v1/touchpoints") == 0


def test_touchpoint_key_acts_only_for_its_touchpoint(
    client: TestClient, sqlite_ctx: Context
) -> None:
    client.post("/v1/touchpoints", json=TOUCHPOINT).raise_for_status()
    client.post("/v1/touchpoints", json={**TOUCHPOINT, "key": "store-desk"}).raise_for_status()
    _, bound = create_api_key(
        sqlite_ctx,
        name="form",
        scopes=[Scope.REGISTRY_WRITE, Scope.REGISTRY_READ],
        touchpoint_key="web-newsletter",
    )
    as_bound = {"Authorization": f"Bearer {bound}"}
    own = client.patch(
        "/v1/touchpoints/web-newsletter", json={"owner": "Web team"}, headers=as_bound
    )
    assert own.status_code == 200
    assert_problem(
        client.patch("/v1/touchpoints/store-desk", json={"owner": "x"}, headers=as_bound),
        403,
        "forbidden",
    )
    assert_problem(client.post("/v1/purposes", json=PURPOSE, headers=as_bound), 403, "forbidden")
    assert client.get("/v1/touchpoints/store-desk").json()["owner"] == ""


def test_notice_versions_are_kept_byte_for_byte(client: TestClient) -> None:
    first = "Informativa privacy\r\nTitolare: Bottega Rossi — Milano\n"
    client.post(
        "/v1/notices",
        json={"key": "privacy-it", "language": "it", "title": "Informativa", "text": first},
    ).raise_for_status()
    before = client.get("/v1/notices/privacy-it/versions/1").json()
    second = client.post("/v1/notices/privacy-it/versions", json={"text": "Informativa v2\n"})
    assert second.status_code == 201
    assert second.json()["version"] == 2
    raw = client.get("/v1/notices/privacy-it/versions/1/text")
    assert raw.content == first.encode("utf-8")
    assert raw.headers["etag"] == f'"sha256:{before["sha256"]}"'
    assert client.get("/v1/notices/privacy-it/versions/1").json() == before
    assert client.get("/v1/notices/privacy-it/in-force").json()["version"] == 2


def test_modifying_a_published_notice_version_is_a_409_and_changes_nothing(
    client: TestClient,
) -> None:
    client.post(
        "/v1/notices",
        json={"key": "privacy-it", "language": "it", "title": "Informativa", "text": "v1\n"},
    ).raise_for_status()
    before = client.get("/v1/notices/privacy-it/versions/1").json()
    assert_problem(
        client.put("/v1/notices/privacy-it/versions/1", json={"text": "forged\n"}), 409, "immutable"
    )
    assert client.get("/v1/notices/privacy-it/versions/1").json() == before


def test_purpose_versions_over_http(client: TestClient) -> None:
    client.post("/v1/purposes", json=PURPOSE).raise_for_status()
    update = {k: v for k, v in PURPOSE.items() if k != "key"} | {
        "legal_basis": "legitimate_interest"
    }
    revised = client.put("/v1/purposes/newsletter", json=update).json()
    assert revised["current"]["version"] == 2
    assert revised["current"]["legal_basis_dpv"] == "https://w3id.org/dpv#LegitimateInterest"
    assert client.get("/v1/purposes/newsletter/versions/1").json()["legal_basis"] == "consent"


def test_purpose_labels_per_language_over_http(client: TestClient, sqlite_ctx: Context) -> None:
    labels = [
        {"language": "it", "name": "Newsletter promozionale", "description": "Offerte"},
        {"language": "en", "name": "Promotional newsletter"},
    ]
    made = client.post("/v1/purposes", json=PURPOSE | {"labels": labels})
    assert made.status_code == 201, made.text
    assert made.json()["current"]["labels"] == [
        {"language": "en", "name": "Promotional newsletter", "description": ""},
        {"language": "it", "name": "Newsletter promozionale", "description": "Offerte"},
    ]
    listed = client.get("/v1/purposes").json()["items"][0]["current"]["labels"]
    assert [x["language"] for x in listed] == ["en", "it"]
    twice = [*labels, {"language": "it", "name": "Ancora"}]
    update = {k: v for k, v in PURPOSE.items() if k != "key"} | {"labels": twice}
    assert_problem(client.put("/v1/purposes/newsletter", json=update), 422, "invalid-input")
    assert client.get("/v1/purposes/newsletter").json()["current"]["version"] == 1
    with sqlite_ctx.uow(write=False) as uow:
        leaf = uow.records.latest("purpose_version")[("purpose_version", "newsletter/1")]
    assert leaf.actor.startswith("api-key:")  # the key that made it, not "registry"


def test_subjects_take_identifiers_in_the_body_only(client: TestClient) -> None:
    created = client.post(
        "/v1/subjects", json={"identifiers": [{"kind": "email", "value": "Mario@Example.com"}]}
    )
    assert created.status_code == 201
    found = client.post(
        "/v1/subjects/lookup", json={"identifier": {"kind": "email", "value": "mario@example.com"}}
    )
    assert found.json()["id"] == created.json()["id"]
    assert found.json()["identifiers"] == [
        {"kind": "email", "system": None, "value": "mario@example.com"}
    ]


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "mario@"), ("phone", "12345"), ("phone", "abc")]
)
def test_malformed_identifiers_are_problems(client: TestClient, kind: str, value: str) -> None:
    body = assert_problem(
        client.post("/v1/subjects", json={"identifiers": [{"kind": kind, "value": value}]}),
        422,
        "invalid-input",
    )
    assert body["errors"][0]["loc"] == "identifiers.0"
    missing = client.post(
        "/v1/subjects/lookup", json={"identifier": {"kind": "email", "value": "x@example.com"}}
    )
    assert_problem(missing, 404, "not-found")


def test_openapi_and_problem_types_are_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/touchpoints" in spec["paths"]
    assert client.get("/problems/immutable").json()["title"] == "This record can never change"
    assert_problem(client.get("/v1/nowhere"), 404, "not-found")
