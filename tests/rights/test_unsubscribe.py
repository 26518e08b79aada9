"""Unsubscribe links on SQLite and PostgreSQL: a valid one withdraws; a bad one changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from tests.factories.events import footprint, make_draft, record

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import InvalidInput, InvalidToken
from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.engage.links import ONE_CLICK, revoke_link, unsubscribe_links
from trustguardian.service.engage.preferences import Network, unsubscribe
from trustguardian.service.events.consent import subject_timeline

from .helpers import PURPOSE, UNSUB, check, email, person

NET = Network(ip="203.0.113.7", user_agent="Mail/1.0")


def _link(ctx: Context, subject_id: str, channel: Channel = Channel.EMAIL) -> tuple[str, str]:
    [link] = unsubscribe_links(
        ctx, subject_ids=[subject_id], purpose=PURPOSE, channel=channel, touchpoint=UNSUB
    )
    return link.url.rsplit("/", 1)[1], link.token_id


def test_one_click_withdraws_and_the_next_check_says_withdrawn(rctx: Context) -> None:
    anna = person(rctx)
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"
    token, _ = _link(rctx, anna.subject_id)
    unsubscribe(rctx, token=token, network=NET, one_click=True)
    assert check(rctx, PURPOSE, Channel.EMAIL) == "withdrawn"
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"  # scoped to its channel
    last = subject_timeline(rctx, subject_id=anna.subject_id)[-1]
    assert (last.kind, last.touchpoint) == (EventKind.CONSENT_WITHDRAWN, UNSUB)
    network = read_proof(rctx, event_id=last.id, position=0).content
    assert network["type"] == "network"
    assert (network["ip"], network["user_agent"]) == (NET.ip, NET.user_agent)


def test_link_header_values_follow_rfc_8058(rctx: Context) -> None:
    anna = person(rctx)
    [link] = unsubscribe_links(
        rctx,
        subject_ids=[anna.subject_id],
        purpose=PURPOSE,
        channel=Channel.EMAIL,
        touchpoint=UNSUB,
    )
    assert link.list_unsubscribe == f"<{link.url}>"
    assert link.list_unsubscribe_post == ONE_CLICK == "List-Unsubscribe=One-Click"
    assert anna.email not in link.url
    assert "@" not in link.url


def test_forged_altered_expired_and_revoked_links_change_nothing(rctx: Context) -> None:
    anna = person(rctx)
    token, token_id = _link(rctx, anna.subject_id)
    head, _, mac = token.partition(".")
    altered = f"{head[:-2]}{'A' if head[-2] != 'A' else 'B'}{head[-1]}.{mac}"
    forged = f"{head}.{mac[:-3]}xyz"
    before = footprint(rctx)
    for bad in (altered, forged, "nonsense", token + "x"):
        with pytest.raises(InvalidToken):
            unsubscribe(rctx, token=bad, network=NET, one_click=True)
    later = dataclasses.replace(rctx, clock=FixedClock(rctx.clock.now() + timedelta(days=91)))
    with pytest.raises(InvalidToken) as expired:
        unsubscribe(later, token=token, network=NET, one_click=True)
    assert expired.value.reason == "expired"
    revoke_link(rctx, token_id=token_id)
    with pytest.raises(InvalidToken) as revoked:
        unsubscribe(rctx, token=token, network=NET, one_click=True)
    assert revoked.value.reason == "revoked"
    assert footprint(rctx) == before
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"


def test_links_are_minted_only_for_what_a_purpose_covers_through_a_right_touchpoint(
    rctx: Context,
) -> None:
    anna = person(rctx)
    with pytest.raises(InvalidInput):
        unsubscribe_links(
            rctx,
            subject_ids=[anna.subject_id],
            purpose=PURPOSE,
            channel=Channel.PHONE,
            touchpoint=UNSUB,
        )
    with pytest.raises(InvalidInput):
        unsubscribe_links(
            rctx,
            subject_ids=[anna.subject_id],
            purpose=PURPOSE,
            channel=Channel.EMAIL,
            touchpoint="web-all",
        )


def _withdrawals(ctx: Context, subject_id: str) -> int:
    return sum(
        1
        for e in subject_timeline(ctx, subject_id=subject_id)
        if e.kind is EventKind.CONSENT_WITHDRAWN and e.touchpoint == UNSUB
    )


def test_repeating_the_one_click_post_records_one_withdrawal(rctx: Context) -> None:
    anna = person(rctx)
    token, _ = _link(rctx, anna.subject_id)
    first = unsubscribe(rctx, token=token, network=NET, one_click=True)
    after_first = footprint(rctx)
    # Mail providers retry a POST whose answer they did not see; the person may click again.
    again = unsubscribe(rctx, token=token, network=NET, one_click=True)
    by_button = unsubscribe(rctx, token=token, network=NET, one_click=False)
    assert first == again == by_button
    assert _withdrawals(rctx, anna.subject_id) == 1
    assert footprint(rctx) == after_first
    assert check(rctx, PURPOSE, Channel.EMAIL) == "withdrawn"


def test_the_same_link_withdraws_again_a_consent_given_after_it_was_used(rctx: Context) -> None:
    anna = person(rctx)
    token, _ = _link(rctx, anna.subject_id)
    unsubscribe(rctx, token=token, network=NET, one_click=True)
    record(
        rctx,
        make_draft(
            touchpoint="web-all",
            identifiers=(email(anna.email),),
            purpose=PURPOSE,
            channels=(Channel.EMAIL,),
            occurred_at=rctx.clock.now(),
        ),
    )
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"
    unsubscribe(rctx, token=token, network=NET, one_click=True)
    assert _withdrawals(rctx, anna.subject_id) == 2
    assert check(rctx, PURPOSE, Channel.EMAIL) == "withdrawn"
