"""Verification of what the ledger only commits to: sealed proofs, data, files and identifiers.

Each is opened with its subject's key and must match the commitment in the leaf (or, for an
identifier, its keyed hash). An erased subject's values cannot be opened by design: they are
counted, not reported.

The work can be shared between two processes by subject: a `Half` names a subject id (the
pivot) and the side of it to check, the ids below it or the others (a missing id counts as the
empty one), so the two halves together cover every row exactly once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from trustguardian.service.collect.evidence import SALT_BYTES, data_aad, proof_aad
from trustguardian.service.events.subjects import identifier_aad
from trustguardian.service.ops.instance import InstanceKeys
from trustguardian.store.events.scans import Half, VerifyScans
from trustguardian.vault import (
    VaultError,
    blind_identifier,
    open_evidence,
    open_sealed,
)
from trustguardian.vault import verify_commitment as matches
from trustguardian.vault.evidence import EvidenceBlob
from trustguardian.vault.keys import unwrap_with_any


@dataclass
class EvidenceCount:
    opened: int = 0
    erased: int = 0


class Keys:
    """The data key of every subject, unwrapped once; erased subjects have none."""

    def __init__(
        self, keys: InstanceKeys, scans: VerifyScans, problems: list[str], half: Half | None
    ) -> None:
        self.keys: dict[str, bytes | None] = {}
        for subject_id, shredded_at, wrapped in scans.subject_keys(half):
            if shredded_at is not None or wrapped is None:
                if shredded_at is None:
                    problems.append(f"subject {subject_id}: data key missing but not erased")
                self.keys[subject_id] = None
                continue
            try:
                self.keys[subject_id] = unwrap_with_any(keys.masters, subject_id, bytes(wrapped))
            except VaultError:
                problems.append(f"subject {subject_id}: data key cannot be unwrapped (tampered)")
                self.keys[subject_id] = None


def verify_evidence(
    instance: InstanceKeys, scans: VerifyScans, problems: list[str], half: Half | None = None
) -> EvidenceCount:
    """Opens every sealed value (of the subjects of `half`, when given) and checks it against
    what the ledger commits to."""
    keys = Keys(instance, scans, problems, half)
    count = EvidenceCount()
    blobs = {(r[0], r[1]): (r[2], r[3], bytes(r[4])) for r in scans.blobs(half)}
    for seq, position, digest, sealed, address, event_id, subject_id in scans.sealed_proofs(half):
        key = keys.keys.get(subject_id)
        if key is None:
            count.erased += 1
            continue
        where = f"seq {seq}: proof {position}"
        try:
            plain = open_sealed(key, bytes(sealed), proof_aad(event_id, position))
        except VaultError:
            problems.append(f"{where} cannot be opened (sealed content tampered)")
            continue
        salt, content = plain[:SALT_BYTES], plain[SALT_BYTES:]
        if not matches(salt, content, digest):
            problems.append(f"{where} does not match its commitment")
            continue
        _check_file(
            where, orjson.loads(content).get("file"), address, key, subject_id, blobs, problems
        )
        count.opened += 1
    _data(scans, keys, count, problems, half)
    _identifiers(instance, scans, keys, count, problems, half)
    return count


def _data(
    scans: VerifyScans, keys: Keys, count: EvidenceCount, problems: list[str], half: Half | None
) -> None:
    for seq, event_id, subject_id, digest, sealed in scans.sealed_data(half):
        key = keys.keys.get(subject_id)
        if key is None:
            count.erased += 1
            continue
        if digest is None or sealed is None:
            problems.append(f"seq {seq}: data and its commitment must come together")
            continue
        try:
            plain = open_sealed(key, bytes(sealed), data_aad(event_id))
        except VaultError:
            problems.append(f"seq {seq}: sealed data cannot be opened (tampered)")
            continue
        if not matches(plain[:SALT_BYTES], plain[SALT_BYTES:], digest):
            problems.append(f"seq {seq}: data does not match its commitment")
            continue
        count.opened += 1


def _check_file(
    where: str,
    file: dict[str, Any] | None,
    address: str | None,
    key: bytes,
    subject_id: str,
    blobs: dict[tuple[str, str], tuple[str, int, bytes]],
    problems: list[str],
) -> None:
    if file is None:
        if address is not None:
            problems.append(f"{where} names a file its content does not have")
        return
    stored = blobs.get((subject_id, address or ""))
    if stored is None:
        problems.append(f"{where}: evidence file missing")
        return
    try:
        content = open_evidence(
            key, subject_id, EvidenceBlob(address or "", stored[2], stored[1], stored[0])
        )
    except VaultError:
        problems.append(f"{where}: evidence file cannot be opened (tampered)")
        return
    if hashlib.sha256(content).hexdigest() != file.get("sha256") or len(content) != file.get(
        "size"
    ):
        problems.append(f"{where}: evidence file differs from the one committed to")


def _identifiers(
    instance: InstanceKeys,
    scans: VerifyScans,
    keys: Keys,
    count: EvidenceCount,
    problems: list[str],
    half: Half | None,
) -> None:
    for blind, subject_id, kind, sealed in scans.identifiers(half):
        key = keys.keys.get(subject_id)
        if key is None or sealed is None:
            count.erased += 1
            continue
        try:
            value = open_sealed(key, bytes(sealed), identifier_aad(subject_id, blind)).decode()
        except VaultError:
            problems.append(f"subject {subject_id}: an identifier cannot be opened (tampered)")
            continue
        if blind_identifier(instance.blind_key, kind, value) != blind:
            problems.append(f"subject {subject_id}: an identifier does not match its keyed hash")
            continue
        count.opened += 1
