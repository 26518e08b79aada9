"""Publishing the ledger as static files (c2sp.org/tlog-tiles): anyone can mirror it.

`publish` writes, under a directory, the hash tiles and entry bundles of the latest signed
checkpoint, then the checkpoint itself. It is incremental: a full tile already there is never
written again (its bytes cannot change), only the new full tiles and the new partial ones are.
Every file is written to a temporary name and renamed, and the checkpoint goes last, so a reader
never sees a checkpoint whose tiles are not all there.

Before anything is written, every new leaf is read as a monitor would (`ledger.leaves`): a leaf
that is malformed, or holds what looks like personal data in clear, stops the publication.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trustguardian.domain.errors import Conflict, NotFound
from trustguardian.ledger import Checkpoint, MalformedCheckpointError, root, root_coords
from trustguardian.ledger.leaves import personal_data, read_leaf
from trustguardian.ledger.tiles import TILE_WIDTH, tiles_of
from trustguardian.service.context import Context
from trustguardian.service.tiles.read import tile_bytes
from trustguardian.store.ledger import StoredCheckpoint
from trustguardian.store.uow import UnitOfWork

CHECKPOINT = "checkpoint"


class NotPublishable(Conflict):
    code = "not-publishable"
    title = "A leaf cannot be published"


class PublishedElsewhere(Conflict):
    code = "published-elsewhere"
    title = "The directory holds another log"


@dataclass(frozen=True)
class Published:
    """What a publication did: the tree size, the one published before, the files written, and
    the tiles it found already there."""

    tree_size: int
    previous_size: int
    written: int
    kept: int


def publish(ctx: Context, *, directory: Path) -> Published:
    """Writes the checkpoint, tiles and entry bundles of the latest checkpoint under
    `directory`, adding only what the one published there before lacks."""
    with ctx.uow(write=False) as uow:
        latest = uow.ledger.latest_checkpoint()
        if latest is None:
            raise NotFound("the ledger is empty: no checkpoint to publish")
        return write_tiles(uow, directory, latest)


def write_tiles(uow: UnitOfWork, directory: Path, checkpoint: StoredCheckpoint) -> Published:
    """Writes the tiles, entry bundles and then the note of `checkpoint` under `directory`
    (inside a caller's unit of work: an archive writes them beside its own files)."""
    size = checkpoint.tree_size
    before = _published_size(uow, directory, size)
    check_leaves(uow, before, size)
    written = kept = 0
    for tile in tiles_of(size, start=before):
        target = directory / tile.path
        if target.is_file():  # a tile's path names its content: never written twice
            kept += 1
            continue
        write_atomically(target, tile_bytes(uow, tile))
        written += 1
    write_atomically(directory / CHECKPOINT, checkpoint.note.encode())
    return Published(size, before, written + 1, kept)


def check_leaves(
    uow: UnitOfWork, first: int, stop: int, *, progress: Callable[[int], None] | None = None
) -> None:
    """Reads each leaf from `first` to `stop` as a monitor would; NotPublishable names the
    first that is malformed or holds personal data in clear."""
    for start in range(first, stop, TILE_WIDTH):
        end = min(start + TILE_WIDTH, stop)
        for index, raw in enumerate(uow.ledger.leaves(start, end), start):
            try:
                found = personal_data(read_leaf(index, raw))
            except ValueError as exc:
                bad = f"leaf {index} is malformed: {exc}; nothing published"
                raise NotPublishable(bad) from exc
            if found is not None:
                raise NotPublishable(
                    f"leaf {index} seems to hold personal data in clear ({found}); "
                    "nothing published"
                )
        if progress is not None:
            progress(end)


def _published_size(uow: UnitOfWork, directory: Path, size: int) -> int:
    """The tree size already published in `directory` (0 if none), checked to be a prefix of
    this ledger: tiles of another log must not be mixed with ours."""
    note = directory / CHECKPOINT
    if not note.is_file():
        return 0
    try:
        text = note.read_text(encoding="utf-8")
        old = Checkpoint.parse_body(text[: text.index("\n\n") + 1])
    except (ValueError, UnicodeDecodeError, MalformedCheckpointError) as exc:
        raise PublishedElsewhere(f"{note} is not a checkpoint ({exc}); nothing published") from exc
    if old.size > size:
        raise PublishedElsewhere(
            f"{directory} already holds tree size {old.size}, more than this ledger's {size}"
        )
    if old.size and root(old.size, uow.ledger.nodes(root_coords(old.size))) != old.root_hash:
        raise PublishedElsewhere(
            f"{directory} holds a log of size {old.size} that this ledger does not extend"
        )
    return old.size


def write_atomically(path: Path, data: bytes) -> None:
    """Writes `data` to `path` through a temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
