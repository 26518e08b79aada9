"""A company's export from 2019 as Excel writes it in Italy: cp1252, `;`-separated, CRLF, with
consents older than the first notice the registry knows; shared by the import history tests."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.collect.helpers import NEWSLETTER, PROFILING, setup_collect
from tests.factories import add_touchpoint
from tests.factories.cli import cli

from trustguardian.service.context import Context

TOUCHPOINT = "crm-2019"
NOTICE = "privacy-clienti"
HISTORICAL_TEXT = (
    "Informativa ai sensi dell'art. 13 del Regolamento UE 2016/679.\n"
    "Titolare: Negozi Città S.r.l. \u2013 Forlì. I dati sono trattati per l'invio di novità.\n"
)
CURRENT_TEXT = "Informativa privacy clienti, testo in vigore da oggi.\n"
HEADER = ["Email", "DataConsenso", "Newsletter", "Profilazione", "Negozio", "Note", "Fonte"]
STORES = ["Forlì centro", "Città di Castello", "Caffè Cesena"]
SHORT_ROW = ["corto@example.com", "01/03/2019 10:00", "S", "N"]  # 4 of the header's 7 fields
MAPPING = f"""
[csv]
delimiter = ";"

[identifiers]
email = "Email"

[columns]
occurred_at = "DataConsenso"
source = "Fonte"

[time]
format = "%d/%m/%Y %H:%M"
timezone = "Europe/Rome"

[[consents]]
purpose = "{NEWSLETTER}"
column = "Newsletter"
channels = ["email"]
given = ["S"]
refused = ["N"]

[[consents]]
purpose = "{PROFILING}"
column = "Profilazione"
given = ["S"]
refused = ["N"]
"""


CP1252_NOTE = "così detto: «sì» al banco \u2013 buono da 10 \u20ac"  # dash and euro: cp1252 only


def rows(n: int = 12, note: str = CP1252_NOTE) -> list[list[str]]:
    """Good rows: each gives or refuses both purposes in 2019, long before the registry."""
    return [
        [
            f"cliente{i}@example.com",
            f"{1 + i:02d}/{1 + i % 12:02d}/2019 {9 + i % 8:02d}:{i * 7 % 60:02d}",
            "S" if i % 3 else "N",
            "S" if i % 2 else "N",
            STORES[i % len(STORES)],
            note if i % 4 == 0 else "",
            "modulo cartaceo" if i % 2 else "sito",
        ]
        for i in range(n)
    ]


def write(path: Path, data: list[list[str]], encoding: str = "cp1252") -> bytes:
    """Writes the export (CRLF, as Excel does); returns its bytes."""
    lines = [";".join(HEADER), *(";".join(cells) for cells in data)]
    content = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes(content)
    return content


def onboard(ctx: Context, tmp_path: Path) -> None:
    """Purposes, and a CRM touchpoint showing a notice registered with no text yet."""
    setup_collect(ctx)
    code, out = cli(
        ctx, tmp_path, "notices", "add", NOTICE, "--language", "it", "--title", "Informativa"
    )
    assert code == 0, out
    add_touchpoint(
        ctx, TOUCHPOINT, name="CRM negozi", purposes=[NEWSLETTER, PROFILING], notice_key=NOTICE
    )
    (tmp_path / "mapping.toml").write_text(MAPPING, encoding="utf-8")


def run_import(ctx: Context, tmp_path: Path, export: Path) -> tuple[int, str, dict[int, str]]:
    """Imports `export`: (exit status, output, rejected lines and why)."""
    rejected = tmp_path / f"{export.stem}.rejected.csv"
    code, out = cli(
        ctx, tmp_path, "import", "consents", str(export), "--touchpoint", TOUCHPOINT,
        "--map", str(tmp_path / "mapping.toml"), "--rejected", str(rejected), "--by", "ict.luca",
    )  # fmt: skip
    why: dict[int, str] = {}
    if rejected.exists():
        with rejected.open(encoding="utf-8") as handle:
            why = {int(r["line"]): r["why"] for r in csv.DictReader(handle)}
    return code, out, why


def import_historical(ctx: Context, tmp_path: Path) -> tuple[int, str]:
    text = tmp_path / "informativa-2018.txt"
    text.write_bytes(HISTORICAL_TEXT.encode("cp1252"))  # as the old word processor saved it
    return cli(
        ctx, tmp_path, "notices", "import-historical", NOTICE, "--version", "1",
        "--effective-from", "2018-05-25", "--file", str(text),
        "--source", "Raccoglitore informative 2018, archivio di Forlì", "--by", "dpo.anna",
    )  # fmt: skip
