"""Field descriptions and example values for the OpenAPI description, by field name.

Most fields mean the same wherever they appear (`touchpoint`, `subject_id`, `created_at`): one
entry here describes them in every schema, unless the model already gave a description of its
own. `example_of` builds an example of a schema from these values, so examples use realistic
keys and ids and always match the schema they illustrate.
"""

from __future__ import annotations

import re
from typing import Any

FIELDS = {
    "about_event_id": "The event the complaint is about, if any.",
    "activated_at": "When the key started signing.",
    "actor": (
        "The operator acting through the key: recorded as the key's claim, "
        '`api-key:<id> (<name>) for "<actor>"`, never as the actor itself.'
    ),
    "address": "The e-mail address or phone number the message went to.",
    "allowed": "True when the contact may go ahead.",
    "analogous_products": "Offers of products analogous to those bought (soft spam).",
    "at": "When it happened.",
    "attachments": "Files attached to the case, sealed with the subject's key.",
    "attempts": "How many attempts were made so far.",
    "call_recording": "The recorded call, by reference and SHA-256.",
    "campaign": "The campaign the contact or consent belongs to.",
    "channel": "The channel: how the person is contacted or how the request arrived.",
    "channels": "The channels it covers.",
    "check_id": "The check (POST /v1/checks) that allowed this contact.",
    "checkpoint": "The signed checkpoint that covers it.",
    "clear_notice": "True removes the touchpoint's notice.",
    "closed_at": "When it was closed; null while open.",
    "code": "The code the person received.",
    "commitment": "The salted hash of the proof, recorded in the ledger.",
    "confirmation": "How consents collected here are confirmed.",
    "confirmed": "The events recorded by the confirmation.",
    "confirmed_at": "When the person confirmed.",
    "confirmed_by": "The external system that confirms these consents, if not this instance.",
    "confirmed_event_ids": "The consent.confirmed events, once confirmed.",
    "confirming_ip": "The IP address the confirmation came from.",
    "confirming_user_agent": "The browser that confirmed.",
    "consent_lifetime_days": "Days a consent lasts before it expires; null: no expiry.",
    "content_base64": "The file, base64-encoded.",
    "contract_reference": "The contract under which the partner collected it.",
    "controller": "The data controller responsible for the purpose.",
    "corrects": "The event this one corrects.",
    "created_at": "When it was created.",
    "current": "The current version.",
    "data_commitment": "The salted hash of the data collected, recorded in the ledger.",
    "delivered_at": "When the system acknowledged it.",
    "deliveries": "Deliveries by status.",
    "description": "Free text for people.",
    "destination": "Where deliveries go: a webhook or a connector.",
    "detail": "What went wrong.",
    "details": "The person's own words.",
    "effective_from": "When it takes effect (now by default).",
    "erased_at": "When the subject was erased; null while not.",
    "erasure": "The erasure done, for an erasure request.",
    "errors": "One entry per problem found.",
    "event_id": "The event's id in the ledger.",
    "event_ids": "The events it concerns.",
    "event_kinds": "The event kinds sent (empty: all).",
    "events": "The events, in ledger order.",
    "examined_at": "When the rules last ran; null: never.",
    "expires_at": "When it expires.",
    "extended_at": "When the deadline was extended.",
    "extension_message_id": "The message that told the person of the extension.",
    "findings": "What the rules found.",
    "first_found_at": "When the finding was first made.",
    "fix": "What to do about it.",
    "form_reference": "The form's printed reference.",
    "from_tree_size": "The first tree size the key signed.",
    "handler": "Who handles the case.",
    "id": "The record's id.",
    "idempotency_key": "Makes a retry return the original instead of recording twice.",
    "identifier": "The person, named by one identifier.",
    "identifier_kinds": "Which identifiers the system is sent, e.g. `email`, `external:crm`.",
    "identifiers": "The person's identifiers.",
    "instance": "The path of the request.",
    "ip": "The person's IP address.",
    "items": "The records of this page.",
    "key": "The stable key: lowercase letters, digits, `.`, `_` and `-`.",
    "key_hash": "The key's hash, as in signed notes.",
    "kind": "The kind (closed set).",
    "lang": "The language of the page: it or en.",
    "language": "The language of messages to the person: it or en.",
    "last_error": "The last error, if any.",
    "last_found_at": "When the finding was last confirmed.",
    "ledger_size": "How many events the ledger holds.",
    "legal_basis": "The GDPR art. 6 legal basis.",
    "links": "The links minted, one per subject.",
    "mapping": "Our purpose and channel to the system's list or field.",
    "marketing": "True for direct marketing (objections and opt-outs apply).",
    "max_attempts": "Wrong codes allowed before the request locks.",
    "media_type": "The file's media type.",
    "message": "What the rule found.",
    "method": "How the code or confirmation is sent.",
    "name": "A name for people.",
    "nature": "Physical or digital.",
    "next_attempt_at": "When the next attempt is due.",
    "notice": "The privacy notice's key.",
    "notice_key": "The privacy notice shown at this touchpoint.",
    "notice_sha256": "SHA-256 of the notice version's text.",
    "notice_version": "The notice version shown.",
    "occurred_at": "When it happened (not when it was recorded).",
    "origins": "The web origins allowed to use the key.",
    "outcome": "The outcome, as told to the person.",
    "overdue": "True when the deadline has passed.",
    "owner": "Who is responsible for it in the company.",
    "paper_form": "The scan of the signed form.",
    "partner": "The partner that collected it.",
    "partner_proof": "The partner's own proof, as they gave it.",
    "position": "The position in its list, from 0.",
    "proofs": "The evidence of the event.",
    "publish": "False keeps the version as a draft.",
    "published_at": "When it was published; null: a draft.",
    "purpose": "The purpose's key.",
    "purpose_version": "The purpose version in force.",
    "purposes": "Purposes' keys.",
    "rate_per_minute": "Requests a minute allowed per key and client address.",
    "reason": "The reason.",
    "reasons": "Why the system must act.",
    "received_at": "When it was received (now by default).",
    "recorded_at": "When the ledger recorded it.",
    "reference": "The recording's reference in the call system.",
    "request": "The rights request.",
    "required_proofs": "Evidence every consent here must carry.",
    "resolved_at": "When the finding was resolved; null while open.",
    "retention_days": "Days the data is kept for the purpose.",
    "retired_at": "When it was retired.",
    "revoked_at": "When it was revoked; null while live.",
    "rule": "The census rule.",
    "sale_sharing": "True when the purpose sells or shares personal data.",
    "scopes": "What the key may do.",
    "send_error": "Why the message could not be sent.",
    "sent": "Whether the message went out.",
    "sent_at": "When the message went out.",
    "seq": "The event's position in the ledger.",
    "severity": "How bad it is.",
    "sha256": "SHA-256, hex.",
    "since": "Since when it holds.",
    "size": "Size in bytes.",
    "staff_member": "The staff member who took the consent.",
    "status": "The status (closed set).",
    "steps": "Each status it went through, with its event.",
    "store": "The store or event where it was taken.",
    "subject_id": "The subject's pseudonymous id.",
    "subject_ids": "The subjects' pseudonymous ids.",
    "summary": "What the complaint is about.",
    "system": "A company system's key.",
    "systems": "The company systems involved.",
    "systems_to_erase": "The systems that must erase the person too.",
    "taken_up_to": "The last ledger position taken.",
    "target": "What the finding is about.",
    "text": "The full text.",
    "title": "A title for people.",
    "touchpoint": "The touchpoint's key.",
    "type": "The type (closed set).",
    "until_tree_size": "The last tree size the key signed; null: still signing.",
    "updated_at": "When it last changed.",
    "url": "The URL.",
    "user_agent": "The browser's User-Agent.",
    "value": "The identifier as given (normalised).",
    "verifier_key": "The C2SP note verifier key.",
    "version": "The version number, from 1.",
    "versions": "Every version.",
    "waiting": "How many events wait.",
    "within_minutes": "Minutes the person has to confirm.",
    "words": "The reason in words.",
    "List-Unsubscribe": "The URL of the one-click unsubscribe (RFC 8058).",
    "country": "The ISO 3166-1 code of the country outside the EEA.",
    "data_categories": "Categories of personal data processed (art. 30(1)(c)).",
    "recipient": "Who receives the data.",
    "safeguard": (
        "The chapter V safeguard: adequacy, scc, bcr, code_of_conduct, certification or derogation."
    ),
    "signed_at": "When the sign-off was given.",
    "subject_categories": "Categories of data subjects (art. 30(1)(c)).",
    "transfers": "Transfers outside the EEA with their safeguard (art. 30(1)(e)).",
    "recipients": "Named third parties the data goes to (art. 30(1)(d)).",
    "retention": "How the retention period is counted and what happens after it.",
    "defence_retention_days": "Days consent proofs outlive an erasure, for the DPO; null: none.",
}

