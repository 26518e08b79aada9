"""The common case of verification: every stored event agrees with its leaf.

Rather than parsing each leaf and comparing it field by field, the leaf an event's columns and
proof rows call for is written (RFC 8785) and compared with the stored bytes in one go. Equal
bytes leave nothing for the field-by-field check to find: parsing them gives back exactly the
values written, every envelope field is there and the encoding is canonical. The first row that
differs in any way (a changed value, an unexpected type, a gap, a stray proof row) ends this
pass, and the field-by-field check then runs from genesis to name every problem exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import orjson

from trustguardian.ledger import canonical_json_plain, leaf_hash, node_hash
from trustguardian.service.verify.records import record_slots
from trustguardian.service.verify.rows import KINDS
from trustguardian.store.events.scans import EventRow, ProofRow, VerifyScans, json_value, time_text

Progress = Callable[[int, int], None]
# Values of a tampered row can be of any type the database lets through: writing its leaf may
# then fail, which only means the row does not agree with its leaf.
UNWRITABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)


@dataclass
class CleanEvents:
    """What the pass found when every event agrees with its leaf."""

    leaf_hashes: list[bytes]
    events: int
    proofs: int
    records: int = 0


def expected_leaf(
    row: EventRow, proofs: list[ProofRow], written: dict[str, orjson.Fragment] | None = None
) -> bytes:
    """The leaf bytes an event's scanned row and its proof rows call for.

    `written` keeps the canonical JSON of each stored channels text met so far (they repeat
    from event to event); the bytes are the same with or without it.
    """
    (
        seq, event_id, kind, touchpoint, subject, identifiers, purpose_key, purpose_version,
        channels, notice_key, notice_version, notice_sha256, occurred_at, recorded_at, corrects,
        data, _leaf, campaign, check, confirm_by, confirms, correction_by, correction_reason,
    ) = row  # fmt: skip
    listed: object = None
    if written is not None and type(channels) is str:
        listed = written.get(channels)
        if listed is None:
            listed = written[channels] = orjson.Fragment(canonical_json_plain(json_value(channels)))
    # A group of columns is null in the leaf only when all of them are null, so no column value
    # is lost in writing: the field-by-field check would find each one in the leaf.
    envelope: dict[str, object] = {
        "channels": json_value(channels) if listed is None else listed,
        "contact": None
        if campaign is None and check is None
        else {"campaign": campaign, "check": check},
        "corrects": corrects,
        "data": data,
        "id": event_id,
        "identifiers": json_value(identifiers),
        "kind": kind,
        "notice": None
        if notice_key is None and notice_version is None and notice_sha256 is None
        else {"key": notice_key, "sha256": notice_sha256, "version": notice_version},
        "occurred_at": time_text(occurred_at),
        "proofs": [
            {"commitment": p[3], "type": p[2]}
            if p[4] is None
            else {"claimed_by": p[4], "commitment": p[3], "type": p[2]}
            for p in proofs
        ],
        "purpose": None
        if purpose_key is None and purpose_version is None
        else {"key": purpose_key, "version": purpose_version},
        "recorded_at": time_text(recorded_at),
        "seq": seq,
        "subject": subject,
        "touchpoint": touchpoint,
        "v": 1,
    }
    if confirm_by is not None:
        envelope["confirm_by"] = time_text(confirm_by)
    if confirms is not None:
        envelope["confirms"] = confirms
    if correction_by is not None or correction_reason is not None:
        envelope["correction"] = {"by": correction_by, "reason": correction_reason}
    return canonical_json_plain(envelope)


def clean_events(
    scans: VerifyScans,
    size: int,
    progress: Progress | None,
    *,
    first: int = 0,
    stop: int | None = None,
) -> CleanEvents | None:
    """Checks every event against its leaf; None as soon as one does not agree.

    With `first` and `stop`, only the events from seq `first` to `stop` (the tree size by
    default) are checked, so that two processes can share the work. Each share also takes any
    stray row on its side of the boundary (the first share below, the last share above), so
    shares that meet cover every stored row.
    """
    stop = size if stop is None else stop
    slots = record_slots(scans)
    if any(seq >= size for seq in slots):
        return None
    proof_rows = scans.proofs(size, first=first, stop=stop)
    event_rows = scans.events(size, first=first, stop=stop)
    try:
        return _clean(event_rows, proof_rows, slots, (first, stop), size, progress)
    finally:
        event_rows.close()
        proof_rows.close()


def _clean(
    events: Iterator[Any],
    proofs: Iterator[Any],
    slots: dict[int, bytes],
    share: tuple[int, int],
    size: int,
    progress: Progress | None,
) -> CleanEvents | None:
    """`slots` are the registry records' leaf hashes by index: they take the indexes between
    the events, and no event may take one of them."""
    first, stop = share
    pending: ProofRow | None = next(proofs, None)
    written: dict[str, orjson.Fragment] = {}
    hashes: list[bytes] = []
    append = hashes.append
    proof_count = 0
    expected = first
    records = 0
    for row in events:
        seq = row[0]
        while expected < seq and expected in slots:
            append(slots[expected])
            expected += 1
            records += 1
        if seq != expected or row[2] not in KINDS or seq in slots:
            return None
        own: list[ProofRow] = []
        while pending is not None and pending[0] == seq:
            if pending[1] != len(own):
                return None
            own.append(pending)
            pending = next(proofs, None)
        if pending is not None and pending[0] < seq:
            return None
        leaf = row[16]
        try:
            if expected_leaf(row, own, written) != leaf:
                return None
        except UNWRITABLE:
            return None
        append(leaf_hash(bytes(leaf)))
        proof_count += len(own)
        expected += 1
        if progress is not None and expected % 10_000 == 0:
            progress(expected, size)
    while expected < stop and expected in slots:
        append(slots[expected])
        expected += 1
        records += 1
    if pending is not None or expected != stop:
        return None
    if progress is not None:
        progress(expected, size)
    return CleanEvents(hashes, expected - first - records, proof_count, records)


def tree_levels(leaf_hashes: list[bytes]) -> list[list[bytes]]:
    """Every complete-subtree node recomputed from the leaf hashes, level by level."""
    levels = [leaf_hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


def clean_tree(scans: VerifyScans, levels: list[list[bytes]]) -> int | None:
    """The number of stored tree nodes when they are exactly the recomputed ones, else None."""
    expected = (
        (level, index, digest)
        for level, hashes in enumerate(levels)
        for index, digest in enumerate(hashes)
    )
    stored = scans.nodes()
    count = 0
    try:
        while chunk := list(islice(stored, 10_000)):
            # Rows and tuples compare alike; both lists are in (level, index) order.
            if chunk != list(islice(expected, len(chunk))):
                return None
            count += len(chunk)
    finally:
        stored.close()
    return None if next(expected, None) is not None else count
