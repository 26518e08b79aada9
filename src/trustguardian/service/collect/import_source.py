"""Reading a legacy export as the company's system wrote it: its encoding found, each record's
exact bytes and first line kept, so every event can cite the part of the file it came from.

Encodings, in the order tried: a UTF-8 byte-order mark; strict UTF-8 (a cp1252 or Latin-1 file
with any accented letter is almost never valid UTF-8); cp1252, what Excel writes in Western
Europe; ISO-8859-1, which decodes any byte (cp1252 leaves five bytes undefined).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trustguardian.domain.errors import InvalidInput

BOM = codecs.BOM_UTF8
DETECTED = ("utf-8", "cp1252", "iso8859-1")  # Python's own names (codecs.lookup(...).name)
# What a row's evidence says the bytes are (IANA charset names, as a media type carries them).
CHARSETS = {"utf-8": "utf-8", "cp1252": "windows-1252", "iso8859-1": "iso-8859-1"}


@dataclass(frozen=True)
class SourceFile:
    """The file's bytes, how they decode, and their SHA-256."""

    name: str
    content: bytes
    encoding: str  # a Python codec name
    bom: bool
    sha256: str

    @property
    def charset(self) -> str:
        return CHARSETS.get(self.encoding, self.encoding)


@dataclass(frozen=True)
class Record:
    """One CSV record: the line it starts on, its bytes exactly as in the file, its cells."""

    line: int
    raw: bytes
    cells: list[str]


def detect_encoding(content: bytes) -> tuple[str, bool]:
    """Returns (codec, whether a UTF-8 byte-order mark starts the content)."""
    if content.startswith(BOM):
        return "utf-8", True
    for codec in DETECTED[:-1]:
        try:
            content.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec, False
    return DETECTED[-1], False


def decode_text(content: bytes) -> str:
    """Decodes a text file in whichever of the detected encodings it is in (no byte-order mark)."""
    codec, bom = detect_encoding(content)
    return content[len(BOM) if bom else 0 :].decode(codec)


def read_source(path: Path, encoding: str | None = None) -> SourceFile:
    """Reads the file; `encoding` (a codec name) overrides the detection."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInput(f"{path.name} is UTF-16 (Unicode text): save it as CSV instead")
    if b"\x00" in content:
        raise InvalidInput(f"{path.name} is not a text file: export it as CSV")
    if encoding is None:
        codec, bom = detect_encoding(content)
    else:
        codec = codecs.lookup(encoding).name
        if codec == "utf-8-sig":
            codec = "utf-8"
        try:
            content.decode(codec)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{path.name} is not {encoding}: byte {exc.start} cannot be decoded "
                "(leave csv.encoding out of the mapping to detect it)"
            ) from exc
        bom = codec == "utf-8" and content.startswith(BOM)
    return SourceFile(path.name, content, codec, bom, hashlib.sha256(content).hexdigest())


def records(source: SourceFile, delimiter: str) -> Iterator[Record]:
    """Yields every non-blank record, the header first. A blank line's bytes go with the record
    before it (before the header: with the header), so the records' bytes, joined, are the file."""
    lines = source.content.splitlines(keepends=True)
    taken: list[int] = []

    def feed() -> Iterator[str]:
        for n, raw in enumerate(lines):
            taken.append(n)
            text = raw.decode(source.encoding)  # whole lines: a newline byte is never inside
            yield text[1:] if n == 0 and source.bom else text  # a multi-byte character

    held: Record | None = None  # yielded once the next record shows no blank line follows it
    lead = b""
    try:
        for cells in csv.reader(feed(), delimiter=delimiter, strict=True):
            used = taken[:]
            taken.clear()
            raw = b"".join(lines[n] for n in used)
            if not cells:
                if held is None:
                    lead += raw
                else:
                    held = Record(held.line, held.raw + raw, held.cells)
                continue
            if held is not None:
                yield held
            held, lead = Record(used[0] + 1, lead + raw, cells), b""
    except csv.Error as exc:
        line = taken[0] + 1 if taken else len(lines)
        raise InvalidInput(f"{source.name} is not a readable CSV from line {line}: {exc}") from exc
    if held is not None:
        yield held


def count_records(source: SourceFile, delimiter: str) -> int:
    """Data records in the file (a record may span lines), for the progress bar."""
    return max(sum(1 for _ in records(source, delimiter)) - 1, 0)
