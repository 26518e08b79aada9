"""What the OpenAPI description says beyond the code, per operation (by its `operationId`):
the errors beyond those every operation of its shape can answer (api.openapi.statuses_of), the
body of answers that are not JSON, and hand-written examples of the busiest operations.

Every other example is made from the schema (api.openapi_fields.example_of), so a field added to
a model appears in the examples at once.
"""

from __future__ import annotations

from typing import Any

from trustguardian.problems import known_problems

# Example details of each problem type, as an integrator would see them.
DETAILS = {
    "unauthorized": "send an API key as `Authorization: Bearer <key>`",
    "forbidden": "this key lacks the scope 'events:write'",
    "not-found": "no touchpoint 'newsletter-web'",
    "already-exists": "a touchpoint 'newsletter-web' exists already",
    "conflict": "touchpoint 'newsletter-web' is retired and can no longer change",
    "immutable": "version 1 of notice 'privacy-it' is already published",
    "identifier-taken": "an identifier already belongs to another subject",
    "idempotency-key-reused": "the Idempotency-Key was used for a different request",
    "bad-request-move": "a request that is fulfilled cannot become in_progress",
    "too-many-codes": "three codes were sent for this request already",
    "send-failed": "the mail server refused the message",
    "no-contact": "the request names no e-mail address or phone number",
    "timestamp-unavailable": "the time-stamping authority did not answer",
    "erased": "the subject was erased on 2026-03-02",
    "payload-too-large": "the body exceeds the limit of 1048576 bytes for this endpoint",
    "evidence-too-large": "the form snapshot exceeds the limit (the body limit less 128 KiB)",
    "validation-error": "body.channel: Input should be 'email', 'sms', 'phone' or ...",
    "invalid-input": "name the person by one identifier or by subject_id",
    "wrong-code": "the code is not right; 4 attempts left",
    "verification-failed": "the code is not right or has expired",
    "too-many-requests": "slow down: this address sent too many requests",
    "rate-limited": "at most 30 requests a minute; retry later",
}


def problem_titles() -> dict[str, str]:
    """Every problem code with its title (the domain errors, loaded with the routers)."""
    return known_problems()


class _Problems(dict[str, tuple[str, str]]):
    """code -> (title, example detail), read when the description is built."""

    def __missing__(self, code: str) -> tuple[str, str]:
        title = problem_titles()[code]
        return title, DETAILS.get(code, title)


PROBLEMS = _Problems()

