"""Accountability: a subject's dossier, the inspection report and the register of processing.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.accountability.dossier import gather_dossier
    from trustguardian.service.accountability.inspection import inspection_figures
    from trustguardian.service.accountability.records import (
        controller,
        processing_register,
        register_header,
        subject_records,
    )
    from trustguardian.service.accountability.touchpoint_reads import touchpoint_dossier

USE_CASES = {
    "controller": "records",
    "gather_dossier": "dossier",
    "inspection_figures": "inspection",
    "processing_register": "records",
    "register_header": "records",
    "subject_records": "records",
    "touchpoint_dossier": "touchpoint_reads",
}
__all__ = [
    "controller",
    "gather_dossier",
    "inspection_figures",
    "processing_register",
    "register_header",
    "subject_records",
    "touchpoint_dossier",
]
__getattr__ = lazy(__name__, USE_CASES)
