"""A monitor of a tiled log: follows it from what it saw before, trusting nothing it is served.

`follow` fetches the log's checkpoint, then only the entry bundles from the last one it saw on,
and checks, in this order, naming the first failure in one sentence (`Inconsistency`):

1. the checkpoint is signed by a trusted key that covers its tree size: a key pinned by the
   caller, or one a registry record in the log announces with an endorsement signed by the key
   trusted before it (a rotation), and carries the cosignatures of a quorum of witnesses;
2. the log extends the one seen before: no leaf seen before has changed (else the leaf where
   the trees diverge is named) and the log has not shrunk;
3. each level-0 tile holds the hashes of its entries, and each higher tile the hashes of the
   subtrees below it that this run computed;
4. every new leaf is an event envelope or a registry record at its own index, with no personal
   data in clear;
5. the tree recomputed from the entries has the checkpoint's root.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .batch import batch_root
from .checkpoint import Checkpoint
from .cosignature import WitnessVerifier, split_note, verify_cosignatures
from .errors import NoteError
from .hashing import HASH_SIZE, leaf_hash
from .leaves import EndorsedKey, endorsed_key, endorsement_text, personal_data, read_leaf
from .monitor_state import MonitorState, TrustedKey
from .note import open_note
from .tiles import ENTRIES, TILE_HEIGHT, TILE_WIDTH, Tile, decode_bundle, decode_tile
from .tree import Coord, Node, append, root, root_coords

__all__ = ["Fetch", "Inconsistency", "Policy", "follow"]

Fetch = Callable[[str], bytes | None]
"""Returns the resource at a path under the log's prefix, or None when the log has none."""


class Inconsistency(Exception):
    """What the monitor found wrong, in one sentence."""


@dataclass(frozen=True)
class Policy:
    """The witnesses whose cosignatures count, and how many of them a checkpoint needs."""

    witnesses: tuple[WitnessVerifier, ...] = ()
    quorum: int = 0


def _get(fetch: Fetch, path: str) -> bytes:
    found = fetch(path)
    if found is None:
        raise Inconsistency(f"the log does not serve {path}")
    return found


def _tile(fetch: Fetch, tile: Tile) -> list[bytes]:
    data = _get(fetch, tile.path)
    try:
        return decode_bundle(data, tile) if tile.entries else decode_tile(data, tile)
    except ValueError as exc:
        raise Inconsistency(f"the log serves a malformed {tile.path}: {exc}") from exc


def _width(size: int, level: int, index: int) -> int:
    """The width tile `index` of a tile level has in a tree of `size` leaves."""
    return min(TILE_WIDTH, (size >> (max(level, 0) * TILE_HEIGHT)) - index * TILE_WIDTH)


def _checkpoint(fetch: Fetch, state: MonitorState) -> tuple[str, Checkpoint]:
    raw = _get(fetch, "checkpoint")
    try:
        note = raw.decode("utf-8")
        text, _ = split_note(note)
        cp = Checkpoint.parse_body(text)
    except (UnicodeDecodeError, NoteError) as exc:
        raise Inconsistency(f"the log's checkpoint is malformed: {exc}") from exc
    if state.origin is not None and cp.origin != state.origin:
        raise Inconsistency(f"the checkpoint's origin {cp.origin!r} is not {state.origin!r}")
    return note, cp


@dataclass
class _Run:
    """What one run learns from the new entries before it judges them."""

    keys: list[TrustedKey]
    hashes: bytearray
    diverged: int | None = None
    tile_problem: str | None = None
    leaf_problem: str | None = None

    def endorse(self, index: int, found: EndorsedKey) -> None:
        """Trusts a key announced at leaf `index` if the current key endorsed it."""
        if any(k.verifier_key == found.verifier_key for k in self.keys):
            return
        for i, key in enumerate(self.keys):
            if key.last is not None:
                continue
            try:
                text, _ = open_note(found.endorsement, [key.verifier])
                name = TrustedKey(found.verifier_key).verifier.name
            except (NoteError, ValueError):
                continue
            if text == endorsement_text(found.verifier_key, name, found.from_tree_size):
                self.keys[i] = replace(key, last=found.from_tree_size - 1)
                how = f"endorsed by {key.verifier.key_hash.hex()} at leaf {index}"
                self.keys.append(TrustedKey(found.verifier_key, found.from_tree_size, None, how))
                return


