"""`trustguardian import consents`: a CRM export with whatever proof exists, bad rows reported,
each row all or nothing, and a second run (or a new export with the same rows) importing nothing
twice; on SQLite and PostgreSQL. The same at 100,000 rows is `bench/import_consents.py --rows
100000`, the import's acceptance at full size."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select
from tests.collect.helpers import LEGACY, NEWSLETTER, setup_collect
from tests.collect.legacy_export import BAD, CYCLE, EMPTY, MAPPING, empty_rows, row, write_export
from tests.conftest import TEST_MASTER_KEY
from tests.factories.cli import cli, tg

from trustguardian.domain.errors import NotFound
from trustguardian.domain.registry import ProofType
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.collect.import_mapping import load_mapping
from trustguardian.service.collect.legacy_import import ImportReport, file_sha256, import_consents
from trustguardian.service.collect.proofs import read_proof
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normalise
from trustguardian.service.events.recording import list_events
from trustguardian.service.events.subjects import SubjectView, find_subject
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t
from trustguardian.store.events import EventFilter


def events(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


def good_rows(rows: range) -> int:
    """Rows of the export that hold a consent and are not bad."""
    return sum(1 for i in rows if i % CYCLE not in BAD and i % CYCLE != EMPTY)


def who(ctx: Context, email: str) -> SubjectView | None:
    try:
        return find_subject(ctx, identifier=normalise(IdentifierKind.EMAIL, email))
    except NotFound:
        return None


def run_import(ctx: Context, tmp_path: Path, export: Path, *extra: str) -> tuple[int, str]:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return cli(
        ctx, tmp_path, "import", "consents", str(export), "--touchpoint", LEGACY,
        "--map", str(mapping), "--evidence-dir", str(tmp_path / "scans"),
        "--rejected", str(tmp_path / "rejected.csv"), "--by", "dpo.anna", *extra,
    )  # fmt: skip


def test_import_reports_bad_rows_and_a_second_run_imports_nothing(
    ctx: Context, tmp_path: Path
) -> None:
    setup_collect(ctx)
    (tmp_path / "scans").mkdir()
    export = tmp_path / "crm.csv"
    rows = range(1200)
    bad = write_export(export, rows, tmp_path / "scans")
    code, out = run_import(ctx, tmp_path, export, "--batch", "250")  # bad rows across batches
    assert code == 1, out  # some rows were refused: a script must notice
    assert "importing" in out
    assert "1200/1200" in out
    assert "Rejected rows" in out
    with (tmp_path / "rejected.csv").open(encoding="utf-8") as handle:
        rejected = {int(r["line"]): r["why"] for r in csv.DictReader(handle)}
    assert set(rejected) == set(bad)
    for line, why in bad.items():
        assert why in rejected[line], (line, rejected[line])
    good = len(rows) - len(bad) - empty_rows(rows)
    first = events(ctx)
    assert first == sum(
        (row(i)[4] != "") + (row(i)[5] != "")
        for i in rows
        if i + 2 not in bad and row(i)[4] + row(i)[5]
    )
    assert f"│ {len(rows)} " in out
    assert f" {good} " in out

    again, out2 = run_import(ctx, tmp_path, export)
    assert again == 1  # the same bad rows are reported again ...
    assert events(ctx) == first  # ... and nothing is imported twice
    assert f" {good} " in out2  # every good row: already imported
    assert verify_ledger(ctx).problems == []


def test_imported_events_say_from_which_file_by_whom_with_their_proofs(
    ctx: Context, tmp_path: Path
) -> None:
    setup_collect(ctx)
    (tmp_path / "scans").mkdir()
    export = tmp_path / "crm.csv"
    write_export(export, range(1001), tmp_path / "scans")
    run_import(ctx, tmp_path, export)
    # Row 1000 (file line 1002) has a phone, an IP, a scan and consents to both purposes.
    subject = who(ctx, "cliente1000@example.com")
    assert subject is not None
    mine = list_events(ctx, flt=EventFilter(subject_id=subject.subject.id)).items
    assert [(e.kind.value, e.purpose) for e in mine] == [
        ("consent.refused", NEWSLETTER),
        ("consent.given", "profiling"),
    ]
    event = mine[1]
    assert [p.type for p in event.proofs] == [
        ProofType.IMPORT, ProofType.NETWORK, ProofType.PAPER_FORM,
    ]  # fmt: skip
    imported = read_proof(ctx, event_id=event.id, position=0).content
    assert imported["file_sha256"] == file_sha256(export)
    assert imported["file_name"] == "crm.csv"
    assert imported["imported_by"] == "dpo.anna"
    assert imported["row"] == 1002
    assert read_proof(ctx, event_id=event.id, position=1).content["ip"] == "192.0.2.1"
    scan = read_proof(ctx, event_id=event.id, position=2)
    assert scan.file == (tmp_path / "scans" / "modulo-1000.pdf").read_bytes()
    # Consent follows the date the CRM recorded (Rome time), not the import's.
    assert event.occurred_at.isoformat() == "2021-12-21T08:40:00+00:00"  # 09:40 in Rome


def test_a_new_export_with_the_same_rows_imports_only_the_new_ones(
    ctx: Context, tmp_path: Path
) -> None:
    setup_collect(ctx)
    scans = tmp_path / "scans"
    scans.mkdir()
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    rules = load_mapping(mapping)

    def run(path: Path) -> ImportReport:
        return import_consents(
            ctx, path=path, touchpoint=LEGACY, mapping=rules, imported_by="ict", evidence_dir=scans
        )

    first = tmp_path / "january.csv"
    write_export(first, range(300), scans)
    january = run(first)
    assert january.imported_rows == good_rows(range(300))
    second = tmp_path / "february.csv"
    write_export(second, range(599, 149, -1), scans)  # overlapping, in another order
    assert file_sha256(first) != file_sha256(second)
    before = events(ctx)
    february = run(second)
    assert february.imported_rows == good_rows(range(300, 600))
    assert february.already_imported == good_rows(range(150, 300))
    assert events(ctx) - before == february.imported_events


def test_a_row_is_all_or_nothing(ctx: Context, tmp_path: Path) -> None:
    """Row 67 has two consents and a date in the future: neither is recorded, and nobody
    is created for it; its neighbours in the same transaction are recorded."""
    setup_collect(ctx)
    (tmp_path / "scans").mkdir()
    export = tmp_path / "crm.csv"
    write_export(export, range(60, 75), tmp_path / "scans")
    assert row(67)[4] == "S"
    assert row(67)[5] == ""
    run_import(ctx, tmp_path, export)
    assert who(ctx, "cliente67@example.com") is None
    assert who(ctx, "cliente66@example.com") is not None


def test_a_bad_mapping_or_file_exits_2_naming_the_problem_and_writes_nothing(
    ctx: Context, tmp_path: Path
) -> None:
    setup_collect(ctx)
    env = {
        **os.environ,
        "TRUSTGUARDIAN_DATABASE_URL": ctx.settings.database_url,
        "TRUSTGUARDIAN_KEYS_FILE": str(tmp_path / "keys.json"),
        "TRUSTGUARDIAN_MASTER_KEY": TEST_MASTER_KEY,
    }
    export = tmp_path / "crm.csv"
    export.write_text("Email;Quando\nmario@example.com;01/01/2020 10:00\n", encoding="utf-8")
    good_map, bad_map = tmp_path / "mapping.toml", tmp_path / "bad.toml"
    good_map.write_text(MAPPING, encoding="utf-8")
    bad_map.write_text("[identifiers]\nfax = 'Fax'\n", encoding="utf-8")

    def run(mapping: Path) -> subprocess.CompletedProcess[str]:
        return tg(
            *("import", "consents", str(export), "--touchpoint", LEGACY, "--map", str(mapping)),
            env=env,
            cwd=tmp_path,
        )

    missing = run(good_map)
    assert missing.returncode == 2
    assert "no column" in missing.stderr
    assert "DataConsenso" in missing.stderr
    invalid = run(bad_map)
    assert invalid.returncode == 2
    for named in ("identifiers.fax", "columns.occurred_at", "consents"):
        assert named in invalid.stderr
    assert events(ctx) == 0
