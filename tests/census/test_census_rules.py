"""Each census rule fires on a real database and clears once the cause is fixed (both backends).

An examination moves a touchpoint censused -> examined, never to secured (a person's sign-off
does that, see test_securing.py); a secured one with a high-severity finding falls back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.census.helpers import (
    CALLS,
    NOTICE,
    PURPOSE,
    SEND,
    STORE,
    T0,
    UNSUBSCRIBE,
    WEB,
    add_calls,
    at,
    check,
    clean_company,
    contact,
    examine,
    paper_consent,
    rules,
    signer,
    today,
    withdrawal,
)
from tests.factories import add_touchpoint, purpose_content

from trustguardian.domain.errors import Conflict
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    ProofType,
    TouchpointKind,
    TouchpointStatus,
)
from trustguardian.service.context import Context
from trustguardian.service.engage.admin import import_register
from trustguardian.service.registry import notices, purposes
from trustguardian.service.registry.census import touchpoint_findings
from trustguardian.service.registry.securing import secure_touchpoint
from trustguardian.service.registry.touchpoints import (
    TouchpointPatch,
    get_touchpoint,
    retire_touchpoint,
    update_touchpoint,
)

SECURED = TouchpointStatus.SECURED
EXAMINED = TouchpointStatus.EXAMINED


def test_a_clean_census_is_examined_with_no_findings_and_not_secured(ctx: Context) -> None:
    now = clean_company(ctx)
    assert get_touchpoint(now, key=WEB).status is TouchpointStatus.CENSUSED
    results = examine(now)
    assert {k: r.findings for k, r in results.items()} == {
        WEB: [],
        STORE: [],
        SEND: [],
        UNSUBSCRIBE: [],
    }
    assert {k: r.touchpoint.status for k, r in results.items()} == dict.fromkeys(results, EXAMINED)
    assert all(r.status_before is TouchpointStatus.CENSUSED for r in results.values())


def test_collect_without_proofs_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    update_touchpoint(now, key=STORE, patch=TouchpointPatch(required_proofs=[]))
    result = examine(now)[STORE]
    assert rules(result) == {"collect_without_proofs": "high"}
    assert result.touchpoint.status is EXAMINED

    update_touchpoint(now, key=STORE, patch=TouchpointPatch(required_proofs=[ProofType.PAPER_FORM]))
    result = examine(now)[STORE]
    assert rules(result) == {}
    assert result.touchpoint.status is EXAMINED
    _, _, history = touchpoint_findings(now, key=STORE, include_resolved=True)
    assert [(f.rule, f.resolved_at is not None) for f in history] == [
        ("collect_without_proofs", True)
    ]


def test_marketing_without_double_opt_in_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    update_touchpoint(now, key=WEB, patch=TouchpointPatch(required_proofs=[ProofType.NOTICE_SHOWN]))
    result = examine(now)[WEB]
    assert rules(result) == {"marketing_without_double_opt_in": "high"}
    assert [f.target for f in result.findings] == [PURPOSE]

    update_touchpoint(
        now, key=WEB, patch=TouchpointPatch(required_proofs=[ProofType.NOTICE_SHOWN, ProofType.OTP])
    )
    assert rules(examine(now)[WEB]) == {}


def test_collect_without_notice_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    update_touchpoint(now, key=STORE, patch=TouchpointPatch(clear_notice=True))
    assert rules(examine(now)[STORE]) == {"collect_without_notice": "high"}

    update_touchpoint(now, key=STORE, patch=TouchpointPatch(notice_key=NOTICE))
    result = examine(now)[STORE]
    assert rules(result) == {}
    assert result.touchpoint.status is EXAMINED


def test_outdated_notice_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    v2_from = T0 + timedelta(hours=1)
    notices.add_notice_version(now, key=NOTICE, text="Informativa v2\n", effective_from=v2_from)
    later = at(ctx, v2_from + timedelta(hours=1))
    paper_consent(later, v2_from + timedelta(minutes=5), notice_version=1)
    result = examine(later)[STORE]
    assert rules(result) == {"outdated_notice": "medium"}
    secure_touchpoint(later, key=STORE, by=signer(later), note="medium only")
    assert get_touchpoint(later, key=STORE).status is SECURED  # a medium one does not block

    paper_consent(later, v2_from + timedelta(minutes=10))  # the counter now shows version 2
    assert rules(examine(later)[STORE]) == {}


def test_purpose_without_a_basis_for_marketing_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    purposes.revise_purpose(
        now,
        key=PURPOSE,
        content=purpose_content(
            legal_basis=LegalBasis.LEGITIMATE_INTEREST, channels=(Channel.EMAIL, Channel.PHONE)
        ),
    )
    results = examine(now)
    for key in (WEB, STORE, SEND):
        assert rules(results[key]) == {"purpose_legal_basis": "high"}
        assert results[key].touchpoint.status is EXAMINED

    purposes.revise_purpose(
        now, key=PURPOSE, content=purpose_content(channels=(Channel.EMAIL, Channel.PHONE))
    )
    results = examine(now)
    assert all(rules(results[key]) == {} for key in (WEB, STORE, SEND))


def test_soft_spam_on_legitimate_interest_is_accepted(ctx: Context) -> None:
    now = clean_company(ctx)
    purposes.revise_purpose(
        now,
        key=PURPOSE,
        content=purpose_content(
            legal_basis=LegalBasis.LEGITIMATE_INTEREST, analogous_products=True
        ),
    )
    assert rules(examine(now)[SEND]) == {}


def test_purpose_retention_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    purposes.revise_purpose(
        now,
        key=PURPOSE,
        content=purpose_content(retention_days=1500, consent_lifetime_days=None),
    )
    result = examine(now)[WEB]
    assert rules(result) == {"purpose_retention": "medium"}
    assert "1500 days" in result.findings[0].message
    assert "no refresh period" in result.findings[0].message

    purposes.revise_purpose(now, key=PURPOSE, content=purpose_content())
    assert rules(examine(now)[WEB]) == {}


def test_contacts_without_checks_fire_then_clear_after_the_window(ctx: Context) -> None:
    now = clean_company(ctx)
    paper_consent(now, T0 + timedelta(minutes=30))
    contact(now, now.clock.now(), check_id=None)
    result = examine(now)[SEND]
    assert rules(result) == {"contacts_without_checks": "high"}
    assert result.findings[0].message.startswith("1 contact(s)")
    assert result.touchpoint.status is EXAMINED

    allowed, check_id = check(now)
    assert allowed
    contact(now, now.clock.now(), check_id=check_id)  # checked: adds nothing
    assert rules(examine(now)[SEND]) == {"contacts_without_checks": "high"}
    month_later = at(ctx, now.clock.now() + timedelta(days=31))
    result = examine(month_later)[SEND]
    assert rules(result) == {}
    assert result.touchpoint.status is EXAMINED


def test_contacts_despite_denial_fire_then_clear_after_the_window(ctx: Context) -> None:
    now = clean_company(ctx)
    paper_consent(now, T0 + timedelta(minutes=20))
    withdrawal(now, T0 + timedelta(minutes=40))
    allowed, check_id = check(now)
    assert not allowed
    contact(now, now.clock.now(), check_id=check_id)
    assert rules(examine(now)[SEND]) == {"contacts_despite_denial": "high"}

    month_later = at(ctx, now.clock.now() + timedelta(days=31))
    assert rules(examine(month_later)[SEND]) == {}


def test_no_right_touchpoint_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    retire_touchpoint(now, key=UNSUBSCRIBE)
    results = examine(now)
    assert UNSUBSCRIBE not in results  # retired touchpoints are not examined
    for key in (WEB, STORE, SEND):
        assert rules(results[key]) == {"no_right_touchpoint": "high"}

    add_touchpoint(
        now,
        "preference-centre",
        name="Preference centre",
        kind=TouchpointKind.RIGHT,
        channel=Channel.WEB_FORM,
    )
    results = examine(now)
    assert all(rules(results[key]) == {} for key in (WEB, STORE, SEND))


def test_stale_opposition_register_fires_then_clears(ctx: Context) -> None:
    now = clean_company(ctx)
    add_calls(now)
    result = examine(now)[CALLS]
    assert rules(result) == {"stale_opposition_register": "high"}
    assert "no phone opposition register was ever imported" in result.findings[0].message

    import_register(
        now,
        name="rpo",
        kind="phone",
        register_date=today(now) - timedelta(days=45),
        lines=["+393331234567"],
        file_sha256="0" * 64,
    )
    result = examine(now)[CALLS]
    assert rules(result) == {"stale_opposition_register": "high"}
    assert "latest phone opposition register is of" in result.findings[0].message

    import_register(
        at(ctx, now.clock.now() + timedelta(minutes=1)),  # a later import replaces the older
        name="rpo",
        kind="phone",
        register_date=today(now),
        lines=["+393331234567"],
        file_sha256="1" * 64,
    )
    result = examine(now)[CALLS]
    assert rules(result) == {}
    assert result.touchpoint.status is EXAMINED


def test_stale_consents_fire_then_clear(ctx: Context) -> None:
    now = clean_company(ctx)
    paper_consent(now, T0 + timedelta(minutes=30))
    assert rules(examine(now)[STORE]) == {}
    after_refresh = at(ctx, T0 + timedelta(days=731))
    result = examine(after_refresh)[STORE]
    assert rules(result) == {"stale_consents": "medium"}
    assert result.findings[0].target == PURPOSE

    paper_consent(after_refresh, T0 + timedelta(days=730, hours=23))  # renewed
    assert rules(examine(after_refresh)[STORE]) == {}


def test_a_secured_touchpoint_falls_back_when_a_high_finding_appears(ctx: Context) -> None:
    now = clean_company(ctx)
    examine(now)
    secure_touchpoint(now, key=WEB, by=signer(now), note="form checked")
    assert examine(now)[WEB].touchpoint.status is SECURED  # stays secured while clean
    update_touchpoint(now, key=WEB, patch=TouchpointPatch(required_proofs=[]))
    assert examine(now)[WEB].touchpoint.status is EXAMINED
    assert get_touchpoint(now, key=WEB).status is EXAMINED


def test_securing_by_hand_is_refused_with_an_open_high_finding(ctx: Context) -> None:
    now = clean_company(ctx)
    update_touchpoint(now, key=WEB, patch=TouchpointPatch(status=EXAMINED))
    with pytest.raises(Conflict, match="never examined"):
        update_touchpoint(now, key=WEB, patch=TouchpointPatch(status=SECURED))
    examine(now)
    with pytest.raises(Conflict, match="sign-off"):
        update_touchpoint(now, key=WEB, patch=TouchpointPatch(status=SECURED))
    update_touchpoint(now, key=WEB, patch=TouchpointPatch(required_proofs=[]))
    examine(now)
    with pytest.raises(Conflict, match="open high-severity"):
        update_touchpoint(now, key=WEB, patch=TouchpointPatch(status=SECURED))
    assert get_touchpoint(now, key=WEB).status is EXAMINED


def test_a_finding_seen_again_stays_one_open_finding(ctx: Context) -> None:
    now = clean_company(ctx)
    update_touchpoint(now, key=STORE, patch=TouchpointPatch(required_proofs=[]))
    first = examine(now)[STORE].findings
    second = examine(at(ctx, now.clock.now() + timedelta(hours=1)))[STORE].findings
    assert [f.id for f in first] == [f.id for f in second]
    assert second[0].last_found_at > second[0].first_found_at
