"""Bad rows in a campaign list: each gets its own reason and error, and the rows after it are
still answered (the run never dies) — in filter_rows, over a real HTTP server (CSV and NDJSON),
and in `trustguardian audience filter`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.domain.registry import Channel
from trustguardian.service.engage.audience import RowIn, filter_rows

from .population import DEFAULT_CHANNEL, DEFAULT_PURPOSE, Population, Row, single_answer
from .server import env_for, filter_args, post_bulk

PARAMS = {"purpose": DEFAULT_PURPOSE, "channel": DEFAULT_CHANNEL.value}
NOT_UTF8 = "invalid_encoding: not UTF-8"
COLUMNS = "wrong number of columns"

# (allowed, reason, error fragment or None) per answered row
Expected = list[tuple[bool, str, str | None]]


def good(population: Population, n: int) -> tuple[str, tuple[bool, str, str | None]]:
    """A known person's e-mail, and what check_contact says about it."""
    mail = population.people[n].email
    allowed, reason, _, _ = single_answer(population.ctx, Row({"email": mail}))
    return mail, (allowed, reason, None)


def bad(error: str) -> tuple[bool, str, str | None]:
    return (False, "invalid_row", error)


def csv_case(population: Population) -> tuple[bytes, Expected]:
    lines: list[bytes] = [b"email,purpose,channel"]
    expected: Expected = []

    def add(line: bytes, answer: tuple[bool, str, str | None]) -> None:
        lines.append(line)
        expected.append(answer)

    m0, a0 = good(population, 0)
    add(f"{m0},,".encode(), a0)
    add(b"not-an-email,,", bad("email:"))
    m1, _ = good(population, 1)
    add(f"{m1},,,surplus".encode(), bad(COLUMNS))
    add(f"{m1}".encode(), bad(COLUMNS))
    add(f"{m1},nope,".encode(), bad("unknown purpose 'nope'"))
    add(f"{m1},,pigeon".encode(), bad("unknown channel 'pigeon'"))
    # Named with its line and first bad byte, and written back as read (not blank).
    add(b"\xff\xfe" + m1.encode() + b",,", bad(f"{NOT_UTF8} (byte 0xFF) on line 8"))
    add(b",,", bad("no identifier"))
    m2, a2 = good(population, 2)
    add(f"{m2},,".encode(), a2)
    m3, _ = good(population, 3)
    add(f"{m3.upper()},{DEFAULT_PURPOSE},sms".encode(), _sms(population, m3))
    # a quoted field may span lines: one record, answered once, and the next reads on
    add(f'{m2},,"e\nmail"'.encode(), bad("unknown channel"))
    add(f"{m2},,".encode(), a2)
    # an unbalanced quote ends the file: reported, never swallowing earlier rows
    add(f'"{m1},,'.encode(), bad("unterminated quoted field"))
    return b"\n".join(lines) + b"\n", expected


def _sms(population: Population, mail: str) -> tuple[bool, str, str | None]:
    allowed, reason, _, _ = single_answer(
        population.ctx, Row({"email": mail, "channel": Channel.SMS.value})
    )
    return (allowed, reason, None)


def ndjson_case(population: Population) -> tuple[bytes, Expected]:
    lines: list[bytes] = []
    expected: Expected = []

    def add(line: bytes, answer: tuple[bool, str, str | None]) -> None:
        lines.append(line)
        expected.append(answer)

    m0, a0 = good(population, 0)
    add(orjson.dumps({"email": m0}), a0)
    add(b'{"email": "unterminated', bad("malformed JSON"))
    add(b"[1, 2]", bad("a row is a JSON object"))
    add(b'{"email": "\xff\xfe"}', bad(NOT_UTF8))
    add(orjson.dumps({"email": "not-an-email"}), bad("email:"))
    m1, _ = good(population, 1)
    add(orjson.dumps({"email": m1, "purpose": "nope"}), bad("unknown purpose 'nope'"))
    add(orjson.dumps({"email": m1, "channel": "pigeon"}), bad("unknown channel 'pigeon'"))
    add(orjson.dumps({"email": None}), bad("no identifier"))
    m2, a2 = good(population, 2)
    add(orjson.dumps({"email": m2}), a2)
    return b"\n".join(lines) + b"\n", expected


