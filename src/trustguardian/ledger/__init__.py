"""Storage-agnostic RFC 9162 Merkle log toolkit for Trust Guardian's tamper-evident ledger.

- :mod:`.canonical`: RFC 8785 canonical JSON for entry bytes.
- :mod:`.tree`: leaf/node hashing, stored complete subtree nodes, append, and the
  batched ``*_coords`` + builder functions for roots, inclusion and consistency proofs.
- :mod:`.verify`: RFC 9162 inclusion and consistency proof verification.
- :mod:`.keys` / :mod:`.note`: C2SP signed notes with Ed25519 keys.
- :mod:`.checkpoint`: C2SP tlog checkpoints (signed tree heads).

Only the standard library, ``cryptography`` and ``rfc8785`` are used.
"""

from __future__ import annotations

from .canonical import CanonicalizationError, canonical_json, canonical_json_plain
from .checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    signing_time_line,
)
from .errors import (
    InvalidKeyError,
    InvalidSignatureError,
    MalformedCheckpointError,
    MalformedNoteError,
    NoteError,
    UnverifiedNoteError,
)
from .hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash
from .keys import Signer, Verifier, is_valid_key_name, key_hash, parse_verifiers
from .note import open_note, sign_note
from .tree import (
    Coord,
    Node,
    append,
    append_coords,
    consistency_coords,
    consistency_proof,
    inclusion_coords,
    inclusion_proof,
    root,
    root_coords,
)
from .verify import root_from_inclusion, verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "CanonicalizationError",
    "Checkpoint",
    "Coord",
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedCheckpointError",
    "MalformedNoteError",
    "Node",
    "NoteError",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "append",
    "append_coords",
    "canonical_json",
    "canonical_json_plain",
    "consistency_coords",
    "consistency_proof",
    "inclusion_coords",
    "inclusion_proof",
    "is_valid_key_name",
    "key_hash",
    "leaf_hash",
    "node_hash",
    "open_note",
    "parse_checkpoint",
    "parse_verifiers",
    "root",
    "root_coords",
    "root_from_inclusion",
    "sign_checkpoint",
    "sign_note",
    "signing_time_line",
    "verify_consistency",
    "verify_inclusion",
]
