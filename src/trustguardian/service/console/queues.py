"""The console's work queues: rights requests by deadline with their assignees, and complaints.

The rights use cases themselves live in `rights_requests`, `rights_verify`, `rights_fulfil` and
`complaints`; this module adds what only the console needs: assignment to a console user, the
queue's filters, the dashboard's card and the requests and complaints of one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from trustguardian.domain.complaints import ComplaintStatus
from trustguardian.domain.errors import FieldError, InvalidInput, NotFound
from trustguardian.domain.rights import OPEN, RequestKind, RequestStatus
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.context import Context
from trustguardian.service.pagination import Page
from trustguardian.service.rights.complaints import ComplaintView, list_complaints
from trustguardian.service.rights.requests import RequestView, list_requests
from trustguardian.store.console.assignments import Assignment

DUE_SOON = timedelta(days=7)
"""A request is due soon when its deadline ends within this time."""
CLOSED = tuple(s for s in RequestStatus if s not in OPEN)


class Queue(StrEnum):
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    CLOSED = "closed"


@dataclass(frozen=True)
class QueueItem:
    request: RequestView
    assignee: Assignment | None
    due_soon: bool


def _items(ctx: Context, views: list[RequestView]) -> list[QueueItem]:
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        assigned = uow.assignments.of([v.id for v in views])
    return [
        QueueItem(
            v,
            assigned.get(v.id),
            v.status in OPEN and not v.overdue and v.due_at - now <= DUE_SOON,
        )
        for v in views
    ]


def request_queue(
    ctx: Context,
    *,
    queue: Queue = Queue.OPEN,
    kind: RequestKind | None = None,
    assignee: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[QueueItem], str | None]:
    """A page of the rights-request queue, the most urgent first; `assignee` is a username
    ("-" for requests nobody holds). Kind and assignee filter the page read."""
    page: Page[RequestView] = list_requests(
        ctx,
        due_within=DUE_SOON if queue is Queue.DUE_SOON else None,
        overdue=queue is Queue.OVERDUE,
        statuses=CLOSED if queue is Queue.CLOSED else None,
        cursor=cursor,
        limit=limit,
    )
    items = _items(ctx, list(page.items))
    if kind is not None:
        items = [i for i in items if i.request.kind is kind]
    if assignee == "-":
        items = [i for i in items if i.assignee is None]
    elif assignee:
        items = [i for i in items if i.assignee and i.assignee.username == assignee]
    return items, page.next_cursor


@dataclass(frozen=True)
class RequestsDue:
    """The dashboard's card: open requests, those overdue and those due soon."""

    open: int
    overdue: list[QueueItem]
    due_soon: list[QueueItem]


def requests_due(ctx: Context, *, shown: int = 10) -> RequestsDue:
    """Counts open requests and lists the overdue and the due-soon ones (the first `shown`)."""
    overdue = _items(ctx, list(list_requests(ctx, overdue=True, limit=shown).items))
    soon = _items(ctx, list(list_requests(ctx, due_within=DUE_SOON, limit=shown * 2).items))
    with ctx.uow(write=False) as uow:
        total = uow.console.open_requests([s.value for s in OPEN])
    return RequestsDue(
        open=total,
        overdue=overdue,
        due_soon=[i for i in soon if i.due_soon][:shown],
    )


def request_item(ctx: Context, *, view: RequestView) -> QueueItem:
    return _items(ctx, [view])[0]


def handlers(ctx: Context) -> list[AdminUser]:
    """The console users who may be assigned a request: those who may handle one."""
    with ctx.uow(write=False) as uow:
        return [u for u in uow.admin.users() if u.can(Permission.HANDLE_REQUESTS)]


def assign_request(ctx: Context, *, request_id: str, username: str, by: str) -> Assignment | None:
    """Assigns a request to a console user who may handle it ("" takes the assignment away)."""
    with ctx.uow() as uow:
        if uow.rights.get(request_id, lock=True) is None:
            raise NotFound(f"no rights request {request_id!r}")
        if not username:
            uow.assignments.unassign(request_id)
            uow.commit()
            return None
        found = uow.admin.user_by_name(username)
        if found is None or not found[0].can(Permission.HANDLE_REQUESTS):
            raise InvalidInput(
                f"{username!r} is not a console user who may handle requests",
                errors=[FieldError("username", "not a handler")],
            )
        uow.assignments.assign(request_id, found[0].id, by, ctx.clock.now())
        assigned = uow.assignments.of([request_id])[request_id]
        uow.commit()
    return assigned


@dataclass(frozen=True)
class SubjectCases:
    requests: list[QueueItem]
    complaints: list[ComplaintView]


def subject_cases(ctx: Context, *, subject_id: str) -> SubjectCases:
    """Every rights request (open or closed) and complaint of one person."""
    statuses = list(RequestStatus)
    views: list[RequestView] = []
    cursor: str | None = None
    while True:
        page = list_requests(
            ctx, statuses=statuses, subject_id=subject_id, cursor=cursor, limit=200
        )
        views.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    complaints: list[ComplaintView] = []
    cursor = None
    while True:
        found = list_complaints(ctx, subject_id=subject_id, cursor=cursor, limit=200)
        complaints.extend(found.items)
        if found.next_cursor is None:
            break
        cursor = found.next_cursor
    return SubjectCases(_items(ctx, views), complaints)


def complaint_queue(
    ctx: Context, *, statuses: list[str] | None = None, cursor: str | None = None
) -> Page[ComplaintView]:
    """A page of complaints (every status unless some are named)."""
    try:
        chosen = [ComplaintStatus(s) for s in statuses] if statuses else None
    except ValueError as exc:
        raise InvalidInput("unknown status", errors=[FieldError("status", str(exc))]) from exc
    return list_complaints(ctx, statuses=chosen, cursor=cursor, limit=100)