CREATED = {409: ["already-exists"]}
CHANGES = {409: ["conflict"]}
ERASABLE = {410: ["erased"]}
# Beyond 401/403 (authenticated), 404 (path parameters), 413 (body), 422 (input), 429.
ERRORS: dict[str, dict[int, list[str]]] = {
    "checkContact": {404: ["not-found"]},
    "createTouchpoint": {**CREATED, 404: ["not-found"]},
    "updateTouchpoint": CHANGES,
    "retireTouchpoint": CHANGES,
    "createPurpose": CREATED,
    "revisePurpose": CHANGES,
    "retirePurpose": CHANGES,
    "createNotice": CREATED,
    "retireNotice": CHANGES,
    "addNoticeVersion": CHANGES,
    "updateNoticeDraft": {409: ["immutable", "conflict"]},
    "publishNoticeVersion": {409: ["immutable", "conflict"]},
    "recordEvent": {404: ["not-found"], 409: ["idempotency-key-reused", "identifier-taken"]},
    "recordEventBatch": {404: ["not-found"], 409: ["idempotency-key-reused", "identifier-taken"]},
    "recordInPersonConsent": {404: ["not-found"], 409: ["idempotency-key-reused"]},
    "getCheckpoint": {404: ["not-found"]},
    "openEvidence": ERASABLE,
    "getEvidenceFile": ERASABLE,
    "createSubject": {409: ["identifier-taken"]},
    "lookupSubject": {404: ["not-found"]},
    "addSubjectIdentifiers": {409: ["identifier-taken", "conflict"]},
    "createSystem": CREATED,
    "createWebhook": {404: ["not-found"]},
    "disableWebhook": CHANGES,
    "enableWebhook": CHANGES,
    "deleteWebhook": CHANGES,
    "listDeadLetters": {404: ["not-found"]},
    "retryDeadLetters": {404: ["not-found"]},
    "discardDeadLetters": {404: ["not-found"]},
    "createApiKey": {404: ["not-found"]},
    "examineTouchpoint": CHANGES,
    "getTouchpointFindings": CHANGES,
    "getConsentRecords": {409: ["conflict"]},
    "getProcessingRegister": {409: ["conflict"]},
    "timestampCheckpoint": {409: ["conflict", "timestamp-unavailable"], 404: ["not-found"]},
    "createPublishableKey": {404: ["not-found"]},
    "checkConfirmationCode": {**ERASABLE, 409: ["conflict"], 422: ["wrong-code"]},
    "createUnsubscribeLinks": {404: ["not-found"], 409: ["conflict"]},
    "createPreferencesLink": {404: ["not-found"], 409: ["conflict"]},
    "submitRightsRequest": {404: ["not-found"], 409: ["idempotency-key-reused"]},
    "sendVerificationCode": {409: ["conflict", "too-many-codes", "no-contact", "send-failed"]},
    "confirmVerificationCode": {409: ["conflict"], 422: ["verification-failed"]},
    "moveRightsRequest": {409: ["bad-request-move"]},
    "extendRightsRequest": {409: ["bad-request-move", "send-failed"]},
    "fulfilRightsRequest": {409: ["bad-request-move", "send-failed"]},
    "exportRightsRequest": {409: ["conflict"], **ERASABLE},
    "eraseSubject": {409: ["conflict"]},
    "openComplaint": {404: ["not-found"], 409: ["idempotency-key-reused"], **ERASABLE},
    "updateComplaint": CHANGES,
    "attachToComplaint": {**CHANGES, **ERASABLE, 413: ["too-large"]},
    "getComplaintAttachment": ERASABLE,
    "openDefenceCopy": ERASABLE,
    # The publishable key travels in the path and is checked in the handler, not as a scheme.
    "recordFormConsents": {
        401: ["unauthorized"],
        403: ["forbidden"],
        404: ["not-found"],
        409: ["conflict"],
        413: ["evidence-too-large"],
        429: ["rate-limited"],
    },
    "checkFormCode": {
        401: ["unauthorized"],
        403: ["forbidden"],
        404: ["not-found"],
        409: ["conflict"],
        422: ["wrong-code"],
        429: ["rate-limited"],
    },
}
# Public pages answer errors as HTML pages for people, not as problem+json.
HTML_ERRORS: dict[str, dict[int, str]] = {
    "oneClickUnsubscribe": {
        403: "The link is forged: a page saying so; nothing is recorded.",
        409: "The withdrawal could not be recorded: a page saying so.",
        410: "The link expired, was revoked or used: a page saying so; nothing is recorded.",
    },
}

BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}
CSV_ANSWER = (
    "email,allowed,reason,error\r\n"
    "mario.rossi@example.com,true,consent_given,\r\n"
    "anna.bianchi@example.com,false,withdrawn,\r\n"
)
NDJSON_ANSWER = (
    '{"email":"mario.rossi@example.com","line":1,"allowed":true,"reason":"consent_given"}\n'
    '{"email":"anna.bianchi@example.com","line":2,"allowed":false,"reason":"withdrawn"}\n'
)
# The 2xx bodies FastAPI cannot see (the handler returns a Response): media type -> schema.
CONTENT: dict[str, dict[str, dict[str, Any]]] = {
    "checkContactList": {"text/csv": TEXT, "application/x-ndjson": TEXT},
    "getNoticeText": {"text/plain": TEXT},
    "getEvidenceFile": {"application/octet-stream": BINARY},
    # The same bytes under the generic type too: generated clients read it as a file.
    "getSubjectDossier": {"application/zip": BINARY, "application/octet-stream": BINARY},
    "getInspectionReport": {"application/pdf": BINARY, "application/octet-stream": BINARY},
    "getTouchpointDossier": {"application/pdf": BINARY, "application/octet-stream": BINARY},
    "getProcessingRegister": {"text/csv": TEXT, "application/pdf": BINARY},
    "exportRightsRequest": {"application/json": {"type": "object"}, "text/csv": TEXT},
    "getComplaintAttachment": {"application/octet-stream": BINARY},
    "getMetrics": {"text/plain": TEXT},
    "oneClickUnsubscribe": {"text/html": TEXT},
}

