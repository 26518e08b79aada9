"""Retries across the upgrade to tagged fingerprints (revision 0016): a request recorded before
it (an event, a batch of events, a rights request, a complaint, an in-person consent, a web
form), with the fingerprint the
code of the time wrote, is replayed by a retry after it and writes nothing new; other content
under the same key is still refused."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from tests.factories import add_purpose, add_touchpoint

from trustguardian.api.collect import InPersonCreate
from trustguardian.api.event_schemas import EventBatchCreate, EventCreate
from trustguardian.api.rights_schemas import ComplaintCreate, RequestCreate
from trustguardian.api.subjects import to_identifiers
from trustguardian.asgi import create_app
from trustguardian.domain.access import Scope
from trustguardian.domain.common import FixedClock, as_utc
from trustguardian.domain.registry import Channel, Nature, TouchpointKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.access.api_keys import create_api_key
from trustguardian.service.collect.admin import create_publishable_key
from trustguardian.service.collect.web_capture import ConsentChoice
from trustguardian.service.context import Context
from trustguardian.service.fingerprints import TAG
from trustguardian.store import tables as t
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import alembic_config, current_revision, head_revision, upgrade
from trustguardian.store.tables import metadata

DESK = "privacy-desk"
SHOP = "store-milano"
WEB = "web-signup"
ORIGIN = "http://shop.example"
NEWSLETTER = "newsletter"
PROFILING = "profiling"
ANNA = "anna.bianchi@example.com"
SCAN = b"%PDF-1.4\n% modulo firmato\n"
RECORDING = hashlib.sha256(b"call audio").hexdigest()


@dataclass(frozen=True)
class CallRecording:
    """service/collect/in_person.py's before revision 0016 (its repr is in the fingerprint)."""

    reference: str
    sha256: str


