"""What the console shows: overview, work queues and one person's page.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.console.overview import (
        dashboard,
        ledger_state,
        registry_purposes,
        right_touchpoints,
        touchpoint_map,
        touchpoint_page,
        touchpoint_rows,
    )
    from trustguardian.service.console.queues import (
        assign_request,
        complaint_queue,
        handlers,
        request_item,
        request_queue,
        requests_due,
        subject_cases,
    )
    from trustguardian.service.console.subject import (
        event_of_subject,
        find_subject_id,
        proof_page,
        subject_page,
    )

USE_CASES = {
    "assign_request": "queues",
    "complaint_queue": "queues",
    "dashboard": "overview",
    "event_of_subject": "subject",
    "find_subject_id": "subject",
    "handlers": "queues",
    "ledger_state": "overview",
    "proof_page": "subject",
    "registry_purposes": "overview",
    "request_item": "queues",
    "request_queue": "queues",
    "requests_due": "queues",
    "right_touchpoints": "overview",
    "subject_cases": "queues",
    "subject_page": "subject",
    "touchpoint_map": "overview",
    "touchpoint_page": "overview",
    "touchpoint_rows": "overview",
}
__all__ = [
    "assign_request",
    "complaint_queue",
    "dashboard",
    "event_of_subject",
    "find_subject_id",
    "handlers",
    "ledger_state",
    "proof_page",
    "registry_purposes",
    "request_item",
    "request_queue",
    "requests_due",
    "right_touchpoints",
    "subject_cases",
    "subject_page",
    "touchpoint_map",
    "touchpoint_page",
    "touchpoint_rows",
]
__getattr__ = lazy(__name__, USE_CASES)