# Values for examples, by field name: realistic, and valid for the field's schema.
VALUES: dict[str, Any] = {
    "key": "newsletter-web",
    "touchpoint": "newsletter-web",
    "purpose": "newsletter",
    "purposes": ["newsletter"],
    "notice": "privacy-it",
    "notice_key": "privacy-it",
    "system": "crm",
    "subject_id": "sub_01JNQ8Y3H5D2K7M9P4R6T8V0WX",
    "subject_ids": ["sub_01JNQ8Y3H5D2K7M9P4R6T8V0WX"],
    "event_id": "01JNQ8ZC4M6N9W5X2V7T3R1KPA",
    "about_event_id": "01JNQ8ZC4M6N9W5X2V7T3R1KPA",
    "check_id": "chk_01JNQ90B2C4D6F8G0H2J4K6M8N",
    "name": "Newsletter sign-up on the website",
    "title": "Informativa privacy",
    "owner": "Marketing",
    "controller": "Rossi S.p.A.",
    "staff_member": "Giulia Verdi",
    "store": "Milano Duomo",
    "handler": "legal@example.com",
    "actor": "dpo@example.com",
    "value": "mario.rossi@example.com",
    "address": "mario.rossi@example.com",
    "email": "mario.rossi@example.com",
    "url": "https://www.example.com/newsletter",
    "origins": ["https://www.example.com"],
    "ip": "203.0.113.7",
    "confirming_ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0",
    "confirming_user_agent": "Mozilla/5.0",
    "language": "it",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "notice_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "summary": "The person was called after withdrawing consent.",
    "details": "Vorrei sapere quali dati avete su di me.",
    "reason": "The request needs data from three archives.",
    "code": "482913",
    "campaign": "spring-2026",
    "token": "tg_Zk9x3VqP7mT2bW8cN4rL6yH1sD5fJ0aE",
    "secret": "whsec_MfKQ9r8GKYqXl6fYz8vR2Nw3Jt5Hc7Ua",
    "leaf": "eyJldmVudCI6eyJpZCI6IjAxSk5ROFpDNE02TjlXNVgyVjdUM1IxS1BBIn19",
    "leaf_hash": "3q2+7wYbGmRkQ2Vq0sT1uVxZ9aBcDeFgHiJkLmNoPqQ=",
    "root_hash": "Yk8bN2c4ZDEwZTJmM2E0YjVjNmQ3ZThmOWEwYjFjMmQ=",
    "inclusion_path": ["7k1mQ2Vq0sT1uVxZ9aBcDeFgHiJkLmNoPqR3sTuVwXw="],
    "proof": ["7k1mQ2Vq0sT1uVxZ9aBcDeFgHiJkLmNoPqR3sTuVwXw="],
    "root1": "3q2+7wYbGmRkQ2Vq0sT1uVxZ9aBcDeFgHiJkLmNoPqQ=",
    "root2": "Yk8bN2c4ZDEwZTJmM2E0YjVjNmQ3ZThmOWEwYjFjMmQ=",
    "origin": "trustguardian.example.com/ledger",
    "checkpoint": "trustguardian.example.com/ledger\n42\nYk8bN2c4ZDEw...\n\n— sig...",
    "note": "trustguardian.example.com/ledger\n42\nYk8bN2c4ZDEw...\n\n— sig...",
    "verifier_key": "trustguardian.example.com/ledger+1a2b3c4d+AXg5b2...",
    "key_hash": "1a2b3c4d",
    "commitment": "sha256:5d41402abc4b2a76b9719d911017c592",
    "data_commitment": "sha256:7d793037a0760186574b0282f2f435e7",
    "salt": "q83vEjRWeJA=",
    "words": "The person gave consent for this purpose on this channel.",
    "message": "The touchpoint collects consent without a form snapshot.",
    "fix": "Require the form_snapshot proof at this touchpoint.",
    "target": "newsletter-web",
    "rule": "collect_without_proofs",
    "text": "Informativa sul trattamento dei dati personali...",
    "destination": "webhook:01JNQ8ZC4M6N9W5X2V7T3R1KPA",
    "identifier_kinds": ["email"],
    "legal_basis_dpv": "https://w3id.org/dpv#Consent",
    "media_type": "application/pdf",
    "tsa_url": "https://tsa.example.com/tsr",
    "gen_time": "2026-03-02T09:30:01+00:00",
    "leaf_index": 41,
    "tree_size": 42,
    "seq": 42,
    "size1": 41,
    "size2": 42,
    "ledger_size": 42,
    "taken_up_to": 40,
    "retention_days": 730,
    "consent_lifetime_days": 730,
    "rate_per_minute": 30,
    "within_minutes": 1440,
    "max_attempts": 5,
}
# Optional fields that are usually null: their examples show null.
USUALLY_NULL = frozenset(
    {
        "erased_at",
        "revoked_at",
        "resolved_at",
        "closed_at",
        "retired_at",
        "extended_at",
        "until_tree_size",
        "send_error",
        "last_error",
        "corrects",
        "correction_reason",
        "correction",
        "confirms",
        "claimed_by",
        "confirmed_by",
        "extension_reason",
        "extension_message_id",
        "answer_message_id",
        "outcome",
        "endorsement",
        "system",
        "confirmed_event_ids",
        "next_attempt_at",
        "about_event_id",
        "handler",
        "erasure",
    }
)
EXAMPLE_TIME = "2026-03-02T09:30:00Z"


