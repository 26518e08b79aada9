"""Reading an export as its system wrote it: the encoding found, each record's exact bytes and
first line kept (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustguardian.domain.errors import InvalidInput
from trustguardian.service.collect.import_source import (
    decode_text,
    detect_encoding,
    read_source,
    records,
)

WORDS = "Forlì, Città di Castello, perché"


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"\xef\xbb\xbf" + WORDS.encode(), ("utf-8", True)),
        (WORDS.encode(), ("utf-8", False)),
        ((WORDS + " \u2013 10 \u20ac").encode("cp1252"), ("cp1252", False)),
        (WORDS.encode("latin-1") + b" \x81", ("iso8859-1", False)),  # 0x81: not cp1252
        (b"Email;Data\r\n", ("utf-8", False)),  # plain ASCII
    ],
)
def test_the_encoding_is_found(content: bytes, found: tuple[str, bool]) -> None:
    assert detect_encoding(content) == found
    assert WORDS in decode_text(content) or content.isascii()


def test_records_keep_their_bytes_and_first_line(tmp_path: Path) -> None:
    raw_rows = [
        "Email;Note\r\n".encode("cp1252"),
        'a@example.com;"due righe:\r\nForlì"\r\n'.encode("cp1252"),
        b"\r\n",  # a blank line is no record: its bytes go with the record before it
        "b@example.com;Città\r\n".encode("cp1252"),
    ]
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(raw_rows))
    source = read_source(path)
    assert (source.encoding, source.charset, source.bom) == ("cp1252", "windows-1252", False)
    found = list(records(source, ";"))
    assert [(r.line, r.raw, r.cells) for r in found] == [
        (1, raw_rows[0], ["Email", "Note"]),
        (2, raw_rows[1] + raw_rows[2], ["a@example.com", "due righe:\r\nForlì"]),
        (5, raw_rows[3], ["b@example.com", "Città"]),
    ]
    assert b"".join(r.raw for r in found) == path.read_bytes()  # the records rebuild the file


def test_a_named_encoding_overrides_and_a_wrong_one_is_said(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("Email\r\nmaria@forlì.it\r\n".encode("latin-1"))
    assert read_source(path, "latin-1").charset == "iso-8859-1"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfEmail\r\n")
    (header,) = records(read_source(bom, "utf-8-sig"), ";")
    assert header.cells == ["Email"]
    assert header.raw.startswith(b"\xef\xbb\xbf")  # the file's bytes, BOM and all
    with pytest.raises(InvalidInput, match="is not utf-8: byte 17 cannot be decoded"):
        read_source(path, "utf-8")
