"""The registry checked against the ledger: what events committed to must still be there.

Every event that cites a notice version commits, in its leaf, to the SHA-256 of the exact text
shown. A notice text changed afterwards (with or without its `sha256` column) no longer has that
hash, so whoever rewrites what a person was told is found even against checkpoints kept
elsewhere. (Versions no event cites yet are not covered here: committing every registry change
as a leaf of its own is the next step.)
"""

from __future__ import annotations

from trustguardian.domain.registry import text_sha256
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
