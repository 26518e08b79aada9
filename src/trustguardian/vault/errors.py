"""Exceptions raised by the vault."""

from __future__ import annotations


class VaultError(Exception):
    """A sealed value could not be opened or a key could not be used.

    Raised for tampering, a wrong key, wrong associated data, or a malformed blob.
    The vault never returns unauthenticated plaintext: failure is always this error.
    """


class EvidenceTooLarge(VaultError):
    """Evidence content exceeds the configured size limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(size, limit)
        self.size = size
        self.limit = limit

    def __str__(self) -> str:
        return f"evidence is {self.size} bytes, above the limit of {self.limit} bytes"


class SubjectShredded(VaultError):
    """The subject has no data key: it was erased (crypto-shredded) or never created."""

    def __init__(self, subject_id: str) -> None:
        super().__init__(subject_id)
        self.subject_id = subject_id

    def __str__(self) -> str:
        return f"subject {self.subject_id!r} has no data key (erased or never created)"
