"""Full verification: every leaf, tree node, checkpoint and consent state, from genesis."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import orjson

from trustguardian.domain.consent import ConsentFact
from trustguardian.ledger import leaf_hash
from trustguardian.service.context import Context
from trustguardian.service.events.consent import lifetimes
from trustguardian.service.gc_pause import gc_paused
from trustguardian.service.verify.batches import check_batches
from trustguardian.service.verify.checkpoints import (
    check_checkpoints,
    check_cosignatures,
    check_witnessed,
)
from trustguardian.service.verify.consent import (
    DIFFER,
    Beside,
    can_run_beside,
    check_consent,
    consent_problems,
    start_beside,
)
from trustguardian.service.verify.evidence import verify_evidence
from trustguardian.service.verify.fast import CleanEvents, clean_events, clean_tree, tree_levels
from trustguardian.service.verify.links import check_links
from trustguardian.service.verify.records import check_records, record_slots
from trustguardian.service.verify.registry import (
    check_cited_notices,
    check_registry_rows,
    check_source_roots,
)
from trustguardian.service.verify.rows import fact, mismatches
from trustguardian.store.events.scans import ProofRow
from trustguardian.store.uow import UnitOfWork

Progress = Callable[[int, int], None]
# Below this many events a second process costs more than it saves.
BESIDE_FROM = 20_000
# With a second process, the share of the events this process checks against their leaves: it
# also recomputes the tree and checks the checkpoints while the other folds consent. Measured on
# 100k events on the 2-core machine, six runs each: 0.5 gave a median of 108k events/s, 0.64 gave
# 98k, 0.36 and 0.84 gave 97k and 81k.
OWN_SHARE = 0.5


@dataclass
class Report:
    """What verification found; `problems` names each bad sequence number or row."""

    tree_size: int = 0
    events: int = 0
    proofs: int = 0
    nodes: int = 0
    checkpoints: int = 0
    cosignatures: int = 0  # witnesses' cosignatures checked against their checkpoint
    consent_states: int = 0
    evidence_opened: int = 0
    evidence_erased: int = 0
    notices: int = 0
    links: int = 0  # confirmations and corrections checked against the event they name
    sealed: int = 0  # checks and access-log rows checked against their sealed batches
    records: int = 0
    registry_objects: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_ledger(
    ctx: Context,
    *,
    progress: Progress | None = None,
    evidence: bool = True,
    witnessed: Sequence[str] = (),
    beside: bool | None = None,
) -> Report:
    """Recomputes everything from the stored events and compares it with what is stored.

    With `evidence`, every sealed proof, datum, file and identifier is also opened and checked
    against its commitment. `witnessed` are signed checkpoints kept outside this database: the
    log must still contain each of them, so cutting off its newest part cannot go unnoticed.
    `beside` runs the consent check and part of the event checks in a second process (by
    default on ledgers of `BESIDE_FROM` events or more, in a process running no other thread,
    when the database can be opened twice); the report is the same either way.
    """
    report = Report()
    # Verification keeps a few objects per event alive until the end (see service.gc_pause).
    with gc_paused(), ctx.uow(write=False) as uow, ExitStack() as stack:
        size = report.tree_size = uow.ledger.size()
        if beside is None:
            # A forked process holds only the thread that forked: any lock another thread held
            # at that moment would stay locked in it forever, so threaded servers stay in one.
            beside = size >= BESIDE_FROM and threading.active_count() == 1
        split = round(size * OWN_SHARE) if beside and can_run_beside(ctx.engine) else size
        lifetime = lifetimes(uow)
        # With evidence, each process opens that of one half of the subjects.
        parted = uow.scans.pivot() if evidence and split < size else None
        halves = (ctx.keys, (parted, False)) if parted is not None else None
        pending = start_beside(ctx.engine, size, split, lifetime, halves) if split < size else None
        if pending is not None:
            stack.callback(pending.close)  # also when verification fails on the way
        clean = _clean_events(uow, size, split, pending, progress)
        if clean is None:
            # Something differs: the field-by-field pass names every problem from genesis.
            if pending is not None:
                pending.close()
            leaves, facts, corrected = _events(uow, report, progress)
        else:
            leaves, report.events, report.proofs = clean.leaf_hashes, clean.events, clean.proofs
        levels = tree_levels(leaves)
        nodes = clean_tree(uow.scans, levels)
        if nodes is None:
            _tree(uow, levels, report)
        else:
            report.nodes = nodes
        report.checkpoints = check_checkpoints(ctx, uow, levels, report.problems)
        check_witnessed(ctx, levels, witnessed, report.problems)
        report.cosignatures = check_cosignatures(ctx, uow, report.problems)
        report.records = check_records(uow.scans, size, report.problems)
        report.registry_objects = check_registry_rows(uow, report.problems)
        check_source_roots(uow, report.problems)
        report.notices = check_cited_notices(uow, size, report.problems)
        report.links = check_links(uow, size, report.problems)
        report.sealed = check_batches(uow, size, report.problems)
        if clean is None:
            consent = consent_problems(uow.scans, facts, corrected)
        else:
            found = None if pending is None else pending.consent()
            consent = check_consent(uow, size, lifetime) if found is None else found
        report.consent_states = consent.states
        report.problems.extend(consent.problems)
        if evidence:
            _evidence(ctx, uow, report, None if clean is None else pending, parted)
    return report


def _evidence(
    ctx: Context, uow: UnitOfWork, report: Report, pending: Beside | None, parted: str | None
) -> None:
    """Every sealed value checked: half here and half in the second process when it runs,
    else (or when it gives no answer) all here."""
    mine = (parted, True) if pending is not None and parted is not None else None
    counted = verify_evidence(ctx.keys, uow.scans, report.problems, mine)
    opened, erased = counted.opened, counted.erased
    if mine is not None:
        theirs = pending.evidence() if pending is not None else None
        if theirs is None:
            counted = verify_evidence(ctx.keys, uow.scans, report.problems, (mine[0], False))
        else:
            counted = theirs.counted
            report.problems.extend(theirs.problems)
        opened, erased = opened + counted.opened, erased + counted.erased
    report.evidence_opened, report.evidence_erased = opened, erased


def _clean_events(
    uow: UnitOfWork, size: int, split: int, pending: Beside | None, progress: Progress | None
) -> CleanEvents | None:
    """The fast pass over every event: this process's share, then the second process's."""
    own = clean_events(uow.scans, size, progress, stop=split)
    if own is None or pending is None:
        return own
    rest = pending.events()
    if rest is None:  # no answer: this process checks that share as well
        rest = clean_events(uow.scans, size, progress, first=split)
    if rest is None or rest is DIFFER:
        return None
    if progress is not None:
        progress(size, size)
    return CleanEvents(
        own.leaf_hashes + rest.leaf_hashes,
        own.events + rest.events,
        own.proofs + rest.proofs,
        own.records + rest.records,
    )


def _events(
    uow: UnitOfWork, report: Report, progress: Progress | None
) -> tuple[list[bytes], list[ConsentFact], list[str]]:
    lifetime = lifetimes(uow)
    proofs = _grouped(uow.scans.proofs())
    pending = next(proofs, None)
    hashes: list[bytes] = []
    facts: list[ConsentFact] = []
    corrected: list[str] = []
    slots = record_slots(uow.scans)
    expected = 0
    for row in uow.scans.events():
        seq = row[0]
        expected = _fill(slots, hashes, expected, seq)
        own: list[ProofRow] = []
        while pending is not None and pending[0] < seq:
            report.problems.append(f"proof rows of seq {pending[0]} belong to no event")
            pending = next(proofs, None)
        if pending is not None and pending[0] == seq:
            own = pending[1]
            pending = next(proofs, None)
        if seq in slots:
            report.problems.append(f"seq {seq}: both an event and a registry record")
        if seq != expected:
            gap = (
                f"seq {expected}..{seq - 1}: no event or registry record"
                if seq > expected
                else f"seq {seq}: out of order"
            )
            report.problems.append(gap)
            expected = seq
        leaf = bytes(row[16])
        hashes.append(leaf_hash(leaf))
        parsed = _parse(leaf)
        try:
            wrong = (
                ["leaf is not a JSON object"]
                if parsed is None
                else mismatches(row, own, parsed, leaf)
            )
        except (ValueError, TypeError, KeyError) as exc:
            wrong, parsed = [f"row unreadable: {exc}"], None
        if wrong:
            report.problems.append(
                f"seq {seq}: stored event differs from its ledger leaf ({', '.join(wrong)})"
            )
        elif parsed is not None:
            found = fact(parsed, lifetime)
            if found is not None:
                facts.append(found)
            if parsed["corrects"] is not None:
                corrected.append(parsed["corrects"])
        report.events += 1
        report.proofs += len(own)
        expected += 1
        if progress is not None and report.events % 10_000 == 0:
            progress(report.events, report.tree_size)
    if pending is not None:
        report.problems.append(f"proof rows of seq {pending[0]} belong to no event")
    expected = _fill(slots, hashes, expected, report.tree_size)
    if expected != report.tree_size:
        report.problems.append(
            f"ledger head says {report.tree_size} leaves, found {expected} events and records"
        )
    if progress is not None:
        progress(report.events, report.tree_size)
    return hashes, facts, corrected


def _fill(slots: dict[int, bytes], hashes: list[bytes], expected: int, until: int) -> int:
    """Adds the registry records' leaf hashes from `expected` on, up to `until` or the first
    index no record takes; returns the next index."""
    while expected < until and expected in slots:
        hashes.append(slots[expected])
        expected += 1
    return expected


def _parse(leaf: bytes) -> dict[str, Any] | None:
    try:
        parsed = orjson.loads(leaf)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _grouped(rows: Iterator[Any]) -> Iterator[tuple[int, list[ProofRow]]]:
    current: list[ProofRow] = []
    for row in rows:
        proof: ProofRow = (row[0], row[1], row[2], row[3], row[4])
        if current and proof[0] != current[0][0]:
            yield current[0][0], current
            current = []
        current.append(proof)
    if current:
        yield current[0][0], current


def _tree(uow: UnitOfWork, levels: list[list[bytes]], report: Report) -> None:
    leaves = levels[0]
    stored = uow.ledger.iter_nodes()
    seen = 0
    per_level: dict[int, int] = {}
    for level, index, digest in stored:
        seen += 1
        per_level[level] = per_level.get(level, 0) + 1
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
        short = [
            f"level {lv}: {per_level.get(lv, 0)} of {len(h)}"
            for lv, h in enumerate(levels)
            if per_level.get(lv, 0) != len(h)
        ]
        report.problems.append(f"tree holds {seen} nodes, {expected} expected ({'; '.join(short)})")
    report.nodes = seen
