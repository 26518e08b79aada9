"""Each census rule, as a pure function: a case that makes it fire and one that clears it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from trustguardian.domain.collect import Confirmation
from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    NoticeVersion,
    ProofType,
    Purpose,
    PurposeContent,
    PurposeVersion,
    RecordStatus,
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
)
from trustguardian.domain.risk import (
    RULES,
    Finding,
    OverdueRequests,
    RegisterFacts,
    Rule,
    Severity,
    TouchpointFacts,
    blocks_securing,
    collect_without_notice,
    collect_without_proofs,
    confirmation_proof_required,
    consent_without_substance,
    contacts_despite_denial,
    contacts_without_checks,
    examine,
    marketing_without_double_opt_in,
    no_right_touchpoint,
    open_complaints,
    outdated_notice,
    overdue_requests,
    purpose_legal_basis,
    purpose_retention,
    stale_consents,
    stale_opposition_register,
)

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def purpose(key: str = "newsletter", **changes: Any) -> Purpose:
    values: dict[str, Any] = {
        "name": "Newsletter",
        "description": "Promotions",
        "legal_basis": LegalBasis.CONSENT,
        "channels": (Channel.EMAIL,),
        "controller": "Bottega Rossi",
        "retention_days": 730,
        "consent_lifetime_days": 730,
        "marketing": True,
    }
    values.update(changes)
    return Purpose(key, RecordStatus.ACTIVE, PurposeVersion(key, 1, PurposeContent(**values), NOW))


def touchpoint(**changes: Any) -> Touchpoint:
    values: dict[str, Any] = {
        "key": "web",
        "name": "Web form",
        "kind": TouchpointKind.COLLECT,
        "channel": Channel.WEB_FORM,
        "nature": Nature.DIGITAL,
        "owner": "",
        "systems": (),
        "purposes": ("newsletter",),
        "notice_key": "privacy",
        "required_proofs": (ProofType.NOTICE_SHOWN, ProofType.DOUBLE_OPT_IN),
        "status": TouchpointStatus.CENSUSED,
        "description": "",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(changes)
    return Touchpoint(**values)


def notice(version: int = 2) -> NoticeVersion:
    return NoticeVersion("privacy", version, "text", "0" * 64, NOW - timedelta(days=1), NOW, NOW)


def clean(**changes: Any) -> TouchpointFacts:
    """A web form that passes every rule."""
    values: dict[str, Any] = {
        "touchpoint": touchpoint(),
        "now": NOW,
        "purposes": (purpose(),),
        "notice_exists": True,
        "notice_in_force": notice(),
        "notice_version_shown": 2,
        "withdrawable": frozenset({"newsletter"}),
    }
    values.update(changes)
    return TouchpointFacts(**values)


def right(**changes: Any) -> TouchpointFacts:
    tp = touchpoint(
        key="desk", kind=TouchpointKind.RIGHT, channel=Channel.OTHER, required_proofs=()
    )
    return clean(touchpoint=tp, notice_exists=False, notice_in_force=None, **changes)


def engage(channel: Channel = Channel.EMAIL, **changes: Any) -> TouchpointFacts:
    tp = touchpoint(
        kind=TouchpointKind.ENGAGE, channel=channel, required_proofs=(), notice_key=None
    )
    return clean(touchpoint=tp, notice_exists=False, notice_in_force=None, **changes)


CASES: list[
    tuple[Callable[[TouchpointFacts], list[Finding]], Rule, TouchpointFacts, TouchpointFacts]
] = [
    (
        collect_without_proofs,
        Rule.COLLECT_WITHOUT_PROOFS,
        clean(touchpoint=touchpoint(channel=Channel.STORE, required_proofs=())),
        clean(
            touchpoint=touchpoint(channel=Channel.STORE, required_proofs=(ProofType.PAPER_FORM,))
        ),
    ),
    (
        confirmation_proof_required,
        Rule.CONFIRMATION_PROOF_REQUIRED,
        clean(confirmation=Confirmation.DOUBLE_OPT_IN),
        clean(
            touchpoint=touchpoint(required_proofs=(ProofType.NOTICE_SHOWN,)),
            confirmation=Confirmation.DOUBLE_OPT_IN,
        ),
    ),
    (
        consent_without_substance,
        Rule.CONSENT_WITHOUT_SUBSTANCE,
        clean(touchpoint=touchpoint(channel=Channel.EVENT, required_proofs=(ProofType.OPERATOR,))),
        clean(
            touchpoint=touchpoint(
                channel=Channel.EVENT, required_proofs=(ProofType.OPERATOR, ProofType.PAPER_FORM)
            )
        ),
    ),
    (
        marketing_without_double_opt_in,
        Rule.MARKETING_WITHOUT_DOUBLE_OPT_IN,
        clean(touchpoint=touchpoint(required_proofs=(ProofType.NOTICE_SHOWN,))),
        clean(touchpoint=touchpoint(required_proofs=(ProofType.OTP,))),
    ),
    (
        collect_without_notice,
        Rule.COLLECT_WITHOUT_NOTICE,
        clean(notice_in_force=None),
        clean(),
    ),
    (outdated_notice, Rule.OUTDATED_NOTICE, clean(notice_version_shown=1), clean()),
    (
        purpose_legal_basis,
        Rule.PURPOSE_LEGAL_BASIS,
        clean(purposes=(purpose(legal_basis=LegalBasis.CONTRACT),)),
        clean(
            purposes=(purpose(legal_basis=LegalBasis.LEGITIMATE_INTEREST, analogous_products=True),)
        ),
    ),
    (
        purpose_retention,
        Rule.PURPOSE_RETENTION,
        clean(purposes=(purpose(consent_lifetime_days=None),)),
        clean(purposes=(purpose(retention_days=365),)),
    ),
    (
        contacts_without_checks,
        Rule.CONTACTS_WITHOUT_CHECKS,
        engage(flagged_contacts={"stale_check": 2}),
        engage(flagged_contacts={}),
    ),
    (
        contacts_despite_denial,
        Rule.CONTACTS_DESPITE_DENIAL,
        engage(flagged_contacts={"despite_denial": 1}),
        engage(flagged_contacts={"no_check": 0}),
    ),
    (
        no_right_touchpoint,
        Rule.NO_RIGHT_TOUCHPOINT,
        clean(withdrawable=frozenset({"other"})),
        clean(withdrawable=frozenset({"*"})),
    ),
    (
        stale_opposition_register,
        Rule.STALE_OPPOSITION_REGISTER,
        engage(Channel.PHONE, registers=(RegisterFacts("rpo", "phone", date(2026, 10, 1)),)),
        engage(Channel.PHONE, registers=(RegisterFacts("rpo", "phone", date(2026, 11, 20)),)),
    ),
    (
        stale_consents,
        Rule.STALE_CONSENTS,
        clean(stale_consents={"newsletter": 3}),
        clean(stale_consents={"newsletter": 0}),
    ),
    (
        overdue_requests,
        Rule.OVERDUE_REQUESTS,
        right(overdue_requests=(OverdueRequests("access", 2, date(2026, 11, 20)),)),
        right(overdue_requests=()),
    ),
    (
        open_complaints,
        Rule.OPEN_COMPLAINTS,
        clean(open_complaints={"contact": (2, 1)}),
        clean(open_complaints={"contact": (0, 0)}),
    ),
]


def test_open_complaints_weigh_more_once_overdue() -> None:
    [waiting] = open_complaints(clean(open_complaints={"contact": (2, 0)}))
    [late] = open_complaints(clean(open_complaints={"contact": (2, 1)}))
    assert (waiting.severity, late.severity) == (Severity.MEDIUM, Severity.HIGH)
    assert waiting.target != late.target  # turning overdue opens a new finding


def test_every_rule_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(RULES)


@pytest.mark.parametrize(
    ("rule", "code", "fires", "clears"), CASES, ids=[c[1].value for c in CASES]
)
def test_the_rule_fires_and_clears(
    rule: Callable[[TouchpointFacts], list[Finding]],
    code: Rule,
    fires: TouchpointFacts,
    clears: TouchpointFacts,
) -> None:
    found = rule(fires)
    assert [f.rule for f in found] == [code]
    assert found[0].fix
    assert found[0].message
    assert rule(clears) == []
    assert [f.rule for f in examine(fires)] == [code]  # and no other rule fires with it
    assert examine(clears) == []


def test_only_high_severity_blocks_securing() -> None:
    medium = examine(clean(notice_version_shown=1))
    assert [f.severity for f in medium] == [Severity.MEDIUM]
    assert not blocks_securing(medium)
    assert blocks_securing(examine(clean(touchpoint=touchpoint(required_proofs=()))))


def test_a_physical_counter_needs_no_double_opt_in() -> None:
    counter = touchpoint(
        channel=Channel.STORE, nature=Nature.PHYSICAL, required_proofs=(ProofType.PAPER_FORM,)
    )
    assert examine(clean(touchpoint=counter)) == []


def test_right_touchpoints_are_not_asked_for_a_right_touchpoint() -> None:
    right = dataclasses.replace(touchpoint(), kind=TouchpointKind.RIGHT, required_proofs=())
    assert no_right_touchpoint(clean(touchpoint=right, withdrawable=frozenset())) == []


def test_overdue_requests_say_how_many_and_how_late_by_kind() -> None:
    found = overdue_requests(
        right(
            overdue_requests=(
                OverdueRequests("erasure", 1, date(2026, 11, 1)),
                OverdueRequests("access", 2, date(2026, 11, 20)),
            )
        )
    )
    assert [(f.target, f.severity) for f in found] == [
        ("access", Severity.HIGH),
        ("erasure", Severity.HIGH),
    ]
    assert "2 access request(s) taken here are past the legal deadline" in found[0].message
    assert "due on 2026-11-20, 9 day(s) ago" in found[0].message
    assert blocks_securing(found)


def test_our_double_opt_in_or_otp_satisfies_the_marketing_rule() -> None:
    form = touchpoint(required_proofs=(ProofType.NOTICE_SHOWN, ProofType.FORM_SNAPSHOT))
    assert [f.rule for f in examine(clean(touchpoint=form))] == [
        Rule.MARKETING_WITHOUT_DOUBLE_OPT_IN
    ]
    for method in (Confirmation.DOUBLE_OPT_IN, Confirmation.OTP_SMS, Confirmation.OTP_EMAIL):
        assert examine(clean(touchpoint=form, confirmation=method)) == []


def test_the_suggested_fix_never_makes_every_sign_up_fail() -> None:
    [finding] = examine(clean(touchpoint=touchpoint(required_proofs=(ProofType.NOTICE_SHOWN,))))
    assert "collect configure web --confirmation double_opt_in" in finding.fix
    assert "require" not in finding.fix


def test_a_call_centre_or_an_import_is_not_collected_online() -> None:
    calls = touchpoint(
        channel=Channel.CALL_CENTER,
        nature=Nature.DIGITAL,
        required_proofs=(ProofType.OPERATOR, ProofType.CALL_RECORDING),
    )
    assert examine(clean(touchpoint=calls)) == []
    crm = touchpoint(required_proofs=(ProofType.NOTICE_SHOWN,))  # registered as a web form
    assert examine(clean(touchpoint=crm, imported_only=True)) == []
    assert [f.rule for f in examine(clean(touchpoint=crm))] == [
        Rule.MARKETING_WITHOUT_DOUBLE_OPT_IN
    ]


def test_an_operator_name_alone_is_no_substance_on_the_phone() -> None:
    calls = touchpoint(channel=Channel.PHONE, required_proofs=(ProofType.OPERATOR,))
    [finding] = examine(clean(touchpoint=calls))
    assert finding.rule is Rule.CONSENT_WITHOUT_SUBSTANCE
    assert finding.severity is Severity.HIGH
    assert finding.target == "call_recording"
    assert examine(clean(touchpoint=calls, confirmation=Confirmation.OTP_SMS)) == []
