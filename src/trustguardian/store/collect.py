"""Repository for collect settings, confirmation requests and publishable keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from trustguardian.domain.collect import (
    CollectSettings,
    Confirmation,
    ConfirmationRequest,
    PublishableKey,
)
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert


@dataclass(frozen=True)
class NewConfirmation:
    """A request to confirm consents: the events awaiting it and how the person is asked.

    `send_error` says why the message was recorded and not sent (None when it is to be sent).
    """

    id: str
    token_id: str
    subject_id: str | None
    touchpoint_key: str
    method: str
    event_ids: list[str]
    recipient_sealed: bytes | None
    code_mac: str | None
    max_attempts: int
    language: str
    created_at: datetime
    expires_at: datetime
    send_error: str | None = None
    # A sign-up kept as an intake (see tables_rights.confirmations).
    sealed: bytes | None = None
    recipient_blind: str | None = None
    submission_key: str | None = None


class CollectRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # --- settings -------------------------------------------------------------------------

    def settings_for(self, touchpoints: Iterable[str]) -> dict[str, CollectSettings]:
        keys = sorted(set(touchpoints))
        if not keys:
            return {}
        rows = self._c.execute(
            select(t.collect_settings).where(t.collect_settings.c.touchpoint_key.in_(keys))
        )
        return {r.touchpoint_key: _settings(r) for r in rows}

    def put_settings(self, settings: CollectSettings) -> None:
        values = {
            "confirmation": settings.confirmation.value,
            "confirm_within_minutes": settings.confirm_within_minutes,
            "otp_max_attempts": settings.otp_max_attempts,
            "language": settings.language,
            "updated_at": settings.updated_at,
            "confirmed_by": settings.confirmed_by,
        }
        done = self._c.execute(
            update(t.collect_settings)
            .where(t.collect_settings.c.touchpoint_key == settings.touchpoint_key)
            .values(**values)
        )
        if done.rowcount == 0:
            self._c.execute(
                insert(t.collect_settings).values(touchpoint_key=settings.touchpoint_key, **values)
            )

    # --- confirmation requests ---------------------------------------------------------------

    def add_confirmations(self, confirmations: Sequence[NewConfirmation]) -> None:
        bulk_insert(
            self._c,
            t.confirmations,
            [
                {
                    **vars(c),
                    "attempts": 0,
                    "sent_at": None,
                    "message_id": None,
                    "confirmed_at": None,
                    "confirmed_event_ids": None,
                }
                for c in confirmations
            ],
        )

    def confirmations_since(self, subjects: Iterable[str], since: datetime) -> dict[str, int]:
        """How many confirmation requests each subject was sent (or refused) since an instant."""
        c = t.confirmations.c
        wanted = sorted(set(subjects))
        if not wanted:
            return {}
        rows = self._c.execute(
            select(c.subject_id, func.count())
            .where(c.subject_id.in_(wanted), c.created_at >= since)
            .group_by(c.subject_id)
        )
        return {subject: int(n) for subject, n in rows}

    def confirmation(self, confirmation_id: str) -> ConfirmationRequest | None:
        row = self._c.execute(
            select(t.confirmations).where(t.confirmations.c.id == confirmation_id)
        ).first()
        return None if row is None else confirmation_of(row)

    def confirmations_of_subject(self, subject_id: str) -> list[ConfirmationRequest]:
        rows = self._c.execute(
            select(t.confirmations)
            .where(t.confirmations.c.subject_id == subject_id)
            .order_by(t.confirmations.c.created_at, t.confirmations.c.id)
        )
        return [confirmation_of(r) for r in rows]

    def mark_sent(
        self,
        confirmation_id: str,
        *,
        at: datetime | None,
        message_id: str | None,
        error: str | None,
    ) -> None:
        self._c.execute(
            update(t.confirmations)
            .where(t.confirmations.c.id == confirmation_id)
            .values(sent_at=at, message_id=message_id, send_error=error)
        )

    def take_attempt(self, confirmation_id: str) -> bool:
        """Counts one code attempt; False when none is left (or it is confirmed already).

        One conditional UPDATE, so concurrent guesses can never exceed the limit.
        """
        c = t.confirmations.c
        done = self._c.execute(
            update(t.confirmations)
            .where(
                c.id == confirmation_id,
                c.attempts < c.max_attempts,
                c.confirmed_at.is_(None),
            )
            .values(attempts=c.attempts + 1)
        )
        return done.rowcount == 1

    def mark_confirmed(self, confirmation_id: str, at: datetime, event_ids: list[str]) -> bool:
        """Marks a request confirmed; False when it already was (a race lost)."""
        c = t.confirmations.c
        done = self._c.execute(
            update(t.confirmations)
            .where(c.id == confirmation_id, c.confirmed_at.is_(None))
            .values(confirmed_at=at, confirmed_event_ids=event_ids)
        )
        return done.rowcount == 1

    def confirmation_for_events(self, event_ids: Iterable[str]) -> ConfirmationRequest | None:
        """The request that covers any of these (pending) events."""
        wanted = set(event_ids)
        if not wanted:
            return None
        # Requests are few per subject: read the subject's and match in Python (JSON columns
        # cannot be searched the same way on both backends).
        row = self._c.execute(
            select(t.events.c.subject_id).where(t.events.c.id.in_(sorted(wanted)))
        ).first()
        if row is None:
            return None
        for request in self.confirmations_of_subject(row.subject_id):
            if wanted & set(request.event_ids):
                return request
        return None

    # --- publishable keys --------------------------------------------------------------------

    def add_publishable(self, key: PublishableKey, key_sha256: str) -> None:
        self._c.execute(
            insert(t.publishable_keys).values(
                id=key.id,
                key_sha256=key_sha256,
                name=key.name,
                touchpoint_key=key.touchpoint_key,
                origins=list(key.origins),
                rate_per_minute=key.rate_per_minute,
                created_at=key.created_at,
            )
        )

    def publishable_by_hash(self, key_sha256: str) -> PublishableKey | None:
        row = self._c.execute(
            select(t.publishable_keys).where(t.publishable_keys.c.key_sha256 == key_sha256)
        ).first()
        return None if row is None else _publishable(row)

    def publishable_keys(self) -> list[PublishableKey]:
        rows = self._c.execute(
            select(t.publishable_keys).order_by(
                t.publishable_keys.c.created_at, t.publishable_keys.c.id
            )
        )
        return [_publishable(r) for r in rows]

    def revoke_publishable(self, key_id: str, at: datetime) -> bool:
        done = self._c.execute(
            update(t.publishable_keys)
            .where(t.publishable_keys.c.id == key_id, t.publishable_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return done.rowcount == 1


def _settings(row: Row[Any]) -> CollectSettings:
    return CollectSettings(
        touchpoint_key=row.touchpoint_key,
        confirmation=Confirmation(row.confirmation),
        confirm_within_minutes=row.confirm_within_minutes,
        otp_max_attempts=row.otp_max_attempts,
        language=row.language,
        updated_at=row.updated_at,
        confirmed_by=row.confirmed_by,
    )


def confirmation_of(row: Row[Any]) -> ConfirmationRequest:
    return ConfirmationRequest(
        id=row.id,
        token_id=row.token_id,
        subject_id=row.subject_id,
        touchpoint_key=row.touchpoint_key,
        method=Confirmation(row.method),
        event_ids=tuple(row.event_ids),
        recipient_sealed=None if row.recipient_sealed is None else bytes(row.recipient_sealed),
        code_mac=row.code_mac,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        language=row.language,
        created_at=row.created_at,
        expires_at=row.expires_at,
        sent_at=row.sent_at,
        message_id=row.message_id,
        send_error=row.send_error,
        confirmed_at=row.confirmed_at,
        confirmed_event_ids=None
        if row.confirmed_event_ids is None
        else tuple(row.confirmed_event_ids),
        sealed=None if row.sealed is None else bytes(row.sealed),
        intake=row.recipient_sealed is None,
    )


def _publishable(row: Row[Any]) -> PublishableKey:
    return PublishableKey(
        id=row.id,
        name=row.name,
        touchpoint_key=row.touchpoint_key,
        origins=tuple(row.origins),
        rate_per_minute=row.rate_per_minute,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
