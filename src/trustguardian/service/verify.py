"""Full verification: every leaf, tree node, checkpoint and consent state, from genesis."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from trustguardian.domain.consent import ConsentFact, fold
from trustguardian.domain.events import PrivacyEvent
from trustguardian.ledger import (
    Coord,
    NoteError,
    consistency_proof,
    leaf_hash,
    node_hash,
    parse_checkpoint,
    root,
    verify_consistency,
)
from trustguardian.ledger.canonical import canonical_json_plain
from trustguardian.service.consent import fact_of, lifetimes
from trustguardian.service.context import Context
from trustguardian.store.events import StoredProof, event_of
from trustguardian.store.uow import UnitOfWork

Progress = Callable[[int, int], None]


@dataclass
class Report:
    """What verification found; `problems` names each bad sequence number or row."""

    tree_size: int = 0
    events: int = 0
    proofs: int = 0
    nodes: int = 0
    checkpoints: int = 0
    consent_states: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Levels(Mapping[Coord, bytes]):
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


def verify_ledger(ctx: Context, *, progress: Progress | None = None) -> Report:
    """Recomputes everything from the stored events and compares it with what is stored."""
    report = Report()
    with ctx.uow(write=False) as uow:
        report.tree_size = uow.ledger.size()
        leaves, facts, corrected = _events(uow, report, progress)
        levels = _tree(uow, leaves, report)
        _checkpoints(ctx, uow, levels, report)
        _consent(uow, facts, corrected, report)
    return report


def _events(
    uow: UnitOfWork, report: Report, progress: Progress | None
) -> tuple[list[bytes], list[ConsentFact], list[str]]:
    lifetime = lifetimes(uow)
    proofs = _grouped(uow.events.iter_proofs())
    pending = next(proofs, None)
    hashes: list[bytes] = []
    facts: list[ConsentFact] = []
    corrected: list[str] = []
    expected = 0
    for row in uow.events.iter_rows():
        own: list[StoredProof] = []
        while pending is not None and pending[0] < row.seq:
            report.problems.append(f"proof rows of seq {pending[0]} belong to no event")
            pending = next(proofs, None)
        if pending is not None and pending[0] == row.seq:
            own = pending[1]
            pending = next(proofs, None)
        if row.seq != expected:
            report.problems.append(
                f"seq {expected}..{row.seq - 1}: missing events"
                if row.seq > expected
                else f"seq {row.seq}: out of order"
            )
            expected = row.seq
        leaf = bytes(row.leaf)
        event = _check_row(row, own, leaf, report)
        hashes.append(leaf_hash(leaf))
        if event is not None:
            fact = fact_of(event, lifetime.get((event.purpose or "", event.purpose_version or 0)))
            if fact is not None:
                facts.append(fact)
            if event.corrects is not None:
                corrected.append(event.corrects)
        report.events += 1
        report.proofs += len(own)
        expected += 1
        if progress is not None and report.events % 10_000 == 0:
            progress(report.events, report.tree_size)
    if pending is not None:
        report.problems.append(f"proof rows of seq {pending[0]} belong to no event")
    if expected != report.tree_size:
        report.problems.append(f"ledger head says {report.tree_size} events, found {expected}")
    if progress is not None:
        progress(report.events, report.tree_size)
    return hashes, facts, corrected


def _grouped(rows: Iterator[StoredProof]) -> Iterator[tuple[int, list[StoredProof]]]:
    current: list[StoredProof] = []
    for proof in rows:
        if current and proof.event_seq != current[0].event_seq:
            yield current[0].event_seq, current
            current = []
        current.append(proof)
    if current:
        yield current[0].event_seq, current


def _check_row(
    row: Any, proofs: list[StoredProof], leaf: bytes, report: Report
) -> PrivacyEvent | None:
    """Rebuilds the leaf from the row's columns; any difference names the sequence number."""
    try:
        event = event_of(row, proofs)
        rebuilt = canonical_json_plain(event.envelope())
    except (ValueError, TypeError, KeyError) as exc:
        report.problems.append(f"seq {row.seq}: event row unreadable ({exc})")
        return None
    if rebuilt != leaf:
        report.problems.append(
            f"seq {row.seq}: stored event differs from its ledger leaf{_diff(rebuilt, leaf)}"
        )
        return None
    if [p.position for p in proofs] != list(range(len(proofs))):
        report.problems.append(f"seq {row.seq}: proof rows out of order")
    return event


def _diff(rebuilt: bytes, leaf: bytes) -> str:
    try:
        ours, theirs = json.loads(rebuilt), json.loads(leaf)
    except ValueError:
        return " (leaf is not valid JSON)"
    fields = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    return f" (fields: {', '.join(fields)})" if fields else " (encoding)"


def _tree(uow: UnitOfWork, leaves: list[bytes], report: Report) -> list[list[bytes]]:
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    stored = uow.ledger.iter_nodes()
    seen = 0
    for level, index, digest in stored:
        seen += 1
        if level >= len(levels) or index >= len(levels[level]):
            report.problems.append(f"tree node ({level}, {index}) should not exist")
        elif levels[level][index] != digest:
            what = (
                f"seq {index}"
                if level == 0
                else f"covering seq {index << level}..{((index + 1) << level) - 1}"
            )
            report.problems.append(
                f"tree node ({level}, {index}) differs from the recomputed hash ({what})"
            )
    expected = sum(len(h) for h in levels) if leaves else 0
    if seen != expected:
        report.problems.append(f"tree holds {seen} nodes, {expected} expected")
    report.nodes = seen
    return levels


def _checkpoints(ctx: Context, uow: UnitOfWork, levels: list[list[bytes]], report: Report) -> None:
    nodes = _Levels(levels)
    size = len(levels[0])
    verifier = ctx.keys.signer.verifier
    previous: tuple[int, bytes] | None = None
    last = 0
    for cp in uow.ledger.checkpoints():
        report.checkpoints += 1
        label = f"checkpoint {cp.tree_size}"
        try:
            parsed = parse_checkpoint(cp.note, verifier, origin=ctx.keys.signer.name)
        except NoteError as exc:
            report.problems.append(f"{label}: signature or format invalid ({exc})")
            continue
        if parsed.size != cp.tree_size or parsed.root_hash != cp.root_hash:
            report.problems.append(f"{label}: stored size or root differs from the signed note")
            continue
        if parsed.size > size:
            report.problems.append(f"{label}: covers more events than the ledger holds")
            continue
        if parsed.size and root(parsed.size, nodes) != parsed.root_hash:
            report.problems.append(f"{label}: root differs from the recomputed tree")
            continue
        if previous is not None:
            proof = consistency_proof(previous[0], parsed.size, nodes)
            if not verify_consistency(
                previous[0], parsed.size, previous[1], parsed.root_hash, proof
            ):
                report.problems.append(f"{label}: not consistent with checkpoint {previous[0]}")
        previous = (parsed.size, parsed.root_hash)
        last = parsed.size
    if size and last != size:
        report.problems.append(
            f"no valid checkpoint covers the whole ledger (last {last}, size {size})"
        )


def _consent(
    uow: UnitOfWork, facts: list[ConsentFact], corrected: list[str], report: Report
) -> None:
    expected = fold(facts, corrected=corrected)
    for state in uow.consent.iter_all():
        report.consent_states += 1
        want = expected.pop(state.key, None)
        if want != state:
            where = f"{state.subject_id}/{state.purpose}/{state.channel.value}"
            report.problems.append(f"consent state {where} differs from the fold of the ledger")
    for key in expected:
        report.problems.append(f"consent state {key[0]}/{key[1]}/{key[2].value} missing")