# The list is read as bytes whatever its Content-Type: NDJSON when the type says `ndjson`, CSV
# otherwise. It is described as one binary body, which client generators can send (they
# refuse an operation whose body types include text/csv); the description names the types.
REQUEST_CONTENT: dict[str, dict[str, dict[str, Any]]] = {
    "checkContactList": {"application/octet-stream": BINARY},
    "importRegister": {"application/octet-stream": BINARY},
}
LIST_BODY = (
    "The list: CSV with a header (`text/csv`, or any type but NDJSON), or NDJSON "
    "(`application/x-ndjson`), one person a row."
)
REQUEST_BODIES = {
    "checkContactList": LIST_BODY,
    "importRegister": "The register's file, UTF-8: one number (or postal address) a line.",
}

EVENT_ID = "01JNQ8ZC4M6N9W5X2V7T3R1KPA"
SUBJECT_ID = "sub_01JNQ8Y3H5D2K7M9P4R6T8V0WX"
CHECK_ID = "chk_01JNQ90B2C4D6F8G0H2J4K6M8N"
REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "checkContact": {
        "application/json": {
            "identifier": {"kind": "email", "value": "mario.rossi@example.com"},
            "purpose": "newsletter",
            "channel": "email",
        }
    },
    "checkContactList": {
        "application/octet-stream": "email\r\nmario.rossi@example.com\r\n",
    },
    "recordEvent": {
        "application/json": {
            "kind": "consent.given",
            "touchpoint": "newsletter-web",
            "occurred_at": "2026-03-02T09:30:00Z",
            "identifiers": [{"kind": "email", "value": "mario.rossi@example.com"}],
            "purpose": "newsletter",
            "channel": "email",
            "notice": "privacy-it",
            "notice_version": 1,
            "proofs": [
                {"type": "network", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
            ],
        }
    },
    "createTouchpoint": {
        "application/json": {
            "key": "newsletter-web",
            "name": "Newsletter sign-up on the website",
            "kind": "collect",
            "channel": "web_form",
            "nature": "digital",
            "owner": "Marketing",
            "systems": ["Website"],
            "purposes": ["newsletter"],
            "notice_key": "privacy-it",
            "required_proofs": ["form_snapshot", "network"],
        }
    },
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "checkContact": {
        "application/json": {
            "check_id": CHECK_ID,
            "allowed": True,
            "reason": "consent_given",
            "words": "The person gave consent for this purpose on this channel.",
            "subject_id": SUBJECT_ID,
            "event_id": EVENT_ID,
            "event_proof": f"/v1/events/{EVENT_ID}/proof",
        }
    },
    "checkContactList": {"text/csv": CSV_ANSWER, "application/x-ndjson": NDJSON_ANSWER},
    "getNoticeText": {"text/plain": "Informativa sul trattamento dei dati personali..."},
    "getProcessingRegister": {
        "text/csv": (
            "purpose,name,legal_basis,retention_days\r\nnewsletter,Newsletter,consent,730\r\n"
        )
    },
    "exportRightsRequest": {"text/csv": "section,field,value\r\nsubject,id,sub_01JNQ8Y3H5\r\n"},
    "getMetrics": {"text/plain": "trustguardian_events_recorded_total 42.0\n"},
    "oneClickUnsubscribe": {"text/html": "<!doctype html><title>Unsubscribed</title>..."},
}
