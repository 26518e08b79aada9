"""Signed checkpoints checked against the recomputed tree: each other's, and witnessed ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from trustguardian.domain.errors import DomainError
from trustguardian.ledger import (
    Checkpoint,
    Coord,
    NoteError,
    Verifier,
    consistency_proof,
    parse_checkpoint,
    root,
    verify_consistency,
)
from trustguardian.ledger.cosignature import add_cosignatures, verify_cosignatures
from trustguardian.service.context import Context
from trustguardian.service.events.witnessing import configured_witnesses
from trustguardian.service.ops.keyring import key_chain, verifiers_at
from trustguardian.store.uow import UnitOfWork


class Levels(Mapping[Coord, bytes]):
    """Recomputed complete-subtree nodes, addressed like stored ones."""

    def __init__(self, levels: list[list[bytes]]) -> None:
        self._levels = levels

    def __getitem__(self, coord: Coord) -> bytes:
        level, index = coord
        return self._levels[level][index]

    def __iter__(self) -> Iterator[Coord]:
        return ((lv, i) for lv, hashes in enumerate(self._levels) for i in range(len(hashes)))

    def __len__(self) -> int:
        return sum(len(h) for h in self._levels)


def check_witnessed(
    ctx: Context, levels: list[list[bytes]], notes: Sequence[str], problems: list[str]
) -> None:
    """Checks that the log still holds each checkpoint kept outside this database."""
    nodes = Levels(levels)
    for note in notes:
        try:
            kept = parse_checkpoint(note, ctx.keys.verifiers, origin=ctx.keys.signer.name)
        except NoteError as exc:
            problems.append(f"witnessed checkpoint: not signed by this instance ({exc})")
            continue
        if kept.size > len(levels[0]):
            problems.append(
                f"witnessed checkpoint {kept.size}: the log now holds only {len(levels[0])} events"
            )
        elif kept.size and root(kept.size, nodes) != kept.root_hash:
            problems.append(f"witnessed checkpoint {kept.size}: the log no longer contains it")


def _time_problem(parsed: Checkpoint, created_at: datetime) -> str | None:
    """Why the signed time line disagrees with the stored time (None: it agrees, or the
    checkpoint is from before the line and has none)."""
    try:
        signed = parsed.signing_time()
    except NoteError as exc:
        return str(exc)
    if signed is not None and signed != created_at:
        return f"stored time {created_at.isoformat()} differs from the signed {signed.isoformat()}"
    return None


def check_checkpoints(
    ctx: Context, uow: UnitOfWork, levels: list[list[bytes]], problems: list[str]
) -> int:
    """Checks every stored checkpoint against the tree and the one before; returns how many."""
    count = 0
    nodes = Levels(levels)
    size = len(levels[0])
    keys = key_chain(ctx, uow.keyring)
    for key in keys:
        if not key.trusted:
            fingerprint = Verifier.parse(key.verifier_key).fingerprint
            problems.append(
                f"signing key {key.verifier_key} ({fingerprint}) is not trusted: {key.trust}; "
                "the checkpoints it signed are not accepted"
            )
    previous: tuple[int, bytes] | None = None
    last = 0
    for cp in uow.ledger.checkpoints():
        count += 1
        label = f"checkpoint {cp.tree_size}"
        try:
            # Each checkpoint must verify under a key that was valid at its tree size.
            parsed = parse_checkpoint(
                cp.note, verifiers_at(keys, cp.tree_size), origin=ctx.keys.signer.name
            )
        except NoteError as exc:
            problems.append(f"{label}: signature or format invalid ({exc})")
            continue
        if parsed.size != cp.tree_size or parsed.root_hash != cp.root_hash:
            problems.append(f"{label}: stored size or root differs from the signed note")
            continue
        time_problem = _time_problem(parsed, cp.created_at)
        if time_problem:
            problems.append(f"{label}: {time_problem}")
        if parsed.size > size:
            problems.append(f"{label}: covers more events than the ledger holds")
            continue
        if parsed.size and root(parsed.size, nodes) != parsed.root_hash:
            problems.append(f"{label}: root differs from the recomputed tree")
            continue
        if previous is not None:
            proof = consistency_proof(previous[0], parsed.size, nodes)
            if not verify_consistency(
                previous[0], parsed.size, previous[1], parsed.root_hash, proof
            ):
                problems.append(f"{label}: not consistent with checkpoint {previous[0]}")
        previous = (parsed.size, parsed.root_hash)
        last = parsed.size
    if size and last != size:
        problems.append(f"no valid checkpoint covers the whole ledger (last {last}, size {size})")
    return count


def check_cosignatures(ctx: Context, uow: UnitOfWork, problems: list[str]) -> int:
    """Checks every stored witness cosignature of a configured witness against its checkpoint
    (lines of witnesses no longer configured cannot be checked, and are skipped); returns how
    many verified."""
    try:
        witnesses = {w.key: w.verifier for w in configured_witnesses(ctx.settings)}
    except DomainError as exc:
        problems.append(f"witnesses: {exc}")
        return 0
    count = 0
    for row in uow.ledger.cosignature_rows():
        verifier = witnesses.get(row.witness)
        checkpoint = uow.ledger.checkpoint(row.tree_size)
        if verifier is None or checkpoint is None:
            continue
        label = f"cosignature of checkpoint {row.tree_size} by {row.witness}"
        try:
            valid = verify_cosignatures(add_cosignatures(checkpoint.note, [row.line]), [verifier])
        except NoteError as exc:
            problems.append(f"{label}: invalid ({exc})")
            continue
        if not valid:
            problems.append(f"{label}: not a cosignature by that witness's key")
            continue
        count += 1
    return count
