"""Every route of /openapi.json against every kind of key: the table below says which may reach
it, and any 2xx it does not allow fails the test, as does a route missing from the table.

One app and one database per backend serve the whole module. Two Right touchpoints, A and B,
each have a person with a rights request, an event, a complaint and a link; a key bound to A
(every scope but admin) is sent at B's resources and must be refused, and at A's and be let by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.conftest import BACKENDS
from tests.factories import add_touchpoint
from tests.factories.events import PURPOSE, TP, ago, email, setup_registry

from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.registry import Channel, TouchpointKind
from trustguardian.domain.rights import RequestKind
from trustguardian.domain.sync import SystemKind
from trustguardian.service.access.api_keys import create_api_key, revoke_api_key
from trustguardian.service.collect.admin import create_publishable_key
from trustguardian.service.context import Context
from trustguardian.service.engage.links import preferences_link
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.rights.complaints import open_complaint
from trustguardian.service.rights.requests import submit_request
from trustguardian.service.sync.systems import create_system

A, B = "desk-a", "desk-b"
S = Scope
# How a key bound to a touchpoint stands with a route: "any" (the route names no person: the
# registry, the ledger's head), "own" (only its own touchpoint's resources), "unbound" (never).
ANY, OWN, UNBOUND, PUBLIC = "any", "own", "unbound", "public"

# operationId -> (scope, bound keys). Admin keys hold every scope. PUBLIC routes take no API key.
TABLE: dict[str, tuple[Scope | None, str]] = {
    "checkContact": (S.CONSENT_CHECK, ANY),
    "checkContactList": (S.CONSENT_CHECK, ANY),
    "getCheckProof": (S.CONSENT_CHECK, ANY),
    "createTouchpoint": (S.REGISTRY_WRITE, UNBOUND),
    "listTouchpoints": (S.REGISTRY_READ, ANY),
    "getTouchpoint": (S.REGISTRY_READ, ANY),
    "updateTouchpoint": (S.REGISTRY_WRITE, OWN),
    "retireTouchpoint": (S.REGISTRY_WRITE, OWN),
    "createPurpose": (S.REGISTRY_WRITE, UNBOUND),
    "listPurposes": (S.REGISTRY_READ, ANY),
    "getPurpose": (S.REGISTRY_READ, ANY),
    "revisePurpose": (S.REGISTRY_WRITE, UNBOUND),
    "retirePurpose": (S.REGISTRY_WRITE, UNBOUND),
    "listPurposeVersions": (S.REGISTRY_READ, ANY),
    "getPurposeVersion": (S.REGISTRY_READ, ANY),
    "createNotice": (S.REGISTRY_WRITE, UNBOUND),
    "listNotices": (S.REGISTRY_READ, ANY),
    "getNotice": (S.REGISTRY_READ, ANY),
    "retireNotice": (S.REGISTRY_WRITE, UNBOUND),
    "addNoticeVersion": (S.REGISTRY_WRITE, UNBOUND),
    "getNoticeInForce": (S.REGISTRY_READ, ANY),
    "getNoticeVersion": (S.REGISTRY_READ, ANY),
    "updateNoticeDraft": (S.REGISTRY_WRITE, UNBOUND),
    "getNoticeText": (S.REGISTRY_READ, ANY),
    "publishNoticeVersion": (S.REGISTRY_WRITE, UNBOUND),
    "recordEvent": (S.EVENTS_WRITE, OWN),
    "listEvents": (S.EVENTS_READ, OWN),
    "recordEventBatch": (S.EVENTS_WRITE, OWN),
    "getEvent": (S.EVENTS_READ, OWN),
    "getInclusionProof": (S.EVENTS_READ, OWN),
    "openEvidence": (S.SUBJECTS_READ, OWN),
    "getEvidenceFile": (S.SUBJECTS_READ, OWN),
    "getCheckpoint": (S.EVENTS_READ, ANY),
    "getConsistencyProof": (S.EVENTS_READ, ANY),
    "getLedgerPublicKey": (S.EVENTS_READ, ANY),
    "listSigningKeys": (S.EVENTS_READ, ANY),
    "getSubjectConsents": (S.SUBJECTS_READ, OWN),
    "getSubjectTimeline": (S.SUBJECTS_READ, OWN),
    "createSubject": (S.SUBJECTS_WRITE, UNBOUND),
    "lookupSubject": (S.SUBJECTS_READ, OWN),
    "getSubject": (S.SUBJECTS_READ, OWN),
    "addSubjectIdentifiers": (S.SUBJECTS_WRITE, OWN),
    "listSystems": (S.SYNC_READ, UNBOUND),
    "createSystem": (S.SYNC_WRITE, UNBOUND),
    "listWebhooks": (S.SYNC_READ, UNBOUND),
    "createWebhook": (S.SYNC_WRITE, UNBOUND),
    "rotateWebhookSecret": (S.SYNC_WRITE, UNBOUND),
    "disableWebhook": (S.SYNC_WRITE, UNBOUND),
    "enableWebhook": (S.SYNC_WRITE, UNBOUND),
    "deleteWebhook": (S.SYNC_WRITE, UNBOUND),
    "listDeadLetters": (S.SYNC_READ, UNBOUND),
    "retryDeadLetters": (S.SYNC_WRITE, UNBOUND),
    "discardDeadLetters": (S.SYNC_WRITE, UNBOUND),
    "getSyncStatus": (S.SYNC_READ, UNBOUND),
    "listSubjectsBehind": (S.SYNC_READ, UNBOUND),
    "getSubjectSync": (S.SUBJECTS_READ, OWN),
    "listPolicies": (S.REGISTRY_READ, UNBOUND),
    "createPolicy": (S.REGISTRY_WRITE, UNBOUND),
    "updatePolicy": (S.REGISTRY_WRITE, UNBOUND),
    "deletePolicy": (S.REGISTRY_WRITE, UNBOUND),
    "listSuppression": (S.REGISTRY_READ, UNBOUND),
    "addSuppression": (S.REGISTRY_WRITE, UNBOUND),
    "updateSuppression": (S.REGISTRY_WRITE, UNBOUND),
    "deleteSuppression": (S.REGISTRY_WRITE, UNBOUND),
    "listRegisters": (S.REGISTRY_READ, UNBOUND),
    "importRegister": (S.REGISTRY_WRITE, UNBOUND),
    "updateRegister": (S.REGISTRY_WRITE, UNBOUND),
    "deleteRegister": (S.REGISTRY_WRITE, UNBOUND),
    "listApiKeys": (S.ADMIN, UNBOUND),
    "createApiKey": (S.ADMIN, UNBOUND),
    "revokeApiKey": (S.ADMIN, UNBOUND),
    "changeApiKey": (S.ADMIN, UNBOUND),
    "getTouchpointFindings": (S.REGISTRY_READ, OWN),
    "examineTouchpoint": (S.REGISTRY_WRITE, UNBOUND),
    "examineCensus": (S.REGISTRY_WRITE, UNBOUND),
    "secureTouchpoint": (S.REGISTRY_WRITE, UNBOUND),
    "getTouchpointDossier": (S.REGISTRY_READ, UNBOUND),
    "getSubjectDossier": (S.SUBJECTS_READ, UNBOUND),
    "getConsentRecords": (S.SUBJECTS_READ, UNBOUND),
    "getInspectionReport": (S.REGISTRY_READ, UNBOUND),
    "getProcessingRegister": (S.REGISTRY_READ, UNBOUND),
    "timestampCheckpoint": (S.ADMIN, UNBOUND),
    "getCollectSettings": (S.REGISTRY_READ, ANY),
    "setCollectSettings": (S.REGISTRY_WRITE, UNBOUND),
    "listPublishableKeys": (S.REGISTRY_READ, ANY),
    "createPublishableKey": (S.REGISTRY_WRITE, UNBOUND),
    "revokePublishableKey": (S.REGISTRY_WRITE, UNBOUND),
    "getConfirmation": (S.EVENTS_READ, OWN),
    "getEventConfirmation": (S.EVENTS_READ, OWN),
    "checkConfirmationCode": (S.EVENTS_WRITE, OWN),
    "recordInPersonConsent": (S.EVENTS_WRITE, OWN),
    "createUnsubscribeLinks": (S.RIGHTS_WRITE, OWN),
    "createPreferencesLink": (S.RIGHTS_WRITE, OWN),
    "revokeLink": (S.RIGHTS_WRITE, OWN),
    "setSaleSharing": (S.REGISTRY_WRITE, UNBOUND),
    "submitRightsRequest": (S.RIGHTS_WRITE, OWN),
    "listRightsRequests": (S.RIGHTS_READ, OWN),
    "getRightsRequest": (S.RIGHTS_READ, OWN),
    "sendVerificationCode": (S.RIGHTS_WRITE, OWN),
    "confirmVerificationCode": (S.RIGHTS_WRITE, OWN),
    "moveRightsRequest": (S.RIGHTS_WRITE, OWN),
    "extendRightsRequest": (S.RIGHTS_WRITE, OWN),
    "fulfilRightsRequest": (S.RIGHTS_WRITE, OWN),
    "liftRestriction": (S.RIGHTS_WRITE, OWN),
    "exportRightsRequest": (S.RIGHTS_READ, OWN),
    "eraseSubject": (S.RIGHTS_WRITE, OWN),
    "openComplaint": (S.RIGHTS_WRITE, OWN),
    "listComplaints": (S.RIGHTS_READ, OWN),
    "getComplaint": (S.RIGHTS_READ, OWN),
    "updateComplaint": (S.RIGHTS_WRITE, OWN),
    "attachToComplaint": (S.RIGHTS_WRITE, OWN),
    "getComplaintAttachment": (S.RIGHTS_READ, OWN),
    "openDefenceCopy": (S.ADMIN, UNBOUND),
    # Public: a web page's publishable key, a signed link, and the operations probes.
    "recordFormConsents": (None, PUBLIC),
    "checkFormCode": (None, PUBLIC),
    "oneClickUnsubscribe": (None, PUBLIC),
    "getHealth": (None, PUBLIC),
    "getReadiness": (None, PUBLIC),
    "getMetrics": (None, PUBLIC),
}


def api_routes(app: Any) -> Iterator[APIRoute]:
    """The routes of the schema, in the routers the app includes."""
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.160)
            yield from api_routes(route.original_router)


@dataclass
class Side:
    """A touchpoint's person and the resources taken there."""

    touchpoint: str
    subject_id: str = ""
    event_id: str = ""
    request_id: str = ""
    complaint_id: str = ""
    link_id: str = ""