def old(parts: tuple[object, ...]) -> str:
    """The fingerprint the code before revision 0016 wrote, by its very expression."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Case:
    path: str
    body: Callable[[str, str], dict[str, Any]]  # (when, idempotency key)
    change: dict[str, Any]
    # the idempotency keys stored for one Idempotency-Key, and what the old code stored there
    legacy: Callable[[Context, dict[str, Any], str, str], dict[str, str]]
    replay_status: int = 201  # the events routes answer a replay with 200
    # what a replay must repeat (a batch's checkpoint is the latest, not the first one's)
    view: Callable[[dict[str, Any]], object] = lambda answer: answer


def _request(ctx: Context, body: dict[str, Any], key: str, _: str) -> dict[str, str]:
    b = RequestCreate.model_validate_json(json.dumps(body))  # as the route parses it
    identifiers = to_identifiers(ctx, b.identifiers)
    parts = (b.kind, b.touchpoint, b.channel, identifiers, b.subject_id, b.details, b.language,
             b.received_at)  # fmt: skip
    return {key: old(parts)}


def _complaint(ctx: Context, body: dict[str, Any], key: str, _: str) -> dict[str, str]:
    b = ComplaintCreate.model_validate_json(json.dumps(body))
    identifiers = to_identifiers(ctx, b.identifiers)
    parts = (b.touchpoint, b.channel, b.summary, identifiers, b.subject_id, b.about_event_id,
             b.received_at)  # fmt: skip
    return {key: old(parts)}


def _in_person(ctx: Context, body: dict[str, Any], key: str, recorded_by: str) -> dict[str, str]:
    # service/collect/in_person.py before revision 0016, on what api/collect.py hands it
    b = InPersonCreate.model_validate_json(json.dumps(body))
    assert b.call_recording is not None
    purposes = tuple((p.purpose, tuple(p.channels)) for p in b.purposes)
    operator = {"staff_member": b.staff_member, "recorded_by": recorded_by, "store": b.store}
    content = old(
        (
            b.touchpoint,
            tuple(to_identifiers(ctx, b.identifiers)),
            purposes,
            operator,
            as_utc(b.occurred_at).isoformat(),
            hashlib.sha256(SCAN).hexdigest(),
            CallRecording(b.call_recording.reference, b.call_recording.sha256),
        )
    )
    return {
        f"{key}:{n}": hashlib.sha256(f"{content}:{n}".encode()).hexdigest()
        for n in range(len(purposes))
    }


def _old_event(b: EventCreate) -> str:
    # api/event_schemas.py before revision 0016: every field, defaults included
    def plain(value: object) -> str:
        return hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else str(value)

    # (correction_reason came after it: the body of the time had no such field)
    body = b.model_dump(exclude={"idempotency_key", "correction_reason"})
    return hashlib.sha256(
        orjson.dumps(body, default=plain, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def _event(ctx: Context, body: dict[str, Any], key: str, _: str) -> dict[str, str]:
    return {key: _old_event(EventCreate.model_validate_json(json.dumps(body)))}


def _batch(ctx: Context, body: dict[str, Any], key: str, _: str) -> dict[str, str]:
    b = EventBatchCreate.model_validate_json(json.dumps(body))
    joined = "\n".join(_old_event(e) for e in b.events)
    return {key: hashlib.sha256(joined.encode()).hexdigest()}


def event(when: str, _: str) -> dict[str, Any]:
    return {
        "kind": "consent.given",
        "touchpoint": WEB,
        "occurred_at": when,
        "identifiers": [{"kind": "email", "value": ANNA}],
        "purpose": NEWSLETTER,
        "channels": ["email"],
        "data": {"città": "Milano", "tessera": 2**60},  # a key beyond ASCII, a number beyond 2**53
    }


def batch(when: str, key: str) -> dict[str, Any]:
    return {"events": [event(when, key), {**event(when, key), "purpose": PROFILING, "data": None}]}


def request(when: str, _: str) -> dict[str, Any]:
    return {
        "kind": "erasure",
        "touchpoint": DESK,
        "channel": "email",
        "identifiers": [{"kind": "email", "value": ANNA}],
        "details": "Cancellate tutto, grazie.",
        "received_at": when,
    }


def complaint(when: str, _: str) -> dict[str, Any]:
    return {
        "touchpoint": DESK,
        "channel": "phone",
        "summary": "Chiamata alle 22",
        "identifiers": [{"kind": "email", "value": ANNA}],
        "received_at": when,
    }


def in_person(when: str, _: str) -> dict[str, Any]:
    return {
        "touchpoint": SHOP,
        "identifiers": [{"kind": "email", "value": ANNA}],
        "purposes": [{"purpose": NEWSLETTER, "channels": ["email"]}, {"purpose": PROFILING}],
        "staff_member": "Giulia Neri",
        "store": "Milano, via Torino 12",
        "occurred_at": when,
        "paper_form": {
            "media_type": "application/pdf",
            "content_base64": base64.b64encode(SCAN).decode(),
        },
        "call_recording": {"reference": "rec://pbx/2026/11/20/0042", "sha256": RECORDING},
    }


def _web_form(ctx: Context, body: dict[str, Any], key: str, _: str) -> dict[str, str]:
    # service/collect/web_capture.py before revision 0016, on what api/sdk.py hands it
    consents = [
        ConsentChoice(c["purpose"], c["given"], tuple(Channel(x) for x in c.get("channels", [])))
        for c in body["consents"]
    ]
    identifiers = tuple((IdentifierKind(i["kind"]), i["value"]) for i in body["identifiers"])
    html, notice_url = body["snapshot"]["html"], body["snapshot"].get("notice_url")
    content = hashlib.sha256(
        orjson.dumps(
            [html, identifiers, [vars(c) for c in consents], notice_url],
            option=orjson.OPT_SORT_KEYS,
        )
    ).hexdigest()
    return {
        f"web:{body['submission_id']}:{n}": hashlib.sha256(f"{content}:{n}".encode()).hexdigest()
        for n in range(len(consents))
    }


def web_form(_: str, key: str) -> dict[str, Any]:
    return {
        "submission_id": f"submission-{key}",
        "identifiers": [{"kind": "email", "value": ANNA}],
        "consents": [
            {"purpose": NEWSLETTER, "given": True, "channels": ["email"]},
            {"purpose": PROFILING, "given": False},
        ],
        "snapshot": {"html": "<form><input type=checkbox checked> Newsletter</form>"},
    }


CASES = {
    "event": Case("/v1/events", event, {"purpose": PROFILING}, _event, replay_status=200),
    "batch": Case(
        "/v1/events/batch",
        batch,
        {"events": [{**event("2026-01-01T00:00:00Z", ""), "purpose": PROFILING}]},
        _batch,
        replay_status=200,
        view=lambda answer: answer["events"],
    ),
    "request": Case("/v1/requests", request, {"kind": "access"}, _request),
    # A complaint's deadline (revision 0023) does not survive the trip down to 0015 and back.
    "complaint": Case(
        "/v1/complaints",
        complaint,
        {"summary": "Chiamata alle 23"},
        _complaint,
        view=lambda answer: {k: v for k, v in answer.items() if k != "due_at"},
    ),
    "in-person": Case("/v1/collect/in-person", in_person, {"staff_member": "Luca"}, _in_person),
    "web-form": Case(
        "/sdk/v1/{publishable}/consents", web_form, {"snapshot": {"html": "<form/>"}}, _web_form
    ),
}


def setup(ctx: Context) -> tuple[TestClient, str, str]:
    """The registry the use cases need, a client with a key that may use them all, and a web
    form's publishable key."""
    past = dataclasses.replace(ctx, clock=FixedClock(ctx.clock.now() - timedelta(days=30)))
    add_purpose(past, NEWSLETTER, channels=(Channel.EMAIL,))
    add_purpose(past, PROFILING, name="Profiling", channels=(Channel.EMAIL,))
    add_touchpoint(ctx, DESK, name="Privacy desk", kind=TouchpointKind.RIGHT, channel=Channel.OTHER)
    add_touchpoint(
        ctx,
        SHOP,
        name="Shop counter",
        channel=Channel.STORE,
        nature=Nature.PHYSICAL,
        purposes=[NEWSLETTER, PROFILING],
    )
    add_touchpoint(ctx, WEB, name="Sign-up form", purposes=[NEWSLETTER, PROFILING])
    _, publishable = create_publishable_key(ctx, name="site", touchpoint=WEB, origins=[ORIGIN])
    created, token = create_api_key(ctx, name="Milano clerk", scopes=[Scope.ADMIN])
    headers = {"Authorization": f"Bearer {token}", "Origin": ORIGIN}
    client = TestClient(create_app(ctx), headers=headers)
    return client, f"api-key:{created.id} ({created.name})", publishable


