"""The checks answered and the access log, checked against the batches that sealed them.

Each batch record commits to the Merkle root of its rows' canonical forms, their count and its
first and last row (service.events.batches). Every sealed row is hashed again: a row whose hash
is not the one it was sealed with was changed; a position left empty was removed; a row at a
position the batch does not have, or twice at one, was inserted; a row no batch sealed, though
dated before the last sealed one, was inserted since. When the rows' hashes were rewritten as
well, the batch's rows no longer hash to its root, and the batch is named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from trustguardian.ledger.batch import batch_root
from trustguardian.service.events.batches import OBJECT, row_hash
from trustguardian.store.batches import SEALABLE
from trustguardian.store.uow import UnitOfWork

NOUN = {"checks": "check", "access_log": "access-log row"}
# A tampered row may hold values of any type the database lets through.
UNHASHABLE = (ValueError, TypeError, KeyError, AttributeError)


def check_batches(uow: UnitOfWork, size: int, problems: list[str]) -> int:
    """Checks every sealed check and access-log row, and the rows no batch holds though it
    should; returns how many sealed rows were checked."""
    checked = 0
    for kind in SEALABLE:
        records = {seq: json.loads(text) for seq, text in uow.batches.records(OBJECT[kind], size)}
        seen: set[int] = set()
        rows: Iterator[dict[str, Any]] = uow.batches.sealed(kind)
        for seq, group in groupby(rows, key=lambda r: int(r["sealed_seq"])):
            batch = list(group)
            checked += len(batch)
            seen.add(seq)
            _check_batch(kind, seq, records.get(seq), batch, problems)
        for seq in sorted(records.keys() - seen):
            content = records[seq]
            problems.append(
                f"{NOUN[kind]} batch seq {seq} ({content['first']['id']}..{content['last']['id']}"
                f"): all its {content['count']} rows are gone"
            )
        if records:
            last = records[max(records)]["last"]
            for row in uow.batches.strays(kind, (_moment(last["at"]), last["id"])):
                problems.append(
                    f"{NOUN[kind]} {row['id']}: in no sealed batch, though dated before the last "
                    "sealed row (inserted since)"
                )
    return checked


def _check_batch(
    kind: str, seq: int, content: dict[str, Any] | None, rows: list[dict[str, Any]],
    problems: list[str],
) -> None:  # fmt: skip
    noun = NOUN[kind]
    if content is None:
        for row in rows:
            problems.append(f"{noun} {row['id']}: sealed by ledger seq {seq}, which seals no batch")
        return
    label = f"{noun} batch seq {seq} ({content['first']['id']}..{content['last']['id']})"
    count = int(content["count"])
    named = len(problems)
    by_position: dict[int, dict[str, Any]] = {}
    hashes: dict[int, bytes] = {}
    for row in rows:
        position = row["sealed_position"]
        if position is None or not 0 <= position < count or position in by_position:
            problems.append(f"{noun} {row['id']}: not one of the {count} rows {label} sealed")
            continue
        by_position[position] = row
        try:
            hashes[position] = row_hash(kind, row)
        except UNHASHABLE:
            hashes[position] = b""
        if hashes[position] != bytes(row["sealed_hash"] or b""):
            problems.append(f"{noun} {row['id']}: changed since {label} sealed it")
    for position in range(count):
        if position not in by_position:
            before = by_position.get(position - 1)
            after = f", after {before['id']}" if before is not None else ""
            problems.append(f"{label}: the row at position {position}{after} was removed")
    if (
        len(problems) == named
        and batch_root([hashes[p] for p in range(count)]).hex() != content["root"]
    ):
        problems.append(f"{label}: its rows do not hash to the root its record sealed")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
