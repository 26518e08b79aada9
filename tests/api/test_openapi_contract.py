"""What an integrator relies on in `/openapi.json`: every operation named, described, with
examples that match its schemas, and every error it can answer documented as problem+json;
closed sets are enums; schema names are unique."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from trustguardian.domain import errors as de
from trustguardian.domain.checks import Reason
from trustguardian.problems import PROBLEM_MEDIA_TYPE, known_problems, status_of

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Bodies no example can show usefully: files and generated documents.
BINARY = {"application/zip", "application/pdf", "application/octet-stream"}


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    """The description as the server publishes it."""
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    published: dict[str, Any] = answer.json()
    return published


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
        if method in HTTP_METHODS
    ]


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """Validates against a schema of the description, its `$ref`s resolved in the whole."""
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource.from_contents(spec, default_specification=_dialect())
    )
    return Draft202012Validator(_rebase(schema), registry=registry)


def _dialect() -> Any:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def _rebase(schema: Any) -> Any:
    """Points `#/components/...` references at the whole description (`urn:spec#/...`)."""
    if isinstance(schema, dict):
        return {
            k: ("urn:spec" + v if k == "$ref" and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def test_every_operation_has_a_unique_hand_chosen_id_and_a_description(
    spec: dict[str, Any],
) -> None:
    found = operations(spec)
    assert len(found) > 90
    ids = [op.get("operationId") for _, _, op in found]
    assert all(ids), [(p, m) for p, m, op in found if not op.get("operationId")]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    for path, method, op in found:
        op_id = op["operationId"]
        # camelCase verbs, never FastAPI's generated `name_path_method`.
        assert op_id[0].islower(), op_id
        assert "_" not in op_id, op_id
        assert len(op.get("description", "")) >= 15, (path, method)
        assert op.get("summary"), op_id


def test_every_operation_has_examples_that_match_its_schemas(spec: dict[str, Any]) -> None:
    for path, _method, op in operations(spec):
        op_id = op["operationId"]
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            assert "example" in content, (op_id, media)
            if "schema" in content:
                validator(spec, content["schema"]).validate(content["example"])
        successes = {s: a for s, a in op["responses"].items() if s.startswith("2")}
        assert successes, op_id
        shown = 0
        for status, answer in successes.items():
            for media, content in answer.get("content", {}).items():
                if media in BINARY:
                    shown += 1
                    continue
                assert "example" in content, (op_id, status, media)
                if "schema" in content:
                    validator(spec, content["schema"]).validate(content["example"])
                shown += 1
        no_body = all(not a.get("content") for a in successes.values())
        assert shown or no_body, (path, op_id)


def test_every_error_is_documented_as_problem_json_with_its_problem_types(
    spec: dict[str, Any],
) -> None:
    problem = validator(spec, {"$ref": "#/components/schemas/Problem"})
    for path, _method, op in operations(spec):
        op_id = op["operationId"]
        errors = {int(s): a for s, a in op["responses"].items() if s[0] in "45"}
        if op.get("security"):
            assert {401, 403} <= set(errors), op_id
        if "requestBody" in op:
            assert {413, 422} <= set(errors), op_id
        if any(p["in"] == "path" for p in op.get("parameters", [])) and op.get("security"):
            assert 404 in errors, op_id
        if not path.startswith(("/healthz", "/readyz", "/metrics")):
            assert 429 in errors, op_id
        for status, answer in errors.items():
            if "text/html" in answer.get("content", {}) or status == 503:
                continue  # pages for people, and the readiness probe's own body
            content = answer["content"][PROBLEM_MEDIA_TYPE]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert content["examples"], (op_id, status)
            for code, example in content["examples"].items():
                problem.validate(example["value"])
                assert example["value"]["type"] == f"/problems/{code}"
                assert example["value"]["status"] == status, (op_id, code)
                assert f"`/problems/{code}`" in answer["description"]


def test_documented_problem_types_have_the_status_the_server_answers_with(
    spec: dict[str, Any], client: TestClient
) -> None:
    described = known_problems()  # what `GET /problems/{code}` answers from
    assert client.get("/problems/too-many-requests").status_code == 200
    classes: dict[str, type[de.DomainError]] = {}
    pending: list[type[de.DomainError]] = [de.DomainError]
    while pending:
        cls = pending.pop()
        classes[cls.code] = cls
        pending.extend(cls.__subclasses__())
    for _, _, op in operations(spec):
        for status, answer in op["responses"].items():
            for code in answer.get("content", {}).get(PROBLEM_MEDIA_TYPE, {}).get("examples", {}):
                assert code in described, code  # the server describes every type it documents
                if code in classes and code != "rate-limited":
                    assert int(status) == status_of(_instance(classes[code])), code


def test_closed_sets_are_enums_and_schema_names_are_unique(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    titles = Counter(s.get("title", name) for name, s in schemas.items())
    assert [t for t, n in titles.items() if n > 1] == []
    assert all("__" not in name for name in schemas), sorted(schemas)
    reason = schemas["CheckRead"]["properties"]["reason"]
    assert schemas[reason["$ref"].rsplit("/", 1)[1]]["enum"] == [r.value for r in Reason]
    for model, field in [
        ("ConsentRead", "status"),
        ("RequestRead", "channel"),
        ("SubjectDeliveryRead", "status"),
        ("FindingsRead", "status"),
        ("ApiKeyCreate", "scopes"),
        ("TouchpointRead", "kind"),
    ]:
        prop = schemas[model]["properties"][field]
        target = prop.get("items", prop)
        assert "$ref" in target or "enum" in target, (model, field)


def test_every_field_is_described(spec: dict[str, Any]) -> None:
    missing = [
        f"{name}.{field}"
        for name, schema in spec["components"]["schemas"].items()
        for field, prop in schema.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []


def _instance(cls: type[de.DomainError]) -> de.DomainError:
    return cls.__new__(cls)
