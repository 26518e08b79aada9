"""The fast path of verification: raw rows compared with the leaf they must agree with.

Each stored event is checked against its own ledger leaf (the RFC 8785 envelope that was hashed
into the tree): the leaf is parsed once, and every column and proof row must say the same thing.
Rows are read without ORM type processing, so values arrive in the driver's own form (text for
SQLite times and JSON, native objects on PostgreSQL) and are normalised by the store's
`time_text` and `json_value`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trustguardian.domain.consent import STATUS_OF, ConsentFact, ConsentState
from trustguardian.domain.events import EventKind, timestamp
from trustguardian.domain.registry import Channel
from trustguardian.ledger import canonical_json_plain
from trustguardian.ledger.leaves import ENVELOPE_KEYS, OPTIONAL_KEYS
from trustguardian.store.events.scans import ProofRow, json_value, time_text

KINDS = {k.value: k for k in EventKind}
CHANNELS = {c.value: c for c in Channel}
DECIDING = {k.value for k in STATUS_OF}
FIELDS = (
    "seq",
    "id",
    "kind",
    "touchpoint",
    "subject",
    "identifiers",
    "purpose",
    "purpose_version",
    "channels",
    "notice",
    "notice_version",
    "notice_sha256",
    "occurred_at",
    "recorded_at",
    "corrects",
    "data",
    "contact",
    "confirm_by",
    "confirms",
    "correction",
)


def mismatches(row: Any, proofs: list[ProofRow], leaf: dict[str, Any], raw: bytes) -> list[str]:
    """Names every column or proof row that disagrees with the leaf (empty when all agree)."""
    get = leaf.get
    purpose = get("purpose") or {}
    notice = get("notice") or {}
    expected = (
        get("seq"), get("id"), get("kind"), get("touchpoint"), get("subject"), get("identifiers"),
        purpose.get("key"), purpose.get("version"), get("channels"), notice.get("key"),
        notice.get("version"), notice.get("sha256"), get("occurred_at"), get("recorded_at"),
        get("corrects"), get("data"), get("contact"), get("confirm_by"), get("confirms"),
        get("correction"),
    )  # fmt: skip
    actual = (
        *row[:5], json_value(row[5]), *row[6:8], json_value(row[8]), *row[9:12],
        time_text(row[12]), time_text(row[13]), *row[14:16],
        None if row[17] is None and row[18] is None else {"campaign": row[17], "check": row[18]},
        time_text(row[19]), row[20],
        None if row[21] is None and row[22] is None else {"by": row[21], "reason": row[22]},
    )  # fmt: skip
    wrong = (
        []
        if expected == actual
        else [n for n, e, a in zip(FIELDS, expected, actual, strict=True) if e != a]
    )
    leaf_proofs = get("proofs") or []
    if [(p[2], p[3], p[4]) for p in proofs] != [
        (p.get("type"), p.get("commitment"), p.get("claimed_by")) for p in leaf_proofs
    ]:
        wrong.append("proofs")
    if [p[1] for p in proofs] != list(range(len(proofs))):
        wrong.append("proof positions")
    if leaf.keys() - OPTIONAL_KEYS != ENVELOPE_KEYS:
        wrong.append("leaf fields")
    if get("v") != 1 or get("kind") not in KINDS or canonical_json_plain(leaf) != raw:
        wrong.append("leaf encoding")
    return wrong


def fact(leaf: dict[str, Any], lifetime: dict[tuple[str, int], int | None]) -> ConsentFact | None:
    """The consent-deciding part of an event, read from its leaf."""
    if leaf["kind"] not in DECIDING or leaf["purpose"] is None:
        return None
    purpose, notice = leaf["purpose"], leaf["notice"] or {}
    values = (
        leaf["seq"], leaf["id"], leaf["kind"], leaf["subject"], purpose["key"], purpose["version"],
        leaf["channels"], notice.get("key"), notice.get("version"), leaf["occurred_at"],
        leaf["corrects"], leaf.get("confirm_by"),
    )  # fmt: skip
    return consent_fact(values, True, lifetime)


def consent_fact(
    values: tuple[Any, ...], has_purpose: bool, lifetime: dict[tuple[str, int], int | None]
) -> ConsentFact | None:
    """A consent fact from leaf values in `FactRow` order, times as the leaf writes them."""
    (
        seq, event_id, kind, subject, key, version, channels, notice, notice_version, occurred_at,
        corrects, confirm_by,
    ) = values  # fmt: skip
    if kind not in DECIDING or not has_purpose:
        return None
    return ConsentFact(
        seq=seq,
        event_id=event_id,
        kind=KINDS[kind],
        subject_id=subject,
        purpose=key,
        purpose_version=version,
        channels=tuple(map(CHANNELS.__getitem__, channels)),
        notice=notice,
        notice_version=notice_version,
        occurred_at=datetime.fromisoformat(occurred_at[:-1] + "+00:00"),
        corrects=corrects,
        lifetime_days=lifetime.get((key, version)),
        confirm_by=None
        if confirm_by is None
        else datetime.fromisoformat(confirm_by[:-1] + "+00:00"),
    )


def state_row(state: ConsentState) -> tuple[Any, ...]:
    """A consent state in the normalised form `stored_state` gives a raw row."""
    return (
        state.subject_id,
        state.purpose,
        str(state.channel),
        str(state.status),
        timestamp(state.since),
        state.event_id,
        state.event_seq,
        state.purpose_version,
        state.notice,
        state.notice_version,
        None if state.expires_at is None else timestamp(state.expires_at),
    )


def stored_state(row: Any) -> tuple[Any, ...]:
    """A raw consent-state row, normalised."""
    return (*row[:4], time_text(row[4]), *row[5:10], time_text(row[10]))
