"""Migration 0020 gives the register entries already imported the date each number was first
seen: carried from import to import while the number stays listed, restarted when it comes back
after an import that left it out."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import select, text

from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.engine import make_engine
from trustguardian.store.migrate import alembic_config, current_revision, head_revision, upgrade

IMPORTS = [  # id, register date, numbers (keyed hashes)
    ("reg_1", date(2026, 9, 1), ["a"]),
    ("reg_2", date(2026, 10, 1), ["a", "b"]),
    ("reg_3", date(2026, 11, 1), ["b"]),
    ("reg_4", date(2026, 12, 1), ["a", "b"]),
]


def test_the_upgrade_dates_each_number_from_its_first_import_in_an_unbroken_run(
    ctx: Context,
) -> None:
    url = ctx.settings.database_url
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0019")
    assert current_revision(engine) == "0019"
    with engine.begin() as connection:
        for n, (register_id, day, numbers) in enumerate(IMPORTS):
            connection.execute(
                text(
                    "INSERT INTO opposition_registers (id, name, kind, register_date, entries,"
                    " file_sha256, imported_at) VALUES (:id, 'rpo', 'phone', :day, :entries,"
                    " :sha, :at)"
                ),
                {
                    "id": register_id,
                    "day": day,
                    "entries": len(numbers),
                    "sha": "0" * 64,
                    "at": datetime(2026, 9 + n, 2, tzinfo=UTC),
                },
            )
            for number in numbers:
                connection.execute(
                    text("INSERT INTO opposition_entries (register_id, blind) VALUES (:r, :b)"),
                    {"r": register_id, "b": number},
                )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    entries = t.opposition_entries.c
    with engine.connect() as connection:
        found = {
            (r.register_id, r.blind): r.first_seen
            for r in connection.execute(
                select(entries.register_id, entries.blind, entries.first_seen)
            )
        }
    engine.dispose()
    assert found == {
        ("reg_1", "a"): date(2026, 9, 1),
        ("reg_2", "a"): date(2026, 9, 1),
        ("reg_2", "b"): date(2026, 10, 1),
        ("reg_3", "b"): date(2026, 10, 1),
        ("reg_4", "a"): date(2026, 12, 1),  # left out of reg_3: first seen again
        ("reg_4", "b"): date(2026, 10, 1),
    }
