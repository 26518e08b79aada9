"""`add-checkpoint` (https://c2sp.org/tlog-witness): the request body, its checks in the
order the specification gives their status codes, and the cosignature."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from trustguardian.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    InvalidKeyError,
    InvalidSignatureError,
    NoteError,
    UnverifiedNoteError,
    Verifier,
    open_note,
    verify_consistency,
)
from trustguardian.ledger.cosignature import CosignerKey, add_cosignatures, split_note
from trustguardian.ledger.keys import b64decode_strict
from trustguardian.store.witness_state import Refused, WitnessState

__all__ = [
    "MAX_PROOF_LINES",
    "AddCheckpoint",
    "Witness",
    "open_state",
    "parse_log",
    "parse_request",
]

MAX_PROOF_LINES = 63
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed request: the old size, the consistency proof and the checkpoint note."""

    old_size: int
    proof: list[bytes]
    note: str


def parse_request(body: bytes) -> AddCheckpoint:
    """Parses an add-checkpoint body; raises Refused(400) naming what is malformed."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise Refused(400, "the request has no blank line before the checkpoint")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if match is None:
        raise Refused(400, "the first line must be 'old' and a tree size")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise Refused(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        raw = b64decode_strict(line)
        if raw is None or len(raw) != 32:
            raise Refused(400, "a consistency proof line is not a base64 SHA-256 hash")
        proof.append(raw)
    return AddCheckpoint(int(match.group(1)), proof, note)


def parse_log(spec: str) -> tuple[str, Verifier]:
    """`ORIGIN=VKEY`, or a bare `VKEY` whose key name is the origin."""
    origin, sep, rest = spec.partition("=")
    if sep and "+" not in origin:
        return origin, Verifier.parse(rest)
    verifier = Verifier.parse(spec)
    return verifier.name, verifier


def open_state(path: Path) -> WitnessState:
    """The witness's state file, created if new (sqlite3.Error if it cannot be opened)."""
    return WitnessState(path)


@dataclass
class Witness:
    """The witness: its key, the logs it knows (origin -> their keys) and its state."""

    key: CosignerKey
    logs: Mapping[str, Iterable[Verifier]]
    state: WitnessState
    clock: Callable[[], float] = time.time

    def add_checkpoint(self, body: bytes) -> str:
        """Cosigns the request's checkpoint and returns the cosignature line; raises Refused."""
        request = parse_request(body)
        try:
            text, _ = split_note(request.note)
            checkpoint = Checkpoint.parse_body(text)
        except NoteError as exc:
            raise Refused(400, f"the checkpoint is malformed: {exc}") from None
        verifiers = self.logs.get(checkpoint.origin)
        if verifiers is None:
            raise Refused(404, f"unknown log origin {checkpoint.origin!r}")
        try:
            open_note(request.note, verifiers)
        except (UnverifiedNoteError, InvalidSignatureError, InvalidKeyError):
            raise Refused(403, "the checkpoint is not signed by the log's key") from None
        except NoteError as exc:
            raise Refused(400, f"the checkpoint is malformed: {exc}") from None
        if request.old_size > checkpoint.size:
            raise Refused(400, "the old size is larger than the checkpoint's")
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            raise Refused(422, "a checkpoint of size 0 must have the empty tree's root")
        if request.old_size == 0 and request.proof:
            raise Refused(422, "a consistency proof from size 0 must be empty")

        def consistent(old_size: int, old_root: bytes) -> bool:
            return verify_consistency(
                old_size, checkpoint.size, old_root, checkpoint.root_hash, request.proof
            )

        def cosign() -> tuple[str, str]:
            line = self.key.cosign(text, max(1, int(self.clock())))
            return line, add_cosignatures(request.note, [line])

        return self.state.advance(
            checkpoint.origin,
            request.old_size,
            checkpoint.size,
            checkpoint.root_hash,
            consistent,
            cosign,
        )
