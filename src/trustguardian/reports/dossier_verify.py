"""Verifying a dossier offline: no database, no settings, only the zip (and maybe a pinned key).

Checks, each problem naming the file at fault:

1. the manifest is signed by the key in `public-key.txt`, which must be one the inspector pins
   (without a pinned key the check still runs, but `pinned` stays false: a forger who re-signs
   every file with a key of their own passes every other check, so only a pin makes it evidence);
2. every file has the SHA-256 the manifest lists, and no file is unlisted or missing;
3. the checkpoint is signed by that key;
4. every event leaf, through its inclusion proof, leads to the checkpoint's root;
5. every proof's salt and content give the commitment in its event's leaf, and a proof's file
   has the SHA-256 its content names;
6. every notice text shown has the SHA-256 its event's leaf names;
7. every step of a rights request or complaint in `sections/` is an event of this dossier of
   the kind the step says;
8. every source file an imported event came from: its record leads to the checkpoint, the
   subject's rows give their commitments and lead to the file's root, the sealed copy is exactly
   the file with every other row withheld (reports.dossier_source_check);
9. the RFC 3161 time-stamps, when present, are over the checkpoints they name (and, given the
   TSA's root certificate, signed by a certificate chaining to it: reports.dossier_stamps);
10. every event's `.tlog-proof` verifies under the trust policy (the dossier's, whose log must be
   the key above, or one the inspector gives): log signature, witness quorum, inclusion.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trustguardian.ledger import (
    NoteError,
    Verifier,
    leaf_hash,
    open_note,
    parse_checkpoint,
    verify_inclusion,
)
from trustguardian.ledger.errors import InvalidKeyError
from trustguardian.reports.dossier_source_check import check_sources
from trustguardian.reports.dossier_stamps import check_stamps
from trustguardian.reports.dossier_tlog import check_tlog_proofs
from trustguardian.reports.zip_limits import DOSSIER_LIMITS, ZipRefused, read_all
from trustguardian.vault.commit import verify_commitment

MANIFEST = "manifest.txt"
FORMAT = "trustguardian.dossier/v1"


@dataclass
class DossierCheck:
    """The outcome: what was checked and every problem found, each naming its file."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    subject_id: str | None = None
    events: int = 0
    evidence: int = 0
    files: int = 0
    notices: int = 0
    sources: int = 0
    tlog_proofs: int = 0
    tree_size: int | None = None
    timestamp: datetime | None = None
    timestamp_trusted: bool = False
    # Events a checked time-stamp covers (stamps.json), and events not stamped yet.
    stamped_events: int = 0
    unstamped_events: int = 0
    embedded_key: Verifier | None = None
    trusted_key: Verifier | None = None
    pinned: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))


def verify_dossier(
    archive: bytes,
    *,
    trusted_key: str | Sequence[str] | None = None,
    tsa_roots: list[bytes] | None = None,
    trusted_policy: str | None = None,
) -> DossierCheck:
    """Verifies a dossier zip; `trusted_key` pins the instance key (one, or several of which the
    dossier's must be one), `tsa_roots` PEM roots. A zip over the limits of `DOSSIER_LIMITS`
    (members, sizes, compression ratio) raises ZipRefused before it is unpacked further;
    `trusted_policy` a c2sp.org/tlog-policy text to check the .tlog-proof files under."""
    report = DossierCheck()
    if len(archive) > DOSSIER_LIMITS.total_bytes:
        raise ZipRefused(f"the zip is larger than {DOSSIER_LIMITS.total_bytes:,} bytes, the limit")
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            # A byte changed in the zip itself: its CRC or compression names the file.
            files = read_all(
                z,
                DOSSIER_LIMITS,
                damaged=lambda name, exc: report.fail(name, f"damaged inside the zip: {exc}"),
                errors=(zipfile.BadZipFile, zlib.error, OSError, ValueError),
            )
    except ZipRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.fail("(zip)", f"not a readable zip file: {exc}")
        return report
    verifier = pinned_verifier(files, trusted_key, report)
    listed = signed_manifest(files, verifier, report)
    check_hashes(files, listed, report)
    root = signed_checkpoint(files, verifier, report)
    leaves = _events(files, root, report)
    _evidence(files, leaves, report)
    _notices(files, leaves, report)
    _sections(files, leaves, report)
    report.sources = check_sources(files, root, report.fail)
    check_stamps(files, verifier, root, tsa_roots, report)
    report.tlog_proofs = check_tlog_proofs(files, verifier, report.fail, trusted_policy)
    return report


