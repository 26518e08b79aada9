"""The published OpenAPI description, completed after FastAPI builds it.

FastAPI derives paths, parameters and schemas from the code; this adds what it cannot know:
every error an operation can answer (RFC 9457 problem+json, with its problem types), an
example request and response for each operation, a summary, and a description for every field.
The tables live in api.openapi_docs (errors and examples) and api.openapi_fields (fields), so
that a new route fails tests/api/test_openapi_contract.py until it is documented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from trustguardian.api.openapi_docs import (
    CONTENT,
    ERRORS,
    EXAMPLES,
    HTML_ERRORS,
    PROBLEMS,
    REQUEST_BODIES,
    REQUEST_CONTENT,
    REQUEST_EXAMPLES,
)
from trustguardian.api.openapi_fields import describe_fields, example_of
from trustguardian.problems import PROBLEM_MEDIA_TYPE, problem_type

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `type` names the kind of error.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {
            "type": "string",
            "description": "The problem type: `/problems/{code}` (GET it for its title).",
            "examples": ["/problems/not-found"],
        },
        "title": {"type": "string", "description": "A short summary of the problem type."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong in this request."},
        "instance": {"type": "string", "description": "The path of the request."},
        "request_id": {
            "type": "string",
            "description": "The request's id, also in the X-Request-ID header and the server log.",
        },
        "errors": {
            "type": "array",
            "description": "One entry per input field in error.",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "string", "description": "The field, dotted: `a.0.b`."},
                    "msg": {"type": "string", "description": "What is wrong with it."},
                    "type": {"type": "string", "description": "The validation error kind."},
                },
            },
        },
    },
}
STATUS_TEXT = {
    401: "Missing or unknown API key",
    403: "The API key lacks the scope, or is bound to another touchpoint",
    404: "Not found",
    409: "Conflicts with the current state",
    410: "The subject's data was erased",
    413: "The request body is too large",
    422: "The request is not valid",
    429: "Too many requests from this address; retry after `Retry-After` seconds",
    500: "An unexpected error; quote the `request_id` (also in `X-Request-ID`) when reporting it",
}
# Probes and metrics are neither authenticated nor rate limited (api.hardening.UNLIMITED).
UNLIMITED = ("/healthz", "/readyz", "/metrics")


def install_openapi(app: FastAPI) -> None:
    """Makes `app.openapi()` return the completed description (built once, then cached)."""
    app.openapi = _builder(app)  # type: ignore[method-assign]


def _builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build())
        return app.openapi_schema

    return openapi


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    """Adds problem responses, examples, summaries and field descriptions to a description."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for path, methods in spec.get("paths", {}).items():
        for operation in methods.values():
            _summary(operation)
            _content(operation)
            _errors(path, operation)
            _examples(operation, spec)
    describe_fields(schemas)
    return spec


def _summary(operation: dict[str, Any]) -> None:
    """The summary is the description's first sentence (FastAPI's is the function's name)."""
    description: str = operation.get("description", "")
    if description:
        operation["summary"] = description.split("\n", 1)[0].rstrip(".")


def statuses_of(path: str, operation: dict[str, Any]) -> dict[int, list[str]]:
    """The error statuses an operation can answer and the problem codes of each."""
    found: dict[int, list[str]] = {}

    def add(status: int, *codes: str) -> None:
        found.setdefault(status, [])
        found[status] += [c for c in codes if c not in found[status]]

    parameters = operation.get("parameters", [])
    if operation.get("security"):
        add(401, "unauthorized")
        add(403, "forbidden")
    if any(p.get("in") == "path" for p in parameters):
        add(404, "not-found")
    if "requestBody" in operation:
        add(413, "payload-too-large")
    if parameters or "requestBody" in operation:
        add(422, "validation-error", "invalid-input")
    if not path.startswith(UNLIMITED):
        add(429, "too-many-requests")
    add(500, "internal-error")
    for status, codes in ERRORS.get(operation["operationId"], {}).items():
        add(status, *codes)
    return found


def _content(operation: dict[str, Any]) -> None:
    """Declares the bodies a handler reads or sends itself (lists, CSV, PDF, files)."""
    op_id = operation["operationId"]
    if op_id in REQUEST_CONTENT:
        # The handler's own example of the list (an Excel export, say) stays with the body.
        declared = operation.get("requestBody", {}).get("content", {})
        example = next((c["example"] for c in declared.values() if "example" in c), None)
        content: dict[str, dict[str, Any]] = {
            m: {"schema": s} for m, s in REQUEST_CONTENT[op_id].items()
        }
        if example is not None:
            for body in content.values():
                body["example"] = example
        operation["requestBody"] = {
            "required": True,
            "description": REQUEST_BODIES[op_id],
            "content": content,
        }
    bodies = CONTENT.get(op_id)
    if bodies is None:
        return
    for status, answer in operation.get("responses", {}).items():
        if status.startswith("2"):
            answer["content"] = {media: {"schema": schema} for media, schema in bodies.items()}


def _errors(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, words in HTML_ERRORS.get(operation["operationId"], {}).items():
        responses[str(status)] = {"description": words, "content": {"text/html": {}}}
    for status, codes in sorted(statuses_of(path, operation).items()):
        types = ", ".join(f"`{problem_type(c)}`" for c in codes)
        responses[str(status)] = {
            "description": f"{STATUS_TEXT.get(status, 'Error')}. Problem types: {types}.",
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": PROBLEM_REF,
                    "examples": {c: {"value": _problem_example(status, c)} for c in codes},
                }
            },
        }


def _problem_example(status: int, code: str) -> dict[str, Any]:
    title, detail = PROBLEMS[code]
    return {"type": problem_type(code), "title": title, "status": status, "detail": detail}


def _examples(operation: dict[str, Any], spec: dict[str, Any]) -> None:
    """An example for the request body and for each 2xx answer with a JSON body: from the
    tables where one is written, else made from the schema and api.openapi_fields' values."""
    op_id: str = operation["operationId"]
    body = operation.get("requestBody", {}).get("content", {})
    for media_type, content in body.items():
        if media_type in REQUEST_EXAMPLES.get(op_id, {}):
            content["example"] = REQUEST_EXAMPLES[op_id][media_type]
        elif "schema" in content:
            content["example"] = example_of(content["schema"], spec, request=True)
    for status, answer in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        for media_type, content in answer.get("content", {}).items():
            written = EXAMPLES.get(op_id, {}).get(media_type)
            if written is not None:
                content["example"] = written
            elif media_type == "application/json" and "schema" in content:
                content["example"] = example_of(content["schema"], spec)
