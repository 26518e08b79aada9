"""A campaign list answers row by row exactly as single checks do: through filter_rows, through
HTTP /v1/checks/bulk (CSV and NDJSON) and through `trustguardian audience filter`.

One seeded population of ~300 people (consents, withdrawals, refusals, expiries, customers,
objections, contacts over an SMS cap, suppression, erasure, an opposition register, a retired
purpose) is built once per session through the service layer, on SQLite (see conftest.py).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from trustguardian.cli.app import app
from trustguardian.service.engage.audience import filter_rows

from .population import (
    DEFAULT_CHANNEL,
    DEFAULT_PURPOSE,
    HEADER,
    Population,
    answers,
    single_answer,
)
from .server import env_for, filter_args, post_bulk

EXPECTED_REASONS = {
    "consent_given",
    "no_consent",
    "refused",
    "withdrawn",
    "expired",
    "objected",
    "legitimate_interest",
    "soft_spam",
    "other_legal_basis",
    "suppressed",
    "frequency_cap",
    "unknown_subject",
    "channel_not_covered",
    "purpose_retired",
    "opposition_register",
    "invalid_row",
}


@pytest.fixture(scope="module")
def expected(population: Population) -> list[tuple[bool, str, str | None, str | None]]:
    """check_contact's answer for every row, one at a time."""
    return [single_answer(population.ctx, row) for row in population.rows]


PARAMS = {"purpose": DEFAULT_PURPOSE, "channel": DEFAULT_CHANNEL.value}


def test_the_population_covers_every_reachable_reason(
    expected: list[tuple[bool, str, str | None, str | None]],
) -> None:
    reasons = {reason for _, reason, _, _ in expected}
    # outside_contact_hours depends on when the suite runs (phone rows are checked "now")
    assert reasons | {"outside_contact_hours"} >= EXPECTED_REASONS, EXPECTED_REASONS - reasons
    assert len(expected) > 450


@pytest.mark.parametrize("batch", [5000, 37])
def test_filter_rows_answers_as_check_contact(
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
    batch: int,
) -> None:
    rows = population.row_ins()
    outs = list(
        filter_rows(
            population.ctx,
            iter(rows),
            purpose=DEFAULT_PURPOSE,
            channel=DEFAULT_CHANNEL,
            batch=batch,
        )
    )
    assert [o.row for o in outs] == rows
    assert answers(outs) == expected
    for out, row in zip(outs, population.rows, strict=True):
        assert (out.error is not None) is row.bad, (out, row)


def _csv_answers(text: str) -> tuple[list[str], list[list[str]]]:
    header, *lines = list(csv.reader(io.StringIO(text)))
    return header, lines


def assert_csv_agrees(
    text: str, population: Population, expected: list[tuple[bool, str, str | None, str | None]]
) -> None:
    header, lines = _csv_answers(text)
    assert header == [*HEADER, "allowed", "reason", "error"]
    assert len(lines) == len(population.rows)
    for line, row, (allowed, reason, _, _) in zip(lines, population.rows, expected, strict=True):
        assert line[: len(HEADER)] == row.csv_values()
        assert (line[-3], line[-2]) == (str(allowed).lower(), reason), (row, line)
        assert bool(line[-1]) is row.bad, (row, line)


def ndjson_body(population: Population) -> bytes:
    return b"".join(
        orjson.dumps({k: v for k, v in row.values.items() if v}) + b"\n" for row in population.rows
    )


def assert_ndjson_agrees(
    text: str, population: Population, expected: list[tuple[bool, str, str | None, str | None]]
) -> None:
    found = [orjson.loads(line) for line in text.splitlines()]
    assert len(found) == len(population.rows)
    for n, (item, row, (allowed, reason, _, _)) in enumerate(
        zip(found, population.rows, expected, strict=True), start=1
    ):
        assert item["line"] == n
        assert (item["allowed"], item["reason"]) == (allowed, reason), (row, item)
        assert ("error" in item) is row.bad
        for key, value in row.values.items():
            if value:
                assert item[key] == value


def test_http_bulk_csv_answers_as_check_contact(
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
    http: httpx.Client,
) -> None:
    answer = post_bulk(http, population.csv_bytes(), content_type="text/csv", params=PARAMS)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert_csv_agrees(answer.text, population, expected)


def test_http_bulk_csv_sent_in_small_chunks_is_the_same(
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
    http: httpx.Client,
) -> None:
    data = population.csv_bytes()
    chunks = (data[i : i + 7] for i in range(0, len(data), 7))
    answer = post_bulk(http, chunks, content_type="text/csv", params=PARAMS)
    assert answer.status_code == 200, answer.text
    assert_csv_agrees(answer.text, population, expected)


def test_http_bulk_ndjson_answers_as_check_contact(
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
    http: httpx.Client,
) -> None:
    answer = post_bulk(
        http, ndjson_body(population), content_type="application/x-ndjson", params=PARAMS
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    assert_ndjson_agrees(answer.text, population, expected)


def _assert_split(
    good: Path,
    bad: Path,
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
) -> None:
    allowed_rows = [r for r, e in zip(population.rows, expected, strict=True) if e[0]]
    rejected = [(r, e) for r, e in zip(population.rows, expected, strict=True) if not e[0]]
    with good.open(newline="", encoding="utf-8") as handle:
        ok_header, *ok_lines = list(csv.reader(handle))
    with bad.open(newline="", encoding="utf-8") as handle:
        bad_header, *bad_lines = list(csv.reader(handle))
    assert ok_header == HEADER
    assert ok_lines == [r.csv_values() for r in allowed_rows]
    assert bad_header == [*HEADER, "reason", "error"]
    assert [line[: len(HEADER) + 1] for line in bad_lines] == [
        [*r.csv_values(), e[1]] for r, e in rejected
    ]
    assert [bool(line[-1]) for line in bad_lines] == [r.bad for r, _ in rejected]


def test_cli_audience_filter_splits_as_check_contact(
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
    tmp_path: Path,
) -> None:
    source = tmp_path / "list.csv"
    source.write_bytes(population.csv_bytes())
    good, bad = tmp_path / "ok.csv", tmp_path / "rejected.csv"
    env = env_for(population.ctx.settings)
    result = CliRunner().invoke(app, filter_args(source, good, bad), env=env)
    assert result.exit_code == 0, result.output
    _assert_split(good, bad, population, expected)
    allowed = sum(1 for e in expected if e[0])
    assert f"{allowed} allowed, {len(expected) - allowed} rejected" in result.output
    # The rejected rows counted by reason, one table line each.
    rejected = Counter(e[1] for e in expected if not e[0])
    lines = [line.split() for line in result.output.splitlines()]
    assert dict(rejected) == {
        words[1]: int(words[3]) for words in lines if len(words) == 5 and words[1] in rejected
    }


def test_the_audience_command_alone_splits_as_the_whole_tree(
    population: Population,
    expected: list[tuple[bool, str, str | None, str | None]],
    tmp_path: Path,
) -> None:
    """`trustguardian audience ...` loads only its group (no web app), with the same answers."""
    source = tmp_path / "list.csv"
    source.write_bytes(population.csv_bytes())
    good, bad = tmp_path / "ok.csv", tmp_path / "rejected.csv"
    done = subprocess.run(
        [sys.executable, "-m", "trustguardian", *filter_args(source, good, bad), "--workers", "2"],
        env={**os.environ, **env_for(population.ctx.settings)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _assert_split(good, bad, population, expected)
    probe = (
        "import sys, typer; from trustguardian.cli.app import app; "
        "assert typer.main.get_command(app).load('audience') is not None"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", f"{probe}; print('fastapi' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
