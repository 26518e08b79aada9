"""Standard exports of a subject's consents.

- ISO/IEC TS 27560 consent records in the W3C DPV JSON profile (`dpv-27560:record-2`, as
  specified by the DPVCG's consent-record schema, github.com/coolharsh55/dpv-consent-record,
  spec_record.md, which implements https://w3id.org/dpv/guides/consent-27560): one record per
  purpose, one nested process per channel, each with its consent status.
- Kantara Initiative Consent Receipts v1.1 (KI-CR-v1.1.0): one receipt per consent-giving
  event that still decides a consent.
"""

from __future__ import annotations

import uuid
from typing import Any

from trustguardian.domain.consent import ConsentState
from trustguardian.domain.events import PrivacyEvent, timestamp
from trustguardian.domain.registry import DPV_BASE, Channel, LegalBasis, PurposeVersion
from trustguardian.reports.i18n import Translator, translator
from trustguardian.reports.register import transfer_text
from trustguardian.service.accountability.records import DATA_OF_CHANNEL, SubjectRecords

DPV_CONTEXT = {
    "dpv": "https://w3id.org/dpv#",
    "dpv-27560": "https://w3id.org/dpv/schema/dpv-27560#",
    "pd": "https://w3id.org/dpv/pd#",
    "loc": "https://w3id.org/dpv/loc#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "tg": "https://trustguardian.dev/ns#",
}
DPV_STATUS = {
    "given": "dpv:ConsentGiven",
    "withdrawn": "dpv:ConsentWithdrawn",
    "refused": "dpv:ConsentRefused",
    "expired": "dpv:ConsentExpired",
    "pending_confirmation": "dpv:ConsentRequested",
}
GDPR_BASIS = {
    LegalBasis.CONSENT: "eu-gdpr:A6-1-a",
    LegalBasis.CONTRACT: "eu-gdpr:A6-1-b",
    LegalBasis.LEGAL_OBLIGATION: "eu-gdpr:A6-1-c",
    LegalBasis.VITAL_INTEREST: "eu-gdpr:A6-1-d",
    LegalBasis.PUBLIC_TASK: "eu-gdpr:A6-1-e",
    LegalBasis.LEGITIMATE_INTEREST: "eu-gdpr:A6-1-f",
}
# A stable namespace: the same subject and purpose always get the same record identifier.
RECORDS = uuid.UUID("3b0f8f0e-5c55-4c1e-9d7a-6a2f3f1d9e21")


def _iso_days(days: int | None) -> str:
    return f"P{days}D" if days else ""


def _personal_data(channels: tuple[Channel, ...]) -> list[str]:
    return list(dict.fromkeys(DATA_OF_CHANNEL[c][1] for c in channels))


def dpv_records(r: SubjectRecords, lang: str = "en") -> list[dict[str, Any]]:
    """One ISO/IEC TS 27560 record (DPV JSON profile) per purpose the subject has a state for;
    its human-readable labels in `lang`."""
    t = translator(lang)
    by_purpose: dict[str, list[tuple[ConsentState, str]]] = {}
    for state, status in r.states:
        by_purpose.setdefault(state.purpose, []).append((state, status))
    events = {e.id: e for e in r.events}
    return [
        _dpv_record(r, r.purposes[key], states, events, t)
        for key, states in sorted(by_purpose.items())
        if key in r.purposes
    ]


