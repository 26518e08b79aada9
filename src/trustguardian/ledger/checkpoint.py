"""C2SP transparency log checkpoints (https://c2sp.org/tlog-checkpoint).

A checkpoint is a signed note whose text is ``<origin>\\n<tree size>\\n<base64 root>\\n``
optionally followed by non-empty extension lines. Ours carry one, ``time <RFC 3339 UTC>``: when
the checkpoint was signed, under the signature (checkpoints from before it have none).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import MalformedCheckpointError
from .hashing import HASH_SIZE
from .keys import Signer, Verifier, b64decode_strict, is_note_safe
from .note import open_note

__all__ = [
    "MAX_TREE_SIZE",
    "Checkpoint",
    "parse_checkpoint",
    "sign_checkpoint",
    "signing_time_line",
]

MAX_TREE_SIZE = 2**64 - 1
"""Largest tree size accepted (the uint64 range other implementations use)."""
_SIZE = re.compile(r"0|[1-9][0-9]*")
_TIME = "time "
_TIME_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


def signing_time_line(moment: datetime) -> str:
    """The extension line ``time <RFC 3339 UTC>`` (microseconds kept when there are any)."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return _TIME + utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"


def _line_ok(line: str) -> bool:
    return bool(line) and "\n" not in line and is_note_safe(line)


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size and RFC 9162 root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _line_ok(self.origin):
            raise MalformedCheckpointError("origin must be one non-empty line")
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpointError(f"invalid tree size {self.size!r}")
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpointError(f"root hash must be {HASH_SIZE} bytes")
        if not all(_line_ok(line) for line in self.extensions):
            raise MalformedCheckpointError("extension lines must be non-empty single lines")

    def signing_time(self) -> datetime | None:
        """The time of the ``time`` extension line (None when there is none).

        Raises MalformedCheckpointError if there are several or one is not RFC 3339 UTC."""
        found = [line[len(_TIME) :] for line in self.extensions if line.startswith(_TIME)]
        if not found:
            return None
        if len(found) > 1 or not _TIME_VALUE.fullmatch(found[0]):
            raise MalformedCheckpointError("the time line must be one RFC 3339 UTC time")
        try:
            return datetime.fromisoformat(found[0][:-1]).replace(tzinfo=UTC)
        except ValueError as exc:
            raise MalformedCheckpointError(f"the time line is not a date: {exc}") from exc

    def body(self) -> str:
        """Return the checkpoint note text (every line ends in a newline)."""
        root = base64.b64encode(self.root_hash).decode()
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse_body(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly."""
        if not text.endswith("\n"):
            raise MalformedCheckpointError("checkpoint text must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpointError("checkpoint needs origin, size and root lines")
        origin, size, root64, *extensions = lines
        if len(size) > 20 or not _SIZE.fullmatch(size):
            raise MalformedCheckpointError(f"malformed tree size {size!r}")
        root = b64decode_strict(root64)
        if root is None or len(root) != HASH_SIZE:
            raise MalformedCheckpointError("root hash must be 32 bytes in standard base64")
        return cls(origin, int(size), root, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> str:
    """Return ``cp`` as a signed note."""
    return signer.sign(cp.body())


def parse_checkpoint(
    note: str, verifier: Verifier | Iterable[Verifier], *, origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint note and parse its body.

    Raises a :class:`~trustguardian.ledger.errors.NoteError` subclass if the signature
    does not verify or the body is malformed, or if ``origin`` is given and differs.
    """
    verifiers = [verifier] if isinstance(verifier, Verifier) else list(verifier)
    text, _ = open_note(note, verifiers)
    cp = Checkpoint.parse_body(text)
    if origin is not None and cp.origin != origin:
        raise MalformedCheckpointError(f"checkpoint origin {cp.origin!r} is not {origin!r}")
    return cp
