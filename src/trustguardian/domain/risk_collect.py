"""The census rules of collect touchpoints: proofs, confirmation and the notice shown.

They read how consents are really gathered: online, in person, by phone or by letter, or from a
legacy import; and how the touchpoint has people confirm them (our double opt-in or OTP, set in
its collect settings, or a confirming proof its own system sends).
"""

from __future__ import annotations

from enum import StrEnum

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
            f"collect touchpoint {tp.key!r} requires no proof of genuineness",
            "name the proofs each event must carry (e.g. form_snapshot, notice_shown, network "
            "for a web form; paper_form with its scan at a counter; call_recording on the phone)",
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
            f"marketing consent for {p.key!r} is collected online without double opt-in",
            f"turn on confirmation (`trustguardian collect configure {tp.key} --confirmation "
            "double_opt_in`, or otp_sms / otp_email), so the address is confirmed by its owner",
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
            f"touchpoint {tp.key!r} confirms consents by {facts.confirmation.value} and also "
            f"requires {', '.join(required)} on each sign-up: every sign-up is refused",
            "remove the proof from the required ones: the confirmation adds it when the person "
            "confirms",
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
            f"consents collected {where} at {tp.key!r} carry only {names}: nothing shows the "
            "person's own act",
            f"require the {proof.value} proof with {what} (or confirm each consent by OTP)",
        )
    ]


def collect_without_notice(facts: TouchpointFacts) -> list[Finding]:
    tp = facts.touchpoint
    if tp.kind is not TouchpointKind.COLLECT:
        return []
    if tp.notice_key is None or not facts.notice_exists:
        problem = "shows no privacy notice"
    elif facts.notice_in_force is None:
        problem = f"shows notice {tp.notice_key!r}, which has no published version in force"
    else:
        return []
    return [
        Finding(
            Rule.COLLECT_WITHOUT_NOTICE,
            Severity.HIGH,
            tp.notice_key or "",
            f"collect touchpoint {tp.key!r} {problem}",
            "link a notice to the touchpoint and publish a version of it (art. 13 GDPR)",
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
            f"the latest event still shows version {shown} of {in_force.key!r}; version "
            f"{in_force.version} is in force",
            f"update the touchpoint to show version {in_force.version} of the notice",
        )
    ]
