"""A batch's Merkle root and inclusion paths are RFC 9162's, as the literal definitions give."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trustguardian.ledger import leaf_hash
from trustguardian.ledger.batch import batch_path, batch_root
from trustguardian.ledger.reference import mth, path

ROWS = st.lists(st.binary(max_size=40), min_size=1, max_size=70)


@given(ROWS)
def test_the_batch_root_is_the_merkle_tree_hash_of_its_rows(rows: list[bytes]) -> None:
    assert batch_root([leaf_hash(r) for r in rows]) == mth(rows)


@given(ROWS, st.data())
def test_a_rows_path_is_its_rfc_9162_audit_path(rows: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(rows) - 1))
    assert batch_path(index, [leaf_hash(r) for r in rows]) == path(index, rows)


def test_an_empty_batch_has_the_empty_root() -> None:
    assert batch_root([]) == mth([])
