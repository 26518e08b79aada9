"""Repository for the Merkle tree: the head (sequencer), complete-subtree nodes and checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from trustguardian.ledger import Coord, Node
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert, driver_mark

# SQLite caps the number of bound parameters per statement; chunks stay well below it.
CHUNK = 400


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str
    created_at: datetime


@dataclass(frozen=True)
class StoredCosignature:
    tree_size: int
    witness: str  # the witness key's name and key ID: name+hex
    line: str
    stored_at: datetime


class LedgerRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def lock_head(self) -> int:
        """Takes the sequencer lock for this transaction and returns the tree size.

        PostgreSQL: the row lock serialises appends across processes. SQLite: the transaction
        already holds the database's single write lock (BEGIN IMMEDIATE).
        """
        size = self._c.execute(
            select(t.ledger_head.c.size).where(t.ledger_head.c.id == 1).with_for_update()
        ).scalar_one()
        return int(size)

    def size(self) -> int:
        return int(
            self._c.execute(
                select(t.ledger_head.c.size).where(t.ledger_head.c.id == 1)
            ).scalar_one()
        )

    def set_size(self, size: int) -> None:
        self._c.execute(update(t.ledger_head).where(t.ledger_head.c.id == 1).values(size=size))

    def current_signing_key(self) -> str | None:
        """The key hash of the registered signing key in use (None before any registration)."""
        found = self._c.execute(
            select(t.signing_keys.c.key_hash).where(t.signing_keys.c.until_tree_size.is_(None))
        ).scalar()
        return None if found is None else str(found)

    def nodes(self, coords: Sequence[Coord]) -> dict[Coord, bytes]:
        """Reads the stored nodes at these coordinates (one query per chunk)."""
        found: dict[Coord, bytes] = {}
        wanted = list(dict.fromkeys(coords))
        mark = driver_mark(self._c)
        term = f"(level = {mark} AND idx = {mark})"
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            # OR of point lookups: both SQLite and PostgreSQL answer each term from the primary
            # key, where a row-value IN list can fall back to scanning the whole tree. Plain SQL:
            # building the expression cost more than the lookups (a proof reads ~20 nodes).
            where = " OR ".join([term] * len(chunk))  # only placeholders: values are bound
            sql = f"SELECT level, idx, hash FROM tree_nodes WHERE {where}"  # noqa: S608
            params = tuple(value for coord in chunk for value in coord)
            for level, idx, digest in self._c.exec_driver_sql(sql, params):
                found[level, idx] = bytes(digest)
        return found

    def level_nodes(self, level: int, first: int, stop: int) -> list[bytes]:
        """The stored node hashes of one level, indexes `first` to `stop` (exclusive), in order."""
        n = t.tree_nodes.c
        rows = self._c.execute(
            select(n.idx, n.hash)
            .where(n.level == level, n.idx >= first, n.idx < stop)
            .order_by(n.idx)
        ).all()
        if [int(r.idx) for r in rows] != list(range(first, stop)):
            raise LookupError(f"tree nodes of level {level} missing in [{first}, {stop})")
        return [bytes(r.hash) for r in rows]

    def leaves(self, first: int, stop: int) -> list[bytes]:
        """The exact leaf bytes at indexes `first` to `stop` (exclusive): each an event's or a
        registry record's, in order."""
        e, r = t.events.c, t.registry_records.c
        events = select(e.seq, e.leaf).where(e.seq >= first, e.seq < stop)
        records = select(r.seq, r.leaf).where(r.seq >= first, r.seq < stop)
        rows = self._c.execute(events.union_all(records).order_by("seq")).all()
        if [int(row[0]) for row in rows] != list(range(first, stop)):
            raise LookupError(f"leaves missing in [{first}, {stop})")
        return [bytes(row[1]) for row in rows]

    def add_nodes(self, nodes: Sequence[Node]) -> None:
        bulk_insert(
            self._c,
            t.tree_nodes,
            [{"level": n.level, "idx": n.index, "hash": n.hash} for n in nodes],
        )

    def iter_nodes(self) -> Iterator[tuple[int, int, bytes]]:
        """Streams every stored node in (level, idx) order."""
        # Raw rows: this reads every node during verification, where ORM processing dominates.
        result = self._c.execution_options(stream_results=True).exec_driver_sql(
            "SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx"
        )
        while rows := result.fetchmany(10_000):
            for level, idx, digest in rows:
                yield level, idx, bytes(digest)

    def add_checkpoint(self, cp: StoredCheckpoint) -> None:
        self._c.execute(
            insert(t.checkpoints).values(
                tree_size=cp.tree_size,
                root_hash=cp.root_hash,
                note=cp.note,
                created_at=cp.created_at,
            )
        )

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        row = self._c.execute(
            select(t.checkpoints).order_by(t.checkpoints.c.tree_size.desc()).limit(1)
        ).first()
        return (
            None
            if row is None
            else StoredCheckpoint(row.tree_size, bytes(row.root_hash), row.note, row.created_at)
        )

    def checkpoint(self, tree_size: int) -> StoredCheckpoint | None:
        row = self._c.execute(
            select(t.checkpoints).where(t.checkpoints.c.tree_size == tree_size)
        ).first()
        return (
            None
            if row is None
            else StoredCheckpoint(row.tree_size, bytes(row.root_hash), row.note, row.created_at)
        )

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self._c.execute(select(t.checkpoints).order_by(t.checkpoints.c.tree_size))
        return [
            StoredCheckpoint(r.tree_size, bytes(r.root_hash), r.note, r.created_at) for r in rows
        ]

    def add_cosignature(self, cosignature: StoredCosignature) -> None:
        """Stores a witness's cosignature line (a second one for the same key is ignored)."""
        exists = self._c.execute(
            select(t.checkpoint_cosignatures.c.tree_size).where(
                t.checkpoint_cosignatures.c.tree_size == cosignature.tree_size,
                t.checkpoint_cosignatures.c.witness == cosignature.witness,
            )
        ).first()
        if exists is None:
            self._c.execute(insert(t.checkpoint_cosignatures).values(**vars(cosignature)))

    def cosignatures(self, tree_size: int) -> list[StoredCosignature]:
        """A checkpoint's cosignatures, in the order they were stored."""
        table = t.checkpoint_cosignatures
        rows = self._c.execute(
            select(table)
            .where(table.c.tree_size == tree_size)
            .order_by(table.c.stored_at, table.c.witness)
        )
        return [StoredCosignature(r.tree_size, r.witness, r.line, r.stored_at) for r in rows]

    def cosigned_sizes(self) -> dict[str, int]:
        """The largest tree size each witness key cosigned."""
        table = t.checkpoint_cosignatures
        rows = self._c.execute(
            select(table.c.witness, func.max(table.c.tree_size)).group_by(table.c.witness)
        )
        return {str(witness): int(size) for witness, size in rows}

    def cosigned_checkpoint(self, min_size: int, quorum: int) -> StoredCheckpoint | None:
        """The largest checkpoint of at least `min_size` leaves with `quorum` or more
        cosignatures (None if there is none)."""
        table = t.checkpoint_cosignatures
        size = self._c.execute(
            select(table.c.tree_size)
            .where(table.c.tree_size >= min_size)
            .group_by(table.c.tree_size)
            .having(func.count() >= quorum)
            .order_by(table.c.tree_size.desc())
            .limit(1)
        ).scalar()
        return None if size is None else self.checkpoint(int(size))

    def cosignature_rows(self) -> list[StoredCosignature]:
        """Every stored cosignature, by tree size (for benches and audits)."""
        table = t.checkpoint_cosignatures
        rows = self._c.execute(select(table).order_by(table.c.tree_size, table.c.stored_at))
        return [StoredCosignature(r.tree_size, r.witness, r.line, r.stored_at) for r in rows]
