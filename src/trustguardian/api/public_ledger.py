"""The ledger as a tiled log (c2sp.org/tlog-tiles), public and read-only under `/ledger/`.

No key is needed: the checkpoint, the hash tiles and the entry bundles hold no personal data
(only pseudonymous ids, keyed hashes and commitments), and anyone may mirror them. A full tile
never changes, so caches may keep it for ever; a partial tile and the checkpoint change as the
log grows. Outside `/v1` and the API's description: these are static files, served from the
database.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from trustguardian.service import tiles
from trustguardian.service.context import Context

router = APIRouter(prefix="/ledger", include_in_schema=False)

IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
CHECKPOINT = "public, max-age=5, must-revalidate"


@router.get("/checkpoint")
def checkpoint(request: Request) -> Response:
    """The latest signed checkpoint."""
    ctx: Context = request.app.state.context
    return Response(
        tiles.public_checkpoint(ctx),
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": CHECKPOINT},
    )


@router.get("/tile/{path:path}")
def tile(path: str, request: Request) -> Response:
    """A hash tile or an entry bundle within the latest checkpoint (404 otherwise)."""
    ctx: Context = request.app.state.context
    found = tiles.read_tile(ctx, path=f"tile/{path}")
    return Response(
        found.data,
        media_type="application/octet-stream",
        headers={"Cache-Control": IMMUTABLE if found.full else PARTIAL},
    )
