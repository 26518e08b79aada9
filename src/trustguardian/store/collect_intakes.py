"""Repository for sign-ups kept as intakes: confirmation requests with no subject and no event
until the person confirms (double opt-in or OTP through a public form)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, case, delete, func, insert, select, update

from trustguardian.domain.collect import ConfirmationRequest
from trustguardian.store import tables as t
from trustguardian.store.collect import confirmation_of


class SignupRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def name_events(self, confirmation_id: str, event_ids: Sequence[str]) -> None:
        """Files the ids the events of an intake will have, so they find their request."""
        self._c.execute(
            insert(t.confirmation_events),
            [{"event_id": e, "confirmation_id": confirmation_id} for e in event_ids],
        )

    def for_event(self, event_id: str) -> ConfirmationRequest | None:
        """The intake an event id was given out by (confirmed or not)."""
        ce, c = t.confirmation_events, t.confirmations
        row = self._c.execute(
            select(c).join(ce, ce.c.confirmation_id == c.c.id).where(ce.c.event_id == event_id)
        ).first()
        return None if row is None else confirmation_of(row)

    def by_submission(self, touchpoint: str, key: str) -> ConfirmationRequest | None:
        """The latest intake a client's submission made, if it made one."""
        c = t.confirmations.c
        row = self._c.execute(
            select(t.confirmations)
            .where(c.touchpoint_key == touchpoint, c.submission_key == key)
            .order_by(c.created_at.desc())
        ).first()
        return None if row is None else confirmation_of(row)

    def sent_since(
        self, since: datetime, *, recipient: str | None = None
    ) -> tuple[int, datetime | None]:
        """How many intakes (each one message) were made since `since`, to one recipient or in
        all, and when the oldest of them was, which is when the count first drops."""
        c = t.confirmations.c
        query = select(func.count(), func.min(c.created_at)).where(
            c.created_at >= since, c.recipient_blind.is_not(None)
        )
        if recipient is not None:
            query = query.where(c.recipient_blind == recipient)
        count, oldest = self._c.execute(query).one()
        return int(count), oldest

    def take_in(
        self, confirmation_id: str, *, subject_id: str, at: datetime, event_ids: list[str]
    ) -> bool:
        """Marks an intake confirmed by the events now recorded, and drops its sealed
        submission; False when it was confirmed already (a race lost)."""
        c = t.confirmations.c
        done = self._c.execute(
            update(t.confirmations)
            .where(c.id == confirmation_id, c.confirmed_at.is_(None))
            .values(
                subject_id=subject_id, confirmed_at=at, confirmed_event_ids=event_ids, sealed=None
            )
        )
        return done.rowcount == 1

    def purge(self, now: datetime, kept_since: datetime) -> int:
        """Drops the sealed submission of every intake that expired unconfirmed, and the
        recipient's keyed hash once outside every cap's window (made before `kept_since`).

        What stays (when, how, which touchpoint, whether it was confirmed) holds no personal
        data: the reports count expired sign-ups from it. The event ids promised by an intake
        that expired are forgotten with it."""
        c = t.confirmations.c
        expired = and_(c.confirmed_at.is_(None), c.expires_at <= now, c.sealed.is_not(None))
        ids = select(c.id).where(expired)
        self._c.execute(
            delete(t.confirmation_events).where(t.confirmation_events.c.confirmation_id.in_(ids))
        )
        dropped = self._c.execute(update(t.confirmations).where(expired).values(sealed=None))
        self._c.execute(
            update(t.confirmations)
            .where(c.created_at < kept_since, c.recipient_blind.is_not(None))
            .values(recipient_blind=None)
        )
        return dropped.rowcount

    def counts(self, start: datetime, end: datetime, now: datetime) -> dict[str, int]:
        """Confirmation requests (intakes and those of recorded consents) made in [start, end):
        `awaiting` (still open), `expired` (never confirmed) and `confirmed`."""
        c = t.confirmations.c
        confirmed = c.confirmed_at.is_not(None)
        expired = and_(c.confirmed_at.is_(None), c.expires_at <= now)
        awaiting = and_(c.confirmed_at.is_(None), c.expires_at > now)
        row = self._c.execute(
            select(
                *(
                    func.coalesce(func.sum(case((w, 1), else_=0)), 0)
                    for w in (awaiting, expired, confirmed)
                )
            ).where(c.created_at >= start, c.created_at < end)
        ).one()
        return {"awaiting": int(row[0]), "expired": int(row[1]), "confirmed": int(row[2])}
