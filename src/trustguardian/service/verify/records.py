"""Registry records checked against their own leaves, and their places in the tree.

A leaf index belongs to exactly one event or one registry record. The records are few (one per
registry change), so their leaf hashes are held by index while the events stream past, and fill
the indexes no event takes.
"""

from __future__ import annotations

from typing import Any

from trustguardian.ledger import leaf_hash
from trustguardian.ledger.records import RecordLeaf, content_text
from trustguardian.store.events.scans import VerifyScans, time_text

FIELDS = ("seq", "kind", "object_type", "object_key", "content", "recorded_at", "actor")


def record_slots(scans: VerifyScans) -> dict[int, bytes]:
    """The leaf hash of each stored record's leaf, by leaf index."""
    return {int(row[0]): leaf_hash(bytes(row[7])) for row in scans.records()}


def check_records(scans: VerifyScans, size: int, problems: list[str]) -> int:
    """Checks each record's columns against its leaf; returns how many records there are."""
    count = 0
    for row in scans.records():
        count += 1
        seq = int(row[0])
        label = f"registry record seq {seq} ({row[2]} {row[3]})"
        if seq >= size:
            problems.append(f"{label}: beyond the ledger head ({size} leaves)")
            continue
        wrong = record_mismatches(row)
        if wrong:
            problems.append(f"{label}: stored record differs from its ledger leaf ({wrong})")
    return count


def record_mismatches(row: Any) -> str:
    """Names the columns of a scanned record row that disagree with its leaf ('' when none)."""
    try:
        parsed = RecordLeaf.parse(bytes(row[7]))
    except ValueError as exc:
        return f"leaf is not a registry record: {exc}"
    leaf_values = (
        parsed.seq, parsed.kind, parsed.object_type, parsed.object_key,
        content_text(parsed.content), parsed.recorded_at, parsed.actor,
    )  # fmt: skip
    columns = (int(row[0]), row[1], row[2], row[3], row[4], time_text(row[5]), row[6])
    wrong = [n for n, leaf, col in zip(FIELDS, leaf_values, columns, strict=True) if leaf != col]
    return ", ".join(wrong)
