"""The preference centre's use cases on SQLite and PostgreSQL: states shown, one event per change
with proofs, Sec-GPC as an objection to sale/sharing purposes, objection to all marketing."""

from __future__ import annotations

import pytest
from tests.factories.events import footprint

from trustguardian.domain.errors import InvalidInput, InvalidToken
from trustguardian.domain.registry import Channel
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.engage.links import preferences_link, revoke_link
from trustguardian.service.engage.preference_mail import mail_preferences_link
from trustguardian.service.engage.preferences import (
    Network,
    change_preference,
    honour_gpc,
    object_to_marketing,
    preference_centre,
)
from trustguardian.service.events.consent import subject_timeline
from trustguardian.service.registry.purpose_flags import set_sale_sharing

from .helpers import (
    ANNA,
    CENTRE,
    NOTICE,
    OTHER_PURPOSE,
    POSTAL,
    PURPOSE,
    SHARING,
    check,
    outbox_files,
    person,
)

NET = Network(ip="198.51.100.4", user_agent="Firefox")


def _token(ctx: Context, subject_id: str) -> tuple[str, str]:
    link = preferences_link(ctx, subject_id=subject_id, touchpoint=CENTRE)
    return link.url.rsplit("/", 1)[1], link.token_id


def test_the_centre_shows_each_purpose_and_channel_with_its_state_and_the_notice(
    rctx: Context,
) -> None:
    anna = person(rctx)
    token, _ = _token(rctx, anna.subject_id)
    centre = preference_centre(rctx, token=token)
    states = {(c.purpose, c.channel): c.status for c in centre.choices}
    assert states[(PURPOSE, Channel.EMAIL)] == "given"
    assert states[(PURPOSE, Channel.SMS)] == "given"
    assert states[(POSTAL, Channel.LETTER)] == "none"
    assert "orders" not in {c.purpose for c in centre.choices}  # a contract is not a choice
    assert centre.notice_text == "Informativa v1\n"
    assert centre.notice_version == 1


def test_each_change_is_one_event_with_network_and_form_proofs(rctx: Context) -> None:
    anna = person(rctx)
    token, _ = _token(rctx, anna.subject_id)
    change_preference(
        rctx, token=token, purpose=PURPOSE, channel=Channel.SMS, action="withdraw", network=NET
    )
    assert check(rctx, PURPOSE, Channel.SMS) == "withdrawn"
    assert check(rctx, PURPOSE, Channel.EMAIL) == "consent_given"
    last = subject_timeline(rctx, subject_id=anna.subject_id)[-1]
    assert last.touchpoint == CENTRE
    assert last.notice == NOTICE
    assert read_proof(rctx, event_id=last.id, position=0).content["ip"] == NET.ip
    assert read_proof(rctx, event_id=last.id, position=1).content["fields"]["action"] == "withdraw"
    change_preference(
        rctx, token=token, purpose=PURPOSE, channel=Channel.SMS, action="give", network=NET
    )
    assert check(rctx, PURPOSE, Channel.SMS) == "consent_given"


def test_a_revoked_or_foreign_token_and_an_unoffered_choice_change_nothing(rctx: Context) -> None:
    anna = person(rctx)
    token, token_id = _token(rctx, anna.subject_id)
    before = footprint(rctx)
    with pytest.raises(InvalidInput):
        change_preference(
            rctx,
            token=token,
            purpose="orders",
            channel=Channel.EMAIL,
            action="withdraw",
            network=NET,
        )
    revoke_link(rctx, token_id=token_id)
    for bad in (token, token[:-4] + "AAAA"):
        with pytest.raises(InvalidToken):
            change_preference(
                rctx,
                token=bad,
                purpose=PURPOSE,
                channel=Channel.SMS,
                action="withdraw",
                network=NET,
            )
        with pytest.raises(InvalidToken):
            preference_centre(rctx, token=bad)
    assert footprint(rctx) == before


def test_gpc_objects_to_sale_and_sharing_purposes_only_once(rctx: Context) -> None:
    anna = person(rctx)
    set_sale_sharing(rctx, purpose=SHARING, value=True)
    token, _ = _token(rctx, anna.subject_id)
    assert honour_gpc(rctx, token=token, network=NET) == [SHARING]
    assert check(rctx, SHARING, Channel.EMAIL) == "withdrawn"
    assert check(rctx, OTHER_PURPOSE, Channel.EMAIL) == "consent_given"
    last = subject_timeline(rctx, subject_id=anna.subject_id)[-1]
    proof = read_proof(rctx, event_id=last.id, position=0).content
    assert proof["signal"] == "Sec-GPC: 1"
    assert proof["basis"] == "objection to sale/sharing"
    assert honour_gpc(rctx, token=token, network=NET) == []  # honoured already: nothing new


def test_objection_to_marketing_in_the_centre_withdraws_every_marketing_purpose(
    rctx: Context,
) -> None:
    anna = person(rctx)
    token, _ = _token(rctx, anna.subject_id)
    assert set(object_to_marketing(rctx, token=token, network=NET)) == {
        PURPOSE,
        OTHER_PURPOSE,
        SHARING,
        POSTAL,
    }
    assert check(rctx, PURPOSE, Channel.EMAIL) == "withdrawn"
    assert check(rctx, POSTAL, Channel.LETTER) == "objected"


def test_preference_links_mailed_to_one_person_are_capped_per_hour(rctx: Context) -> None:
    person(rctx)
    sent = [mail_preferences_link(rctx, address=ANNA, language="it") for _ in range(4)]
    assert sent == [True, True, True, False]
    assert len(outbox_files(rctx.settings.outbox_dir)) == 3
    assert mail_preferences_link(rctx, address="nobody@example.com", language="it") is False
