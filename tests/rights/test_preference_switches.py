"""The preference centre's switches on SQLite and PostgreSQL: saved together, one event per
purpose and direction, a form sent twice or from an older tab records nothing more, a forged
form writes nothing; purposes named in the reader's language."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import purpose_content
from tests.factories.events import footprint

from trustguardian.asgi import create_app
from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel, PurposeLabel
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.demo.company import seed_demo
from trustguardian.service.engage.links import preferences_link, unsubscribe_links
from trustguardian.service.engage.preference_switches import Switch, save_preferences
from trustguardian.service.engage.preferences import Network, preference_centre
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.registry.purposes import revise_purpose
from trustguardian.store import tables as t

from .helpers import CENTRE, OTHER_PURPOSE, POSTAL, PURPOSE, UNSUB, check, person

NET = Network(ip="198.51.100.7", user_agent="Chromium on a phone")


def _token(ctx: Context, subject_id: str) -> str:
    return preferences_link(ctx, subject_id=subject_id, touchpoint=CENTRE).url.rsplit("/", 1)[1]


def test_switches_moved_together_are_one_event_per_purpose_and_direction(rctx: Context) -> None:
    anna = person(rctx)
    token = _token(rctx, anna.subject_id)
    before = len(subject_timeline(rctx, subject_id=anna.subject_id))
    changes = save_preferences(
        rctx,
        token=token,
        switches=[
            Switch(PURPOSE, Channel.EMAIL, was_on=True, on=False),
            Switch(PURPOSE, Channel.SMS, was_on=True, on=False),
            Switch(OTHER_PURPOSE, Channel.EMAIL, was_on=True, on=True),  # not moved
            Switch(POSTAL, Channel.LETTER, was_on=True, on=False),  # objection (legit. interest)
        ],
        network=NET,
    )
    assert [(c.purpose, c.action, c.channels) for c in changes] == [
        (PURPOSE, "withdraw", (Channel.EMAIL, Channel.SMS)),
        (POSTAL, "withdraw", (Channel.LETTER,)),
    ]
    timeline = subject_timeline(rctx, subject_id=anna.subject_id)
    assert len(timeline) == before + 2
    news = next(e for e in timeline[before:] if e.purpose == PURPOSE)
    assert news.kind is EventKind.CONSENT_WITHDRAWN
    assert set(news.channels) == {Channel.EMAIL, Channel.SMS}
    assert news.touchpoint == CENTRE
    assert read_proof(rctx, event_id=news.id, position=0).content["ip"] == NET.ip
    fields = read_proof(rctx, event_id=news.id, position=1).content["fields"]
    assert fields == {"purpose": PURPOSE, "channel": "email sms", "action": "withdraw"}
    assert check(rctx, PURPOSE, Channel.SMS) == "withdrawn"
    assert check(rctx, PURPOSE, Channel.EMAIL) == "withdrawn"
    assert check(rctx, OTHER_PURPOSE, Channel.EMAIL) == "consent_given"
    assert check(rctx, POSTAL, Channel.LETTER) == "objected"


def test_a_form_sent_twice_or_from_an_older_tab_records_nothing_more(rctx: Context) -> None:
    anna = person(rctx)
    token = _token(rctx, anna.subject_id)
    off = [Switch(PURPOSE, Channel.SMS, was_on=True, on=False)]
    assert len(save_preferences(rctx, token=token, switches=off, network=NET)) == 1
    once = footprint(rctx)
    assert save_preferences(rctx, token=token, switches=off, network=NET) == []
    # An older tab that showed SMS off and left it so does not undo a later consent.
    save_preferences(
        rctx,
        token=token,
        switches=[Switch(PURPOSE, Channel.SMS, was_on=False, on=True)],
        network=NET,
    )
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"
    stale = [Switch(PURPOSE, Channel.SMS, was_on=False, on=False)]
    assert save_preferences(rctx, token=token, switches=stale, network=NET) == []
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"
    assert footprint(rctx)["events"] == once["events"] + 1


def test_a_switch_the_centre_does_not_offer_is_refused_and_writes_nothing(rctx: Context) -> None:
    anna = person(rctx)
    token = _token(rctx, anna.subject_id)
    before = footprint(rctx)
    for switches in (
        [Switch(PURPOSE, Channel.SMS, True, False), Switch("orders", Channel.EMAIL, True, False)],
        [Switch(PURPOSE, Channel.LETTER, was_on=False, on=True)],
    ):
        with pytest.raises(InvalidInput):
            save_preferences(rctx, token=token, switches=switches, network=NET)
    assert footprint(rctx) == before


def test_the_centre_names_purposes_in_the_readers_language(rctx: Context) -> None:
    anna = person(rctx)
    token = _token(rctx, anna.subject_id)
    labels = (
        PurposeLabel("en", "Our newsletter", "News every month."),
        PurposeLabel("it", "La nostra newsletter", "Novità ogni mese."),
    )
    content = dataclasses.replace(
        purpose_content(channels=(Channel.EMAIL, Channel.SMS)), labels=labels
    )
    revise_purpose(rctx, key=PURPOSE, content=content)

    def names(language: str) -> dict[str, tuple[str, str]]:
        centre = preference_centre(rctx, token=token, language=language)
        return {g.purpose: (g.name, g.description) for g in centre.groups}

    assert names("it")[PURPOSE] == ("La nostra newsletter", "Novità ogni mese.")
    assert names("en-GB")[PURPOSE] == ("Our newsletter", "News every month.")
    assert names("it")[OTHER_PURPOSE][0] == "Profiling"  # no label: the purpose's own name
    groups = preference_centre(rctx, token=token, language="it").groups
    assert [g.purpose for g in groups].count(PURPOSE) == 1
    assert [c.channel for c in groups[0].choices] == [Channel.EMAIL, Channel.SMS]


def test_the_centre_and_the_unsubscribe_page_show_the_purpose_in_the_readers_words(
    rctx: Context,
) -> None:
    anna = person(rctx)
    labels = (PurposeLabel("it", "La nostra newsletter"), PurposeLabel("en", "Our newsletter"))
    content = dataclasses.replace(
        purpose_content(channels=(Channel.EMAIL, Channel.SMS)), labels=labels
    )
    revise_purpose(rctx, key=PURPOSE, content=content)
    [link] = unsubscribe_links(
        rctx, subject_ids=[anna.subject_id], purpose=PURPOSE, channel=Channel.SMS, touchpoint=UNSUB
    )
    unsubscribe = "/" + link.url.split("/", 3)[3]
    centre = f"/p/{_token(rctx, anna.subject_id)}"
    with TestClient(create_app(rctx)) as client:
        for lang, words, other in (
            ("it", "La nostra newsletter", "Our newsletter"),
            ("en", "Our newsletter", "La nostra newsletter"),
        ):
            for path in (unsubscribe, centre):
                page = client.get(path, headers={"Accept-Language": f"{lang};q=0.9"}).text
                assert words in page, (path, lang)
                assert other not in page, (path, lang)
                assert "Newsletter marketing" not in page  # the default name gives way


def test_a_forged_centre_form_is_refused_with_422_and_writes_nothing(rctx: Context) -> None:
    anna = person(rctx)
    token = _token(rctx, anna.subject_id)
    before = footprint(rctx)
    forged = (
        {"shown": ["1 email"], "on": []},  # no purpose
        {"shown": ["2 email newsletter"], "on": []},  # no state
        {"shown": ["1 fax newsletter"], "on": []},  # no such channel
        {"shown": ["1 email newsletter"], "on": ["sms newsletter"]},  # on, never shown
        {"shown": ["1 email orders"], "on": []},  # not offered here
        {},  # nothing at all
    )
    with TestClient(create_app(rctx)) as client:
        for fields in forged:
            answer = client.post(f"/p/{token}", data={"action": "save", "lang": "en", **fields})
            assert answer.status_code == 422, fields
            assert "text/html" in answer.headers["content-type"]
            assert "Save my choices" in answer.text
        assert footprint(rctx) == before
        saved = client.post(
            f"/p/{token}",
            data={"action": "save", "lang": "en", "shown": ["1 sms newsletter"], "on": []},
            follow_redirects=False,
        )
        assert saved.status_code == 303
    assert check(rctx, PURPOSE, Channel.SMS) == "withdrawn"


def test_the_demo_centre_speaks_italian_to_italians_and_english_to_the_english(
    sqlite_ctx: Context,
) -> None:
    seed_demo(sqlite_ctx)
    with sqlite_ctx.engine.connect() as conn:
        subject_id = conn.execute(select(t.subjects.c.id).limit(1)).scalar_one()
    link = preferences_link(sqlite_ctx, subject_id=subject_id, touchpoint="preference-centre")
    token = link.url.rsplit("/", 1)[1]
    italian = {
        g.purpose: g.name for g in preference_centre(sqlite_ctx, token=token, language="it").groups
    }
    english = {
        g.purpose: g.name for g in preference_centre(sqlite_ctx, token=token, language="en").groups
    }
    assert italian["newsletter"] == "Newsletter promozionale"
    assert italian["third-party-transfer"] == "Comunicazione a partner"
    assert english["newsletter"] == "Newsletter marketing"
    assert len(italian) == len(english) >= 5  # the demo's marketing purposes, one card each
