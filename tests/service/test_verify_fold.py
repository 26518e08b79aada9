"""The consent fold on plain rows reports exactly what the fold of `ConsentFact` objects reports.

`check_consent` first folds raw rows and compares stored state rows as the driver gives them; it
must find the same states and the same problems as `exact_consent`, on a sound ledger, after a
correction that takes a winner away, and after every kind of change to the stored states,
including one that changes the stored text but not the time it says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text
from tests.conftest import BACKENDS
from tests.factories.retail import build_ledger, operator_proof, person_email

from trustguardian.domain.events import EventKind
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.events.consent import lifetimes
from trustguardian.service.events.recording import record_events
from trustguardian.service.events.validate import EventDraft
from trustguardian.service.verify.consent import ConsentCheck, check_consent, exact_consent
from trustguardian.service.verify.fold import quick_consent


def _both(ctx: Context) -> tuple[ConsentCheck, ConsentCheck]:
    """The consent check as verification runs it, and the exact one; the quick fold answers."""
    with ctx.uow(write=False) as uow:
        size = uow.ledger.size()
        lifetime = lifetimes(uow)
        quick = quick_consent(lambda: uow.scans.facts(size), uow.scans.states(), lifetime)
        assert quick is not None, "the quick fold refused a ledger the service wrote"
        return check_consent(uow, size), exact_consent(uow, size, lifetime)


def _correct_winners(ctx: Context) -> None:
    """Consents that would decide their state, then corrected at the touchpoint that recorded
    them: one by an earlier refusal, one by an earlier consent on fewer channels."""
    now = ctx.clock.now()
    given = [
        r.event
        for r in record_events(
            ctx,
            drafts=[
                EventDraft(
                    kind=EventKind.CONSENT_GIVEN,
                    touchpoint="fair-stand",
                    occurred_at=now - timedelta(hours=1),
                    identifiers=person_email(person),
                    purpose="newsletter",
                    proofs=(operator_proof(),),
                    fingerprint=f"winner-{person}",
                )
                for person in (5, 6)
            ],
        )
    ]
    record_events(
        ctx,
        drafts=[
            EventDraft(
                kind=EventKind.CONSENT_REFUSED,
                touchpoint="fair-stand",
                occurred_at=now - timedelta(days=30),
                identifiers=person_email(5),
                purpose="newsletter",
                proofs=(operator_proof("Team leader"),),
                corrects=given[0].id,
                fingerprint="correct-5",
            ),
            EventDraft(
                kind=EventKind.CONSENT_GIVEN,
                touchpoint="fair-stand",
                occurred_at=now - timedelta(days=2),
                identifiers=person_email(6),
                purpose="newsletter",
                channels=(Channel.EMAIL,),
                proofs=(operator_proof("Team leader"),),
                corrects=given[1].id,
                fingerprint="correct-6",
            ),
        ],
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_quick_fold_agrees_on_a_sound_ledger_with_corrected_winners(
    make_ctx: Callable[[str], Context], backend: str
) -> None:
    ctx = make_ctx(backend)
    build_ledger(ctx)
    _correct_winners(ctx)
    found, exact = _both(ctx)
    assert found == exact
    assert found.states > 0
    assert found.problems == []


CHANGES = [
    # A status the fold does not give.
    "UPDATE consent_states SET status = 'withdrawn' WHERE status = 'given'",
    # Another time, and an expiry taken away.
    "UPDATE consent_states SET since = '2020-01-01 00:00:00.000000' WHERE channel = 'sms'",
    "UPDATE consent_states SET expires_at = NULL WHERE purpose_key = 'newsletter'",
    # Another event and version.
    "UPDATE consent_states SET event_seq = event_seq + 1 WHERE purpose_key = 'profiling'",
    "UPDATE consent_states SET purpose_version = 7 WHERE purpose_key = 'loyalty-programme'",
    # A state gone.
    "DELETE FROM consent_states WHERE purpose_key = 'sms-marketing'",
]


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_quick_fold_names_the_same_changed_states(
    make_ctx: Callable[[str], Context], backend: str, change: str
) -> None:
    ctx = make_ctx(backend)
    build_ledger(ctx)
    with ctx.engine.begin() as conn:
        changed = conn.execute(text(change)).rowcount
    assert changed > 0
    found, exact = _both(ctx)
    assert found == exact
    assert found.problems


def test_a_stored_time_written_another_way_for_the_same_instant_is_no_problem(
    sqlite_ctx: Context,
) -> None:
    # SQLite keeps the text it is given: the same instant written with a "T" differs from the
    # usual text, so the quick comparison leaves it to the exact one, which finds it equal.
    build_ledger(sqlite_ctx)
    with sqlite_ctx.engine.begin() as conn:
        changed = conn.execute(text("UPDATE consent_states SET since = replace(since, ' ', 'T')"))
    assert changed.rowcount > 0
    found, exact = _both(sqlite_ctx)
    assert found == exact
    assert found.problems == []


def test_a_time_the_exact_fold_cannot_read_leaves_the_answer_to_it(sqlite_ctx: Context) -> None:
    build_ledger(sqlite_ctx)
    with sqlite_ctx.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE events SET occurred_at = 'not a time' "
                "WHERE seq = (SELECT max(seq) FROM events WHERE kind = 'consent.given')"
            )
        )
    with sqlite_ctx.uow(write=False) as uow:
        size = uow.ledger.size()
        quick = quick_consent(lambda: uow.scans.facts(size), uow.scans.states(), {})
        assert quick is None
        with pytest.raises(ValueError, match="Invalid isoformat"):
            check_consent(uow, size)
