"""Tile paths, tile sets and entry bundles as c2sp.org/tlog-tiles writes them."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustguardian.ledger import append, leaf_hash
from trustguardian.ledger.reference import mth
from trustguardian.ledger.tiles import (
    ENTRIES,
    Tile,
    decode_bundle,
    decode_tile,
    encode_bundle,
    parse_tile_path,
    tiles_of,
)


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(0, 0), "tile/0/000"),
        (Tile(2, 1000), "tile/2/x001/000"),
        (Tile(1, 17, 112), "tile/1/017.p/112"),
        (Tile(ENTRIES, 5, 1), "tile/entries/005.p/1"),
        (Tile(ENTRIES, 999), "tile/entries/999"),
    ],
)
def test_paths_are_written_and_read_as_the_spec_encodes_them(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert parse_tile_path(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/0001",
        "tile/0/1",
        "tile/0/x000/001",
        "tile/00/001",
        "tile/64/000",
        "tile/0/001.p/256",
        "tile/0/001.p/0",
        "tile/0/001.p/07",
        "tile/0/x001",
        "tile/data/001",
        "tile/0/../001",
    ],
)
def test_a_path_not_written_canonically_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match=r"path|canonically|leading zero|wid|no tile"):
        parse_tile_path(path)


def test_a_tree_of_70000_has_the_tiles_the_spec_lists() -> None:
    tiles = list(tiles_of(70_000))
    hashes = [t for t in tiles if not t.entries]
    assert sum(1 for t in hashes if t.level == 0 and t.full) == 273
    partial = [(t.level, t.index, t.width) for t in hashes if not t.full]
    assert partial == [(0, 273, 112), (1, 1, 17), (2, 0, 1)]
    assert [(t.level, t.index) for t in hashes if t.level == 1 and t.full] == [(1, 0)]
    bundles = [t for t in tiles if t.entries]
    assert len(bundles) == 274
    assert bundles[-1].width == 112
    assert [t.path for t in tiles_of(256) if not t.entries] == ["tile/0/000", "tile/1/000.p/1"]


def test_tiles_from_a_start_are_those_holding_something_new() -> None:
    later = {t.path for t in tiles_of(70_000, start=69_000)}
    assert "tile/0/269" in later
    assert "tile/0/268" not in later
    assert "tile/1/000" not in later
    assert "tile/1/001.p/17" in later
    assert set(tiles_of(0)) == set()


@settings(max_examples=30)
@given(st.integers(min_value=1, max_value=1300))
def test_tile_hashes_are_the_stored_subtrees_of_the_tree(size: int) -> None:
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    nodes = {n.coord: n.hash for n in append(0, [leaf_hash(x) for x in leaves], lambda *_: b"")}
    for tile in tiles_of(size):
        if tile.entries:
            assert tile.first + tile.width <= size
            continue
        span = 256**tile.level
        for offset, coord in enumerate(tile.coords()):
            start = (tile.first + offset) * span
            assert nodes[coord] == mth(leaves[start : start + span])


def test_bundles_are_uint16_length_prefixed_and_read_back_exactly() -> None:
    entries = [b"", b"a", b"\x00" * 300, b"x" * 0xFFFF]
    data = encode_bundle(entries)
    assert data[:2] == b"\x00\x00"
    assert data[2:5] == b"\x00\x01a"
    assert decode_bundle(data, Tile(ENTRIES, 0, 4)) == entries
    with pytest.raises(ValueError, match="holds 4 entries, not 5"):
        decode_bundle(data, Tile(ENTRIES, 0, 5))
    with pytest.raises(ValueError, match="ends inside"):
        decode_bundle(data[:-1], Tile(ENTRIES, 0, 4))
    with pytest.raises(ValueError, match="does not fit"):
        encode_bundle([b"x" * 0x10000])


def test_a_hash_tile_must_have_exactly_its_width_of_hashes() -> None:
    digest = hashlib.sha256(b"x").digest()
    assert decode_tile(digest * 3, Tile(0, 0, 3)) == [digest] * 3
    with pytest.raises(ValueError, match="not 128"):
        decode_tile(digest * 3, Tile(0, 0, 4))
