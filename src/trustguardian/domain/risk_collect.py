"""The census rules of collect touchpoints: proofs, confirmation and the notice shown.

They read how consents are really gathered: online, in person, by phone or by letter, or from a
legacy import; and how the touchpoint has people confirm them (our double opt-in or OTP, set in
its collect settings, or a confirming proof its own system sends).
"""

from __future__ import annotations

from enum import StrEnum

from trustguardian.domain import risk_texts as w
from trustguardian.domain.collect import Confirmation
from trustguardian.domain.registry import Channel, ProofType, TouchpointKind
from trustguardian.domain.risk_facts import Finding, Rule, Severity, TouchpointFacts, marketing

CONFIRMING_PROOFS = frozenset({ProofType.DOUBLE_OPT_IN, ProofType.OTP})


class Mode(StrEnum):
    """How a collect touchpoint gathers consents."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    IMPORT = "import"


MODE_OF_CHANNEL: dict[Channel, Mode] = {
    Channel.WEB_FORM: Mode.ONLINE,
    Channel.APP: Mode.ONLINE,
    Channel.EMAIL: Mode.ONLINE,
    Channel.SMS: Mode.ONLINE,
    Channel.SOCIAL: Mode.ONLINE,
    Channel.STORE: Mode.IN_PERSON,
    Channel.EVENT: Mode.IN_PERSON,
    Channel.VISIT: Mode.IN_PERSON,
    Channel.PHONE: Mode.PHONE,
    Channel.CALL_CENTER: Mode.PHONE,
    Channel.LETTER: Mode.LETTER,
}

# What shows the substance of a consent given other than online: the signed form's scan, the
# recording of the call. A staff member's name alone (`operator`) is only someone's word.
SUBSTANCE: dict[Mode, tuple[ProofType, str, str]] = {
    Mode.IN_PERSON: (ProofType.PAPER_FORM, "in person", "a scan of the signed form"),
    Mode.LETTER: (ProofType.PAPER_FORM, "by letter", "a scan of the signed form"),
    Mode.PHONE: (ProofType.CALL_RECORDING, "by phone", "the call's recording"),
}


def mode(facts: TouchpointFacts) -> Mode | None:
    """How the touchpoint collects (None for a channel that says nothing, such as `other`)."""
    tp = facts.touchpoint
    if facts.imported_only or ProofType.IMPORT in tp.required_proofs:
        return Mode.IMPORT
    return MODE_OF_CHANNEL.get(tp.channel)


def confirms(facts: TouchpointFacts) -> bool:
    """Whether the person confirms each consent: our double opt-in or OTP, or the touchpoint's."""
    return facts.confirmation is not Confirmation.NONE or bool(
        CONFIRMING_PROOFS & set(facts.touchpoint.required_proofs)
    )


def collect_without_proofs(facts: TouchpointFacts) -> list[Finding]:
    tp = facts.touchpoint
    if tp.kind is not TouchpointKind.COLLECT or tp.required_proofs or mode(facts) is Mode.IMPORT:
        return []
    return [
        Finding(
            Rule.COLLECT_WITHOUT_PROOFS,
            Severity.HIGH,
            "",
            w.NO_PROOFS.format(touchpoint=tp.key),
            w.NO_PROOFS_FIX,
        )
    ]


def marketing_without_double_opt_in(facts: TouchpointFacts) -> list[Finding]:
    tp = facts.touchpoint
    if tp.kind is not TouchpointKind.COLLECT or mode(facts) is not Mode.ONLINE or confirms(facts):
        return []
    return [
        Finding(
            Rule.MARKETING_WITHOUT_DOUBLE_OPT_IN,
            Severity.HIGH,
            p.key,
            w.NO_DOUBLE_OPT_IN.format(purpose=p.key),
            w.NO_DOUBLE_OPT_IN_FIX.format(touchpoint=tp.key),
        )
        for p in marketing(facts)
    ]


def confirmation_proof_required(facts: TouchpointFacts) -> list[Finding]:
    """Our confirmation adds its proof on `consent.confirmed`: requiring it on the consent
    itself refuses every sign-up."""
    tp = facts.touchpoint
    if tp.kind is not TouchpointKind.COLLECT or facts.confirmation is Confirmation.NONE:
        return []
    required = sorted(p.value for p in CONFIRMING_PROOFS & set(tp.required_proofs))
    if not required:
        return []
    return [
        Finding(
            Rule.CONFIRMATION_PROOF_REQUIRED,
            Severity.HIGH,
            ",".join(required),
            w.PROOF_REQUIRED.format(
                touchpoint=tp.key, confirmation=facts.confirmation.value, proofs=", ".join(required)
            ),
            w.PROOF_REQUIRED_FIX,
        )
    ]


def consent_without_substance(facts: TouchpointFacts) -> list[Finding]:
    tp = facts.touchpoint
    how = mode(facts)
    if tp.kind is not TouchpointKind.COLLECT or how not in SUBSTANCE or confirms(facts):
        return []
    proof, where, what = SUBSTANCE[how]
    if proof in tp.required_proofs or not tp.required_proofs:  # none: collect_without_proofs
        return []
    names = ", ".join(p.value for p in tp.required_proofs)
    return [
        Finding(
            Rule.CONSENT_WITHOUT_SUBSTANCE,
            Severity.HIGH,
            proof.value,
            w.NO_SUBSTANCE[where].format(touchpoint=tp.key, proofs=names),
            w.NO_SUBSTANCE_FIX[what].format(proof=proof.value),
        )
    ]


def collect_without_notice(facts: TouchpointFacts) -> list[Finding]:
    tp = facts.touchpoint
    if tp.kind is not TouchpointKind.COLLECT:
        return []
    if tp.notice_key is None or not facts.notice_exists:
        problem = w.NO_NOTICE.format(touchpoint=tp.key)
    elif facts.notice_in_force is None:
        problem = w.NOTICE_NOT_IN_FORCE.format(touchpoint=tp.key, notice=tp.notice_key)
    else:
        return []
    return [
        Finding(
            Rule.COLLECT_WITHOUT_NOTICE,
            Severity.HIGH,
            tp.notice_key or "",
            problem,
            w.NO_NOTICE_FIX,
        )
    ]


def outdated_notice(facts: TouchpointFacts) -> list[Finding]:
    in_force = facts.notice_in_force
    if in_force is None:
        return []
    shown = facts.notice_version_shown
    if shown is None or shown >= in_force.version:
        return []
    return [
        Finding(
            Rule.OUTDATED_NOTICE,
            Severity.MEDIUM,
            in_force.key,
            w.OUTDATED_NOTICE.format(shown=shown, notice=in_force.key, version=in_force.version),
            w.OUTDATED_NOTICE_FIX.format(version=in_force.version),
        )
    ]
