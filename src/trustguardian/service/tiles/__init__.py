"""The ledger as a tiled transparency log (c2sp.org/tlog-tiles): static files anyone can mirror,
and the same tiles served read-only from the database.

Its use cases (each opens its own unit of work) are importable from here; `write_tiles` and
`check_leaves` take a caller's unit of work and stay in their module.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.tiles.read import public_checkpoint, read_tile
    from trustguardian.service.tiles.static import publish

USE_CASES = {
    "public_checkpoint": "read",
    "publish": "static",
    "read_tile": "read",
}
__all__ = [
    "public_checkpoint",
    "publish",
    "read_tile",
]
__getattr__ = lazy(__name__, USE_CASES)
