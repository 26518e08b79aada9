"""Exceptions raised by the ledger package."""

from __future__ import annotations

__all__ = [
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedCheckpointError",
    "MalformedNoteError",
    "NoteError",
    "UnverifiedNoteError",
]


class NoteError(ValueError):
    """Base class for signed-note and note-key errors."""


class MalformedNoteError(NoteError):
    """The note does not follow the signed-note syntax."""


class UnverifiedNoteError(NoteError):
    """No signature on the note is from a known key."""


class InvalidSignatureError(NoteError):
    """A signature from a known key failed to verify."""


class InvalidKeyError(NoteError):
    """A key name, key string or key material is malformed."""


class MalformedCheckpointError(NoteError):
    """The note text is not a well-formed tlog checkpoint body."""