@dataclass
class World:
    client: TestClient
    routes: list[tuple[str, str, str]]  # method, path template, operationId
    keys: dict[str, str] = field(default_factory=dict)  # key kind -> bearer token
    sides: dict[str, Side] = field(default_factory=dict)


def _side(ctx: Context, touchpoint: str, who: str) -> Side:
    request = submit_request(
        ctx,
        kind=RequestKind.ACCESS,
        touchpoint=touchpoint,
        channel=Channel.WEB_FORM,
        identifiers=[email(who)],
        details="quali dati avete?",
    )
    [event] = subject_timeline(ctx, subject_id=request.subject_id)
    complaint = open_complaint(
        ctx,
        touchpoint=touchpoint,
        channel=Channel.EMAIL,
        summary="troppe e-mail",
        actor="op",
        subject_id=request.subject_id,
    )
    link = preferences_link(ctx, subject_id=request.subject_id, touchpoint=touchpoint)
    return Side(touchpoint, request.subject_id, event.id, request.id, complaint.id, link.token_id)


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, make_shared_ctx: Callable[[str], Context]
) -> Iterator[World]:
    ctx = make_shared_ctx(request.param)
    setup_registry(ctx)
    for key in (A, B):
        add_touchpoint(ctx, key, name=key, kind=TouchpointKind.RIGHT, channel=Channel.OTHER)
    create_system(ctx, key="crm", name="CRM", kind=SystemKind.CRM)
    keys = {
        f"scope:{s.value}": create_api_key(ctx, name=f"only {s.value}", scopes=[s])[1]
        for s in Scope
    }
    revoked, keys["revoked"] = create_api_key(ctx, name="revoked", scopes=[Scope.ADMIN])
    revoke_api_key(ctx, key_id=revoked.id)
    every = [s for s in Scope if s is not Scope.ADMIN]
    keys["bound"] = create_api_key(ctx, name="bound to A", scopes=every, touchpoint_key=A)[1]
    keys["system"] = create_api_key(ctx, name="crm", scopes=[Scope.EVENTS_WRITE], system_key="crm")[
        1
    ]
    keys["publishable"] = create_publishable_key(
        ctx, name="page", touchpoint=TP, origins=["https://shop.example"]
    )[1]
    sides = {"A": _side(ctx, A, "anna@example.com"), "B": _side(ctx, B, "bruno@example.com")}
    app = create_app(ctx, fast_checks=False)
    routes = [
        (method, r.path, r.operation_id or "")
        for r in api_routes(app)
        for method in sorted(r.methods)
    ]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, routes, keys, sides)


