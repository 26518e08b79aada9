"""The evidence archive of a time range as a self-verifying bundle, a directory or a zip.

Layout (every path but `manifest.txt` is listed in the manifest with its SHA-256):

- `manifest.txt`: a C2SP signed note by the instance key: a header, the range, then
  `<sha256> <path>` lines
- `public-key.txt`: the note verifier key that signed the manifest and the latest checkpoint
- `signing-keys.json`: the register of signing keys (public halves, ranges, endorsements)
- `checkpoint.txt`: the latest signed checkpoint, to which every proof leads
- `leaves/<index>.bin`: each leaf recorded in the range, byte for byte (events and registry
  records); `leaves/<index>.proof.json` its RFC 9162 inclusion proof
- `checkpoints/<size>.txt`: each checkpoint signed in the range; `.consistency.json` beside it
  proves the latest tree extends it
- `stamps/<size>.tsr`: the RFC 3161 time-stamp responses over those checkpoints (when stamped)
- `sealed/proofs/...`, `sealed/evidence/...`: the sealed proofs and evidence files of the
  range's events, still encrypted under each subject's key (an erased subject's are noise)
- `README.txt`: what the bundle is and how to verify it (`trustguardian archive verify`)
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from trustguardian.domain.events import timestamp
from trustguardian.ledger import Signer
from trustguardian.reports.dossier import listing
from trustguardian.service.archive.gather import ArchiveData

FORMAT = "trustguardian.archive/v1"
MANIFEST = "manifest.txt"

README = """Trust Guardian evidence archive ({fmt})

Ledger leaves recorded from {start} to {end} (exclusive), {leaves} in all, with their
inclusion proofs against the checkpoint of tree size {size} (checkpoint.txt); the
checkpoints signed in that range with consistency proofs to it; their RFC 3161 time-stamps;
the sealed proofs and evidence files of the range's events (still encrypted); and the
instance's public keys.

VERIFY (offline, no database needed):

    trustguardian archive verify THIS-BUNDLE --trusted-key "$(cat pinned-key.txt)"

It checks that manifest.txt is signed by the key in public-key.txt (and that this is the key
you pin: only a pin you hold from elsewhere makes the bundle evidence), that every file has
the SHA-256 the manifest lists and none is missing or added, that checkpoint.txt is signed,
that every leaf leads to its root through its inclusion proof, that every archived
checkpoint is signed by a key of signing-keys.json and that the latest tree extends it, and
that every time-stamp is over the checkpoint it names. Any changed byte fails a check.

By hand: a leaf's hash is SHA-256(0x00 || leaf); RFC 9162 section 2.1.3.2 turns it and its
inclusion_path into the root in checkpoint.txt (a C2SP signed note, Ed25519).
"""


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def leaf_name(seq: int) -> str:
    return f"leaves/{seq:012d}"


def checkpoint_name(size: int) -> str:
    return f"checkpoints/{size:012d}"


def tile_files(data: ArchiveData) -> dict[str, bytes]:
    """The C2SP tiles (c2sp.org/tlog-tiles) of the tree at checkpoint.txt, at their paths
    `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`: the verifier rebuilds the root
    from them and checks every archived leaf against its entry."""
    return dict(data.tiles)


def archive_files(data: ArchiveData) -> dict[str, bytes]:
    """Every file of the bundle but the manifest, by path."""
    size = data.checkpoint.tree_size
    files: dict[str, bytes] = {
        "public-key.txt": (data.public_key + "\n").encode(),
        "signing-keys.json": _json(data.signing_keys),
        "checkpoint.txt": data.checkpoint.note.encode(),
        "README.txt": README.format(
            fmt=FORMAT,
            start=timestamp(data.start),
            end=timestamp(data.end),
            leaves=len(data.leaves),
            size=size,
        ).encode(),
    }
    for x in data.leaves:
        name = leaf_name(x.leaf.seq)
        files[name + ".bin"] = x.leaf.leaf
        files[name + ".proof.json"] = _json(
            {"leaf_index": x.leaf.seq, "tree_size": size, "inclusion_path": _b64(x.inclusion_path)}
        )
    for c in data.checkpoints:
        name = checkpoint_name(c.checkpoint.tree_size)
        files[name + ".txt"] = c.checkpoint.note.encode()
        files[name + ".consistency.json"] = _json(
            {
                "tree_size": c.checkpoint.tree_size,
                "to_tree_size": size,
                "consistency_path": _b64(c.consistency_path),
            }
        )
    for tree_size, token in sorted(data.stamps.items()):
        files[f"stamps/{tree_size:012d}.tsr"] = token
    for blob in data.sealed:
        files[blob.path] = blob.sealed
    files.update(tile_files(data))
    return files


def manifest_text(data: ArchiveData, files: dict[str, bytes]) -> str:
    """The manifest's note text: what the bundle is, and the SHA-256 of every file."""
    header = [
        FORMAT,
        f"from {timestamp(data.start)}",
        f"to {timestamp(data.end)}",
        f"checkpoint {data.checkpoint.tree_size}",
        f"created {timestamp(data.created_at)}",
    ]
    return listing(header, files)


def bundle(data: ArchiveData, signer: Signer) -> dict[str, bytes]:
    """Every file of the bundle, the manifest signed by the instance key."""
    files = archive_files(data)
    return {MANIFEST: signer.sign(manifest_text(data, files)).encode(), **files}


def write_bundle(files: dict[str, bytes], out: Path) -> None:
    """Writes the bundle as a zip (`out` ends in .zip) or into a new, empty directory."""
    if out.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, body in sorted(files.items()):
                archive.writestr(path, body)
        out.write_bytes(buffer.getvalue())
        return
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    for path, body in sorted(files.items()):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
