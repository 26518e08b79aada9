"""C2SP signed notes (https://c2sp.org/signed-note): signing and verified opening.

A signed note is UTF-8 text ending in a newline, a blank line, then one line per
signature: ``— <key name> base64(4-byte key hash || Ed25519 signature)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import (
    InvalidKeyError,
    InvalidSignatureError,
    MalformedNoteError,
    UnverifiedNoteError,
)
from .keys import (
    SIG_PREFIX,
    Signer,
    Verifier,
    b64decode_strict,
    check_note_text,
    is_note_safe,
    is_valid_key_name,
)

__all__ = ["MAX_SIGNATURES", "open_note", "sign_note"]

MAX_SIGNATURES = 100
"""Notes with more signature lines are rejected (the spec requires accepting 16)."""


def sign_note(text: str, *signers: Signer) -> str:
    """Return ``text`` signed by each of ``signers`` (at least one), in order."""
    if not signers:
        raise ValueError("at least one signer is needed")
    lines = dict.fromkeys(signer.signature_line(text) for signer in signers)
    return check_note_text(text) + "\n" + "".join(lines)


def _parse_signature_line(line: str) -> tuple[str, bytes, bytes]:
    if not line.startswith(SIG_PREFIX):
        raise MalformedNoteError("signature line must start with an em dash and a space")
    name, _, sig64 = line[len(SIG_PREFIX) :].partition(" ")
    raw = b64decode_strict(sig64)
    if raw is None or len(raw) < 5 or not is_valid_key_name(name):
        raise MalformedNoteError("malformed signature line")
    return name, raw[:4], raw[4:]


def open_note(note: str, verifiers: Iterable[Verifier]) -> tuple[str, list[str]]:
    """Verify ``note``; return its text and the names of the known keys that signed it.

    Signatures from unknown keys (name and key hash not both matching) are ignored.
    Raises :class:`MalformedNoteError`, :class:`InvalidSignatureError` if a known key's
    signature fails, or :class:`UnverifiedNoteError` if no known key signed.
    """
    if not is_note_safe(note):
        raise MalformedNoteError("note must be UTF-8 without control characters")
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("signature block must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError("too many signatures")
    known: dict[tuple[str, bytes], set[Verifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_hash), set()).add(verifier)
    message = text.encode()
    verified: list[str] = []
    for line in lines:
        name, hash4, signature = _parse_signature_line(line)
        candidates = known.get((name, hash4))
        if not candidates:
            continue  # unknown key: ignored, as the spec requires
        if len(candidates) > 1:
            raise InvalidKeyError(f"ambiguous key {name}+{hash4.hex()}")
        if not next(iter(candidates)).verify(message, signature):
            raise InvalidSignatureError(f"invalid signature for key {name}+{hash4.hex()}")
        if name not in verified:
            verified.append(name)
    if not verified:
        raise UnverifiedNoteError("note has no signature from a known key")
    return text, verified
