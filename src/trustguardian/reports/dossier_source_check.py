"""Checking, offline, the source files of a dossier (`sources/<id>/`, see reports.dossier).

For each file: its record is a `registry.source_file.imported` ledger leaf that leads to the
signed checkpoint; the commitments listed are as many as the record's rows, hash to its Merkle
root and to its `commitments_sha256`; each of the subject's rows, opened by the salt its
`import` proof holds (checked against its event's leaf elsewhere) and the bytes of that proof's
file after the record's header, gives its commitment and leads by its inclusion path to the
root; and the sealed copy is exactly the header, those rows and every other row's commitment.
Every `import` proof that cites a source file must have its row opened here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from typing import Any

from trustguardian.ledger import leaf_hash, verify_inclusion
from trustguardian.ledger.records import RecordLeaf
from trustguardian.ledger.source_file import copy_with_rows, row_commitment, rows_root

KIND = "registry.source_file.imported"
Fail = Callable[[str, str], None]
BAD = (KeyError, IndexError, TypeError, ValueError, AttributeError, binascii.Error)


def check_sources(files: dict[str, bytes], root: tuple[int, bytes] | None, fail: Fail) -> int:
    """Checks every source file of the dossier; returns how many there are."""
    ids = sorted({p.split("/")[1] for p in files if p.startswith("sources/") and p.count("/") == 2})
    opened: set[tuple[str, int]] = set()
    for source_id in ids:
        opened |= _check_source(files, source_id, root, fail)
    for path, cited in _citations(files):
        if (str(cited.get("id")), cited.get("index")) not in opened:
            fail(path, f"cites row {cited.get('index')} of source file {cited.get('id')}, "
                 "which the dossier does not open")  # fmt: skip
    return len(ids)


def _citations(files: dict[str, bytes]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(p for p in files if p.startswith("evidence/") and p.endswith(".json")):
        try:
            item = json.loads(files[path])
            cited = (
                json.loads(item["content"]).get("source_file") if item["type"] == "import" else None
            )
        except (*BAD, UnicodeDecodeError):
            continue  # named by the evidence check
        if isinstance(cited, dict):
            found.append((path, cited))
    return found


def _check_source(
    files: dict[str, bytes], source_id: str, root: tuple[int, bytes] | None, fail: Fail
) -> set[tuple[str, int]]:
    base = f"sources/{source_id}"
    record_path = f"{base}/record.json"
    leaf = files.get(record_path)
    if leaf is None:
        fail(record_path, "missing")
        return set()
    try:
        record = RecordLeaf.parse(leaf)
        content = dict(record.content)
        header = base64.b64decode(content["header"], validate=True)
        count, file_root = int(content["rows"]), str(content["root"])
    except BAD as exc:
        fail(record_path, f"not a source file's ledger record: {exc}")
        return set()
    if record.kind != KIND or record.object_key != source_id:
        fail(record_path, f"is not the {KIND} record of source file {source_id}")
        return set()
    _check_record_proof(files, f"{base}/record-proof.json", leaf, record.seq, root, fail)
    rows_path = f"{base}/rows.json"
    try:
        rows = json.loads(files[rows_path])
        commitments = [str(c) for c in rows["commitments"]]
        listed = [
            (int(o["index"]), str(o["evidence"]), list(o["inclusion_path"])) for o in rows["opened"]
        ]
        found_root = rows_root(commitments)
    except (*BAD, UnicodeDecodeError) as exc:
        fail(rows_path, f"not a source file's rows: {exc}")
        return set()
    digest = hashlib.sha256(b"".join(c.encode() + b"\n" for c in commitments)).hexdigest()
    if (
        len(commitments) != count
        or found_root != file_root
        or digest != content.get("commitments_sha256")
    ):
        fail(rows_path, f"its commitments are not the ones {record_path} commits to")
        return set()
    clear: dict[int, bytes] = {}
    for index, evidence_path, path in listed:
        row = _open_row(files, source_id, index, evidence_path, header, fail)
        if row is None:
            continue
        salt, raw = row
        commitment = row_commitment(salt, raw)
        if not 0 <= index < count or commitment != commitments[index]:
            fail(evidence_path, f"its row does not give commitment {index} of {rows_path}")
            continue
        try:
            hashes = [base64.b64decode(h, validate=True) for h in path]
        except BAD as exc:
            fail(rows_path, f"malformed inclusion path of row {index}: {exc}")
            continue
        if not verify_inclusion(
            leaf_hash(bytes.fromhex(commitment)), index, count, hashes, bytes.fromhex(file_root)
        ):
            fail(rows_path, f"row {index} does not lead to the file's root in {record_path}")
            continue
        clear[index] = raw
    copy_path = f"{base}/sealed-copy.csv"
    if files.get(copy_path) != copy_with_rows(header, commitments, clear):
        fail(copy_path, f"is not the file {record_path} commits to, with the rows opened here")
    return {(source_id, index) for index in clear}


def _check_record_proof(
    files: dict[str, bytes], path: str, leaf: bytes, seq: int, root: tuple[int, bytes] | None,
    fail: Fail,
) -> None:  # fmt: skip
    try:
        proof = json.loads(files[path])
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        hashes = [base64.b64decode(h, validate=True) for h in proof["inclusion_path"]]
    except (*BAD, UnicodeDecodeError) as exc:
        fail(path, f"malformed inclusion proof: {exc}")
        return
    if root is None:
        return  # the checkpoint's own problem is named
    if size != root[0] or index != seq:
        fail(path, "does not place the record where its leaf says, in this tree")
    elif not verify_inclusion(leaf_hash(leaf), index, size, hashes, root[1]):
        fail(path, "the record does not lead to the signed checkpoint's root")


def _open_row(
    files: dict[str, bytes], source_id: str, index: int, path: str, header: bytes, fail: Fail
) -> tuple[bytes, bytes] | None:
    """The row's salt and bytes, from the `import` proof at `path` and its file."""
    try:
        item = json.loads(files[path])
        cited = json.loads(item["content"])["source_file"]
        salt = bytes.fromhex(cited["salt"])
        excerpt = files[str(item["file"])]
    except (*BAD, UnicodeDecodeError) as exc:
        fail(path, f"does not open row {index} of source file {source_id}: {exc}")
        return None
    if cited.get("id") != source_id or cited.get("index") != index:
        fail(path, f"is not the proof of row {index} of source file {source_id}")
        return None
    if not excerpt.startswith(header):
        fail(str(item["file"]), f"does not start with the header of source file {source_id}")
        return None
    return salt, excerpt[len(header) :]
