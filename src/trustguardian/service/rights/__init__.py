"""Right: rights requests within their legal deadlines, what fulfilling each one does, erasure and
complaints.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.rights.answers import check_answer_link, download_answer
    from trustguardian.service.rights.complaints import (
        attach_file,
        get_complaint,
        list_complaints,
        open_complaint,
        read_attachment,
        update_complaint,
    )
    from trustguardian.service.rights.effects import lift_restriction
    from trustguardian.service.rights.erasure import erase_subject
    from trustguardian.service.rights.export import subject_export
    from trustguardian.service.rights.fulfil import fulfil_request
    from trustguardian.service.rights.gpc import honour_gpc
    from trustguardian.service.rights.notify import send
    from trustguardian.service.rights.public_complaint import file_complaint
    from trustguardian.service.rights.public_form import (
        check_verify_token,
        confirm_filed,
        file_request,
    )
    from trustguardian.service.rights.requests import (
        advance_request,
        get_request,
        list_requests,
        submit_request,
    )
    from trustguardian.service.rights.verification import confirm_code, extend_request, send_code

USE_CASES = {
    "advance_request": "requests",
    "attach_file": "complaints",
    "check_answer_link": "answers",
    "check_verify_token": "public_form",
    "confirm_code": "verification",
    "confirm_filed": "public_form",
    "download_answer": "answers",
    "erase_subject": "erasure",
    "extend_request": "verification",
    "file_complaint": "public_complaint",
    "file_request": "public_form",
    "fulfil_request": "fulfil",
    "get_complaint": "complaints",
    "get_request": "requests",
    "honour_gpc": "gpc",
    "lift_restriction": "effects",
    "list_complaints": "complaints",
    "list_requests": "requests",
    "open_complaint": "complaints",
    "read_attachment": "complaints",
    "send": "notify",
    "send_code": "verification",
    "subject_export": "export",
    "submit_request": "requests",
    "update_complaint": "complaints",
}
__all__ = [
    "advance_request",
    "attach_file",
    "check_answer_link",
    "check_verify_token",
    "confirm_code",
    "confirm_filed",
    "download_answer",
    "erase_subject",
    "extend_request",
    "file_complaint",
    "file_request",
    "fulfil_request",
    "get_complaint",
    "get_request",
    "honour_gpc",
    "lift_restriction",
    "list_complaints",
    "list_requests",
    "open_complaint",
    "read_attachment",
    "send",
    "send_code",
    "subject_export",
    "submit_request",
    "update_complaint",
]
__getattr__ = lazy(__name__, USE_CASES)
