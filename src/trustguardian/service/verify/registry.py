"""The registry checked against the ledger: what events committed to must still be there.

Every event that cites a notice version commits, in its leaf, to the SHA-256 of the exact text
shown. A notice text changed afterwards (with or without its `sha256` column) no longer has that
hash, so whoever rewrites what a person was told is found even against checkpoints kept
elsewhere.

Every registry object is also committed by registry records of its own (service.events.records):
its evidential columns, recomputed from the rows, must be what its latest record says.
"""

from __future__ import annotations

from typing import Any

from trustguardian.domain.registry import text_sha256
from trustguardian.ledger.records import RecordLeaf
from trustguardian.ledger.source_file import rows_root
from trustguardian.service.events.records import REMOVED
from trustguardian.store.snapshots import (
    ADMIN_USER,
    API_KEY,
    COLLECT_SETTINGS,
    NOTICE_VERSION,
    OBJECT_TYPES,
    PURPOSE_VERSION,
    SOURCE_FILE,
)
from trustguardian.store.uow import UnitOfWork


def check_cited_notices(uow: UnitOfWork, size: int, problems: list[str]) -> int:
    """Checks each notice version the ledger cites; returns how many were checked."""
    cited = uow.notices.cited(size)
    for notice in cited:
        label = f"notice {notice.key} v{notice.version}"
        where = f"the hash event seq {notice.first_seq} committed to"
        if notice.text is None:
            problems.append(f"{label}: missing, though event seq {notice.first_seq} cites it")
            continue
        if notice.cited_sha256 is not None and text_sha256(notice.text) != notice.cited_sha256:
            problems.append(f"{label}: its text no longer has {where}")
        if notice.cited_sha256 is not None and notice.sha256 != notice.cited_sha256:
            problems.append(f"{label}: its sha256 column is not {where}")
    return len(cited)


# How a problem names an object: what an inspector calls it.
LABELS = {
    PURPOSE_VERSION: "purpose {0} v{1}",
    NOTICE_VERSION: "notice {0} v{1}",
    API_KEY: "API key {0}",
    ADMIN_USER: "console user {0}",
    COLLECT_SETTINGS: "confirmation settings of touchpoint {0}",
}


def label(object_type: str, key: str) -> str:
    """`notice privacy-it v2`, `touchpoint web-newsletter`, `API key 1f2e...`."""
    found = LABELS.get(object_type)
    if found is None:
        return f"{object_type.replace('_', ' ')} {key}"
    return found.format(*key.rsplit("/", 1))


def check_registry_rows(uow: UnitOfWork, problems: list[str]) -> int:
    """Recomputes each registry object's evidential content from its rows and compares it with
    the latest registry record of that object; returns how many objects were checked.

    Names every difference by field and leaf index, a row no leaf records, and an object a leaf
    records that is no longer stored."""
    checked = 0
    for object_type in OBJECT_TYPES:
        rows = uow.snapshots.of(object_type)
        latest = uow.records.latest(object_type)
        for key, content in rows.items():
            checked += 1
            record = latest.pop((object_type, key), None)
            name = label(object_type, key)
            if record is None:
                problems.append(f"{name}: no ledger leaf records it")
                continue
            committed = _content(record.leaf)
            if committed == content:
                continue
            if committed == dict(REMOVED):
                problems.append(f"{name}: stored, though leaf {record.seq} records it removed")
                continue
            fields = sorted(
                k for k in content.keys() | committed.keys() if content.get(k) != committed.get(k)
            )
            verb = "differs" if len(fields) == 1 else "differ"
            problems.append(f"{name}: {', '.join(fields)} {verb} from leaf {record.seq}")
        for (_, key), record in sorted(latest.items()):
            if _content(record.leaf) != dict(REMOVED):
                problems.append(
                    f"{label(object_type, key)}: missing, though leaf {record.seq} records it"
                )
    return checked


def check_source_roots(uow: UnitOfWork, problems: list[str]) -> None:
    """Checks that each source file's stored commitments hash to the Merkle root its record
    carries, the root a dossier proves a person's row against."""
    for source in uow.sources.all():
        if rows_root(uow.sources.commitments(source.id)) != source.root:
            problems.append(
                f"{label(SOURCE_FILE, source.id)}: its rows' commitments do not hash to its root"
            )


def _content(leaf: bytes) -> dict[str, Any]:
    """What a record's leaf commits to (nothing when it is no record leaf: named elsewhere)."""
    try:
        return dict(RecordLeaf.parse(leaf).content)
    except ValueError:
        return {}
