"""An independent verifier of Trust Guardian's ledger, written from the specifications alone.

It deliberately imports nothing from `trustguardian`: only the standard library and
`cryptography`. It is what an outside auditor holding the instance's public key would write to
check what the service hands out, so a bug shared by the service and its own verifier cannot
hide here.

- RFC 9162 section 2.1.1: leaf hash SHA-256(0x00 || leaf), node hash SHA-256(0x01 || l || r).
- RFC 9162 section 2.1.3.2: verifying an inclusion proof.
- RFC 9162 section 2.1.4.2: verifying a consistency proof.
- C2SP signed-note (https://c2sp.org/signed-note): verifier keys `name+hash+base64(0x01||pub)`,
  key hash SHA-256(name || "\\n" || 0x01 || pub)[:4], signature lines
  `— name base64(keyhash || Ed25519 signature)`.
- C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): body `origin\\nsize\\nbase64 root\\n`
  followed by optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
ED25519 = 0x01
EM_DASH_SPACE = "\u2014 "
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


class VerificationError(Exception):
    """Raised when something handed to the verifier does not check out."""


# --- RFC 9162 hashing -------------------------------------------------------------------------


def hash_leaf(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 section 2.1.1, straight from the recursive definition."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hash_leaf(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return hash_children(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is not a {HASH_SIZE}-byte hash")


# --- RFC 9162 section 2.1.3.2: inclusion ------------------------------------------------------


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf_hash: bytes, inclusion_path: Sequence[bytes]
) -> bytes:
    """Runs the algorithm of section 2.1.3.2 and returns the root it arrives at."""
    if not 0 <= leaf_index < tree_size:
        raise VerificationError(f"leaf index {leaf_index} outside a tree of size {tree_size}")
    _check_hash(leaf_hash, "leaf hash")
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash
    for p in inclusion_path:
        _check_hash(p, "inclusion path element")
        if sn == 0:
            raise VerificationError("inclusion path is too long")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion path is too short")
    return r


def verify_inclusion(
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    inclusion_path: Sequence[bytes],
    root_hash: bytes,
) -> bool:
    try:
        _check_hash(root_hash, "root hash")
        return root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, inclusion_path) == (
            root_hash
        )
    except VerificationError:
        return False


# --- RFC 9162 section 2.1.4.2: consistency ----------------------------------------------------


def check_consistency(
    first: int,
    second: int,
    first_hash: bytes,
    second_hash: bytes,
    consistency_path: Sequence[bytes],
) -> None:
    """Raises VerificationError unless the proof shows tree `second` extends tree `first`."""
    _check_hash(first_hash, "first root")
    _check_hash(second_hash, "second root")
    for c in consistency_path:
        _check_hash(c, "consistency path element")
    if not 0 <= first <= second:
        raise VerificationError(f"sizes {first} and {second} are not in order")
    if first == second:
        # Not covered by the RFC's algorithm (it requires first < second): equal trees.
        if consistency_path:
            raise VerificationError("a proof between equal sizes must be empty")
        if first_hash != second_hash:
            raise VerificationError("equal sizes with different roots")
        return
    if first == 0:
        # The empty tree is a prefix of every tree; there is nothing to prove.
        if consistency_path:
            raise VerificationError("a proof from the empty tree must be empty")
        return
    # Step 1.
    if not consistency_path:
        raise VerificationError("empty consistency path")
    path = list(consistency_path)
    # Step 2: first is an exact power of 2.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # Step 3.
    fn, sn = first - 1, second - 1
    # Step 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency path is too long")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise VerificationError("consistency path is too short")
    if fr != first_hash:
        raise VerificationError("consistency path does not lead to the first root")
    if sr != second_hash:
        raise VerificationError("consistency path does not lead to the second root")


def verify_consistency(
    first: int,
    second: int,
    first_hash: bytes,
    second_hash: bytes,
    consistency_path: Sequence[bytes],
) -> bool:
    try:
        check_consistency(first, second, first_hash, second_hash, consistency_path)
    except VerificationError:
        return False
    return True


# --- C2SP signed notes ------------------------------------------------------------------------


def strict_b64(text: str) -> bytes:
    """Decodes canonical, padded standard base64; anything else is an error."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError(f"not base64: {text!r}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"not canonical base64: {text!r}")
    return raw


def _valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def note_key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    key_hash: bytes
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> NoteVerifier:
        """Parses `name+hash8hex+base64(0x01 || 32-byte Ed25519 public key)`."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise VerificationError("a verifier key has three +-separated parts")
        name, hash_hex, key64 = parts
        if not _valid_key_name(name):
            raise VerificationError(f"bad key name {name!r}")
        if not re.fullmatch(r"[0-9a-f]{8}", hash_hex):
            raise VerificationError(f"bad key hash {hash_hex!r}")
        raw = strict_b64(key64)
        if len(raw) != 33 or raw[0] != ED25519:
            raise VerificationError("key is not 0x01 followed by a 32-byte Ed25519 key")
        public_key = raw[1:]
        computed = note_key_hash(name, public_key)
        if computed.hex() != hash_hex:
            raise VerificationError(f"key hash {hash_hex} does not match ({computed.hex()})")
        return cls(name, computed, public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def open_signed_note(note: str, verifier: NoteVerifier) -> str:
    """Returns the note's text if `verifier` signed it; raises VerificationError otherwise.

    Signatures by other keys are ignored; a signature line naming our key (name and hash)
    that does not verify is an error.
    """
    if any(c < " " and c != "\n" for c in note):
        raise VerificationError("control characters in note")
    split = note.rfind("\n\n")
    if split < 0:
        raise VerificationError("no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n") or not block.strip():
        raise VerificationError("signature block must be non-empty lines ending in a newline")
    signed = False
    for line in block[:-1].split("\n"):
        if not line.startswith(EM_DASH_SPACE):
            raise VerificationError(f"malformed signature line {line!r}")
        name, sep, sig64 = line[len(EM_DASH_SPACE) :].partition(" ")
        if not sep or not _valid_key_name(name):
            raise VerificationError(f"malformed signature line {line!r}")
        raw = strict_b64(sig64)
        if len(raw) < 5:
            raise VerificationError("signature too short")
        if name != verifier.name or raw[:4] != verifier.key_hash:
            continue
        if not verifier.verify(text.encode("utf-8"), raw[4:]):
            raise VerificationError(f"bad signature by {name}")
        signed = True
    if not signed:
        raise VerificationError(f"not signed by {verifier.name}")
    return text


# --- C2SP checkpoints -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointBody:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def parse_checkpoint_body(text: str) -> CheckpointBody:
    if not text.endswith("\n"):
        raise VerificationError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise VerificationError("checkpoint needs origin, size and root lines")
    origin, size, root64, *extensions = lines
    if not origin:
        raise VerificationError("empty origin")
    if not _DECIMAL.fullmatch(size) or int(size) >= 2**64:
        raise VerificationError(f"bad tree size {size!r}")
    root = strict_b64(root64)
    if len(root) != HASH_SIZE:
        raise VerificationError("root is not 32 bytes")
    if any(not line for line in extensions):
        raise VerificationError("empty extension line")
    return CheckpointBody(origin, int(size), root, tuple(extensions))


def verify_checkpoint(note: str, vkey: str, origin: str | None = None) -> CheckpointBody:
    """Checks the signature of a checkpoint note with the verifier key; returns its body."""
    verifier = NoteVerifier.parse(vkey)
    body = parse_checkpoint_body(open_signed_note(note, verifier))
    if origin is not None and body.origin != origin:
        raise VerificationError(f"origin {body.origin!r} is not {origin!r}")
    return body