def assert_csv(text: str, expected: Expected) -> None:
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["email", "purpose", "channel", "allowed", "reason", "error"]
    assert len(rows) == len(expected), rows
    for row, (allowed, reason, error) in zip(rows, expected, strict=True):
        assert (row[-3], row[-2]) == (str(allowed).lower(), reason), row
        if error is None:
            assert row[-1] == "", row
        else:
            assert error in row[-1], row


def assert_ndjson(text: str, expected: Expected) -> None:
    items = [orjson.loads(line) for line in text.splitlines()]
    assert len(items) == len(expected), items
    for item, (allowed, reason, error) in zip(items, expected, strict=True):
        assert (item["allowed"], item["reason"]) == (allowed, reason), item
        if error is None:
            assert "error" not in item, item
        else:
            assert error in item["error"], item


# --- filter_rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [5000, 2])
def test_filter_rows_answers_each_bad_row_and_goes_on(population: Population, batch: int) -> None:
    m0, a0 = good(population, 0)
    m1, a1 = good(population, 1)
    rows = [
        RowIn(2, {"email": "not-an-email"}),
        RowIn(3, {"email": m0}),
        RowIn(4, {}, NOT_UTF8),
        RowIn(5, {"email": m1, "purpose": "nope"}),
        RowIn(6, {"email": m1, "channel": "pigeon"}),
        RowIn(7, {"email": m1, "extra": "x"}, COLUMNS),
        RowIn(8, {"phone": "12"}),
        RowIn(9, {"note": "nothing"}),
        RowIn(10, {"email": m1}),
    ]
    outs = list(
        filter_rows(
            population.ctx, rows, purpose=DEFAULT_PURPOSE, channel=DEFAULT_CHANNEL, batch=batch
        )
    )
    assert [o.row.number for o in outs] == list(range(2, 11))
    got = [(o.allowed, o.reason, o.error) for o in outs]
    assert got[1] == a0
    assert got[8] == a1
    for n in (0, 2, 3, 4, 5, 6, 7):
        allowed, reason, error = got[n]
        assert (allowed, reason) == (False, "invalid_row")
        assert error
    assert got[0][2].startswith("email:")
    assert got[2][2] == NOT_UTF8
    assert got[5][2] == COLUMNS
    assert got[6][2].startswith("phone:")


def test_filter_rows_with_neither_a_default_nor_a_row_purpose(population: Population) -> None:
    m0, _ = good(population, 0)
    rows = [RowIn(2, {"email": m0}), RowIn(3, {"email": m0, "purpose": DEFAULT_PURPOSE})]
    outs = list(filter_rows(population.ctx, rows, purpose=None, channel=Channel.EMAIL))
    assert outs[0].reason == "invalid_row"
    assert outs[1].error is None


# --- a real server ---------------------------------------------------------------------------


def test_http_bulk_answers_bad_csv_rows(population: Population, http: httpx.Client) -> None:
    data, expected = csv_case(population)
    answer = post_bulk(http, data, content_type="text/csv", params=PARAMS)
    assert answer.status_code == 200, answer.text
    assert_csv(answer.text, expected)


def test_http_bulk_answers_bad_ndjson_rows(population: Population, http: httpx.Client) -> None:
    data, expected = ndjson_case(population)
    answer = post_bulk(http, data, content_type="application/x-ndjson", params=PARAMS)
    assert answer.status_code == 200, answer.text
    assert_ndjson(answer.text, expected)


# --- the command line -------------------------------------------------------------------------


def run_filter(population: Population, source: Path, tmp_path: Path) -> tuple[list, list, str]:
    good_file, bad_file = tmp_path / "ok.csv", tmp_path / "rejected.csv"
    result = CliRunner().invoke(
        app,
        filter_args(source, good_file, bad_file),
        env=env_for(population.ctx.settings),
    )
    assert result.exit_code == 0, result.output
    with good_file.open(newline="", encoding="utf-8") as handle:
        ok = list(csv.reader(handle))
    with bad_file.open(newline="", encoding="utf-8") as handle:
        rejected = list(csv.reader(handle))
    return ok, rejected, result.output


