"""C2SP tiled transparency logs (https://c2sp.org/tlog-tiles): paths, tiles and entry bundles.

A tile at level ``l``, index ``n`` holds up to 256 consecutive hashes of tree level ``8 * l``:
entry ``i`` is the complete subtree node ``(8 * l, n * 256 + i)`` of the RFC 9162 tree, which
is exactly what a store of complete subtrees keeps. An entry bundle holds the leaves
``[n * 256, n * 256 + w)``, each as a big-endian uint16 length and the leaf bytes.

Everything here is pure: which tiles a tree size has, where they live, and their bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .hashing import HASH_SIZE
from .tree import Coord

__all__ = [
    "ENTRIES",
    "MAX_ENTRY_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "decode_bundle",
    "decode_tile",
    "encode_bundle",
    "parse_tile_path",
    "tiles_of",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_SIZE = 0xFFFF
ENTRIES = -1
"""The level given to entry bundles (they sit beside the level-0 tiles, under ``entries``)."""
_MAX_LEVEL = 63
_PATH = re.compile(r"tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([0-9]+))?")


@dataclass(frozen=True, slots=True)
class Tile:
    """A hash tile (``level >= 0``) or an entry bundle (``level == ENTRIES``) of some width."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not ENTRIES <= self.level <= _MAX_LEVEL or self.index < 0:
            raise ValueError(f"no tile at level {self.level}, index {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise ValueError(f"a tile is 1 to {TILE_WIDTH} wide, not {self.width}")

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def entries(self) -> bool:
        return self.level == ENTRIES

    @property
    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``, N in x### elements."""
        level = "entries" if self.entries else str(self.level)
        digits = f"{self.index:03d}"
        digits = "0" * (-len(digits) % 3) + digits
        parts = [digits[i : i + 3] for i in range(0, len(digits), 3)]
        index = "/".join([*("x" + p for p in parts[:-1]), parts[-1]])
        suffix = "" if self.full else f".p/{self.width}"
        return f"tile/{level}/{index}{suffix}"

    @property
    def first(self) -> int:
        """The first hash this tile holds, as an index at its tree level."""
        return self.index * TILE_WIDTH

    def coords(self) -> list[Coord]:
        """The complete subtree nodes a hash tile holds, in order."""
        level = max(self.level, 0) * TILE_HEIGHT
        return [(level, self.first + i) for i in range(self.width)]

    def needs(self) -> int:
        """The smallest tree size that holds every hash (or leaf) of this tile."""
        return (self.first + self.width) << (max(self.level, 0) * TILE_HEIGHT)


def parse_tile_path(path: str) -> Tile:
    """Reads a tile or entry bundle path; ValueError unless it is one written canonically."""
    found = _PATH.fullmatch(path)
    if found is None:
        raise ValueError(f"{path!r} is not a tile path")
    level_text, index_text, width_text = found.groups()
    level = ENTRIES if level_text == "entries" else int(level_text)
    parts = index_text.split("/")
    if len(parts) > 1 and parts[0] == "x000":
        raise ValueError(f"{path!r} has a leading zero element")
    index = int("".join(p.removeprefix("x") for p in parts))
    width = TILE_WIDTH if width_text is None else int(width_text)
    if width_text is not None and (width_text != str(width) or width >= TILE_WIDTH):
        raise ValueError(f"{path!r} has a partial width that is not 1 to 255")
    tile = Tile(level, index, width)
    if tile.path != path:
        raise ValueError(f"{path!r} is not written canonically")
    return tile


def tiles_of(size: int, *, start: int = 0) -> Iterator[Tile]:
    """Every hash tile and entry bundle of a tree of ``size`` leaves, level by level, holding
    something at or after leaf ``start`` (full ones first, the partial one last)."""
    if not 0 <= start <= size:
        raise ValueError(f"need 0 <= start <= size, got {start}, {size}")
    level = 0
    while (size >> (level * TILE_HEIGHT)) > 0:
        count = size >> (level * TILE_HEIGHT)  # hashes at this tile level
        first = (start >> (level * TILE_HEIGHT)) // TILE_WIDTH
        full, partial = divmod(count, TILE_WIDTH)
        for index in range(first, full):
            yield Tile(level, index)
            if level == 0:
                yield Tile(ENTRIES, index)
        if partial:
            yield Tile(level, full, partial)
            if level == 0:
                yield Tile(ENTRIES, full, partial)
        level += 1


def decode_tile(data: bytes, tile: Tile) -> list[bytes]:
    """The hashes of a hash tile's bytes; ValueError unless it has exactly its width of them."""
    if len(data) != tile.width * HASH_SIZE:
        raise ValueError(f"{tile.path} has {len(data)} bytes, not {tile.width * HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length and its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise ValueError(f"an entry of {len(entry)} bytes does not fit a uint16 length")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes, tile: Tile) -> list[bytes]:
    """The entries of a bundle; ValueError unless it holds exactly its width of them."""
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise ValueError(f"{tile.path} ends inside an entry's length")
        length = int.from_bytes(data[offset : offset + 2], "big")
        end = offset + 2 + length
        if end > len(data):
            raise ValueError(f"{tile.path} ends inside entry {len(entries)}")
        entries.append(data[offset + 2 : end])
        offset = end
    if len(entries) != tile.width:
        raise ValueError(f"{tile.path} holds {len(entries)} entries, not {tile.width}")
    return entries
