"""The words of the census findings: every message and fix is one of these English templates
filled in with its values (`{touchpoint}` a key, `{count}` a number...).

The stored finding, and the leaf of its examination, keep the English text; a page shows it in
its reader's language by finding the template the text was made from (`i18n.findings`). `N_`
marks a template for the catalogs (`python -m trustguardian.i18n.extract`).
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 (gettext's name for a string marked, not translated)
    """Marks a template for extraction into the catalogs; returns it as it is."""
    return text


# collect touchpoints
NO_PROOFS = N_("collect touchpoint '{touchpoint}' requires no proof of genuineness")
NO_PROOFS_FIX = N_(
    "name the proofs each event must carry (e.g. form_snapshot, notice_shown, network for a web "
    "form; paper_form with its scan at a counter; call_recording on the phone)"
)
NO_DOUBLE_OPT_IN = N_("marketing consent for '{purpose}' is collected online without double opt-in")
NO_DOUBLE_OPT_IN_FIX = N_(
    "turn on confirmation (`trustguardian collect configure {touchpoint} --confirmation "
    "double_opt_in`, or otp_sms / otp_email), so the address is confirmed by its owner"
)
PROOF_REQUIRED = N_(
    "touchpoint '{touchpoint}' confirms consents by {confirmation} and also requires {proofs} "
    "on each sign-up: every sign-up is refused"
)
PROOF_REQUIRED_FIX = N_(
    "remove the proof from the required ones: the confirmation adds it when the person confirms"
)
NO_SUBSTANCE = {
    "in person": N_(
        "consents collected in person at '{touchpoint}' carry only {proofs}: nothing shows the "
        "person's own act"
    ),
    "by letter": N_(
        "consents collected by letter at '{touchpoint}' carry only {proofs}: nothing shows the "
        "person's own act"
    ),
    "by phone": N_(
        "consents collected by phone at '{touchpoint}' carry only {proofs}: nothing shows the "
        "person's own act"
    ),
}
NO_SUBSTANCE_FIX = {
    "a scan of the signed form": N_(
        "require the {proof} proof with a scan of the signed form (or confirm each consent by OTP)"
    ),
    "the call's recording": N_(
        "require the {proof} proof with the call's recording (or confirm each consent by OTP)"
    ),
}
NO_NOTICE = N_("collect touchpoint '{touchpoint}' shows no privacy notice")
NOTICE_NOT_IN_FORCE = N_(
    "collect touchpoint '{touchpoint}' shows notice '{notice}', which has no published version "
    "in force"
)
NO_NOTICE_FIX = N_("link a notice to the touchpoint and publish a version of it (art. 13 GDPR)")
OUTDATED_NOTICE = N_(
    "the latest event still shows version {shown} of '{notice}'; version {version} is in force"
)
OUTDATED_NOTICE_FIX = N_("update the touchpoint to show version {version} of the notice")
# purposes
WRONG_BASIS = N_("marketing purpose '{purpose}' rests on {basis}, which does not cover marketing")
WRONG_BASIS_FIX = N_(
    "base marketing on consent (legitimate interest only for e-mails about analogous products "
    "to existing customers, art. 130(4) Codice privacy)"
)
KEPT_TOO_LONG = N_("purpose '{purpose}' keeps data {days} days, beyond {limit}")
NO_LIFETIME = N_("purpose '{purpose}' has no refresh period for its consents")
KEPT_TOO_LONG_NO_LIFETIME = N_(
    "purpose '{purpose}' keeps data {days} days, beyond {limit} and has no refresh period for "
    "its consents"
)
RETENTION_FIX = N_("set a retention within the guidance and a consent lifetime (refresh period)")
# engage touchpoints
UNCHECKED = N_("{count} contact(s) made without a valid check")
UNCHECKED_FIX = N_(
    "check every contact first (`trustguardian check` or POST /v1/checks) and cite the check in "
    "contact.made"
)
DESPITE_DENIAL = N_("{count} contact(s) made although the check said no")
DESPITE_DENIAL_FIX = N_(
    "stop the campaign, find who ignored the check, and filter lists through `trustguardian "
    "audience filter` before sending"
)
NO_RIGHT = N_("marketing purpose '{purpose}' has no Right touchpoint where people can withdraw it")
NO_RIGHT_FIX = N_(
    "register a Right touchpoint (unsubscribe link, preference centre) for this purpose"
)
STALE_REGISTER = N_(
    "{channel} marketing from '{touchpoint}': the latest {kind} opposition register is of {date}"
)
NO_REGISTER = N_(
    "{channel} marketing from '{touchpoint}': no {kind} opposition register was ever imported"
)
REGISTER_FIX = N_(
    "import this month's Registro pubblico delle opposizioni (`trustguardian registers import`) "
    "before the next campaign"
)
STALE_CONSENTS = N_(
    "{count} consent(s) for '{purpose}' collected here are older than the purpose's refresh period"
)
STALE_CONSENTS_FIX = N_(
    "ask these people to renew their consent, and stop contacting them until they do"
)
OVERDUE = N_(
    "{count} {kind} request(s) taken here are past the legal deadline (the oldest was due on "
    "{due}, {days} day(s) ago)"
)
OVERDUE_FIX = N_(
    "answer them now (`trustguardian requests list --overdue`); when a request is complex, "
    "extend it once within the first month, telling the person why"
)
COMPLAINTS = N_("{count} open {kind} complaint(s) about '{touchpoint}', {late} overdue")
COMPLAINTS_FIX = N_("answer and close them (`trustguardian complaints list`), and fix their cause")

TEMPLATES: tuple[str, ...] = (
    NO_PROOFS, NO_PROOFS_FIX, NO_DOUBLE_OPT_IN, NO_DOUBLE_OPT_IN_FIX, PROOF_REQUIRED,
    PROOF_REQUIRED_FIX, *NO_SUBSTANCE.values(), *NO_SUBSTANCE_FIX.values(), NO_NOTICE,
    NOTICE_NOT_IN_FORCE, NO_NOTICE_FIX, OUTDATED_NOTICE, OUTDATED_NOTICE_FIX, WRONG_BASIS,
    WRONG_BASIS_FIX, KEPT_TOO_LONG_NO_LIFETIME, KEPT_TOO_LONG, NO_LIFETIME, RETENTION_FIX,
    UNCHECKED, UNCHECKED_FIX, DESPITE_DENIAL, DESPITE_DENIAL_FIX, NO_RIGHT, NO_RIGHT_FIX,
    STALE_REGISTER, NO_REGISTER, REGISTER_FIX, STALE_CONSENTS, STALE_CONSENTS_FIX, OVERDUE,
    OVERDUE_FIX, COMPLAINTS, COMPLAINTS_FIX,
)  # fmt: skip
