"""Standard exports: ISO/IEC TS 27560 records in the DPV JSON profile, Kantara receipts v1.1,
and the register of processing (art. 30) as CSV and PDF."""

from __future__ import annotations

import csv
import io
import uuid

import pypdfium2 as pdfium
import pytest
from tests.census.helpers import PURPOSE, STORE, UNSUBSCRIBE, WEB
from tests.reports.helpers import mario_history
from tests.reports.standards import (
    CONTROLLER,
    DPV_CONSENT_STATUS_REQUIRED,
    DPV_PROCESS_REQUIRED,
    DPV_RECORD_REQUIRED,
    DPV_STATUSES,
    KANTARA_CONTROLLER_REQUIRED,
    KANTARA_PURPOSE_REQUIRED,
    KANTARA_REQUIRED,
    KANTARA_SERVICE_REQUIRED,
    configured,
    present,
)

from trustguardian.domain.errors import Conflict
from trustguardian.domain.sync import SystemKind
from trustguardian.reports.exports import dpv_records, kantara_receipts
from trustguardian.reports.register import register_csv, register_pdf
from trustguardian.service.accountability.records import (
    processing_register,
    register_header,
    subject_records,
)
from trustguardian.service.context import Context
from trustguardian.service.registry.touchpoints import TouchpointPatch, update_touchpoint
from trustguardian.service.sync.systems import create_system


def test_dpv_records_carry_every_mandatory_field_of_the_profile(ctx: Context) -> None:
    history = mario_history(ctx)
    [record] = dpv_records(subject_records(configured(history.ctx), subject_id=history.subject_id))

    for key in DPV_RECORD_REQUIRED:
        assert present(record.get(key)), key
    assert record["dct:conformsTo"] == "dpv-27560:record-2"
    assert str(uuid.UUID(record["dpv:hasIdentifier"])) == record["dpv:hasIdentifier"]
    assert record["dpv:hasDataSubject"]["dpv:hasIdentifier"] == history.subject_id
    assert record["dct:creator"] in record["dpv:hasEntity"]
    assert record["dct:language"] == "it"
    assert all(n["dpv:hasIdentifier"] for n in record["dpv:hasNotice"])
    assert [n["dpv:hasIdentifier"] for n in record["dpv:hasNotice"]] == [
        "privacy-it:v1",
        "privacy-it:v2",
    ]
    [process] = record["dpv:hasProcess"]
    for key in DPV_PROCESS_REQUIRED:
        assert key in process, key
        assert isinstance(process[key], list), key
    [purpose] = process["dpv:hasPurpose"]
    assert purpose["skos:broader"] == ["dpv:Marketing"]
    assert purpose["skos:prefLabel"] == "Newsletter marketing"
    assert all(c in record["dpv:hasEntity"] for c in process["dpv:hasDataController"])
    assert all(r in record["dpv:hasEntity"] for r in process["dpv:hasRecipient"])
    types = {t for cond in process["dpv:hasStorageCondition"] for t in cond["@type"]}
    assert {"dpv:StorageLocation", "dpv:StorageDuration"} <= types
    assert process["dpv:hasLegalBasis"] == ["dpv:Consent", "eu-gdpr:A6-1-a"]
    assert process["dpv:hasConsentControl"][0]["dpv:isExercisedAt"] == ["Unsubscribe link"]
    # A process with nested processes has no status; each nested one has exactly its own.
    assert "dpv:hasConsentStatus" not in process
    statuses = {}
    for inner in process["dpv:hasProcess"]:
        [status] = inner["dpv:hasConsentStatus"]
        for key in DPV_CONSENT_STATUS_REQUIRED:
            assert present(status.get(key)), key
        assert DPV_STATUSES & set(status["@type"])
        statuses[inner["tg:channel"]] = (status["@type"][0], status["dpv:isExercisedAt"])
    assert statuses == {
        "email": ("dpv:ConsentWithdrawn", "Newsletter sending"),
        "phone": ("dpv:ConsentGiven", "Shop counter"),
    }


def test_kantara_receipts_carry_every_required_field_of_v1_1(ctx: Context) -> None:
    history = mario_history(ctx)
    create_system(history.ctx, key="crm", name="Salesforce CRM", kind=SystemKind.CRM)
    update_touchpoint(history.ctx, key=STORE, patch=TouchpointPatch(systems=["crm"]))
    receipts = kantara_receipts(
        subject_records(configured(history.ctx), subject_id=history.subject_id)
    )
    [receipt] = receipts  # only the paper form still decides a given consent (phone)
    for key in KANTARA_REQUIRED:
        assert key in receipt, key
        assert receipt[key] not in (None, ""), key
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["jurisdiction"] == "IT"
    paper = history.events[1]
    assert receipt["consentTimestamp"] == int(paper.occurred_at.timestamp())
    assert receipt["collectionMethod"] == "Shop counter (store)"
    assert uuid.UUID(receipt["consentReceiptID"]).version == 5
    assert receipt["piiPrincipalId"] == "mario.rossi@example.com"
    assert receipt["sensitive"] is False
    [controller] = receipt["piiControllers"]
    for key in KANTARA_CONTROLLER_REQUIRED:
        assert present(controller.get(key)), key
    assert controller["phone"] == CONTROLLER["controller_phone"]
    assert receipt["policyUrl"].startswith("http")
    [service] = receipt["services"]
    for key in KANTARA_SERVICE_REQUIRED:
        assert present(service.get(key)), key
    [purpose] = service["purposes"]
    for key in KANTARA_PURPOSE_REQUIRED:
        assert key in purpose, key
    assert purpose["purposeCategory"] == ["6 - Marketing"]
    assert purpose["consentType"] == "EXPLICIT"
    assert purpose["thirdPartyDisclosure"] is True
    assert purpose["thirdPartyName"] == "Salesforce CRM"  # REQUIRED when disclosed


def test_exports_refuse_without_the_controllers_contact_details(ctx: Context) -> None:
    history = mario_history(ctx)
    with pytest.raises(Conflict, match="TRUSTGUARDIAN_CONTROLLER_ADDRESS"):
        subject_records(history.ctx, subject_id=history.subject_id)


def test_the_register_of_processing_lists_each_purpose_with_its_art_30_fields(
    ctx: Context,
) -> None:
    history = mario_history(ctx)
    rows = processing_register(history.ctx)
    [line] = list(csv.DictReader(io.StringIO(register_csv(rows).decode())))
    assert line["purpose"] == PURPOSE
    assert line["legal_basis"] == "consent"
    assert line["retention_days"] == "730"
    assert line["consent_lifetime_days"] == "730"
    assert line["controller"] == "Bottega Rossi S.p.A."
    assert line["data_categories"] == "e-mail address; telephone number"
    # The newsletter sending is an Engage touchpoint: it uses the data, it does not collect it.
    assert line["collected_at"].split("; ") == [
        "store-milano (store)",
        "web-newsletter (web_form)",
    ]
    assert line["withdrawal"] == UNSUBSCRIBE
    assert line["security_measures"].startswith("Personal data and evidence encrypted")

    body = register_pdf(rows, history.ctx.clock.now(), register_header(history.ctx))
    doc = pdfium.PdfDocument(body)
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in doc)
        image = doc[0].render(scale=1).to_pil()
    finally:
        doc.close()
    assert image.size[0] > 500
    assert "Register of processing activities" in text
    assert "Newsletter marketing" in text
    assert WEB in text