def describe_fields(schemas: dict[str, Any]) -> None:
    """Gives every property without a description the glossary's one for its name."""
    for schema in schemas.values():
        for name, prop in schema.get("properties", {}).items():
            if "description" not in prop and name in FIELDS:
                prop["description"] = FIELDS[name]


def example_of(
    schema: dict[str, Any], spec: dict[str, Any], name: str = "", *, request: bool = False
) -> Any:
    """An example value for a schema: the field's own example, a value from VALUES, or one
    made from the type (the properties of an object, the first choice of a union).

    A request shows the fields it needs and those with a value of their own, leaving out the
    optional ones that may be null; an answer shows every field, null where usually null."""
    if "$ref" in schema:
        target = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return example_of(target, spec, name, request=request)
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for union in ("oneOf", "anyOf"):
        if union in schema:
            choices = [s for s in schema[union] if s.get("type") != "null"]
            if not choices or (name in USUALLY_NULL and len(choices) < len(schema[union])):
                return None
            return example_of(choices[0], spec, name, request=request)
    kind = schema.get("type")
    if name in VALUES and _fits(VALUES[name], schema):
        return VALUES[name]
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        needed = set(schema.get("required", []))
        return {
            k: example_of(v, spec, k, request=request)
            for k, v in props.items()
            if not request or k in needed or not _nullable(v)
        }
    if kind == "array":
        return [example_of(schema.get("items", {}), spec, name, request=request)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if kind == "string":
        return _string(schema, name)
    return None


def _nullable(schema: dict[str, Any]) -> bool:
    return any(s.get("type") == "null" for s in schema.get("anyOf", ()))


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """A value from VALUES serves a plain string or integer, or an array of plain strings."""
    kind = schema.get("type")
    if kind == "array":
        return isinstance(value, list) and schema.get("items", {}).get("type") == "string"
    if kind == "integer":
        return isinstance(value, int)
    return kind == "string" and isinstance(value, str)


def _string(schema: dict[str, Any], name: str) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return EXAMPLE_TIME
    if fmt == "date":
        return EXAMPLE_TIME[:10]
    if fmt == "binary" or schema.get("contentEncoding") == "base64":
        return "JVBERi0xLjcK"
    if fmt == "uri":
        return "https://crm.example.com/hooks/consent"
    if fmt in ("ipvanyaddress", "ipv4"):
        return "203.0.113.7"
    if name.endswith("_id") or name == "id":
        return "01JNQ8ZC4M6N9W5X2V7T3R1KPA"
    if name.endswith("_at"):
        return EXAMPLE_TIME
    pattern = schema.get("pattern")
    if pattern is None:
        return "string"
    return next((c for c in PATTERNED if re.search(pattern, c)), "string")


# Values tried, in order, for a string with a pattern: the first that matches is used.
PATTERNED = (
    "newsletter-web",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "it",
    "application/pdf",
    "01JNQ8ZC4M6N9W5X2V7T3R1KPA",
)