def pinned_verifier(
    files: dict[str, bytes], trusted: str | Sequence[str] | None, report: DossierCheck
) -> Verifier | None:
    """The key every signature is checked with: the pinned key that the dossier names, else
    (pinned keys given, none named) the first pinned key, so that every signature fails; with no
    pin, the dossier's own key, and `report.pinned` stays false."""
    text = files.get("public-key.txt", b"").decode("utf-8", "replace").strip()
    try:
        report.embedded_key = Verifier.parse(text)
    except (InvalidKeyError, ValueError) as exc:
        report.fail("public-key.txt", f"not a verifier key: {exc}")
    if trusted is None:
        report.trusted_key = report.embedded_key
        return report.embedded_key
    pins = [Verifier.parse(k.strip()) for k in ([trusted] if isinstance(trusted, str) else trusted)]
    if not pins:
        raise ValueError("no trusted key given")
    embedded = report.embedded_key
    named = [p for p in pins if embedded is not None and p.verifier_key == embedded.verifier_key]
    if named:
        report.pinned = True
        report.trusted_key = named[0]
        return named[0]
    report.fail("public-key.txt", "is not a key you trust")
    report.trusted_key = pins[0]
    return pins[0]


def signed_manifest(
    files: dict[str, bytes], verifier: Verifier | None, report: DossierCheck, fmt: str = FORMAT
) -> dict[str, str]:
    """The manifest's `<sha256> <path>` lines, once its signature and format are checked."""
    raw = files.get(MANIFEST)
    if raw is None:
        report.fail(MANIFEST, "missing")
        return {}
    note = raw.decode("utf-8", "replace")
    text = note[: note.rfind("\n\n") + 1] if "\n\n" in note else note
    if verifier is not None:
        try:
            text, _ = open_note(note, [verifier])
        except NoteError as exc:
            report.fail(MANIFEST, f"its signature does not verify: {exc}")
    lines = text.splitlines()
    if not lines or lines[0] != fmt:
        report.fail(MANIFEST, f"is not a {fmt} manifest")
        return {}
    listed: dict[str, str] = {}
    for line in lines[1:]:
        head, _, rest = line.partition(" ")
        if head == "subject":
            report.subject_id = rest
        elif len(head) == 64 and rest:
            listed[rest] = head
    return listed


def check_hashes(files: dict[str, bytes], listed: dict[str, str], report: DossierCheck) -> None:
    for path, digest in sorted(listed.items()):
        body = files.get(path)
        if body is None:
            report.fail(path, "listed in the manifest but missing")
        elif hashlib.sha256(body).hexdigest() != digest:
            report.fail(path, "changed: its SHA-256 is not the one in the signed manifest")
    for path in sorted(set(files) - set(listed) - {MANIFEST}):
        report.fail(path, "not listed in the signed manifest")
    report.files = len(listed)


def signed_checkpoint(
    files: dict[str, bytes], verifier: Verifier | None, report: DossierCheck
) -> tuple[int, bytes] | None:
    raw = files.get("checkpoint.txt")
    if raw is None or verifier is None:
        report.fail("checkpoint.txt", "missing" if raw is None else "no key to check it with")
        return None
    try:
        cp = parse_checkpoint(raw.decode("utf-8", "replace"), verifier)
    except NoteError as exc:
        report.fail("checkpoint.txt", f"its signature does not verify: {exc}")
        return None
    report.tree_size = cp.size
    return cp.size, cp.root_hash


