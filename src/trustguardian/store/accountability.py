"""Repository for accountability: census findings, examinations and checkpoint time-stamps."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, case, exists, func, insert, or_, select, update

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.store import tables as t
from trustguardian.store.bulk import bulk_insert


@dataclass(frozen=True)
class StoredFinding:
    id: str
    touchpoint_key: str
    rule: str
    target: str
    severity: str
    message: str
    fix: str
    first_found_at: datetime
    last_found_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class StoredTimestamp:
    tree_size: int
    token: bytes
    tsa_url: str
    gen_time: datetime
    stamped_at: datetime


class AccountabilityRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # --- findings ---------------------------------------------------------------------------

    def findings(
        self, touchpoint: str | None = None, *, open_only: bool = True
    ) -> list[StoredFinding]:
        query = select(t.findings).order_by(
            t.findings.c.touchpoint_key,
            t.findings.c.first_found_at,
            t.findings.c.rule,
            t.findings.c.target,
        )
        if touchpoint is not None:
            query = query.where(t.findings.c.touchpoint_key == touchpoint)
        if open_only:
            query = query.where(t.findings.c.resolved_at.is_(None))
        return [StoredFinding(**row._mapping) for row in self._c.execute(query)]

    def add_findings(self, findings: Sequence[StoredFinding]) -> None:
        bulk_insert(self._c, t.findings, [vars(f) for f in findings])

    def refresh_finding(self, finding_id: str, *, at: datetime, message: str) -> None:
        self._c.execute(
            update(t.findings)
            .where(t.findings.c.id == finding_id)
            .values(last_found_at=at, message=message)
        )

    def resolve_findings(self, ids: Sequence[str], at: datetime) -> None:
        if ids:
            self._c.execute(
                update(t.findings).where(t.findings.c.id.in_(list(ids))).values(resolved_at=at)
            )

    def open_high(self, touchpoint: str) -> int:
        return int(
            self._c.execute(
                select(func.count()).where(
                    t.findings.c.touchpoint_key == touchpoint,
                    t.findings.c.resolved_at.is_(None),
                    t.findings.c.severity == "high",
                )
            ).scalar_one()
        )

    def set_examination(self, touchpoint: str, at: datetime, open_high: int) -> None:
        done = self._c.execute(
            update(t.examinations)
            .where(t.examinations.c.touchpoint_key == touchpoint)
            .values(examined_at=at, open_high=open_high)
        )
        if done.rowcount == 0:
            self._c.execute(
                insert(t.examinations).values(
                    touchpoint_key=touchpoint, examined_at=at, open_high=open_high
                )
            )

    def examined_at(self, touchpoint: str) -> datetime | None:
        value: datetime | None = self._c.execute(
            select(t.examinations.c.examined_at).where(
                t.examinations.c.touchpoint_key == touchpoint
            )
        ).scalar_one_or_none()
        return value

    # --- what the census rules read -----------------------------------------------------------

    def imported_share(self, touchpoint: str) -> tuple[int, int]:
        """(consent events recorded at a touchpoint, how many of them carry an import proof)."""
        e, p = t.events.c, t.event_proofs.c
        # Correlated on the proofs' primary key (event_seq, position): one index probe a row.
        imported = exists().where(p.event_seq == e.seq, p.type == "import")
        row = self._c.execute(
            select(func.count(), func.count(case((imported, 1)))).where(
                e.touchpoint_key == touchpoint, e.kind == "consent.given"
            )
        ).one()
        return int(row[0]), int(row[1])

    def notice_version_shown(self, touchpoint: str, notice: str, since: datetime) -> int | None:
        """The notice version of a touchpoint's latest event (by occurrence) from an instant on."""
        value = self._c.execute(
            select(t.events.c.notice_version)
            .where(
                t.events.c.touchpoint_key == touchpoint,
                t.events.c.notice_key == notice,
                t.events.c.occurred_at >= since,
                t.events.c.notice_version.is_not(None),
            )
            .order_by(t.events.c.occurred_at.desc(), t.events.c.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if value is None else int(value)

    def flagged_contacts(self, touchpoint: str, since: datetime) -> dict[str, int]:
        """Contacts of a touchpoint made from an instant on without an allowed check, by flag."""
        rows = self._c.execute(
            select(t.contacts.c.flag, func.count())
            .where(
                t.contacts.c.touchpoint_key == touchpoint,
                t.contacts.c.flag.is_not(None),
                t.contacts.c.occurred_at >= since,
            )
            .group_by(t.contacts.c.flag)
        )
        return {r[0]: int(r[1]) for r in rows}

    def stale_consents(self, touchpoint: str, now: datetime) -> dict[str, int]:
        """Given consents decided by this touchpoint's events whose lifetime has ended."""
        rows = self._c.execute(
            select(t.consent_states.c.purpose_key, func.count())
            .select_from(
                t.consent_states.join(t.events, t.events.c.seq == t.consent_states.c.event_seq)
            )
            .where(
                t.events.c.touchpoint_key == touchpoint,
                t.consent_states.c.status == "given",
                t.consent_states.c.expires_at <= now,
            )
            .group_by(t.consent_states.c.purpose_key)
        )
        return {r[0]: int(r[1]) for r in rows}

    def overdue_requests(
        self, touchpoint: str, now: datetime, open_statuses: Sequence[str]
    ) -> list[tuple[str, int, date]]:
        """(kind, count, oldest due day) of a touchpoint's open requests past their deadline."""
        c = t.rights_requests.c
        rows = self._c.execute(
            select(c.kind, func.count(), func.min(c.due_on))
            .where(
                c.touchpoint_key == touchpoint,
                c.status.in_(list(open_statuses)),
                c.due_at <= now,
            )
            .group_by(c.kind)
        )
        return [(r[0], int(r[1]), r[2]) for r in rows]

    def open_complaints(self, touchpoint: str, now: datetime) -> dict[str, tuple[int, int]]:
        """(open, overdue) complaints about a touchpoint by kind: about one of its events, or
        taken there when they name no event."""
        c, e = t.complaints.c, t.events.c
        about = func.coalesce(e.touchpoint_key, c.touchpoint_key)
        overdue = func.sum(case((c.due_at <= now, 1), else_=0))
        rows = self._c.execute(
            select(c.kind, func.count(), overdue)
            .select_from(t.complaints.outerjoin(t.events, e.id == c.about_event_id))
            .where(about == touchpoint, c.status != ComplaintStatus.CLOSED.value)
            .group_by(c.kind)
        )
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def open_cases(self, touchpoint: str, open_statuses: Sequence[str]) -> tuple[int, int]:
        """(open rights requests, open complaints) a touchpoint took."""
        r, c = t.rights_requests.c, t.complaints.c
        requests = self._c.execute(
            select(func.count()).where(
                r.touchpoint_key == touchpoint, r.status.in_(list(open_statuses))
            )
        ).scalar_one()
        complaints = self._c.execute(
            select(func.count()).where(
                c.touchpoint_key == touchpoint, c.status != ComplaintStatus.CLOSED.value
            )
        ).scalar_one()
        return int(requests), int(complaints)

    def subject_leaves(self, subject_id: str) -> list[tuple[int, bytes]]:
        """(seq, leaf) of every event of a subject, in ledger order."""
        rows = self._c.execute(
            select(t.events.c.seq, t.events.c.leaf)
            .where(t.events.c.subject_id == subject_id)
            .order_by(t.events.c.seq)
        )
        return [(int(r.seq), bytes(r.leaf)) for r in rows]

    # --- what the inspection report counts -------------------------------------------------

    def consent_counts(self, at: datetime) -> dict[tuple[str, str, str], int]:
        """(purpose, channel, status at `at`) -> subjects; a given consent past its expiry, and a
        pending one past its confirmation deadline, are counted as expired (as
        ConsentState.at says)."""
        expired = and_(
            t.consent_states.c.status.in_(["given", "pending_confirmation"]),
            t.consent_states.c.expires_at <= at,
        )
        status = case((expired, "expired"), else_=t.consent_states.c.status)
        rows = self._c.execute(
            select(
                t.consent_states.c.purpose_key, t.consent_states.c.channel, status, func.count()
            ).group_by(t.consent_states.c.purpose_key, t.consent_states.c.channel, status)
        )
        return {(r[0], r[1], r[2]): int(r[3]) for r in rows}

    def event_counts(self, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
        """(kind, purpose or '') -> events that occurred in [start, end)."""
        purpose = func.coalesce(t.events.c.purpose_key, "")
        rows = self._c.execute(
            select(t.events.c.kind, purpose, func.count())
            .where(t.events.c.occurred_at >= start, t.events.c.occurred_at < end)
            .group_by(t.events.c.kind, purpose)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def recorded_counts(self, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
        """(kind, purpose or '') -> events recorded in [start, end) that occurred before start
        (legacy imports, late paper forms): the period's figures would miss them otherwise."""
        purpose = func.coalesce(t.events.c.purpose_key, "")
        rows = self._c.execute(
            select(t.events.c.kind, purpose, func.count())
            .where(
                t.events.c.recorded_at >= start,
                t.events.c.recorded_at < end,
                t.events.c.occurred_at < start,
            )
            .group_by(t.events.c.kind, purpose)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def consent_proofs(
        self, start: datetime, end: datetime, kinds: Sequence[str]
    ) -> Iterator[tuple[int, str, str | None, bool]]:
        """(seq, touchpoint, proof type (`type:claim` for a claim) or None, has a file) of
        consent events that occurred in [start, end), or were recorded then having occurred
        before (imports, late forms)."""
        query = (
            select(
                t.events.c.seq,
                t.events.c.touchpoint_key,
                # A confirmation proof a client sent is its claim, not a confirmation we
                # witnessed: it is counted as a proof, never as a double opt-in or OTP.
                case(
                    (t.event_proofs.c.claimed_by.is_not(None), t.event_proofs.c.type + ":claim"),
                    else_=t.event_proofs.c.type,
                ),
                t.event_proofs.c.blob_address.is_not(None),
            )
            .select_from(
                t.events.outerjoin(t.event_proofs, t.event_proofs.c.event_seq == t.events.c.seq)
            )
            .where(
                or_(
                    and_(t.events.c.occurred_at >= start, t.events.c.occurred_at < end),
                    and_(
                        t.events.c.recorded_at >= start,
                        t.events.c.recorded_at < end,
                        t.events.c.occurred_at < start,
                    ),
                ),
                t.events.c.kind.in_(list(kinds)),
            )
            .order_by(t.events.c.seq)
        )
        for r in self._c.execution_options(yield_per=10_000).execute(query):
            yield int(r[0]), r[1], r[2], bool(r[3])

    def contact_counts(self, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
        """(touchpoint, flag or 'checked') -> contacts made in [start, end)."""
        flag = func.coalesce(t.contacts.c.flag, "checked")
        rows = self._c.execute(
            select(t.contacts.c.touchpoint_key, flag, func.count())
            .where(t.contacts.c.occurred_at >= start, t.contacts.c.occurred_at < end)
            .group_by(t.contacts.c.touchpoint_key, flag)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def requests_received(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[str, str, datetime, datetime | None, datetime | None]]:
        """(kind, status, due at, extended at, closed at) of requests received in [start, end)."""
        c = t.rights_requests.c
        query = (
            select(c.kind, c.status, c.due_at, c.extended_at, c.closed_at)
            .where(c.received_at >= start, c.received_at < end)
            .order_by(c.received_at, c.id)
        )
        for r in self._c.execution_options(yield_per=10_000).execute(query):
            yield r[0], r[1], r[2], r[3], r[4]

    def overdue_now(self, now: datetime, open_statuses: Sequence[str]) -> int:
        """Open requests past their deadline, whenever they were received."""
        c = t.rights_requests.c
        query = select(func.count()).where(c.status.in_(list(open_statuses)), c.due_at <= now)
        return int(self._c.execute(query).scalar_one())

    def complaint_counts(self, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
        """(status, kind of the event complained about or '') -> complaints received in
        [start, end)."""
        c = t.complaints.c
        about = func.coalesce(t.events.c.kind, "")
        rows = self._c.execute(
            select(c.status, about, func.count())
            .select_from(t.complaints.outerjoin(t.events, t.events.c.id == c.about_event_id))
            .where(c.received_at >= start, c.received_at < end)
            .group_by(c.status, about)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    # --- RFC 3161 time-stamps of checkpoints --------------------------------------------------

    def add_timestamp(self, ts: StoredTimestamp) -> None:
        self._c.execute(insert(t.checkpoint_timestamps).values(**vars(ts)))

    def timestamp(self, tree_size: int) -> StoredTimestamp | None:
        row = self._c.execute(
            select(t.checkpoint_timestamps).where(t.checkpoint_timestamps.c.tree_size == tree_size)
        ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values["token"] = bytes(values["token"])
        return StoredTimestamp(**values)

    def timestamps(self) -> dict[int, StoredTimestamp]:
        rows = self._c.execute(select(t.checkpoint_timestamps))
        found = {}
        for row in rows:
            values = dict(row._mapping)
            values["token"] = bytes(values["token"])
            found[int(values["tree_size"])] = StoredTimestamp(**values)
        return found
