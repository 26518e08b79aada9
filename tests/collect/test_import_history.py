"""Importing a company's past: a cp1252 `;` export from 2019 whose consents are older than the
first notice the registry knows imports once that notice's text is recorded as historical; the
same rows in another order import nothing; every event's dossier holds the sealed bytes of its
row of the source file and the historical notice text; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.collect.helpers import NEWSLETTER, events_count
from tests.collect.import_2019 import (
    CURRENT_TEXT,
    HEADER,
    HISTORICAL_TEXT,
    NOTICE,
    SHORT_ROW,
    TOUCHPOINT,
    import_historical,
    onboard,
    rows,
    run_import,
    write,
)
from tests.factories.cli import cli, instance_env, tg

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.events import EventKind
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.reports.dossier import dossier_files, subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.service.accountability.dossier import gather_dossier
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.subjects import find_subject
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.registry.notices import get_notice
from trustguardian.service.verify.full import verify_ledger


def subject_of(ctx: Context, email: str) -> str:
    return find_subject(ctx, identifier=normalise(IdentifierKind.EMAIL, email)).subject.id


def test_a_2019_export_imports_after_its_notice_is_recorded_as_historical(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    good = rows()
    export = tmp_path / "export-2019.csv"
    content = write(export, [*good[:5], SHORT_ROW, *good[5:]])
    assert "Forlì".encode("cp1252") in content
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # what stopped the import with a traceback

    # Before: no text was in force in 2019, every row is refused and the short row named.
    code, out, why = run_import(ctx, tmp_path, export)
    assert code == 1, out
    assert "Traceback" not in out
    assert "windows-1252" in out
    assert why[7] == "line 7 has 4 fields, the header 7"
    assert len(why) == len(good) + 1
    assert all("no version in force then" in why[n] for n in why if n != 7)
    assert events_count(ctx) == 0

    code, out = import_historical(ctx, tmp_path)
    assert code == 0, out
    assert "Recorded version 1 of privacy-clienti, in force from 2018-05-25" in out
    current = tmp_path / "current.txt"
    current.write_text(CURRENT_TEXT, encoding="utf-8")
    code, out = cli(ctx, tmp_path, "notices", "publish", NOTICE, "--text", str(current))
    assert code == 0, out
    _, versions = get_notice(ctx, key=NOTICE)
    historical = versions[0]
    assert historical.text == HISTORICAL_TEXT  # decoded from cp1252, exactly
    assert historical.entered_by == "dpo.anna"
    assert historical.source_document == "Raccoglitore informative 2018, archivio di Forlì"
    assert historical.created_at > historical.effective_from  # entered long after
    assert [v.version for v in versions] == [1, 2]
    code, out = cli(ctx, tmp_path, "notices", "show", NOTICE, "--json")
    assert code == 0, out
    shown = {row["version"]: row["entered_from"] for row in json.loads(out)}
    assert shown == {1: f"{historical.source_document} (by dpo.anna)", 2: None}
    with ctx.uow(write=False) as uow:  # the ledger says when, by whom and from what
        (entered,) = uow.records.history("notice_version", f"{NOTICE}/1")
    assert entered.kind == "registry.notice_version.imported"
    assert entered.actor == "dpo.anna"
    assert abs(entered.recorded_at - historical.created_at) < timedelta(seconds=5)
    committed = json.loads(entered.content)
    assert committed["source_document"] == historical.source_document
    assert committed["text"] == hashlib.sha256(HISTORICAL_TEXT.encode()).hexdigest()
    assert committed["effective_from"].startswith("2018-05-25T00:00:00")

    # After: every good row imports, citing the historical text; the short row is refused.
    code, out, why = run_import(ctx, tmp_path, export)
    assert code == 1, out
    assert set(why) == {7}
    expected = 2 * len(good)  # both purposes, given or refused, on each row
    assert events_count(ctx) == expected

    # A re-export with the rows in another order (and without the short row) adds nothing.
    reordered = tmp_path / "export-2019-riordinato.csv"
    write(reordered, list(reversed(good)))
    code, out, why = run_import(ctx, tmp_path, reordered)
    assert code == 0, out
    assert why == {}
    assert events_count(ctx) == expected
    assert f"│ {len(good)} " in out  # rows ...
    assert "│ 0 " in out  # ... none imported

    # Every event's dossier: the sealed bytes of its row, and the historical notice's text.
    sha = hashlib.sha256(content).hexdigest()
    header = (";".join(HEADER) + "\r\n").encode("cp1252")
    for line, cells in enumerate([*good[:5], SHORT_ROW, *good[5:]], start=2):
        if cells is SHORT_ROW:
            continue
        data = gather_dossier(ctx, subject_id=subject_of(ctx, cells[0]))
        assert len(data.events) == 2
        for item in data.events:
            assert (item.event.notice, item.event.notice_version) == (NOTICE, 1)
            assert item.event.notice_sha256 == historical.sha256
        imports = [x for x in data.evidence if x.type == "import"]
        assert len(imports) == 2
        row = header + (";".join(cells) + "\r\n").encode("cp1252")
        for x in imports:
            assert x.file == row
            assert x.media_type == "text/csv; charset=windows-1252"
            fields = x.fields
            assert (fields["file_sha256"], fields["row"]) == (sha, line)
            assert fields["file_name"] == "export-2019.csv"
            assert fields["encoding"] == "windows-1252"
        assert data.notices[(NOTICE, 1)].text == HISTORICAL_TEXT
    archive = subject_dossier(ctx, subject_id=data.subject_id)
    checked = verify_dossier(archive, trusted_key=ctx.keys.signer.verifier_key)
    assert checked.problems == []
    assert (checked.events, checked.evidence, checked.notices) == (2, 2, 1)
    files = dossier_files(data)
    assert files[f"notices/{NOTICE}-v1.txt"] == HISTORICAL_TEXT.encode("utf-8")
    sealed = [p for p, b in files.items() if p.startswith("evidence/") and p.endswith(".csv")]
    assert len(sealed) == 2
    assert all(files[p] == row for p in sealed)
    assert all(json.loads(files[p[:-4] + ".json"])["file"] == p for p in sealed)
    report = files["report-it.html"].decode()
    assert "Inserita a posteriori" in report
    assert "Raccoglitore informative 2018, archivio di Forl" in report
    assert verify_ledger(ctx).problems == []


def test_the_same_rows_in_any_encoding_are_the_same_consents(ctx: Context, tmp_path: Path) -> None:
    onboard(ctx, tmp_path)
    assert import_historical(ctx, tmp_path)[0] == 0
    good = rows(6, note="così detto: «sì» al banco")  # ISO-8859-1 has no euro sign
    first = tmp_path / "export.csv"
    write(first, good, "cp1252")
    code, out, _ = run_import(ctx, tmp_path, first)
    assert code == 0, out
    recorded = events_count(ctx)
    assert recorded == 12
    for n, encoding in enumerate(("utf-8-sig", "utf-8", "iso-8859-1")):
        again = tmp_path / f"again-{n}.csv"
        write(again, good[::-1] if n % 2 else good, encoding)
        code, out, why = run_import(ctx, tmp_path, again)
        assert (code, why) == (0, {}), out
        assert "UnicodeDecodeError" not in out
    assert events_count(ctx) == recorded


def test_a_historical_version_only_fills_the_time_before_the_registry(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    current = tmp_path / "current.txt"
    current.write_text(CURRENT_TEXT, encoding="utf-8")
    assert cli(ctx, tmp_path, "notices", "publish", NOTICE, "--text", str(current))[0] == 0
    text = tmp_path / "old.txt"
    text.write_text(HISTORICAL_TEXT, encoding="utf-8")

    def historical(version: str, since: str) -> tuple[int, str]:
        done = tg(
            "notices", "import-historical", NOTICE, "--version", version,
            "--effective-from", since, "--file", text, "--source", "archivio",
            env={**os.environ, **instance_env(ctx, tmp_path)},
        )  # fmt: skip
        return done.returncode, done.stdout + done.stderr

    for version, since, refusal in (
        ("1", "2018-05-25", "already has a version 1"),
        ("7", "2099-01-01", "took effect in the past"),
        ("7", "ieri", "is not a date"),
        ("0", "2018-05-25", "cannot be recorded"),
    ):
        code, out = historical(version, since)
        assert code == 2, out
        assert refusal in out
        assert "Traceback" not in out
    # The version published the ordinary way is in force from its publication: history ends.
    _, versions = get_notice(ctx, key=NOTICE)
    code, out = historical("7", versions[0].effective_from.isoformat())
    assert code == 2
    assert "must take effect before it" in out
    assert len(get_notice(ctx, key=NOTICE)[1]) == 1  # nothing written
    code, out = historical("7", "2016-01-01")  # numbers are the company's: not in date order
    assert code == 0, out
    code, out = historical("8", "2016-01-01T00:00:00+00:00")
    assert code == 2
    assert "takes effect at" in out


def test_a_file_that_is_no_csv_exits_2_in_one_sentence_and_writes_nothing(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    env = {**os.environ, **instance_env(ctx, tmp_path)}
    mapping = tmp_path / "mapping.toml"
    cases = {
        "empty.csv": (b"", "is empty"),
        "binary.csv": (b"Email;DataConsenso\x00\r\n\x89PNG\x00\x00", "not a text file"),
        "unicode.csv": ("Email;DataConsenso\r\n".encode("utf-16"), "is UTF-16"),
        "headless.csv": (b"Mail;Quando\r\nx@y.it;01/01/2019 10:00\r\n", "no column"),
        "quoted.csv": (b'Email;"DataConsenso\r\nx@y.it;01/01/2019', "not a readable CSV"),
    }
    for name, (content, said) in cases.items():
        (tmp_path / name).write_bytes(content)
        done = tg(
            "import", "consents", tmp_path / name, "--touchpoint", TOUCHPOINT, "--map", mapping,
            env=env, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert said in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert events_count(ctx) == 0


def test_a_withdrawal_dated_before_the_registry_cites_the_historical_version(
    ctx: Context, tmp_path: Path
) -> None:
    onboard(ctx, tmp_path)
    withdrawal = EventDraft(
        kind=EventKind.CONSENT_WITHDRAWN,
        touchpoint=TOUCHPOINT,
        occurred_at=datetime(2019, 11, 4, 16, 30, tzinfo=UTC),
        identifiers=(normalise(IdentifierKind.EMAIL, "carta@example.com"),),
        purpose=NEWSLETTER,
    )
    with pytest.raises(InvalidInput) as refused:
        record_events(ctx, drafts=[withdrawal])
    assert "no version in force then" in str(refused.value.errors)
    assert import_historical(ctx, tmp_path)[0] == 0
    (recorded,) = record_events(ctx, drafts=[withdrawal])
    assert (recorded.event.notice, recorded.event.notice_version) == (NOTICE, 1)
    assert recorded.event.notice_sha256 == hashlib.sha256(HISTORICAL_TEXT.encode()).hexdigest()
