"""The 27560/DPV records and Kantara receipts follow withdrawals (and consents) taken at Right
touchpoints: an unsubscribe link, a preference centre, an objection to all marketing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.census.helpers import NOTICE, PURPOSE, T0, UNSUBSCRIBE, at
from tests.factories import add_purpose, add_touchpoint
from tests.reports.helpers import mario_history
from tests.reports.standards import (
    DPV_PROCESS_REQUIRED,
    DPV_RECORD_REQUIRED,
    KANTARA_REQUIRED,
    configured,
    present,
)

from trustguardian.domain.registry import Channel, TouchpointKind
from trustguardian.reports.exports import dpv_records, kantara_receipts
from trustguardian.service.accountability.records import subject_records
from trustguardian.service.context import Context
from trustguardian.service.engage.links import preferences_link, unsubscribe_links
from trustguardian.service.engage.preferences import (
    Network,
    change_preference,
    object_to_marketing,
    unsubscribe,
)

CENTRE = "preference-centre"
OFFERS = "offers"  # a second marketing purpose Mario never consented to
BROWSER = Network(ip="203.0.113.7", user_agent="Firefox/140")


def statuses(record: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """channel -> (DPV status, where it was exercised, the deciding event)."""
    [process] = record["dpv:hasProcess"]
    found = {}
    for inner in process["dpv:hasProcess"]:
        [status] = inner["dpv:hasConsentStatus"]
        found[inner["tg:channel"]] = (
            status["@type"][0],
            status["dpv:isExercisedAt"],
            status["tg:event"],
        )
    return found


def assert_complete(records: list[dict[str, Any]]) -> None:
    for record in records:
        for key in DPV_RECORD_REQUIRED:
            assert present(record.get(key)), (record["dpv:hasIdentifier"], key)
        for key in DPV_PROCESS_REQUIRED:
            assert key in record["dpv:hasProcess"][0], key


def test_right_touchpoint_withdrawals_and_consents_reach_both_exports(ctx: Context) -> None:
    history = mario_history(ctx)
    now = configured(history.ctx)
    add_purpose(at(now, T0), OFFERS, name="Offers", channels=(Channel.EMAIL,))
    add_touchpoint(
        now,
        CENTRE,
        name="Preference centre",
        kind=TouchpointKind.RIGHT,
        channel=Channel.WEB_FORM,
        purposes=[PURPOSE, OFFERS],
        notice_key=NOTICE,
    )
    mario = history.subject_id
    [receipt] = kantara_receipts(subject_records(now, subject_id=mario))  # the paper form, phone

    # 1. The unsubscribe link withdraws the phone consent: no receipt is left.
    [link] = unsubscribe_links(
        now, subject_ids=[mario], purpose=PURPOSE, channel=Channel.PHONE, touchpoint=UNSUBSCRIBE
    )
    later = at(now, T0 + timedelta(hours=3))
    unsubscribe(later, token=link.url.rsplit("/", 1)[1], network=BROWSER, one_click=True)
    records = subject_records(later, subject_id=mario)
    [record] = dpv_records(records)
    unsubscribed = next(e for e in records.events if e.touchpoint == UNSUBSCRIBE)
    assert statuses(record) == {
        "email": ("dpv:ConsentWithdrawn", "Newsletter sending", history.events[2].id),
        "phone": ("dpv:ConsentWithdrawn", "Unsubscribe link", unsubscribed.id),
    }
    assert record["dct:modified"] == unsubscribed.envelope()["recorded_at"]
    assert kantara_receipts(records) == []
    assert_complete([record])

    # 2. The preference centre gives it back: a receipt names the centre as where it was given.
    centre = preferences_link(later, subject_id=mario, touchpoint=CENTRE)
    token = centre.url.rsplit("/", 1)[1]
    again = at(now, T0 + timedelta(hours=4))
    change_preference(
        again, token=token, purpose=PURPOSE, channel=Channel.PHONE, action="give", network=BROWSER
    )
    records = subject_records(again, subject_id=mario)
    [record] = dpv_records(records)
    assert statuses(record)["phone"][:2] == ("dpv:ConsentGiven", "Preference centre")
    [receipt] = kantara_receipts(records)
    for key in KANTARA_REQUIRED:
        assert present(receipt.get(key)), key
    assert receipt["collectionMethod"] == "Preference centre (web_form)"
    assert receipt["consentTimestamp"] == int((T0 + timedelta(hours=4)).timestamp())

    # 3. Objecting to all marketing at the centre withdraws everything, OFFERS included.
    last = at(now, T0 + timedelta(hours=5))
    assert sorted(object_to_marketing(last, token=token, network=BROWSER)) == [PURPOSE, OFFERS]
    records = subject_records(last, subject_id=mario)
    by_purpose = {
        r["dpv:hasProcess"][0]["dpv:hasPurpose"][0]["tg:purpose"]: r for r in dpv_records(records)
    }
    assert set(by_purpose) == {f"{PURPOSE}:v1", f"{OFFERS}:v1"}
    assert {c: s[:2] for c, s in statuses(by_purpose[f"{PURPOSE}:v1"]).items()} == {
        "email": ("dpv:ConsentWithdrawn", "Preference centre"),
        "phone": ("dpv:ConsentWithdrawn", "Preference centre"),
    }
    assert statuses(by_purpose[f"{OFFERS}:v1"])["email"][:2] == (
        "dpv:ConsentWithdrawn",
        "Preference centre",
    )
    # A purpose only ever withdrawn still names the notice its touchpoint shows.
    assert [n["dpv:hasIdentifier"] for n in by_purpose[f"{OFFERS}:v1"]["dpv:hasNotice"]] == [
        f"{NOTICE}:v2"
    ]
    assert_complete(list(by_purpose.values()))
    assert kantara_receipts(records) == []
