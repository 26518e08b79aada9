"""Only the service opens units of work: the web pages, the API and the CLI call use cases.

A flow that opened its own transactions in a router (the public rights form once ran four) can
stop half-way; a use case in `service/` opens exactly one and commits it whole.
"""

from __future__ import annotations

import re
from pathlib import Path

import trustguardian

SOURCE = Path(trustguardian.__file__).parent
CALLERS = ("web", "api", "cli")
# Opening a unit of work or a transaction, or committing one.
OPENS = re.compile(r"\.uow\(|\bUnitOfWork\b|unit_of_work|\.begin\(|\.commit\(")


def openings(text: str) -> list[int]:
    """The numbers of the lines that open or commit a transaction (comments aside)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if OPENS.search(line.split("#", 1)[0])
    ]


def test_web_api_and_cli_open_no_unit_of_work() -> None:
    found = [
        f"{path.relative_to(SOURCE.parent)}:{number}"
        for package in CALLERS
        for path in sorted((SOURCE / package).rglob("*.py"))
        for number in openings(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "move these into a use case in service/: " + ", ".join(found)


def test_the_scan_finds_each_way_of_opening_one() -> None:
    page = (
        "def page(ctx):\n"
        "    with ctx.uow(write=False) as uow:\n"
        "        pass\n"
        "    with UnitOfWork(ctx.engine) as uow:\n"
        "        uow.commit()\n"
        "    with ctx.engine.connect() as c, c.begin():\n"
        "        pass  # not ctx.uow() in a comment\n"
    )
    assert openings(page) == [2, 4, 5, 6]
