"""An independent client of a tiled log (c2sp.org/tlog-tiles), from the specifications alone.

It imports nothing from `trustguardian`: the standard library (urllib) for HTTP, and the
independent verifier's RFC 9162 and signed-note code (itself only the standard library and
`cryptography`). From the checkpoint and the tiles alone it builds inclusion and consistency
proofs as RFC 9162 section 2.1 defines them, then verifies them against signed roots.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field

from tests.ledger import independent_verifier as iv

WIDTH = 256


def tile_path(level: str | int, index: int, width: int) -> str:
    """`tile/<L>/<N>[.p/<W>]` with N in zero-padded 3-digit elements, all but the last x-ed."""
    digits = str(index)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    parts = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    name = "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])
    return f"tile/{level}/{name}" + ("" if width == WIDTH else f".p/{width}")


@dataclass
class TileClient:
    """Reads a log published under an http:// prefix, for a tree of `size` leaves."""

    prefix: str
    size: int = 0
    fetched: list[str] = field(default_factory=list)

    def get(self, path: str) -> bytes:
        self.fetched.append(path)
        url = self.prefix.rstrip("/") + "/" + path
        # http:// only: the prefix is the test's own loopback server.
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310
            data: bytes = answer.read()
            return data

    def checkpoint(self, vkey: str) -> iv.CheckpointBody:
        """The log's checkpoint, verified with the log's key; later reads use its size."""
        body = iv.verify_checkpoint(self.get("checkpoint").decode("utf-8"), vkey)
        self.size = body.size
        return body

    def _width(self, level: int, index: int) -> int:
        return min(WIDTH, (self.size >> (8 * level)) - index * WIDTH)

    def hashes(self, level: int, index: int) -> list[bytes]:
        data = self.get(tile_path(level, index, self._width(level, index)))
        return [data[i : i + 32] for i in range(0, len(data), 32)]

    def entry(self, index: int) -> bytes:
        """Leaf `index` from its entry bundle (uint16 big-endian lengths)."""
        tile = index // WIDTH
        data = self.get(tile_path("entries", tile, self._width(0, tile)))
        entries, offset = [], 0
        while offset < len(data):
            length = int.from_bytes(data[offset : offset + 2], "big")
            entries.append(data[offset + 2 : offset + 2 + length])
            offset += 2 + length
        return entries[index % WIDTH]

    def node(self, height: int, index: int) -> bytes:
        """The complete subtree of 2**height leaves starting at leaf index * 2**height: from
        the tile at level height // 8, hashed up height % 8 levels."""
        level, rest = divmod(height, 8)
        first = index << rest  # at tree height 8 * level
        row = self.hashes(level, first // WIDTH)[first % WIDTH : first % WIDTH + (1 << rest)]
        while len(row) > 1:
            row = [iv.hash_children(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def mth(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) of RFC 9162 section 2.1.1, for a subtree range of the log."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        k = 1 << ((n - 1).bit_length() - 1)
        return iv.hash_children(self.mth(start, start + k), self.mth(start + k, end))

    def inclusion_path(self, m: int, start: int, end: int) -> list[bytes]:
        """PATH(m, D[start:end]) of RFC 9162 section 2.1.3.1."""
        n = end - start
        if n == 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if m < k:
            return [*self.inclusion_path(m, start, start + k), self.mth(start + k, end)]
        return [*self.inclusion_path(m - k, start + k, end), self.mth(start, start + k)]

    def consistency_path(self, m: int, start: int, end: int, whole: bool = True) -> list[bytes]:
        """SUBPROOF(m, D[start:end], b) of RFC 9162 section 2.1.4.1."""
        n = end - start
        if m == n:
            return [] if whole else [self.mth(start, end)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return [*self.consistency_path(m, start, start + k, whole), self.mth(start + k, end)]
        return [
            *self.consistency_path(m - k, start + k, end, False),
            self.mth(start, start + k),
        ]


def fetch_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 (loopback http)
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code
