"""The inspection report renders (pages turned into images) and its figures are the database's."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from tests.census.helpers import SEND, T0, add_calls, at, contact, paper_consent
from tests.reports.helpers import mario_history
from tests.reports.pdf import one_line, pages

from trustguardian.reports.inspection import inspection_report
from trustguardian.service.context import Context
from trustguardian.service.registry.census import examine_touchpoints
from trustguardian.store import tables as t

GREEN = (0x2F, 0x6F, 0x4F)  # the first series colour of every chart


def test_the_inspection_report_renders_with_the_figures_of_the_database(ctx: Context) -> None:
    history = mario_history(ctx)
    now = history.ctx
    add_calls(now)
    contact(now, T0 + timedelta(minutes=55), check_id=None)
    start, end = T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=1)

    body, figures = inspection_report(now, start=start, end=end)

    rendered = pages(body)
    assert len(rendered) >= 3
    for _, pixels in rendered:  # every page has ink on it
        assert sum(1 for p in pixels if sum(p) < 600) > 2000
    assert any(GREEN in pixels for _, pixels in rendered)  # the charts were drawn
    text = one_line("\n".join(page_text for page_text, _ in rendered))

    # Consent figures per purpose and channel, straight from the table.
    with ctx.engine.connect() as conn:
        states = conn.execute(
            select(
                t.consent_states.c.purpose_key,
                t.consent_states.c.channel,
                t.consent_states.c.status,
                func.count(),
            ).group_by(
                t.consent_states.c.purpose_key,
                t.consent_states.c.channel,
                t.consent_states.c.status,
            )
        ).all()
        events_in_period = conn.execute(
            select(func.count()).where(
                t.events.c.occurred_at >= start, t.events.c.occurred_at < end
            )
        ).scalar_one()
        tree_size = conn.execute(select(t.ledger_head.c.size)).scalar_one()
    by_key: dict[tuple[str, str], dict[str, int]] = {}
    for purpose, channel, status, n in states:
        by_key.setdefault((purpose, channel), {})[status] = n
    assert by_key == {
        ("newsletter", "email"): {"given": 1, "withdrawn": 1},
        ("newsletter", "phone"): {"given": 2},
    }
    for (purpose, channel), counts in by_key.items():
        row = " ".join(
            str(counts.get(s, 0))
            for s in ("given", "refused", "withdrawn", "expired", "pending_confirmation")
        )
        assert f"{purpose} {channel} {row}" in text
    assert f"Privacy events in the period: {events_in_period}" in text
    assert events_in_period == 5  # Mario's three, Luigi's consent and the unchecked contact
    assert "Consents given now: 3" in text

    # Proofs coverage of the consents collected in the period, per touchpoint.
    # touchpoint consents with-proofs notice-shown confirmed signed-form with-file imported
    # coverage. The web form's double opt-in proof came from the client: its claim, a proof
    # but not a confirmation this instance witnessed.
    assert "web-newsletter 1 1 1 0 0 1 0 100.0" in text
    assert "store-milano 2 2 0 0 2 1 0 100.0" in text

    # The census, examined afresh: the same findings an examination makes now.
    examined = examine_touchpoints(now)
    high = sum(r.open_high for r in examined)
    assert high == 2  # the unchecked contact, and the phone touchpoint without a register
    assert f"Open findings: high {high}, medium 0, low 0" in text
    assert "contacts_without_checks" in text
    assert "stale_opposition_register" in text
    assert f"{SEND} no_check 1" in text  # contacts in the period, by check

    # Ledger integrity and the checkpoint chain.
    assert f"Ledger verification: OK, tree size {tree_size}" in text
    assert "Verification from genesis: OK" in text
    assert figures.ledger.ok
    assert [c.consistent_with_previous for c in figures.chain] == [None]
    assert str(figures.chain[0].tree_size) in text
    assert figures.findings_by_severity() == {"high": 2, "medium": 0, "low": 0}


def test_the_chain_proves_each_day_consistent_with_the_day_before(ctx: Context) -> None:
    mario_history(ctx)
    next_day = at(ctx, T0 + timedelta(days=1, hours=2))
    paper_consent(next_day, T0 + timedelta(days=1, hours=1))
    _, figures = inspection_report(
        next_day, start=T0.replace(hour=0), end=T0.replace(hour=0) + timedelta(days=2)
    )
    assert [c.consistent_with_previous for c in figures.chain] == [None, True]
    assert all(c.signed for c in figures.chain)
    assert figures.chain[1].tree_size > figures.chain[0].tree_size
