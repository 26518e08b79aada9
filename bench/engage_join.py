"""The naive SQL join of bench/engage.py: the list's keyed hashes in a temporary table, and one
join against the people, their identifiers, the suppression list, the consent states and the
contract events that answers every row with its reason, in the list's order.

It is what a careful developer would write by hand for this bench's list (one e-mail column, the
purpose `newsletter` on e-mail, no contact policy, no register), decided in SQL; its answers are
compared row by row with the filter's (a digest of each row's reason), so it is a fair baseline:
the same answers, with the work done by the database's C code.

Its CPU time counts this process (reading, normalising and hashing the list, the driver and, on
SQLite, the database engine) and, on PostgreSQL, the server process that ran the join (read from
/proc on this machine).
"""

from __future__ import annotations

import csv
import hashlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from trustguardian.domain.errors import InvalidInput
from trustguardian.domain.subjects import IdentifierKind
from trustguardian.service.context import Context
from trustguardian.service.events.identifiers import normal_value
from trustguardian.vault import blinder

# The reasons decide() gives for a consent purpose on e-mail with no policy and no register:
# suppression first (the row's own hash when nobody owns it; else any identifier of the owner,
# or the owner erased), then the consent state at this moment, then soft spam for an existing
# customer (the purpose covers analogous products).
JOIN = """
SELECT l.n, CASE
  WHEN l.b IS NULL THEN 'invalid_row'
  WHEN i.subject_id IS NULL THEN CASE
    WHEN EXISTS (SELECT 1 FROM suppression_entries e WHERE e.blind = l.b) THEN 'suppressed'
    ELSE 'unknown_subject' END
  WHEN s.shredded_at IS NOT NULL OR EXISTS (
    SELECT 1 FROM subject_identifiers j JOIN suppression_entries e ON e.blind = j.blind
    WHERE j.subject_id = i.subject_id) THEN 'suppressed'
  WHEN c.status = 'given' AND (c.expires_at IS NULL OR c.expires_at > :now) THEN 'consent_given'
  WHEN c.status IN ('refused', 'withdrawn') THEN c.status
  WHEN EXISTS (SELECT 1 FROM events v WHERE v.subject_id = i.subject_id
               AND v.purpose_key = 'orders') THEN 'soft_spam'
  WHEN c.status = 'expired' OR (c.status IN ('given', 'pending_confirmation')
    AND c.expires_at <= :now) THEN 'expired'
  WHEN c.status = 'pending_confirmation' THEN 'pending_confirmation'
  ELSE 'no_consent' END
FROM bench_list l
LEFT JOIN subject_identifiers i ON i.blind = l.b
LEFT JOIN subjects s ON s.id = i.subject_id
LEFT JOIN consent_states c
  ON c.subject_id = i.subject_id AND c.purpose_key = 'newsletter' AND c.channel = 'email'
ORDER BY l.n
"""


def naive_join(ctx: Context, path: Path) -> tuple[float, float, dict[str, int], str]:
    """Answers the list by the join; seconds, CPU seconds, rows by reason, digest of the rows'
    reasons in order."""
    start, cpu_start = time.perf_counter(), time.process_time()
    blind = blinder(ctx.blind_key, IdentifierKind.EMAIL.value)
    rows: list[tuple[int, str | None]] = []
    with path.open("rb") as handle:
        handle.readline()
        for n, raw in enumerate(handle):
            values = next(csv.reader([raw.decode("utf-8").rstrip("\r\n")]), [])
            try:
                rows.append((n, blind(normal_value(IdentifierKind.EMAIL, values[0]))))
            except InvalidInput:
                rows.append((n, None))
    pg = ctx.engine.dialect.name == "postgresql"
    now: Any = datetime.now(UTC)
    if not pg:  # the text SQLite keeps (see store.types.UTCDateTime)
        now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    reasons: dict[str, int] = {}
    digest = hashlib.sha256()
    with ctx.engine.connect() as conn:
        server_cpu = _backend_cpu(conn) if pg else 0.0
        conn.exec_driver_sql("CREATE TEMPORARY TABLE bench_list (n INTEGER PRIMARY KEY, b TEXT)")
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if pg:
            with cursor.copy("COPY bench_list (n, b) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("ANALYZE bench_list")
        else:
            cursor.executemany("INSERT INTO bench_list VALUES (?, ?)", rows)
        del rows
        result = conn.execute(text(JOIN), {"now": now})
        for part in result.partitions(50_000):
            for _, reason in part:
                reasons[reason] = reasons.get(reason, 0) + 1
                digest.update(reason.encode() + b"\n")
        if pg:
            server_cpu = _backend_cpu(conn) - server_cpu
        conn.exec_driver_sql("DROP TABLE bench_list")
        conn.rollback()
    cpu = time.process_time() - cpu_start + server_cpu
    return time.perf_counter() - start, cpu, reasons, digest.hexdigest()


def _backend_cpu(conn: Any) -> float:
    """CPU seconds of the PostgreSQL server process behind this connection (same machine)."""
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
