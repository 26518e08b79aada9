"""Tiles and entry bundles of the ledger built from the database, and the public checkpoint.

A full tile never changes, so the last ones built are kept in memory; partial tiles and the
checkpoint are read each time. Only what the latest signed checkpoint covers is served: a tile
beyond it would publish leaves no signature vouches for yet.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from trustguardian.domain.errors import NotFound
from trustguardian.ledger.tiles import TILE_HEIGHT, Tile, encode_bundle, parse_tile_path
from trustguardian.service.context import Context
from trustguardian.store.uow import UnitOfWork

CACHED_TILES = 512  # at most 4 MiB of hash tiles, a little more with entry bundles


@dataclass(frozen=True)
class TileData:
    """A tile's bytes, and whether it is full (immutable: cacheable for ever)."""

    data: bytes
    full: bool


class _Cache:
    """Full tiles by database and path, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], data: bytes) -> None:
        with self._lock:
            self._items[key] = data
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_cache = _Cache(CACHED_TILES)


def tile_bytes(uow: UnitOfWork, tile: Tile) -> bytes:
    """The bytes of a hash tile (stored nodes) or an entry bundle (stored leaves)."""
    if tile.entries:
        return encode_bundle(uow.ledger.leaves(tile.first, tile.first + tile.width))
    nodes = uow.ledger.level_nodes(tile.level * TILE_HEIGHT, tile.first, tile.first + tile.width)
    return b"".join(nodes)


def read_tile(ctx: Context, *, path: str) -> TileData:
    """The tile or entry bundle at `path` (``tile/...``), within the latest checkpoint."""
    try:
        tile = parse_tile_path(path)
    except ValueError as exc:
        raise NotFound(str(exc)) from exc
    key = (ctx.engine.url.render_as_string(hide_password=True), tile.path)
    cached = _cache.get(key) if tile.full else None
    if cached is not None:
        return TileData(cached, True)
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
        size = 0 if latest is None else latest.tree_size
        if tile.needs() > size:
            raise NotFound(f"{tile.path} is beyond the latest checkpoint (tree size {size})")
        data = tile_bytes(uow, tile)
    if tile.full:
        _cache.put(key, data)
    return TileData(data, tile.full)


def public_checkpoint(ctx: Context) -> str:
    """The latest signed checkpoint note, as published."""
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
    if latest is None:
        raise NotFound("the ledger is empty: no checkpoint yet")
    return latest.note
