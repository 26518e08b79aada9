"""An archive's tiles checked as a monitor would: every tile of the tree at checkpoint.txt is
there, each entry hashes to its level-0 hash, the level-0 hashes rebuild the signed root
(RFC 9162), and every archived leaf is the entry at its index."""

from __future__ import annotations

from collections.abc import Callable

from trustguardian.ledger.hashing import leaf_hash, node_hash
from trustguardian.ledger.tiles import ENTRIES, TILE_WIDTH, decode_bundle, decode_tile, tiles_of

Fail = Callable[[str, str], None]


def tree_root(hashes: list[bytes]) -> bytes:
    """RFC 9162's Merkle tree hash of leaf hashes (at least one)."""
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)  # the largest power of two below n
    return node_hash(tree_root(hashes[:split]), tree_root(hashes[split:]))


def check_tiles(files: dict[str, bytes], latest: tuple[int, bytes] | None, fail: Fail) -> int:
    """Checks the bundle's tiles against the signed checkpoint; returns how many there are."""
    if latest is None or latest[0] == 0:
        return 0
    size, root = latest
    level0: list[bytes] = []
    entries: dict[int, list[bytes]] = {}
    count = 0
    for tile in tiles_of(size):
        data = files.get(tile.path)
        if data is None:
            fail(tile.path, "missing: the tree cannot be rebuilt from the bundle")
            return count
        count += 1
        try:
            if tile.level == 0:
                level0 += decode_tile(data, tile)
            elif tile.level == ENTRIES:
                entries[tile.index] = decode_bundle(data, tile)
        except ValueError as exc:
            fail(tile.path, f"malformed tile: {exc}")
            return count
    for index, bundle in sorted(entries.items()):
        for offset, entry in enumerate(bundle):
            if leaf_hash(entry) != level0[index * TILE_WIDTH + offset]:
                fail(f"tile/entries/{index}", f"entry {offset} does not hash to its level-0 hash")
                return count
    if len(level0) != size or tree_root(level0) != root:
        fail("tile/0", "the level-0 hashes do not rebuild checkpoint.txt's root")
    for path in (p for p in files if p.startswith("leaves/") and p.endswith(".bin")):
        index = int(path.removeprefix("leaves/").removesuffix(".bin"))
        bundle = entries.get(index // TILE_WIDTH, [])
        offset = index % TILE_WIDTH
        if index >= size or offset >= len(bundle) or bundle[offset] != files[path]:
            fail(path, "is not the tiles' entry at its index")
    return count