def _events(
    files: dict[str, bytes], root: tuple[int, bytes] | None, report: DossierCheck
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Checks each leaf's inclusion; returns event id -> (path, parsed leaf)."""
    leaves: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(p for p in files if p.startswith("events/")):
        leaf = files[path]
        proof_path = "proofs/" + path.removeprefix("events/")
        report.events += 1
        parsed = load_json(leaf, path, report)
        if parsed is None:
            continue
        leaves[str(parsed.get("id"))] = (path, parsed)
        proof = load_json(files.get(proof_path), proof_path, report)
        if proof is None or root is None:
            continue
        try:
            index, size = int(proof["leaf_index"]), int(proof["tree_size"])
            hashes = [base64.b64decode(h, validate=True) for h in proof["inclusion_path"]]
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            report.fail(proof_path, f"malformed inclusion proof: {exc}")
            continue
        if size != root[0] or index != parsed.get("seq"):
            report.fail(proof_path, "does not place this event where its leaf says, in this tree")
        elif not verify_inclusion(leaf_hash(leaf), index, size, hashes, root[1]):
            report.fail(path, f"does not lead to the signed checkpoint's root (with {proof_path})")
    return leaves


def _evidence(
    files: dict[str, bytes], leaves: dict[str, tuple[str, dict[str, Any]]], report: DossierCheck
) -> None:
    for path in sorted(p for p in files if p.startswith("evidence/") and p.endswith(".json")):
        item = load_json(files[path], path, report)
        if item is None:
            continue
        report.evidence += 1
        try:
            event_path, leaf = leaves[str(item["event_id"])]
            committed = leaf["proofs"][int(item["position"])]["commitment"]
            salt, content = bytes.fromhex(item["salt"]), str(item["content"]).encode("utf-8")
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            report.fail(path, f"names no proof of an event in this dossier: {exc}")
            continue
        if item.get("commitment") != committed or not verify_commitment(salt, content, committed):
            report.fail(path, f"does not match the commitment in {event_path}")
            continue
        named = load_json(content, path, report) or {}
        expected = (named.get("file") or {}).get("sha256")
        file_path = str(item.get("file") or "")
        if expected and file_path not in files:
            report.fail(path, "its evidence file is missing")
        elif expected and hashlib.sha256(files[file_path]).hexdigest() != expected:
            report.fail(file_path, f"is not the file committed to in {event_path}")


def _notices(
    files: dict[str, bytes], leaves: dict[str, tuple[str, dict[str, Any]]], report: DossierCheck
) -> None:
    for event_path, leaf in leaves.values():
        notice = leaf.get("notice")
        if not isinstance(notice, dict):
            continue
        path = f"notices/{notice.get('key')}-v{notice.get('version')}.txt"
        text = files.get(path)
        if text is None:
            report.fail(path, f"the notice text shown in {event_path} is missing")
        elif hashlib.sha256(text).hexdigest() != notice.get("sha256"):
            report.fail(path, f"is not the notice text whose hash {event_path} holds")
    report.notices = sum(1 for p in files if p.startswith("notices/"))


def _request_step(status: str) -> set[str]:
    return {f"request.{status}"}


def _complaint_step(status: str) -> set[str]:
    return {"complaint.opened", "complaint.updated"}


# The event kinds that may prove a step of each section's cases.
STEP_KINDS: dict[str, Callable[[str], set[str]]] = {
    "sections/rights_requests.json": _request_step,
    "sections/complaints.json": _complaint_step,
}


def _sections(
    files: dict[str, bytes], leaves: dict[str, tuple[str, dict[str, Any]]], report: DossierCheck
) -> None:
    for path, kinds in STEP_KINDS.items():
        raw = files.get(path)
        if raw is None:
            continue
        try:
            rows = json.loads(raw)
            steps = [(str(s["event_id"]), str(s["status"])) for r in rows for s in r["steps"]]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            report.fail(path, f"not a list of cases with steps: {exc}")
            continue
        for event_id, status in steps:
            leaf = leaves.get(event_id)
            if leaf is None:
                report.fail(path, f"step {status!r} names event {event_id}, not in this dossier")
            elif leaf[1].get("kind") not in kinds(status):
                report.fail(
                    path, f"step {status!r} is proved by {leaf[0]}, a {leaf[1].get('kind')}"
                )


def load_json(raw: bytes | None, path: str, report: DossierCheck) -> dict[str, Any] | None:
    if raw is None:
        report.fail(path, "missing")
        return None
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.fail(path, f"not valid JSON: {exc}")
        return None
    if not isinstance(value, dict):
        report.fail(path, "not a JSON object")
        return None
    return value