def _read_entries(fetch: Fetch, state: MonitorState, size: int, run: _Run) -> None:
    """Fetches the bundles and level-0 tiles from the one holding leaf `state.size` on."""
    old = state.size
    for index in range(old // TILE_WIDTH, -(-size // TILE_WIDTH)):
        width = _width(size, 0, index)
        entries = _tile(fetch, Tile(ENTRIES, index, width))
        hashes = _tile(fetch, Tile(0, index, width))
        for offset, entry in enumerate(entries):
            at = index * TILE_WIDTH + offset
            digest = leaf_hash(entry)
            if digest != hashes[offset] and run.tile_problem is None:
                run.tile_problem = f"{Tile(0, index, width).path} does not hold leaf {at}'s hash"
            if at < old:
                if digest != state.leaf(at) and run.diverged is None:
                    run.diverged = at
                continue
            run.hashes += digest
            _check_leaf(at, entry, run)


def _check_leaf(index: int, entry: bytes, run: _Run) -> None:
    try:
        leaf = read_leaf(index, entry)
    except ValueError as exc:
        if run.leaf_problem is None:
            run.leaf_problem = f"leaf {index} is malformed: {exc}"
        return
    exposed = personal_data(leaf)
    if exposed is not None and run.leaf_problem is None:
        run.leaf_problem = f"leaf {index} seems to hold personal data in clear ({exposed})"
    found = endorsed_key(leaf)
    if found is not None:
        run.endorse(index, found)


def _check_signatures(
    note: str, cp: Checkpoint, keys: Sequence[TrustedKey], policy: Policy
) -> None:
    verifiers = [k.verifier for k in keys if k.covers(cp.size)]
    try:
        open_note(note, verifiers)
    except NoteError as exc:
        raise Inconsistency(
            f"the checkpoint of size {cp.size} is not signed by a key trusted for it ({exc})"
        ) from exc
    if not policy.witnesses:
        return
    try:
        cosigned = verify_cosignatures(note, policy.witnesses)
    except NoteError as exc:
        bad = f"the checkpoint of size {cp.size} has a bad cosignature: {exc}"
        raise Inconsistency(bad) from exc
    if len(cosigned) < policy.quorum:
        raise Inconsistency(
            f"the checkpoint of size {cp.size} carries {len(cosigned)} of the {policy.quorum} "
            "witness cosignatures required"
        )


def first_difference(fetch: Fetch, state: MonitorState, size: int) -> int | None:
    """The first leaf index below both sizes whose hash differs from the one seen before,
    found from the log's level-1 tiles, then one level-0 tile (None if none differs)."""
    limit = min(state.size, size)
    blocks = limit // TILE_WIDTH  # 256-leaf blocks complete in both trees
    suspect = blocks
    for index in range(-(-blocks // TILE_WIDTH)):
        theirs = _tile(fetch, Tile(1, index, _width(size, 1, index)))
        for offset in range(min(len(theirs), blocks - index * TILE_WIDTH)):
            block = index * TILE_WIDTH + offset
            start = block * TILE_WIDTH * HASH_SIZE
            ours = state.leaf_hashes[start : start + TILE_WIDTH * HASH_SIZE]
            if (
                batch_root([ours[i : i + HASH_SIZE] for i in range(0, len(ours), HASH_SIZE)])
                != (theirs[offset])
            ):
                suspect = block
                break
        if suspect != blocks:
            break
    if suspect * TILE_WIDTH >= limit:
        return None
    theirs = _tile(fetch, Tile(0, suspect, _width(size, 0, suspect)))
    for offset, digest in enumerate(theirs):
        at = suspect * TILE_WIDTH + offset
        if at < limit and digest != state.leaf(at):
            return at
    return None


def _diverged(state: MonitorState, size: int, at: int) -> Inconsistency:
    return Inconsistency(
        f"the log at size {size} is not an extension of the size {state.size} seen before: "
        f"the trees diverge at leaf {at} (tree size {at + 1})"
    )


def _check_upper_tiles(fetch: Fetch, size: int, fresh: Sequence[Node]) -> str | None:
    """Checks the tiles above level 0 against the subtree hashes this run computed."""
    computed: dict[Coord, bytes] = {
        n.coord: n.hash for n in fresh if n.level >= TILE_HEIGHT and n.level % TILE_HEIGHT == 0
    }
    tiles = sorted({(level // TILE_HEIGHT, index // TILE_WIDTH) for level, index in computed})
    for level, index in tiles:
        tile = Tile(level, index, _width(size, level, index))
        for coord, digest in zip(tile.coords(), _tile(fetch, tile), strict=True):
            if coord in computed and computed[coord] != digest:
                return f"{tile.path} does not hold the hash of subtree {coord}"
    return None


def follow(fetch: Fetch, state: MonitorState, policy: Policy = Policy()) -> MonitorState:
    """Verifies the log's current checkpoint against `state`; returns the state to save."""
    note, cp = _checkpoint(fetch, state)
    run = _Run(list(state.keys), bytearray(state.leaf_hashes))
    if cp.size >= state.size:
        _read_entries(fetch, state, cp.size, run)
    _check_signatures(note, cp, run.keys, policy)
    if cp.size < state.size:
        at = first_difference(fetch, state, cp.size)
        if at is not None:
            raise _diverged(state, cp.size, at)
        raise Inconsistency(f"the log shrank from size {state.size} to {cp.size}")
    if run.diverged is not None:
        raise _diverged(state, cp.size, run.diverged)
    new = [
        bytes(run.hashes[i : i + HASH_SIZE])
        for i in range(state.size * HASH_SIZE, len(run.hashes), HASH_SIZE)
    ]
    known = dict(zip(root_coords(state.size), state.frontier, strict=True))
    fresh = append(state.size, new, lambda level, index: known[(level, index)])
    known.update((n.coord, n.hash) for n in fresh)
    computed = root(cp.size, known)
    if computed != cp.root_hash:
        at = first_difference(fetch, state, cp.size)
        if at is not None:
            raise _diverged(state, cp.size, at)
    problem = run.tile_problem or _check_upper_tiles(fetch, cp.size, fresh) or run.leaf_problem
    if problem is not None:
        raise Inconsistency(problem)
    if computed != cp.root_hash:
        raise Inconsistency(
            f"the checkpoint of size {cp.size} does not have the root of the entries served"
        )
    return MonitorState(
        keys=tuple(run.keys),
        origin=cp.origin,
        size=cp.size,
        root_hash=cp.root_hash,
        checkpoint=note,
        frontier=tuple(known[c] for c in root_coords(cp.size)),
        leaf_hashes=bytes(run.hashes),
    )
