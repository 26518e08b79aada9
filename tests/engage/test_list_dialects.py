"""Lists as people save them: the same list separated by commas, by semicolons (Excel's Italian
export, with a byte order mark, CRLF and a header `E-mail`) or by tabs (header `Email`) gets the
same answers from `trustguardian audience filter` (its entry point, with worker processes) and
from a real server's `POST /v1/checks/bulk`; columns named otherwise are mapped with
`--column`; a list with no row that could be checked is refused in one sentence, writing
nothing."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.factories.cli import tg

from trustguardian.domain.errors import InvalidInput
from trustguardian.service.engage.list_header import ALIASES, name_key, parse_columns, read_header

from .population import DEFAULT_CHANNEL, DEFAULT_PURPOSE, HEADER, Population, Row, single_answer
from .server import env_for, filter_args, post_bulk

PARAMS = {"purpose": DEFAULT_PURPOSE, "channel": DEFAULT_CHANNEL.value}

# How each dialect writes the list: delimiter, byte order mark, line ending, header names.
DIALECTS = {
    "comma": (",", "", "\n", {}),
    "excel-it": (
        ";",
        "\ufeff",
        "\r\n",
        {
            "email": "E-mail",
            "phone": "Cellulare",
            "customer_id": "Codice cliente",
            "subject_id": "Subject ID",
            "purpose": "Purpose",
            "channel": "Channel",
            "note": "Nota",
        },
    ),
    "tab": (
        "\t",
        "",
        "\n",
        {"email": "Email", "phone": "Telefono", "customer_id": "customer id", "note": "Note"},
    ),
}


def rows_of(population: Population) -> list[Row]:
    """The population's list, and rows whose fields hold every delimiter, quotes and accents."""
    mail = population.people[0].email
    return [
        *population.rows,
        Row({"email": mail, "note": 'uno; due, tre\tquattro "cinque"'}),
        Row({"email": population.people[1].email, "note": "Niccolò Sarà"}),
        Row({"email": "a;b@example.com", "note": "semicolon"}, bad=True),
    ]


def write(rows: list[Row], dialect: str) -> bytes:
    delimiter, bom, newline, names = DIALECTS[dialect]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow([names.get(h, h) for h in HEADER])
    for row in rows:
        writer.writerow(row.csv_values())
    return (bom + out.getvalue()).encode()


