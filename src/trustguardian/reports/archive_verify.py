"""Verifying an evidence archive offline: no database, no settings, only the bundle (a directory
or a zip) and, to make it evidence, the instance key pinned by whoever verifies.

Checks, each problem naming the file at fault:

1. the manifest is signed by the key in `public-key.txt` (the pinned one, when given);
2. every file has the SHA-256 the manifest lists, and no file is unlisted or missing (so the
   sealed blobs, which the ledger commits to only through their events, are bound too);
3. `checkpoint.txt` is signed by that key;
4. every leaf, through its inclusion proof, leads to that checkpoint's root;
5. every archived checkpoint is signed by a key of `signing-keys.json` (itself bound by the
   manifest), and its consistency proof shows the latest tree extends it;
6. every time-stamp stamps the checkpoint it is named after.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trustguardian.ledger import (
    NoteError,
    Verifier,
    leaf_hash,
    parse_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from trustguardian.ledger.errors import InvalidKeyError
from trustguardian.ledger.tsp import TokenError, read_timestamp_response
from trustguardian.ledger.tsp_verify import imprint_matches
from trustguardian.reports.archive import FORMAT
from trustguardian.reports.archive_tiles import check_tiles
from trustguardian.reports.dossier_verify import (
    DossierCheck,
    check_hashes,
    load_json,
    pinned_verifier,
    signed_checkpoint,
    signed_manifest,
)
from trustguardian.reports.zip_limits import ZipLimits, read_all

# An archive holds a range of the ledger, not one person: more and larger members than a dossier.
ARCHIVE_LIMITS = ZipLimits(members=2_000_000, total_bytes=8 * 1024 * 1024 * 1024)


@dataclass
class ArchiveCheck(DossierCheck):
    """The outcome (DossierCheck's fields; `events` counts leaves, `evidence` sealed blobs)."""

    checkpoints: int = 0
    stamps: int = 0
    tiles: int = 0


def read_bundle(path: Path, report: ArchiveCheck) -> dict[str, bytes]:
    """Every file of a bundle directory or zip, by its path in the bundle."""
    if path.is_dir():
        return {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file()
        }
    try:
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            return read_all(
                z,
                ARCHIVE_LIMITS,
                damaged=lambda name, exc: report.fail(name, f"damaged inside the zip: {exc}"),
                errors=(zipfile.BadZipFile, zlib.error, OSError, ValueError),
            )
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.fail("(zip)", f"not a readable zip file: {exc}")
        return {}


def verify_archive(path: Path, *, trusted_key: str | Sequence[str] | None = None) -> ArchiveCheck:
    """Verifies a bundle written by `trustguardian archive export`."""
    report = ArchiveCheck()
    files = read_bundle(path, report)
    if not files:
        report.fail("(bundle)", "holds no file")
        return report
    verifier = pinned_verifier(files, trusted_key, report)
    listed = signed_manifest(files, verifier, report, FORMAT)
    check_hashes(files, listed, report)
    latest = signed_checkpoint(files, verifier, report)
    _leaves(files, latest, report)
    _checkpoints(files, latest, report)
    _stamps(files, report)
    report.tiles = check_tiles(files, latest, report.fail)
    report.evidence = sum(1 for p in files if p.startswith("sealed/"))
    return report


def _hashes(value: object) -> list[bytes]:
    if not isinstance(value, list):
        raise TypeError("not a list of hashes")
    return [base64.b64decode(str(h), validate=True) for h in value]


def _leaves(
    files: dict[str, bytes], latest: tuple[int, bytes] | None, report: ArchiveCheck
) -> None:
    for path in sorted(p for p in files if p.startswith("leaves/") and p.endswith(".bin")):
        report.events += 1
        proof_path = path.removesuffix(".bin") + ".proof.json"
        proof = load_json(files.get(proof_path), proof_path, report)
        if proof is None or latest is None:
            continue
        try:
            index, size = int(proof["leaf_index"]), int(proof["tree_size"])
            hashes = _hashes(proof["inclusion_path"])
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            report.fail(proof_path, f"malformed inclusion proof: {exc}")
            continue
        if size != latest[0] or path != f"leaves/{index:012d}.bin":
            report.fail(proof_path, "does not place this leaf where its name says, in this tree")
        elif not verify_inclusion(leaf_hash(files[path]), index, size, hashes, latest[1]):
            report.fail(path, f"does not lead to the signed checkpoint's root (with {proof_path})")


def _register(files: dict[str, bytes], report: ArchiveCheck) -> list[Verifier]:
    """The verifier keys of the register (trusted because the signed manifest binds it)."""
    try:
        entries = json.loads(files.get("signing-keys.json", b"[]"))
        return [Verifier.parse(str(entry["verifier_key"])) for entry in entries]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        report.fail("signing-keys.json", f"not a list of signing keys: {exc}")
    except (InvalidKeyError, ValueError) as exc:
        report.fail("signing-keys.json", f"an entry is not a verifier key: {exc}")
    return []


def _checkpoints(
    files: dict[str, bytes], latest: tuple[int, bytes] | None, report: ArchiveCheck
) -> None:
    verifiers = _register(files, report)
    for path in sorted(p for p in files if p.startswith("checkpoints/") and p.endswith(".txt")):
        report.checkpoints += 1
        proof_path = path.removesuffix(".txt") + ".consistency.json"
        try:
            cp = parse_checkpoint(files[path].decode("utf-8", "replace"), verifiers)
        except (NoteError, ValueError) as exc:
            report.fail(path, f"not signed by a key of signing-keys.json: {exc}")
            continue
        proof = load_json(files.get(proof_path), proof_path, report)
        if proof is None or latest is None:
            continue
        try:
            hashes = _hashes(proof["consistency_path"])
            sizes = int(proof["tree_size"]), int(proof["to_tree_size"])
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            report.fail(proof_path, f"malformed consistency proof: {exc}")
            continue
        if sizes != (cp.size, latest[0]) or not verify_consistency(
            cp.size, latest[0], cp.root_hash, latest[1], hashes
        ):
            report.fail(path, "the latest checkpoint's tree does not extend it")


def _stamps(files: dict[str, bytes], report: ArchiveCheck) -> None:
    for path in sorted(p for p in files if p.startswith("stamps/")):
        report.stamps += 1
        size = path.removeprefix("stamps/").removesuffix(".tsr")
        named = f"checkpoints/{size}.txt"
        if named not in files and size == f"{report.tree_size or 0:012d}":
            named = "checkpoint.txt"
        try:
            token = read_timestamp_response(files[path])
        except TokenError as exc:
            report.fail(path, f"not an RFC 3161 time-stamp response: {exc}")
            continue
        if not imprint_matches(token, files.get(named, b"")):
            report.fail(path, f"does not stamp {named}")
