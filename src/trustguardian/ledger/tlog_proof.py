"""C2SP offline proofs of logging (https://c2sp.org/tlog-proof): the entry's index, its RFC 6962
inclusion proof and the (cosigned) checkpoint, checked under a tlog-policy."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .checkpoint import Checkpoint, parse_checkpoint
from .errors import NoteError
from .hashing import HASH_SIZE
from .keys import b64decode_strict
from .policy import Policy, PolicyError
from .verify import verify_inclusion

__all__ = ["HEADER", "TlogProof", "format_tlog_proof", "parse_tlog_proof", "verify_tlog_proof"]

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,19})")


@dataclass(frozen=True)
class TlogProof:
    index: int
    path: tuple[bytes, ...]
    note: str
    extra: bytes | None = None


def format_tlog_proof(
    index: int, path: Sequence[bytes], note: str, extra: bytes | None = None
) -> str:
    """The proof text: header, optional extra, index, one base64 hash a line, blank, note."""
    lines = [HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines += [base64.b64encode(h).decode() for h in path]
    return "\n".join(lines) + "\n\n" + note


def parse_tlog_proof(text: str) -> TlogProof:
    """Parses a proof strictly; raises PolicyError naming what is malformed."""
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != HEADER:
        raise PolicyError(f"not a tlog-proof: it must start with {HEADER}")
    extra = None
    rest = lines[1:]
    if rest and rest[0].startswith("extra "):
        extra = b64decode_strict(rest[0][len("extra ") :])
        if extra is None:
            raise PolicyError("the extra line is not base64")
        rest = rest[1:]
    match = _INDEX.fullmatch(rest[0]) if rest else None
    if match is None:
        raise PolicyError("the proof has no index line")
    path = []
    for line in rest[1:]:
        raw = b64decode_strict(line)
        if raw is None or len(raw) != HASH_SIZE:
            raise PolicyError("an inclusion proof line is not a base64 SHA-256 hash")
        path.append(raw)
    return TlogProof(int(match.group(1)), tuple(path), note, extra)


def verify_tlog_proof(text: str, leaf_hash: bytes, policy: Policy) -> Checkpoint:
    """Checks a proof for the entry of `leaf_hash`: a log of the policy signed the checkpoint,
    its cosignatures meet the quorum, and the inclusion proof binds the leaf to its root.
    Returns the checkpoint; raises PolicyError with one sentence otherwise."""
    proof = parse_tlog_proof(text)
    try:
        checkpoint = parse_checkpoint(proof.note, policy.logs)
        policy.check_quorum(proof.note)
    except NoteError as exc:
        raise PolicyError(f"the checkpoint does not verify: {exc}") from None
    if not any(log.name == checkpoint.origin for log in policy.logs):
        raise PolicyError(f"no log of the policy has origin {checkpoint.origin!r}")
    if not verify_inclusion(
        leaf_hash, proof.index, checkpoint.size, proof.path, checkpoint.root_hash
    ):
        raise PolicyError(f"the inclusion proof of index {proof.index} does not verify")
    return checkpoint
