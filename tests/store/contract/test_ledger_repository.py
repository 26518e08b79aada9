"""The tree's nodes and checkpoints: hashes read back byte for byte (in chunks past the bound
parameter limit), nodes stream in (level, index) order, checkpoints in tree size order, and a
node's coordinates are taken once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from trustguardian.ledger import Node
from trustguardian.service.context import Context
from trustguardian.store.ledger import CHUNK, StoredCheckpoint

from .records import T0

# Far above any level a fresh instance has: the test's nodes never meet the instance's own.
LEVEL = 40


def digest(level: int, index: int) -> bytes:
    return hashlib.sha256(f"{level}/{index}".encode()).digest()


def test_nodes_read_back_byte_for_byte_past_one_chunk(store: Context) -> None:
    per_level = CHUNK // 2 + 17
    written = [
        Node(level, index, digest(level, index))
        for level in (LEVEL, LEVEL + 1)
        for index in range(per_level)
    ]
    written.append(Node(LEVEL + 2, 3, b"\x00" * 31 + b"\xff"))  # zeros and a high byte
    with store.uow() as uow:
        uow.ledger.add_nodes(list(reversed(written)))
        uow.commit()
    with store.uow(write=False) as uow:
        coords = [(n.level, n.index) for n in written]
        found = uow.ledger.nodes([*coords, (LEVEL, 99_999), coords[0]])
        streamed = [node for node in uow.ledger.iter_nodes() if node[0] >= LEVEL]
    assert found == {(n.level, n.index): n.hash for n in written}
    assert streamed == sorted((n.level, n.index, n.hash) for n in written)


def test_a_nodes_coordinates_are_taken_once(store: Context) -> None:
    with store.uow() as uow:
        uow.ledger.add_nodes([Node(LEVEL, 0, digest(LEVEL, 0))])
        uow.commit()
    with store.uow() as uow, pytest.raises(IntegrityError):
        uow.ledger.add_nodes([Node(LEVEL, 0, digest(LEVEL, 1))])
    with store.uow(write=False) as uow:
        assert uow.ledger.nodes([(LEVEL, 0)]) == {(LEVEL, 0): digest(LEVEL, 0)}


def test_checkpoints_come_in_tree_size_order(store: Context) -> None:
    with store.uow(write=False) as uow:
        before = uow.ledger.checkpoints()
    base = max((cp.tree_size for cp in before), default=0) + 1_000
    made = [
        StoredCheckpoint(
            tree_size=base + size,
            root_hash=digest(0, size),
            note=f"origin\n{size}\nhash\n",
            created_at=T0 + timedelta(seconds=size),
        )
        for size in (5, 1, 9, 3)
    ]
    with store.uow() as uow:
        for cp in made:
            uow.ledger.add_checkpoint(cp)
        uow.commit()
    with store.uow(write=False) as uow:
        assert uow.ledger.checkpoints() == before + sorted(made, key=lambda cp: cp.tree_size)
        assert uow.ledger.latest_checkpoint() == max(made, key=lambda cp: cp.tree_size)
        assert uow.ledger.checkpoint(base + 3) == made[3]
        assert uow.ledger.checkpoint(base + 4) is None
    with store.uow() as uow, pytest.raises(IntegrityError):
        uow.ledger.add_checkpoint(made[0])