def snapshot(ctx: Context) -> dict[str, object]:
    """Every table's row count, and the idempotency rows themselves."""
    with ctx.engine.connect() as conn:
        counts: dict[str, object] = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
        counts["idempotency"] = sorted(conn.execute(select(t.idempotency_keys)).all())
    return counts


def back_to_the_previous_revision_and_up(url: str) -> None:
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0015")
    assert current_revision(engine) == "0015"
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_retry_after_the_upgrade_replays_a_request_recorded_before_it(
    ctx: Context, case: str, tmp_path: Path
) -> None:
    c = CASES[case]
    client, recorded_by, publishable = setup(ctx)
    path = c.path.format(publishable=publishable)
    # an hour ago, said in another offset than UTC
    when = (ctx.clock.now() - timedelta(hours=1)).astimezone(timezone(timedelta(hours=1)))
    body = c.body(when.isoformat(timespec="seconds"), "k-1")
    changed = {**body, **c.change}
    fresh_body = {**c.body(when.isoformat(timespec="seconds"), "k-2"), **c.change}
    with client:
        first = client.post(path, json=body, headers={"Idempotency-Key": "k-1"})
        assert first.status_code == 201, first.text
        # The database as the previous release left it: the old fingerprints, at revision 0015.
        legacy = c.legacy(ctx, body, "k-1", recorded_by)
        with ctx.engine.begin() as conn:
            for key, value in legacy.items():
                stored = conn.execute(
                    select(t.idempotency_keys.c.request_sha256).where(
                        t.idempotency_keys.c.key == key
                    )
                ).scalar_one()
                assert stored.startswith(TAG)
                conn.execute(
                    update(t.idempotency_keys)
                    .where(t.idempotency_keys.c.key == key)
                    .values(request_sha256=value)
                )
        ctx.engine.dispose()
        back_to_the_previous_revision_and_up(ctx.settings.database_url)
        before = snapshot(ctx)

        again = client.post(path, json=body, headers={"Idempotency-Key": "k-1"})
        assert again.status_code == c.replay_status, again.text
        assert c.view(again.json()) == c.view(first.json())
        assert snapshot(ctx) == before

        other = client.post(path, json=changed, headers={"Idempotency-Key": "k-1"})
        assert other.status_code == 409, other.text
        assert other.headers["content-type"] == "application/problem+json"
        assert snapshot(ctx) == before

        # A request recorded after the upgrade stores the tagged format, and replays too.
        fresh = client.post(path, json=fresh_body, headers={"Idempotency-Key": "k-2"})
        assert fresh.status_code == 201, fresh.text
        after = snapshot(ctx)
        tagged = [r.request_sha256 for r in after["idempotency"] if "k-2" in r.key]  # type: ignore[attr-defined]
        assert tagged
        assert all(v.startswith(TAG) and len(v) == len(TAG) + 64 for v in tagged)
        replay = client.post(path, json=fresh_body, headers={"Idempotency-Key": "k-2"})
        assert c.view(replay.json()) == c.view(fresh.json())
        assert snapshot(ctx) == after
