"""A CRM export to import: N rows in the Italian CRM's format, with bad rows at known places.

Shared by the import tests and `bench/import_consents.py`.
"""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "Codice", "Email", "Cellulare", "DataConsenso", "Newsletter", "Profilazione",
    "IP", "Browser", "Modulo", "Fonte",
]  # fmt: skip
MAPPING = """
[csv]
delimiter = ";"

[identifiers]
customer_id = "Codice"
email = "Email"
phone = "Cellulare"

[columns]
occurred_at = "DataConsenso"
ip = "IP"
user_agent = "Browser"
evidence = "Modulo"
source = "Fonte"

[time]
format = "%d/%m/%Y %H:%M"
timezone = "Europe/Rome"

[[consents]]
purpose = "newsletter"
column = "Newsletter"
channels = ["email"]
given = ["S", "SI", "1"]
refused = ["N", "NO", "0"]
withdrawn = ["R"]

[[consents]]
purpose = "profiling"
column = "Profilazione"
given = ["S"]
refused = ["N"]
"""
# Bad rows, by i % CYCLE, and why the import must refuse them.
CYCLE = 997
BAD = {
    5: "malformed e-mail address",
    17: "is not mapped",
    29: "is not in the expected format",
    41: "not found in the evidence dir",
    53: "no identifier",
    67: "in the future",
    79: "is not an IP address",
}
EMPTY = 90  # no consent value at all: nothing to import, not an error


def row(i: int) -> list[str]:
    """Row i of the export (i from 0)."""
    day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 2019 + (i // 336) % 6
    cells = [
        f"C{i:07d}",
        f"cliente{i}@example.com",
        f"+39333{i:07d}" if i % 3 == 0 else "",
        f"{day:02d}/{month:02d}/{year} {9 + i % 10:02d}:{i % 60:02d}",
        "S" if i % 4 else "N",
        "S" if i % 5 == 0 else ("N" if i % 5 == 1 else ""),
        f"192.0.2.{i % 250 + 1}" if i % 2 == 0 else "",
        "Mozilla/5.0 (legacy CRM)" if i % 2 == 0 else "",
        f"modulo-{i}.pdf" if i % 500 == 0 else "",
        "fiera" if i % 7 == 0 else "sito",
    ]
    match i % CYCLE:
        case 5:
            cells[1] = "not-an-email"
        case 17:
            cells[4] = "FORSE"
        case 29:
            cells[3] = "31/02/2020 10:00"
        case 41:
            cells[8] = "missing.pdf"
        case 53:
            cells[0] = cells[1] = cells[2] = ""
        case 67:
            cells[3] = "01/01/2099 10:00"
        case 79:
            cells[6] = "999.1.1.1"
        case 90:
            cells[4] = cells[5] = ""
    return cells


def write_export(path: Path, rows: range, evidence: Path | None = None) -> dict[int, str]:
    """Writes the CSV (and the scans it names); returns the bad file rows and why."""
    bad: dict[int, str] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(HEADER)
        for line, i in enumerate(rows, start=2):
            cells = row(i)
            out.writerow(cells)
            if i % CYCLE in BAD:
                bad[line] = BAD[i % CYCLE]
            if evidence is not None and cells[8] and i % CYCLE != 41:
                (evidence / cells[8]).write_bytes(
                    b"%PDF-1.4 signed form of row " + cells[0].encode()
                )
    return bad


def empty_rows(rows: range) -> int:
    return sum(1 for i in rows if i % CYCLE == EMPTY)
