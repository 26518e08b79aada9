"""bulk_insert writes the same values whether it sends INSERTs or (PostgreSQL, many rows) a COPY.

Events, proofs and subjects go through it too: the verification tests recompute every leaf from
the stored columns (JSON, bytes, times) on both backends, so a value COPY wrote differently
would fail them; this test pins the plain types and the switch itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from trustguardian.service.context import Context
from trustguardian.store import tables as t
from trustguardian.store.bulk import COPY_FROM, bulk_insert


def _rows(prefix: str, count: int) -> list[dict[str, object]]:
    start = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    return [
        {
            "id": f"{prefix}{n:04d}",
            "subject_id": None if n % 3 == 0 else f"sub_{n}",
            "purpose_key": "newsletter",
            "channel": "email",
            "moment": start + timedelta(minutes=n),
            "allowed": n % 2 == 0,
            "reason": "consent_given" if n % 2 == 0 else 'no_consent; "quoted"\ttab\\',
            "event_id": None,
            "checked_at": start,
        }
        for n in range(count)
    ]


def test_few_and_many_rows_read_back_as_written(store: Context) -> None:
    few, many = _rows("chk_few_", COPY_FROM - 1), _rows("chk_many_", COPY_FROM + 9)
    with store.uow() as uow:
        bulk_insert(uow.connection, t.checks, few)
        bulk_insert(uow.connection, t.checks, many)
        uow.commit()
    with store.engine.connect() as conn:
        stored = {row.id: row._asdict() for row in conn.execute(select(t.checks))}
    assert len(stored) == len(few) + len(many)
    for row in few + many:
        back = {k: v for k, v in stored[str(row["id"])].items() if k in row}
        assert back == row, (back, row)
        assert stored[str(row["id"])]["sealed_seq"] is None  # no batch sealed it yet