def test_cli_audience_filter_answers_bad_rows(population: Population, tmp_path: Path) -> None:
    data, expected = csv_case(population)
    source = tmp_path / "list.csv"
    source.write_bytes(data)
    ok, rejected, output = run_filter(population, source, tmp_path)
    assert ok[0] == ["email", "purpose", "channel"]
    assert rejected[0] == ["email", "purpose", "channel", "reason", "error"]
    allowed = [e for e in expected if e[0]]
    denied = [e for e in expected if not e[0]]
    assert len(ok) - 1 == len(allowed)
    assert len(rejected) - 1 == len(denied)
    for row, (_, reason, error) in zip(rejected[1:], denied, strict=True):
        assert row[-2] == reason, row
        assert (error or "") in row[-1], row
    [unreadable] = [row for row in rejected if NOT_UTF8 in row[-1]]
    assert unreadable[0].endswith(good(population, 1)[0])
    assert f"{len(allowed)} allowed, {len(denied)} rejected" in output


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_list_saved_by_excel_with_a_byte_order_mark_is_read(
    population: Population, http: httpx.Client, tmp_path: Path, newline: bytes
) -> None:
    """Excel's "CSV UTF-8" starts the file with a BOM (and ends lines with CRLF); the first
    column must still be read as `email`, not as "\ufeffemail" (then no row has an identifier)."""
    mail = next(
        p.email
        for p in population.people
        if single_answer(population.ctx, Row({"email": p.email}))[0]
    )
    data = b"\xef\xbb\xbf" + newline.join([b"email", mail.encode(), b""])
    source = tmp_path / "excel.csv"
    source.write_bytes(data)
    ok, rejected, _ = run_filter(population, source, tmp_path)
    assert (ok[1:], rejected[1:]) == ([[mail]], [])
    answer = post_bulk(http, data, content_type="text/csv", params=PARAMS)
    header, *rows = list(csv.reader(io.StringIO(answer.text)))
    assert header == ["email", "allowed", "reason", "error"]
    assert rows == [[mail, "true", "consent_given", ""]]


def test_http_bulk_answers_a_header_ended_by_a_bare_carriage_return(
    population: Population, http: httpx.Client
) -> None:
    # The header is read as records are: a bare CR ends it (it used to make the csv module raise
    # inside the stream, a server error).
    answer = post_bulk(http, b"email\r0", content_type="text/csv", params=PARAMS)
    assert answer.status_code == 200, answer.text
    header, row = answer.text.splitlines()
    assert header == "email,allowed,reason,error"
    assert row.startswith("0,false,invalid_row,email:"), row
    # A header naming no identifier is refused before anything is answered.
    answer = post_bulk(http, b"0\r0", content_type="text/csv", params=PARAMS)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_carriage_return_inside_a_line_ends_a_record_in_both_readers(
    population: Population, http: httpx.Client, tmp_path: Path
) -> None:
    """A stray CR splits a line into two records, as the csv module reads it, instead of the
    record after it being dropped without a word; a CR inside quotes stays in its field."""
    m0, a0 = good(population, 0)
    m1, a1 = good(population, 1)
    data = b"email,note\n" + f"{m0},a\r{m1},b\n".encode() + f'{m0},"x\ry"\n'.encode()
    source = tmp_path / "cr.csv"
    source.write_bytes(data)
    ok, rejected, _ = run_filter(population, source, tmp_path)
    answered = {tuple(r) for r in ok[1:]} | {tuple(r[:2]) for r in rejected[1:]}
    assert answered == {(m0, "a"), (m1, "b"), (m0, "x\ry")}
    assert len(ok) - 1 + len(rejected) - 1 == 3
    answer = post_bulk(http, data, content_type="text/csv", params=PARAMS)
    _, *rows = list(csv.reader(io.StringIO(answer.text, newline="")))
    assert [r[:2] for r in rows] == [[m0, "a"], [m1, "b"], [m0, "x\ry"]]
    assert [(r[2] == "true", r[3]) for r in rows] == [a0[:2], a1[:2], a0[:2]]
