"""No personal data in clear in the ledger or the event tables; proofs open to their commitment;
crypto-shredding leaves the ledger verifiable and the person on the suppression list."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from tests.factories.events import (
    LUIGI,
    MARIO,
    ago,
    all_are,
    assert_verifies,
    email,
    footprint,
    make_draft,
    record,
    record_one,
    setup_registry,
    statuses,
)

from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.domain.events import EventKind, PrivacyEvent
from trustguardian.domain.registry import ProofType
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.ledger import leaf_hash
from trustguardian.service.collect.evidence import ProofDraft, open_blob, open_proof
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.ledger import prove_inclusion
from trustguardian.service.events.subjects import find_subject, get_subject, keyring, shred_subject
from trustguardian.store import tables as t
from trustguardian.vault import EvidenceBlob, SubjectShredded, open_sealed

PHONE = "+39 333 123 4567"
PHONE_E164 = "+393331234567"
IP = "203.0.113.77"
AGENT = "Mozilla/5.0 (X11) SecretBrowser/9.1"
PAGE = f"<html><form><input value='{MARIO}'></form></html>".encode()
DATA = {"first_name": "Mariolino", "city": "Gallarate"}
NEEDLES = [
    MARIO,
    "mario.rossi",
    PHONE_E164,
    "3331234567",
    IP,
    "SecretBrowser",
    "Mariolino",
    "Gallarate",
]
SCANNED = (
    t.events,
    t.event_proofs,
    t.evidence_blobs,
    t.subjects,
    t.subject_keys,
    t.subject_identifiers,
    t.consent_states,
    t.idempotency_keys,
    t.checkpoints,
    t.tree_nodes,
)


def proofs() -> tuple[ProofDraft, ...]:
    return (
        ProofDraft(ProofType.NETWORK, {"ip": IP, "user_agent": AGENT}),
        ProofDraft(
            ProofType.FORM_SNAPSHOT,
            {"url": f"https://shop.example/signup?email={MARIO}"},
            PAGE,
            "text/html",
        ),
        ProofDraft(
            ProofType.DOUBLE_OPT_IN,
            {
                "address": MARIO,
                "sent_at": "2024-05-01T10:00:00Z",
                "confirmed_at": "2024-05-01T10:05:00Z",
                "confirming_ip": IP,
                "confirming_user_agent": AGENT,
            },
        ),
        ProofDraft(ProofType.OTP, {"address": PHONE_E164, "sent_at": "2024-05-01T10:00:00Z"}),
    )


def record_rich(ctx: Context) -> PrivacyEvent:
    """A consent with an e-mail, a phone, network data, a page snapshot and personal data."""
    return record_one(
        ctx,
        make_draft(
            identifiers=(email(), normalise(IdentifierKind.PHONE, PHONE)),
            proofs=proofs(),
            data=DATA,
            idempotency_key="signup-42",
        ),
    )


def as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, list | dict):
        return json.dumps(value).encode()
    if isinstance(value, datetime):
        return value.isoformat().encode()
    return str(value).encode()


def found_in_clear(blob: bytes) -> list[str]:
    lowered = blob.lower()
    return [n for n in NEEDLES if n.lower().encode() in lowered]


# --- 7. no personal data in clear; commitments open -----------------------------------------


def test_the_leaf_holds_no_personal_data_in_clear(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_rich(ctx)
    proof = prove_inclusion(ctx, event_id=event.id)
    leaf = base64.b64decode(str(proof.as_json()["leaf"]))
    assert leaf == proof.leaf
    assert found_in_clear(leaf) == []
    envelope = json.loads(leaf)
    assert envelope["subject"] == event.subject_id
    assert len(envelope["identifiers"]) == 2
    assert all(len(i) == 64 and int(i, 16) >= 0 for i in envelope["identifiers"])
    assert [p["type"] for p in envelope["proofs"]] == [
        "network",
        "form_snapshot",
        "double_opt_in",
        "otp",
    ]
    assert envelope["data"] == event.data_commitment
    assert proof.leaf_hash == leaf_hash(leaf)


def test_no_table_holds_the_personal_data_in_clear(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_rich(ctx)
    # The data really was received: it opens from the vault (see the commitment tests below).
    assert {i.value for i in get_subject(ctx, subject_id=event.subject_id).identifiers} == {
        MARIO,
        PHONE_E164,
    }
    leaks: dict[str, list[str]] = {}
    with ctx.engine.connect() as conn:
        for table in SCANNED:
            for row in conn.execute(select(table)):
                for column, value in row._mapping.items():
                    hits = found_in_clear(as_bytes(value))
                    if hits:
                        leaks[f"{table.name}.{column}"] = hits
    assert leaks == {}


def test_each_proof_opens_to_content_matching_its_commitment(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_rich(ctx)
    with ctx.uow(write=False) as uow:
        data_key = keyring(ctx, uow).data_key_for(event.subject_id)
        stored = uow.events.proofs([event.seq])[event.seq]
        blob_row = uow.events.blob(event.subject_id, str(stored[1].blob_address))
        [row] = uow.connection.execute(select(t.events).where(t.events.c.id == event.id)).all()

    assert [p.commitment for p in stored] == [p.commitment for p in event.proofs]
    opened = []
    for proof in stored:
        salt, content = open_proof(data_key, event.id, proof)
        assert len(salt) == 32
        assert hashlib.sha256(salt + content).hexdigest() == proof.commitment
        opened.append(json.loads(content))
    network, snapshot, opt_in, otp = opened
    assert network == {"type": "network", "ip": IP, "user_agent": AGENT}
    assert snapshot["file"] == {
        "media_type": "text/html",
        "sha256": hashlib.sha256(PAGE).hexdigest(),
        "size": len(PAGE),
    }
    assert opt_in["address"] == MARIO
    assert otp["address"] == PHONE_E164

    assert blob_row is not None
    blob = EvidenceBlob(
        address=blob_row.address,
        sealed=bytes(blob_row.sealed),
        size=blob_row.size,
        media_type=blob_row.media_type,
    )
    assert open_blob(data_key, event.subject_id, blob) == PAGE

    plain = open_sealed(data_key, bytes(row.data_sealed), f"data:{event.id}".encode())
    assert hashlib.sha256(plain).hexdigest() == event.data_commitment
    assert json.loads(plain[32:]) == DATA


def test_the_same_content_gets_a_different_commitment_each_time(ctx: Context) -> None:
    setup_registry(ctx)
    same = ProofDraft(ProofType.NETWORK, {"ip": IP, "user_agent": AGENT})
    a, b = record(
        ctx,
        make_draft(proofs=(same,), occurred_at=ago(days=1)),
        make_draft(proofs=(same,), identifiers=(email(LUIGI),)),
    )
    assert a.proofs[0].commitment != b.proofs[0].commitment


# --- 8. crypto-shredding --------------------------------------------------------------------


def shred(ctx: Context, subject_id: str) -> None:
    with ctx.uow() as uow:
        shred_subject(ctx, subject_id=subject_id, uow=uow)
        uow.commit()


def test_after_shredding_identifiers_and_proofs_no_longer_open(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_rich(ctx)
    other = record_one(ctx, make_draft(identifiers=(email(LUIGI),)))
    shred(ctx, event.subject_id)

    view = get_subject(ctx, subject_id=event.subject_id)
    assert view.subject.shredded
    assert sorted((i.kind.value, i.value) for i in view.identifiers) == [
        ("email", None),
        ("phone", None),
    ]
    with ctx.uow(write=False) as uow:
        stored = uow.events.proofs([event.seq])[event.seq]
        assert len(stored) == 4
        with pytest.raises(SubjectShredded):
            keyring(ctx, uow).data_key_for(event.subject_id)
    # Other people are untouched.
    assert [i.value for i in get_subject(ctx, subject_id=other.subject_id).identifiers] == [LUIGI]
    assert_verifies(ctx)


def test_a_shredded_person_stays_on_the_suppression_list(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft(occurred_at=ago(days=3)))
    shred(ctx, event.subject_id)
    assert find_subject(ctx, identifier=email("MARIO.Rossi@example.com")).subject.shredded
    before = footprint(ctx)
    attempts = {
        "same e-mail, other case": make_draft(identifiers=(email("Mario.ROSSI@Example.com"),)),
        "by subject id": make_draft(identifiers=(), subject_id=event.subject_id),
        "with a new phone": make_draft(
            identifiers=(email(), normalise(IdentifierKind.PHONE, PHONE))
        ),
    }
    refused = {}
    for name, draft in attempts.items():
        try:
            record(ctx, draft)
        except Conflict as exc:
            refused[name] = exc.code
    assert refused == dict.fromkeys(attempts, "conflict")
    assert footprint(ctx) == before
    with pytest.raises(NotFound):
        find_subject(ctx, identifier=normalise(IdentifierKind.PHONE, PHONE))


def test_a_batch_naming_a_shredded_person_records_nobody(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft(occurred_at=ago(days=3)))
    shred(ctx, event.subject_id)
    before = footprint(ctx)
    with pytest.raises(Conflict):
        record(ctx, make_draft(identifiers=(email(LUIGI),)), make_draft())
    assert footprint(ctx) == before


def test_consent_state_and_ledger_survive_shredding(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft(EventKind.CONSENT_WITHDRAWN, occurred_at=ago(days=3)))
    leaf = prove_inclusion(ctx, event_id=event.id).leaf
    shred(ctx, event.subject_id)
    assert statuses(ctx, event.subject_id) == all_are("withdrawn")
    assert prove_inclusion(ctx, event_id=event.id).leaf == leaf
    assert_verifies(ctx)
