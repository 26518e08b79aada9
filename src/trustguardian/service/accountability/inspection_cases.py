"""The inspection report's figures on rights requests (timeliness, art. 12(3)) and complaints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.rights import OPEN, RequestKind, RequestStatus
from trustguardian.store.uow import UnitOfWork

COLUMNS = (
    "received",
    "fulfilled_in_time",
    "rejected_in_time",
    "late",
    "extended",
    "open_in_time",
    "overdue_now",
)


@dataclass(frozen=True)
class RequestFigures:
    """Requests received in the period, by kind: how each was (or is being) answered.

    A request is answered in time when it was closed before its deadline ended (the extended
    deadline once extended); `late` counts those closed after it; `overdue_now` those still
    open past it. `extended` counts requests whose deadline was extended, whatever came after.
    """

    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    overdue_now_all: int = 0  # open past the deadline now, whenever received

    def total(self, column: str) -> int:
        return sum(c[column] for c in self.by_kind.values())


@dataclass(frozen=True)
class ComplaintFigures:
    """Complaints received in the period, by status and by what they were about."""

    by_status: dict[str, int] = field(default_factory=dict)
    by_about: dict[str, int] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return sum(self.by_status.values())


def request_figures(
    uow: UnitOfWork, start: datetime, end: datetime, now: datetime
) -> RequestFigures:
    """Counts the requests received in [start, end) by kind and timeliness, as of `now`."""
    open_statuses = {s.value for s in OPEN}
    by_kind: dict[str, Counter[str]] = {}
    for kind, status, due_at, extended_at, closed_at in uow.accountability.requests_received(
        start, end
    ):
        counts = by_kind.setdefault(kind, Counter(dict.fromkeys(COLUMNS, 0)))
        counts["received"] += 1
        if extended_at is not None:
            counts["extended"] += 1
        if status in open_statuses:
            counts["overdue_now" if now >= due_at else "open_in_time"] += 1
        elif closed_at is not None and closed_at >= due_at:
            counts["late"] += 1
        elif status == RequestStatus.FULFILLED.value:
            counts["fulfilled_in_time"] += 1
        else:
            counts["rejected_in_time"] += 1
    order = [k.value for k in RequestKind]
    rank = {kind: n for n, kind in enumerate(order)}
    return RequestFigures(
        by_kind={
            k: by_kind[k] for k in sorted(by_kind, key=lambda k: (rank.get(k, len(order)), k))
        },
        overdue_now_all=uow.accountability.overdue_now(now, sorted(open_statuses)),
    )


def complaint_figures(uow: UnitOfWork, start: datetime, end: datetime) -> ComplaintFigures:
    """Counts the complaints received in [start, end) by status and by the event they concern."""
    by_status = dict.fromkeys((s.value for s in ComplaintStatus), 0)
    by_about: Counter[str] = Counter()
    for (status, about), n in uow.accountability.complaint_counts(start, end).items():
        by_status[status] = by_status.get(status, 0) + n
        by_about[about or "(no event named)"] += n
    return ComplaintFigures(by_status=by_status, by_about=dict(sorted(by_about.items())))
