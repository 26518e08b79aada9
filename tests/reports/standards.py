"""What the standard exports must carry: the mandatory fields of ISO/IEC TS 27560 (DPV JSON
profile) and of Kantara consent receipts v1.1, and a controller's contact settings."""

from __future__ import annotations

import dataclasses
from typing import Any

from trustguardian.service.context import Context

CONTROLLER = {
    "controller_address": "Via Roma 1, 20121 Milano",
    "controller_phone": "+39 02 1234567",
    "controller_email": "privacy@bottegarossi.example",
}

# ISO/IEC TS 27560 in the DPV JSON profile: the mandatory fields of a consent record as the
# DPVCG schema states them (github.com/coolharsh55/dpv-consent-record, spec_record.md, "List of
# Fields" and "Structure of Record"; implementing https://w3id.org/dpv/guides/consent-27560).
DPV_RECORD_REQUIRED = (
    "dct:conformsTo",  # schema version, MUST be dpv-27560:record-2
    "dpv:hasIdentifier",  # record id, a single string
    "dpv:hasDataSubject",  # PII principal, an object with dpv:hasIdentifier
    "dct:created",  # creation timestamp
    "dct:creator",  # a key of dpv:hasEntity
    "dct:language",  # two lower-case ISO 639 letters
    "dpv:hasEntity",  # the parties
    "dpv:hasNotice",  # privacy notice, each with dpv:hasIdentifier
    "dpv:hasProcess",  # exactly one key, an array of processes
)
DPV_PROCESS_REQUIRED = (
    "dpv:hasPurpose",  # array of objects with skos:broader and skos:prefLabel
    "dpv:hasPersonalData",  # pii information / pii type
    "dpv:hasProcessing",  # processing operations
    "dpv:hasDataController",  # pii controllers, keys of dpv:hasEntity
    "dpv:hasDataSource",  # collection method
    "dpv:hasStorageCondition",  # storage location and retention period
    "dpv:hasRecipient",  # recipient third parties (may be empty)
    "dpv:hasLegalBasis",  # lawful basis
    "dpv:hasJurisdiction",  # jurisdiction
    "dpv:hasConsentControl",  # withdrawal method
)
DPV_CONSENT_STATUS_REQUIRED = ("@type", "dpv:isIndicatedAtTime", "dpv:isExercisedAt")
DPV_STATUSES = {
    "dpv:ConsentGiven",
    "dpv:ConsentWithdrawn",
    "dpv:ConsentRefused",
    "dpv:ConsentExpired",
    "dpv:ConsentRequested",
}

# Kantara Initiative Consent Receipt Specification v1.1.0 (2018-02-20), section 4 "Consent
# Receipt Data Fields" (https://kantarainitiative.org/file-downloads/consent-receipt-
# specification-v1-1-0/): the fields marked REQUIRED (MUST).
KANTARA_REQUIRED = (
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
)
KANTARA_CONTROLLER_REQUIRED = ("piiController", "contact", "address", "email", "phone")
KANTARA_SERVICE_REQUIRED = ("service", "purposes")
KANTARA_PURPOSE_REQUIRED = (
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "termination",
    "thirdPartyDisclosure",
)


def configured(ctx: Context, **extra: Any) -> Context:
    return dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={**CONTROLLER, **extra})
    )


def present(value: Any) -> bool:
    return value is not None and value != "" and value != {}