RESOURCE_PARAMS = ("subject_id", "event_id", "request_id", "complaint_id", "token_id")


def _path(template: str, side: Side) -> str:
    """The template with the side's resources (ids that name nothing where it has none)."""
    values = {
        "subject_id": side.subject_id,
        "event_id": side.event_id,
        "request_id": side.request_id,
        "complaint_id": side.complaint_id,
        "token_id": side.link_id,
        "confirmation_id": "cnf_none",
        "hook_id": "whk_none",
        "policy_id": "pol_none",
        "check_id": "chk_none",
        "entry": "0" * 64,
        "register_id": "reg_none",
        "key_id": "key_none",
        "position": "0",
        "version": "1",
    }
    if template.startswith("/v1/touchpoints/"):
        values["key"] = side.touchpoint
    elif template.startswith("/v1/notices/"):
        values["key"] = "privacy-it"
    else:
        values["key"] = PURPOSE
    return template.format(**values)


def _call(client: TestClient, method: str, path: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method in ("GET", "DELETE"):
        return client.request(method, path, headers=headers)
    return client.request(method, path, headers=headers, json={})


def _allowed(scope: Scope, kind: str) -> bool:
    if kind.startswith("scope:"):
        held = Scope(kind.removeprefix("scope:"))
        return held in (scope, Scope.ADMIN)
    return kind == "system" and scope is Scope.EVENTS_WRITE


def test_every_route_has_an_entry_and_one_grant(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    ops = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
    assert ops - TABLE.keys() == set(), "routes without an entry in the table"
    assert TABLE.keys() - ops == set(), "entries for routes that no longer exist"
    assert len(list(api_routes(world.client.app))) == len(ops)  # type: ignore[arg-type]
    for route in api_routes(world.client.app):  # type: ignore[arg-type]
        grants = [d.call.grant for d in route.dependant.dependencies if hasattr(d.call, "grant")]
        scope, _ = TABLE[route.operation_id or ""]
        if scope is None:
            assert grants == [], route.path
        else:
            assert [g.scope for g in grants] == [scope], route.path


def test_no_key_kind_reaches_a_route_the_table_denies(world: World) -> None:
    """Each route by none, revoked, each scope, system, publishable, bound to A acting on B's
    resources and on its own: refused with 401/403/404 where the table denies, and let past
    the authorisation (no 401/403) where it allows."""
    wrong: list[str] = []
    for method, template, op in world.routes:
        scope, bound = TABLE[op]
        if scope is None:
            continue
        names = any(f"{{{p}}}" in template for p in RESOURCE_PARAMS)
        if template.startswith("/v1/touchpoints/{key}"):
            names = True
        reaches_b = bound == ANY or (bound == OWN and not names)
        on_b = _path(template, world.sides["B"])
        on_a = _path(template, world.sides["A"])
        cases: list[tuple[str, str | None, str, bool]] = [
            ("none", None, on_b, False),
            ("revoked", world.keys["revoked"], on_b, False),
            ("publishable", world.keys["publishable"], on_b, False),
            ("system", world.keys["system"], on_b, _allowed(scope, "system")),
            *(
                (kind, world.keys[kind], on_b, _allowed(scope, kind))
                for kind in world.keys
                if kind.startswith("scope:")
            ),
            # A route that names no resource in its path is confined by its body or query
            # (test_bound_key_bodies_and_listings); here it must only let the key in.
            ("bound on B", world.keys["bound"], on_b, scope is not S.ADMIN and reaches_b),
            ("bound on A", world.keys["bound"], on_a, scope is not S.ADMIN and bound != UNBOUND),
        ]
        for kind, token, path, allowed in cases:
            got = _call(world.client, method, path, token).status_code
            if allowed and got in (401, 403):
                wrong.append(f"{method} {path} as {kind}: {got}, the table allows it")
            if not allowed and got not in (401, 403, 404):
                wrong.append(f"{method} {path} as {kind}: {got}, the table denies it")
    assert wrong == []


def _as_bound(world: World, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {world.keys['bound']}"}
    return world.client.request(method, path, headers=headers, json=body)


def test_bound_key_bodies_name_only_its_own_resources(world: World) -> None:
    """Ids a route takes from its body are confined like those of its path: each body naming
    B's touchpoint, subject or event is refused (403/404), the same body naming A's is taken."""
    a, b = world.sides["A"], world.sides["B"]
    when = ago(minutes=1).isoformat()

    def withdrawal(side: Side, **more: Any) -> dict[str, Any]:
        body = {"kind": "consent.withdrawn", "touchpoint": side.touchpoint, "purpose": PURPOSE}
        return (
            {"identifiers": [{"kind": "email", "value": "x@example.com"}]}
            | body
            | {
                "occurred_at": when,
                **more,
            }
        )

    def request(side: Side, **more: Any) -> dict[str, Any]:
        return {"kind": "access", "touchpoint": side.touchpoint, "channel": "email", **more}

    def complaint(side: Side, **more: Any) -> dict[str, Any]:
        return {"touchpoint": side.touchpoint, "channel": "email", "summary": "x", **more}

    unsubscribe = {"purpose": PURPOSE, "channel": "email", "touchpoint": A}
    pairs: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("POST", "/v1/events", withdrawal(b), withdrawal(a)),
        (
            "POST",
            "/v1/events",
            withdrawal(a, identifiers=[], subject_id=b.subject_id),
            withdrawal(a, identifiers=[], subject_id=a.subject_id),
        ),
        ("POST", "/v1/events/batch", {"events": [withdrawal(b)]}, {"events": [withdrawal(a)]}),
        (
            "POST",
            "/v1/subjects/lookup",
            {"identifier": {"kind": "email", "value": "bruno@example.com"}},
            {"identifier": {"kind": "email", "value": "anna@example.com"}},
        ),
        (
            "POST",
            "/v1/links/preferences",
            {"subject_id": b.subject_id, "touchpoint": A},
            {"subject_id": a.subject_id, "touchpoint": A},
        ),
        (
            "POST",
            "/v1/links/preferences",
            {"subject_id": a.subject_id, "touchpoint": B},
            {"subject_id": a.subject_id, "touchpoint": A},
        ),
        (
            "POST",
            "/v1/links/unsubscribe",
            unsubscribe | {"subject_ids": [a.subject_id, b.subject_id]},
            unsubscribe | {"subject_ids": [a.subject_id]},
        ),
        (
            "POST",
            "/v1/requests",
            request(b, subject_id=a.subject_id),
            request(a, subject_id=a.subject_id),
        ),
        (
            "POST",
            "/v1/requests",
            request(a, subject_id=b.subject_id),
            request(a, subject_id=a.subject_id),
        ),
        (
            "POST",
            "/v1/complaints",
            complaint(b, subject_id=a.subject_id),
            complaint(a, subject_id=a.subject_id),
        ),
        (
            "POST",
            "/v1/complaints",
            complaint(a, subject_id=b.subject_id),
            complaint(a, subject_id=a.subject_id),
        ),
        (
            "POST",
            "/v1/complaints",
            complaint(a, about_event_id=b.event_id),
            complaint(a, about_event_id=a.event_id),
        ),
    ]
    wrong = []
    for method, path, theirs, ours in pairs:
        refused = _as_bound(world, method, path, theirs)
        if refused.status_code not in (403, 404):
            wrong.append(f"{path} {theirs}: {refused.status_code}")
        taken = _as_bound(world, method, path, ours)
        if not 200 <= taken.status_code < 300:
            wrong.append(f"{path} {ours}: {taken.status_code} {taken.text[:200]}")
    # Erasure through another touchpoint (the body names it) and an operator's consent there.
    erased = _as_bound(world, "POST", f"/v1/subjects/{a.subject_id}/erasure", {"touchpoint": B})
    in_person = _as_bound(
        world,
        "POST",
        "/v1/collect/in-person",
        {
            "touchpoint": TP,
            "identifiers": [{"kind": "email", "value": "x@example.com"}],
            "purposes": [{"purpose": PURPOSE}],
            "staff_member": "Giulia",
            "occurred_at": when,
        },
    )
    assert erased.status_code == 403
    assert in_person.status_code == 403
    assert wrong == []


def test_bound_key_listings_hold_only_its_own(world: World) -> None:
    """Listings are confined by the key, whatever the query asks."""
    a, b = world.sides["A"], world.sides["B"]
    events = _as_bound(world, "GET", "/v1/events?limit=1000").json()["items"]
    assert events
    assert {e["touchpoint"] for e in events} == {A}
    assert _as_bound(world, "GET", f"/v1/events?touchpoint={B}").status_code == 403
    by_subject = _as_bound(world, "GET", f"/v1/events?subject_id={b.subject_id}").json()
    assert by_subject["items"] == []
    requests = _as_bound(world, "GET", "/v1/requests?limit=100").json()["items"]
    assert a.request_id in {r["id"] for r in requests}
    assert {r["touchpoint"] for r in requests} == {A}
    complaints = _as_bound(world, "GET", "/v1/complaints?limit=100").json()["items"]
    assert a.complaint_id in {c["id"] for c in complaints}
    assert b.complaint_id not in {c["id"] for c in complaints}
    timeline = _as_bound(world, "GET", f"/v1/subjects/{a.subject_id}/timeline").json()
    assert timeline
    assert {e["touchpoint"] for e in timeline} == {A}
