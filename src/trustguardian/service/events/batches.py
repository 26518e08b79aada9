"""High-volume records committed in batches: the checks answered and the subject access log.

They do not warrant a leaf each. A sealing pass takes the rows recorded since the last batch
(up to a minute ago, so that a check still in a server's journal is not left behind), in (time,
id) order, hashes each row's canonical form (RFC 8785) as an RFC 9162 leaf, and appends one
ledger record carrying the Merkle root of the batch, its first and last row and its count. Each
row keeps the record's ledger index, its position and its leaf hash, so `verify` names a row
changed, removed or inserted since, and a single check is proven by its path to the batch's root
and the record's path to a signed checkpoint.

Passes run from `trustguardian ledger seal` (a timer), before `trustguardian verify`, and
whenever a caller asks; a pass only ever takes rows dated after the last sealed one, so a row
inserted later with an earlier date is never sealed and `verify` names it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from trustguardian.domain.errors import NotFound
from trustguardian.domain.events import timestamp
from trustguardian.ledger import canonical_json_plain, inclusion_coords, inclusion_proof, leaf_hash
from trustguardian.ledger.batch import batch_path, batch_root
from trustguardian.service.context import Context
from trustguardian.service.events.records import record_registry_change
from trustguardian.store.batches import SEALABLE, Seal

# Rows younger than this are left for the next pass: a check may sit in a server's journal for a
# moment before it reaches the table, and a row dated before the last sealed one is never sealed.
GRACE = timedelta(minutes=1)
MAX_ROWS = 10_000
KIND = {"checks": "registry.check_batch.sealed", "access_log": "registry.access_batch.sealed"}
OBJECT = {"checks": "check_batch", "access_log": "access_batch"}
FORMAT = {"checks": "checks/1", "access_log": "access_log/1"}
ACTOR = "trustguardian:sealing"


def canonical_row(kind: str, row: Mapping[str, Any]) -> bytes:
    """The RFC 8785 form of a check or access-log row, as its batch hashes it."""
    if kind == "checks":
        body: dict[str, object] = {
            "allowed": bool(row["allowed"]),
            "channel": row["channel"],
            "checked_at": timestamp(row["checked_at"]),
            "event_id": row["event_id"],
            "id": row["id"],
            "moment": timestamp(row["moment"]),
            "purpose": row["purpose_key"],
            "reason": row["reason"],
            "subject_id": row["subject_id"],
        }
    else:
        body = {
            "at": timestamp(row["at"]),
            "id": row["id"],
            "subject_id": row["subject_id"],
            "user_id": row["user_id"],
            "username": row["username"],
            "what": row["what"],
        }
    return canonical_json_plain(body)


def row_hash(kind: str, row: Mapping[str, Any]) -> bytes:
    """The RFC 9162 leaf hash of a row's canonical form."""
    return leaf_hash(canonical_row(kind, row))


def edge(kind: str, row: Mapping[str, Any]) -> dict[str, str]:
    """A row's place in time order, as a batch names its first and last row."""
    return {"at": timestamp(row[SEALABLE[kind].time]), "id": str(row["id"])}


@dataclass(frozen=True)
class SealedBatch:
    kind: str
    seq: int  # the ledger index of the record that seals it
    count: int
    first: str
    last: str


def seal_batches(ctx: Context, *, max_rows: int = MAX_ROWS) -> list[SealedBatch]:
    """Seals every check and access-log row older than a minute and newer than the last sealed
    one, in batches of at most `max_rows`, one ledger record each."""
    cutoff = ctx.clock.now() - GRACE
    sealed: list[SealedBatch] = []
    for kind in SEALABLE:
        while True:
            batch = _seal_one(ctx, kind, cutoff, max_rows)
            if batch is None:
                break
            sealed.append(batch)
            if batch.count < max_rows:
                break
    return sealed


def _seal_one(ctx: Context, kind: str, cutoff: datetime, max_rows: int) -> SealedBatch | None:
    with ctx.uow() as uow:
        if kind == "checks":
            uow.engage.settle_checks()  # what the servers journalled, into the table first
        uow.ledger.lock_head()  # one sealing pass at a time: no row is sealed twice
        last = uow.batches.last_record(OBJECT[kind])
        after = None
        if last is not None:
            edge_of = json.loads(last)["last"]
            after = (datetime.fromisoformat(edge_of["at"].replace("Z", "+00:00")), edge_of["id"])
        rows = uow.batches.unsealed(kind, after=after, before=cutoff, limit=max_rows)
        if not rows:
            uow.commit()  # the journals taken in
            return None
        hashes = [row_hash(kind, r) for r in rows]
        content = {
            "count": len(rows),
            "first": edge(kind, rows[0]),
            "last": edge(kind, rows[-1]),
            "root": batch_root(hashes).hex(),
            "rows": FORMAT[kind],
        }
        record = record_registry_change(
            ctx, uow, KIND[kind], OBJECT[kind], str(rows[0]["id"]), content, ACTOR
        )
        seals = [Seal(str(r["id"]), record.seq, n, hashes[n]) for n, r in enumerate(rows)]
        uow.batches.mark_sealed(kind, seals)
        uow.commit()
    return SealedBatch(kind, record.seq, len(rows), str(rows[0]["id"]), str(rows[-1]["id"]))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def prove_check(ctx: Context, *, check_id: str) -> dict[str, object]:
    """Proves one check: its canonical row, its path to its batch's root, the record carrying
    that root, and the record's path to the latest signed checkpoint."""
    with ctx.uow(write=False) as uow:
        row = uow.batches.get("checks", check_id)
        if row is None:
            raise NotFound(f"no check {check_id!r}")
        seq = row["sealed_seq"]
        if seq is None:
            raise NotFound(
                f"check {check_id!r} is not sealed yet: a sealing pass takes checks older than a "
                "minute (trustguardian ledger seal)"
            )
        rows = uow.batches.batch("checks", seq)
        record = uow.records.get(seq)
        checkpoint = uow.ledger.latest_checkpoint()
        if record is None or checkpoint is None:
            raise NotFound(f"check {check_id!r} names ledger record {seq}, which is not there")
        nodes = uow.ledger.nodes(inclusion_coords(seq, checkpoint.tree_size))
    hashes = [row_hash("checks", r) for r in rows]
    index = int(row["sealed_position"])
    if index >= len(hashes):
        raise NotFound(f"check {check_id!r} holds no place in its batch: run trustguardian verify")
    return {
        "check_id": check_id,
        "row": b64(canonical_row("checks", row)),
        "row_hash": b64(hashes[index]),
        "index": index,
        "batch_size": len(hashes),
        "batch_root": b64(batch_root(hashes)),
        "batch_path": [b64(h) for h in batch_path(index, hashes)],
        "record_index": seq,
        "record": b64(record.leaf),
        "record_path": [b64(h) for h in inclusion_proof(seq, checkpoint.tree_size, nodes)],
        "tree_size": checkpoint.tree_size,
        "checkpoint": checkpoint.note,
    }