def _dpv_record(
    r: SubjectRecords,
    purpose: PurposeVersion,
    states: list[tuple[ConsentState, str]],
    events: dict[str, PrivacyEvent],
    t: Translator,
) -> dict[str, Any]:
    c = purpose.content
    mine = [e for e in r.events if e.purpose == purpose.key]
    notices = sorted({(e.notice, e.notice_version) for e in mine if e.notice and e.notice_version})
    language = next(
        (r.notice_meta[k].language[:2].lower() for k, _ in notices if k in r.notice_meta), "it"
    )
    entities: dict[str, Any] = {
        "org:controller": {
            "@type": ["dpv:DataController", "dpv:LegalEntity"],
            "dpv:hasName": r.controller.name,
            "dpv:hasAddress": r.controller.address,
            "dpv:hasContact": [f"mailto:{r.controller.email}", f"tel:{r.controller.phone}"],
        }
    }
    recipients = ["org:controller"]
    for system in r.recipients.get(purpose.key, ()):
        entities[f"system:{system.key}"] = {
            "@type": ["dpv:Recipient", "dpv:DataProcessor"],
            "dpv:hasName": system.name,
        }
        recipients.append(f"system:{system.key}")
    for n, name in enumerate(c.recipients):
        entities[f"party:{n + 1}"] = {
            "@type": ["dpv:ThirdParty", "dpv:Recipient"],
            "dpv:hasName": name,
        }
        recipients.append(f"party:{n + 1}")
    inner = []
    for state, status in sorted(states, key=lambda s: s[0].channel.value):
        decided = events.get(state.event_id)
        touchpoint = r.touchpoints.get(decided.touchpoint) if decided else None
        consent: dict[str, Any] = {
            "@type": [DPV_STATUS[status], "dpv:ExplicitlyExpressedConsent"],
            "skos:prefLabel": t.code("status", status),
            "dpv:isIndicatedAtTime": timestamp(state.since),
            "dpv:isExercisedAt": touchpoint.name
            if touchpoint
            else (decided.touchpoint if decided else ""),
            "tg:event": state.event_id,
        }
        if state.expires_at is not None:
            consent["dpv:hasDuration"] = {
                "@type": ["dpv:UntilTimeDuration"],
                "rdf:value": timestamp(state.expires_at),
            }
        if state.notice is not None:
            consent["dpv:hasNotice"] = {
                "@type": ["dpv:ConsentNotice"],
                "dpv:hasIdentifier": f"{state.notice}:v{state.notice_version}",
            }
        inner.append(
            {
                "@type": ["dpv:Process"],
                "tg:channel": state.channel.value,
                "dpv:hasConsentStatus": [consent],
            }
        )
    process = {
        "@type": ["dpv:Process"],
        "dpv:hasPurpose": [
            {
                "@type": ["dpv:Purpose"],
                "skos:broader": ["dpv:Marketing" if c.marketing else "dpv:ServiceProvision"],
                "skos:prefLabel": c.name,
                "skos:definition": c.description,
                "tg:purpose": f"{purpose.key}:v{purpose.version}",
            }
        ],
        "dpv:hasPersonalData": _personal_data(c.channels),
        "dpv:hasProcessing": ["dpv:Collect", "dpv:Store", "dpv:Use"],
        "dpv:hasDataController": ["org:controller"],
        "dpv:hasDataSource": [{"@type": ["dpv:DataSubjectDataSource"]}],
        "dpv:hasStorageCondition": [
            {
                "@type": ["dpv:StorageLocation"],
                "dpv:hasLocation": f"loc:{r.controller.jurisdiction}",
            },
            {
                "@type": ["dpv:StorageDuration"],
                "dpv:hasDuration": {
                    "@type": "dpv:TemporalDuration",
                    "rdf:value": _iso_days(c.retention_days),
                },
            },
        ],
        "dpv:hasRecipient": recipients,
        "dpv:hasLegalBasis": [
            c.legal_basis.dpv.replace(DPV_BASE, "dpv:"),
            GDPR_BASIS[c.legal_basis],
        ],
        "tg:legalBasisLabel": t.code("basis", c.legal_basis.value),
        "tg:thirdCountryTransfers": [
            {
                "dpv:hasRecipient": x.recipient,
                "dpv:hasThirdCountry": f"loc:{x.country}",
                "dpv:hasSafeguard": transfer_text(t, x),
            }
            for x in c.transfers
        ],
        "dpv:hasJurisdiction": [f"loc:{r.controller.jurisdiction}"],
        "dpv:hasConsentControl": [
            {
                "@type": ["dpv:WithdrawConsent"],
                "dpv:isExercisedAt": [tp.name for tp in r.withdrawable_at.get(purpose.key, ())]
                or [r.controller.policy_url],
            }
        ],
        "dpv:hasProcess": inner,
    }
    created = min((e.recorded_at for e in mine), default=r.generated_at)
    modified = max((e.recorded_at for e in mine), default=r.generated_at)
    return {
        "@context": DPV_CONTEXT,
        "@type": ["dpv:ConsentRecord"],
        "dct:conformsTo": "dpv-27560:record-2",
        "dpv:hasIdentifier": str(uuid.uuid5(RECORDS, f"{r.subject_id}:{purpose.key}")),
        "dpv:hasDataSubject": {"@type": ["dpv:DataSubject"], "dpv:hasIdentifier": r.subject_id},
        "dct:created": timestamp(created),
        "dct:modified": timestamp(modified),
        "dct:creator": "org:controller",
        "dct:language": language,
        "dpv:hasEntity": entities,
        "dpv:hasNotice": [
            {
                "@type": ["dpv:ConsentNotice"],
                "dpv:hasIdentifier": f"{key}:v{version}",
                "dct:date": timestamp(r.notices[(key, version)].effective_from),
                "tg:sha256": r.notices[(key, version)].sha256,
            }
            for key, version in notices
            if (key, version) in r.notices
        ],
        "dpv:hasProcess": [process],
    }


