"""The census rules: what puts the company at risk at a touchpoint, how bad it is, and the fix.

Each rule is a pure function of `TouchpointFacts` (gathered by the service layer) that returns
the findings it makes; `examine` runs them all. A touchpoint may be secured only while it has
no open finding of high severity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from trustguardian.domain import risk_texts as w
from trustguardian.domain.registry import Channel, LegalBasis, TouchpointKind
from trustguardian.domain.rights import ROME
from trustguardian.domain.risk_collect import (
    CONFIRMING_PROOFS,
    collect_without_notice,
    collect_without_proofs,
    confirmation_proof_required,
    consent_without_substance,
    marketing_without_double_opt_in,
    outdated_notice,
)
from trustguardian.domain.risk_facts import (
    Finding,
    OverdueRequests,
    RegisterFacts,
    Rule,
    Severity,
    TouchpointFacts,
    marketing,
)

__all__ = [
    "CONFIRMING_PROOFS",
    "CONTACT_WINDOW",
    "RULES",
    "Finding",
    "OverdueRequests",
    "RegisterFacts",
    "Rule",
    "Severity",
    "TouchpointFacts",
    "blocks_securing",
    "examine",
]


# The Garante's guidance (provv. 24 Feb 2005, confirmed since) keeps data for marketing 24 months.
MARKETING_RETENTION_DAYS = 730
REGISTER_MAX_AGE = timedelta(days=30)
# Contacts are judged over a recent window, so fixing the process clears the finding in time
# (the contacts themselves stay in the ledger and in the inspection report).
CONTACT_WINDOW = timedelta(days=30)
UNCHECKED_FLAGS = (
    "no_check",
    "unknown_check",
    "check_mismatch",
    "stale_check",
    "check_after_contact",
)
# Channels the Italian Registro pubblico delle opposizioni covers, and its kind of register.
REGISTER_KIND: dict[Channel, str] = {
    Channel.PHONE: "phone",
    Channel.CALL_CENTER: "phone",
    Channel.LETTER: "postal",
}


def purpose_legal_basis(facts: TouchpointFacts) -> list[Finding]:
    found = []
    for p in marketing(facts):
        c = p.current.content
        soft_spam = (
            c.legal_basis is LegalBasis.LEGITIMATE_INTEREST
            and c.analogous_products
            and set(c.channels) <= {Channel.EMAIL}
        )
        if c.legal_basis is LegalBasis.CONSENT or soft_spam:
            continue
        found.append(
            Finding(
                Rule.PURPOSE_LEGAL_BASIS,
                Severity.HIGH,
                p.key,
                w.WRONG_BASIS.format(purpose=p.key, basis=c.legal_basis.value),
                w.WRONG_BASIS_FIX,
            )
        )
    return found


def purpose_retention(facts: TouchpointFacts) -> list[Finding]:
    found = []
    for p in facts.purposes:
        c = p.current.content
        too_long = c.marketing and c.retention_days > MARKETING_RETENTION_DAYS
        no_lifetime = c.legal_basis is LegalBasis.CONSENT and c.consent_lifetime_days is None
        template = {
            (True, True): w.KEPT_TOO_LONG_NO_LIFETIME,
            (True, False): w.KEPT_TOO_LONG,
            (False, True): w.NO_LIFETIME,
        }.get((too_long, no_lifetime))
        if template is not None:
            message = template.format(
                purpose=p.key, days=c.retention_days, limit=MARKETING_RETENTION_DAYS
            )
            found.append(
                Finding(Rule.PURPOSE_RETENTION, Severity.MEDIUM, p.key, message, w.RETENTION_FIX)
            )
    return found


def contacts_without_checks(facts: TouchpointFacts) -> list[Finding]:
    count = sum(facts.flagged_contacts.get(flag, 0) for flag in UNCHECKED_FLAGS)
    if facts.touchpoint.kind is not TouchpointKind.ENGAGE or count == 0:
        return []
    return [
        Finding(
            Rule.CONTACTS_WITHOUT_CHECKS,
            Severity.HIGH,
            "",
            w.UNCHECKED.format(count=count),
            w.UNCHECKED_FIX,
        )
    ]


def contacts_despite_denial(facts: TouchpointFacts) -> list[Finding]:
    count = facts.flagged_contacts.get("despite_denial", 0)
    if facts.touchpoint.kind is not TouchpointKind.ENGAGE or count == 0:
        return []
    return [
        Finding(
            Rule.CONTACTS_DESPITE_DENIAL,
            Severity.HIGH,
            "",
            w.DESPITE_DENIAL.format(count=count),
            w.DESPITE_DENIAL_FIX,
        )
    ]


def no_right_touchpoint(facts: TouchpointFacts) -> list[Finding]:
    if facts.touchpoint.kind is TouchpointKind.RIGHT or "*" in facts.withdrawable:
        return []
    return [
        Finding(
            Rule.NO_RIGHT_TOUCHPOINT,
            Severity.HIGH,
            p.key,
            w.NO_RIGHT.format(purpose=p.key),
            w.NO_RIGHT_FIX,
        )
        for p in marketing(facts)
        if p.key not in facts.withdrawable
    ]


def stale_opposition_register(facts: TouchpointFacts) -> list[Finding]:
    tp = facts.touchpoint
    kind = REGISTER_KIND.get(tp.channel)
    if tp.kind is not TouchpointKind.ENGAGE or kind is None or not marketing(facts):
        return []
    dates = [r.register_date for r in facts.registers if r.kind == kind]
    oldest_allowed = (facts.now - REGISTER_MAX_AGE).date()
    if dates and max(dates) >= oldest_allowed:
        return []
    where = {"channel": tp.channel.value, "touchpoint": tp.key, "kind": kind}
    problem = (
        w.STALE_REGISTER.format(**where, date=max(dates).isoformat())
        if dates
        else w.NO_REGISTER.format(**where)
    )
    return [
        Finding(
            Rule.STALE_OPPOSITION_REGISTER,
            Severity.HIGH,
            kind,
            problem,
            w.REGISTER_FIX,
        )
    ]


def stale_consents(facts: TouchpointFacts) -> list[Finding]:
    return [
        Finding(
            Rule.STALE_CONSENTS,
            Severity.MEDIUM,
            purpose,
            w.STALE_CONSENTS.format(count=count, purpose=purpose),
            w.STALE_CONSENTS_FIX,
        )
        for purpose, count in sorted(facts.stale_consents.items())
        if count > 0
    ]


def overdue_requests(facts: TouchpointFacts) -> list[Finding]:
    """Art. 12(3): a request is answered within a month of receipt (three once extended)."""
    today = facts.now.astimezone(ROME).date()
    return [
        Finding(
            Rule.OVERDUE_REQUESTS,
            Severity.HIGH,
            o.kind,
            w.OVERDUE.format(
                count=o.count,
                kind=o.kind,
                due=o.oldest_due_on.isoformat(),
                days=(today - o.oldest_due_on).days,
            ),
            w.OVERDUE_FIX,
        )
        for o in sorted(facts.overdue_requests, key=lambda o: o.kind)
        if o.count > 0
    ]


def open_complaints(facts: TouchpointFacts) -> list[Finding]:
    """People complain about what a touchpoint did: high risk once an answer is overdue."""
    return [
        Finding(
            Rule.OPEN_COMPLAINTS,
            Severity.HIGH if late else Severity.MEDIUM,
            f"{kind} overdue" if late else kind,  # a new finding when it turns overdue
            w.COMPLAINTS.format(count=count, kind=kind, touchpoint=facts.touchpoint.key, late=late),
            w.COMPLAINTS_FIX,
        )
        for kind, (count, late) in sorted(facts.open_complaints.items())
        if count > 0
    ]


RULES: tuple[Callable[[TouchpointFacts], list[Finding]], ...] = (
    collect_without_proofs,
    marketing_without_double_opt_in,
    confirmation_proof_required,
    consent_without_substance,
    collect_without_notice,
    outdated_notice,
    purpose_legal_basis,
    purpose_retention,
    contacts_without_checks,
    contacts_despite_denial,
    no_right_touchpoint,
    stale_opposition_register,
    stale_consents,
    overdue_requests,
    open_complaints,
)


def examine(facts: TouchpointFacts) -> list[Finding]:
    """Runs every rule on one touchpoint."""
    return [finding for rule in RULES for finding in rule(facts)]


def blocks_securing(findings: list[Finding]) -> bool:
    """A high-severity finding keeps a touchpoint from being secured."""
    return any(f.severity is Severity.HIGH for f in findings)