def read(data: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def run_cli(
    population: Population, source: Path, tmp_path: Path, *extra: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """`trustguardian audience filter` through the entry point, with its default workers."""
    good, bad = tmp_path / f"{source.stem}-ok.csv", tmp_path / f"{source.stem}-rejected.csv"
    done = tg(
        *filter_args(source, good, bad),
        *extra,
        env={**os.environ, **env_for(population.ctx.settings), "COLUMNS": "400"},
    )
    return done, good, bad


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """A non-zero exit with one sentence on stderr, naming the words, and no traceback."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines
    assert lines[0].endswith("."), lines
    for word in words:
        assert word in lines[0], lines


def test_the_same_list_in_three_dialects_gets_the_same_answers_from_the_cli(
    population: Population, tmp_path: Path
) -> None:
    rows = rows_of(population)
    expected = [single_answer(population.ctx, row) for row in rows]
    allowed = [row.csv_values() for row, e in zip(rows, expected, strict=True) if e[0]]
    rejected = [
        [*row.csv_values(), e[1]] for row, e in zip(rows, expected, strict=True) if not e[0]
    ]
    assert allowed
    assert rejected
    outputs = {}
    for dialect, (delimiter, bom, _, names) in DIALECTS.items():
        source = tmp_path / f"{dialect}.csv"
        source.write_bytes(write(rows, dialect))
        done, good, bad = run_cli(population, source, tmp_path, "--workers", "2")
        assert done.returncode == 0, done.stderr
        assert f"{len(allowed)} allowed, {len(rejected)} rejected" in done.stdout
        # written as the list was: its delimiter, its byte order mark, its header's names
        ok_bytes, bad_bytes = good.read_bytes(), bad.read_bytes()
        assert ok_bytes.startswith(bom.encode() + names.get("email", "email").encode())
        assert bad_bytes.startswith(bom.encode())
        ok_header, *ok_rows = read(ok_bytes, delimiter)
        bad_header, *bad_rows = read(bad_bytes, delimiter)
        assert ok_header == [names.get(h, h) for h in HEADER]
        assert bad_header == [*ok_header, "reason", "error"]
        assert ok_rows == allowed
        assert [r[:-1] for r in bad_rows] == rejected
        outputs[dialect] = (ok_rows, bad_rows)
        # the progress bar ends on the rows checked, out of a total it had estimated
        answered = len(allowed) + len(rejected)
        assert f"{answered}/{answered}" in done.stdout, done.stdout
    assert outputs["comma"] == outputs["excel-it"] == outputs["tab"]


def test_the_same_list_in_three_dialects_gets_the_same_answers_over_http(
    population: Population, http: httpx.Client
) -> None:
    rows = rows_of(population)
    expected = [single_answer(population.ctx, row) for row in rows]
    answered = {}
    for dialect, (delimiter, _, _, names) in DIALECTS.items():
        answer = post_bulk(http, write(rows, dialect), content_type="text/csv", params=PARAMS)
        assert answer.status_code == 200, answer.text
        header, *lines = read(answer.content, delimiter)
        assert header == [*(names.get(h, h) for h in HEADER), "allowed", "reason", "error"]
        assert [line[:-3] for line in lines] == [row.csv_values() for row in rows]
        assert [(line[-3] == "true", line[-2]) for line in lines] == [e[:2] for e in expected]
        answered[dialect] = lines
    assert answered["comma"] == answered["excel-it"] == answered["tab"]


def test_a_column_named_otherwise_is_read_with_column(
    population: Population, http: httpx.Client, tmp_path: Path
) -> None:
    people = population.people[:20]
    expected = [single_answer(population.ctx, Row({"email": p.email})) for p in people]
    source = tmp_path / "indirizzi.csv"
    source.write_text(
        "Nome;Indirizzo\n" + "".join(f"P{n};{p.email}\n" for n, p in enumerate(people))
    )
    done, good, bad = run_cli(population, source, tmp_path)
    assert_refused(done, "no column of indirizzi.csv is an identifier", "Nome;Indirizzo")
    assert not good.exists()
    assert not bad.exists()
    done, good, bad = run_cli(population, source, tmp_path, "--column", "email=Indirizzo")
    assert done.returncode == 0, done.stderr
    assert "Reading email from 'Indirizzo'" in done.stdout
    assert [r[1] for r in read(good.read_bytes(), ";")[1:]] == [
        p.email for p, e in zip(people, expected, strict=True) if e[0]
    ]
    assert [r[2] for r in read(bad.read_bytes(), ";")[1:]] == [e[1] for e in expected if not e[0]]
    answer = post_bulk(
        http,
        source.read_bytes(),
        content_type="text/csv",
        params={**PARAMS, "column": "email=Indirizzo"},
    )
    assert answer.status_code == 200, answer.text
    assert [r[3] for r in read(answer.content, ";")[1:]] == [e[1] for e in expected]


def test_a_list_with_only_unknown_columns_is_refused(
    population: Population, http: httpx.Client, tmp_path: Path
) -> None:
    data = b"\xef\xbb\xbfNome;Cognome\r\nMario;Rossi\r\n"
    source = tmp_path / "persone.csv"
    source.write_bytes(data)
    done, good, bad = run_cli(population, source, tmp_path)
    assert_refused(done, "persone.csv", "Nome;Cognome", "--column email=COL")
    assert not good.exists()
    assert not bad.exists()
    answer = post_bulk(http, data, content_type="text/csv", params=PARAMS)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "Nome;Cognome" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"email\nx,y\na,b,c\n", ["no row of list.csv could be checked", "line 2"]),
        (b"email;nome\nnot-an-email;Mario\n", ["no row of list.csv could be checked", "email:"]),
        (b"E-mail\r\n\r\n", ["list.csv has no rows after its header"]),
        (b"", ["list.csv is empty"]),
        (b"\xff\xfee\x00m\x00", ["UTF-16"]),
    ],
)
def test_a_list_with_no_readable_row_exits_non_zero_writing_nothing(
    population: Population, tmp_path: Path, data: bytes, words: list[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_bytes(data)
    done, good, bad = run_cli(population, source, tmp_path)
    assert_refused(done, *words)
    assert not good.exists()
    assert not bad.exists()


@pytest.mark.parametrize(
    ("column", "words"),
    [
        ("emial=Indirizzo", ["names no role", "email, phone"]),
        ("email=Indirizo", ["has no column 'Indirizo'", "E-mail;Nome"]),
        ("email", ["is not ROLE=COLUMN"]),
    ],
)
def test_a_wrong_column_mapping_is_one_sentence(
    population: Population, http: httpx.Client, tmp_path: Path, column: str, words: list[str]
) -> None:
    data = b"E-mail;Nome\nmario@example.com;Mario\n"
    source = tmp_path / "list.csv"
    source.write_bytes(data)
    done, good, bad = run_cli(population, source, tmp_path, "--column", column)
    assert_refused(done, *words)
    assert not good.exists()
    assert not bad.exists()
    answer = post_bulk(http, data, content_type="text/csv", params={**PARAMS, "column": column})
    assert answer.status_code == 422, answer.text
    assert words[0] in answer.json()["detail"]


def test_the_header_decides_the_delimiter_even_with_delimiters_in_quoted_names() -> None:
    def header(data: bytes, *mapping: str) -> tuple[str, list[str]]:
        columns = parse_columns(mapping, how="--column")
        found = read_header(iter([data]), source="f.csv", columns=columns, how="--column")
        return found.delimiter, found.keys

    assert header(b'"Cognome, Nome";E-mail\r\n') == (";", ["Cognome, Nome", "email"])
    assert header(b'"Cognome; Nome",Mail\n') == (",", ["Cognome; Nome", "email"])
    assert header(b"Nome\tPosta elettronica\tN\xc3\xb9mero di telefono\n") == (
        "\t",
        ["Nome", "email", "phone"],
    )
    assert header(b"email\n") == (",", ["email"])
    # Excel's `sep=` line names the delimiter
    lines = iter([b"sep=;\n", b"Nome,x;EMAIL\n", b"row\n"])
    found = read_header(lines, source="f.csv", columns={}, how="--column")
    assert (found.delimiter, found.keys, found.line) == (";", ["Nome,x", "email"], 2)
    assert next(lines) == b"row\n"
    # two columns for one role: the preferred name is read, the other reported
    found = read_header(iter([b"Telefono;Cellulare\n"]), source="f", columns={}, how="-")
    assert (found.roles, found.unread) == ({"phone": "Cellulare"}, {"phone": ["Telefono"]})
    # a column named as a role but mapped away is not read under that role
    assert header(b"email;Indirizzo\n", "email=Indirizzo") == (";", ["email (column 1)", "email"])
    assert parse_columns(["E-mail=Indirizzo", "Customer-ID=Codice"], how="--column") == {
        "email": "Indirizzo",
        "customer_id": "Codice",
    }
    with pytest.raises(InvalidInput, match="two roles"):
        parse_columns(["email=X", "phone=X"], how="--column")


def test_every_alias_names_one_role() -> None:
    keys = [name_key(name) for names in ALIASES.values() for name in names]
    assert len(keys) == len(set(keys))
    assert name_key("E-mail") == name_key("EMAIL") == name_key("e_mail") == "email"
    assert name_key("Città") == "citta"


def test_the_column_parameter_is_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/checks/bulk"]["post"]
    [column] = [p for p in operation["parameters"] if p["name"] == "column"]
    assert column["in"] == "query"
    schema = column["schema"]
    assert next(s["type"] for s in schema.get("anyOf", [schema])) == "array"
    assert "ROLE=COLUMN" in column["description"]
    assert column["examples"]["indirizzo"]["value"] == ["email=Indirizzo"]
    # Described as one binary body (generated clients refuse text/csv), with an Excel example.
    body = operation["requestBody"]
    assert "CSV" in body["description"]
    [listed] = body["content"].values()
    assert listed["example"].splitlines()[0].lower().startswith(("e-mail", "email"))