# Kantara v1.1 purpose and PII categories (its Appendix A and B lists).
KANTARA_PURPOSE_MARKETING = "6 - Marketing"
KANTARA_PURPOSE_CORE = "1 - Core Function"
KANTARA_PII_CONTACT = "2 - Contact"
KANTARA_PII_NETWORK = "5 - Network/Service"
NETWORK_CHANNELS = frozenset({Channel.WEB_FORM, Channel.APP})


def kantara_receipts(r: SubjectRecords, lang: str = "en") -> list[dict[str, Any]]:
    """One Kantara v1.1 receipt per consent-giving event that still decides a consent; its
    free texts in `lang`."""
    t = translator(lang)
    deciding: dict[str, list[ConsentState]] = {}
    for state, status in r.states:
        if status == "given":
            deciding.setdefault(state.event_id, []).append(state)
    events = {e.id: e for e in r.events}
    principal = next((i.value for i in r.identifiers if i.value), r.subject_id)
    receipts = []
    for event_id, states in sorted(deciding.items()):
        event = events[event_id]
        purpose = r.purposes[event.purpose or states[0].purpose]
        c = purpose.content
        touchpoint = r.touchpoints.get(event.touchpoint)
        notice = r.notice_meta.get(event.notice or "")
        pii = [KANTARA_PII_CONTACT]
        if set(c.channels) & NETWORK_CHANNELS or (
            touchpoint and touchpoint.channel in NETWORK_CHANNELS
        ):
            pii.append(KANTARA_PII_NETWORK)
        recipients = [s.name for s in r.recipients.get(purpose.key, ())] + list(c.recipients)
        termination = (
            t("withdrawal, or {days} days after the consent", days=c.consent_lifetime_days)
            if c.consent_lifetime_days
            else t("withdrawal")
        ) + t("; data kept at most {days} days", days=c.retention_days)
        receipts.append(
            {
                "version": "KI-CR-v1.1.0",
                "jurisdiction": r.controller.jurisdiction,
                "consentTimestamp": int(event.occurred_at.timestamp()),
                "collectionMethod": (
                    f"{touchpoint.name} ({touchpoint.channel.value})"
                    if touchpoint
                    else event.touchpoint
                ),
                "consentReceiptID": str(uuid.uuid5(RECORDS, f"receipt:{event.id}")),
                "publicKey": r.public_key,
                "language": (notice.language[:2].lower() if notice else "it"),
                "piiPrincipalId": principal,
                "piiControllers": [
                    {
                        "piiController": r.controller.name,
                        "contact": r.controller.contact,
                        "address": {
                            "streetAddress": r.controller.address,
                            "addressCountry": r.controller.jurisdiction,
                        },
                        "email": r.controller.email,
                        "phone": r.controller.phone,
                    }
                ],
                "policyUrl": r.controller.policy_url,
                "services": [
                    {
                        "service": c.name,
                        "purposes": [
                            {
                                "purpose": c.description or c.name,
                                "purposeCategory": [
                                    KANTARA_PURPOSE_MARKETING
                                    if c.marketing
                                    else KANTARA_PURPOSE_CORE
                                ],
                                "consentType": "EXPLICIT",
                                "piiCategory": pii,
                                "primaryPurpose": not c.marketing,
                                "termination": termination,
                                "thirdPartyDisclosure": bool(recipients),
                                **({"thirdPartyName": ", ".join(recipients)} if recipients else {}),
                            }
                        ],
                    }
                ],
                "sensitive": False,
                "spiCat": [],
            }
        )
    return receipts
