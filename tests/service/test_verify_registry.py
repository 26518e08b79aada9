"""A notice text that events cite cannot change unseen, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import update
from tests.factories.events import (
    NOTICE,
    make_draft,
    record_one,
    setup_registry,
)

from trustguardian.domain.registry import text_sha256
from trustguardian.service.context import Context
from trustguardian.service.verify.full import verify_ledger
from trustguardian.store import tables as t

FORGED = "Informativa riscritta: i dati possono essere ceduti a terzi.\n"


def _rewrite(ctx: Context, **values: str) -> None:
    with ctx.engine.begin() as c:
        c.execute(
            update(t.notice_versions)
            .where(t.notice_versions.c.notice_key == NOTICE, t.notice_versions.c.version == 1)
            .values(**values)
        )


def test_a_cited_notice_text_rewritten_with_its_hash_is_named(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft())
    assert event.notice == NOTICE
    clean = verify_ledger(ctx, evidence=False)
    assert clean.ok, clean.problems
    assert clean.notices == 1
    _rewrite(ctx, text=FORGED, sha256=text_sha256(FORGED))
    problems = verify_ledger(ctx, evidence=False).problems
    seq = event.seq
    assert f"notice {NOTICE} v1: its text no longer has the hash event seq {seq} committed to" in (
        problems
    )
    assert (
        f"notice {NOTICE} v1: its sha256 column is not the hash event seq {seq} committed to"
        in (problems)
    )


def test_a_cited_notice_text_rewritten_alone_is_named(ctx: Context) -> None:
    setup_registry(ctx)
    event = record_one(ctx, make_draft())
    with ctx.uow(write=False) as uow:
        published = uow.records.latest("notice_version")["notice_version", f"{NOTICE}/1"]
    _rewrite(ctx, text=FORGED)
    problems = verify_ledger(ctx, evidence=False).problems
    assert problems == [
        f"notice {NOTICE} v1: text differs from leaf {published.seq}",
        f"notice {NOTICE} v1: its text no longer has the hash event seq {event.seq} committed to",
    ]
