"""Legacy import benchmark: rows/s of `import consents` (CSV parsing, mapping, proofs, ledger),
the re-run (everything already imported), and the raw baseline: the same events, already
parsed, through `record_events` in the same batches; SQLite and PostgreSQL.

    python bench/import_consents.py [--rows 20000] [--batch 500] [--backends sqlite,postgresql]

Also the import's acceptance at full size (`--rows 100000`): whatever the size, every bad row of
the export is reported, every good one imported, and the re-run imports nothing. The tests check
the same at 1,200 rows.

Prints each figure, then one JSON line with all of them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' export generator

from tests.collect.helpers import LEGACY, setup_collect
from tests.collect.legacy_export import MAPPING, empty_rows, write_export

from common import context, database
from trustguardian.domain.errors import DomainError
from trustguardian.service.collect import legacy_import
from trustguardian.service.collect.import_mapping import load_mapping
from trustguardian.service.collect.import_proofs import RowRejected
from trustguardian.service.collect.import_source import read_source
from trustguardian.service.events.recording import record_events


def run(backend: str, rows: int, batch: int, workdir: Path) -> dict[str, float]:
    export, scans = workdir / f"{backend}.csv", workdir / f"scans-{backend}"
    scans.mkdir()
    bad = write_export(export, range(rows), scans)
    good_rows = rows - len(bad) - empty_rows(range(rows))
    (workdir / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    mapping = load_mapping(workdir / "mapping.toml")
    figures: dict[str, float] = {}
    for phase in ("baseline", "import"):
        url, cleanup = database(backend, workdir)
        ctx = context(url, workdir)
        try:
            setup_collect(ctx)
            if phase == "baseline":
                job, lines = legacy_import.prepare(
                    ctx, read_source(export), touchpoint=LEGACY, mapping=mapping,
                    imported_by="bench", evidence_dir=scans,
                )  # fmt: skip
                drafts = []
                for line in lines:
                    try:
                        assert line.cells is not None
                        drafts.append(
                            legacy_import.row_drafts(
                                ctx, job, line.number, line.index, line.raw, line.cells
                            )[0]
                        )
                    except (RowRejected, DomainError):
                        continue  # the bad rows: the import reports them, the baseline skips them
                now = datetime.now(UTC)
                good = [d for d in drafts if d and all(x.occurred_at < now for x in d)]
                started = time.perf_counter()
                for start in range(0, len(good), batch):
                    record_events(
                        ctx, drafts=[x for row in good[start : start + batch] for x in row]
                    )
                figures[f"{backend}_baseline_rows_per_s"] = round(
                    len(good) / (time.perf_counter() - started)
                )
                continue
            started = time.perf_counter()
            report = legacy_import.import_consents(
                ctx, path=export, touchpoint=LEGACY, mapping=mapping, imported_by="bench",
                evidence_dir=scans, batch_rows=batch,
            )  # fmt: skip
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = legacy_import.import_consents(
                ctx, path=export, touchpoint=LEGACY, mapping=mapping, imported_by="bench",
                evidence_dir=scans, batch_rows=batch,
            )  # fmt: skip
            second = time.perf_counter() - started
            assert {number for number, _ in report.rejected} == set(bad)
            assert report.imported_rows == good_rows
            assert again.imported_events == 0
            assert again.already_imported == good_rows
            figures.update(
                {
                    f"{backend}_import_rows_per_s": round(rows / first),
                    f"{backend}_import_events_per_s": round(report.imported_events / first),
                    f"{backend}_rerun_rows_per_s": round(rows / second),
                    f"{backend}_rejected_rows": len(report.rejected),
                }
            )
        finally:
            ctx.engine.dispose()
            cleanup()
    figures[f"{backend}_import_vs_baseline"] = round(
        figures[f"{backend}_import_rows_per_s"] / figures[f"{backend}_baseline_rows_per_s"], 3
    )
    for name, value in figures.items():
        print(f"{name:45s} {value}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    figures: dict[str, float] = {"rows": args.rows, "batch": args.batch}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures.update(run(backend, args.rows, args.batch, Path(tmp)))
    print(json.dumps(figures))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
