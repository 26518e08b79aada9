"""Privacy events: the subjects they concern, their validation, recording, consent state and the
ledger leaves they are committed by.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.events.batches import prove_check, seal_batches
    from trustguardian.service.events.consent import subject_consents, subject_timeline
    from trustguardian.service.events.ledger import (
        checkpoint_json,
        latest_checkpoint,
        prove_consistency,
        prove_inclusion,
    )
    from trustguardian.service.events.recording import get_event, list_events, record_events
    from trustguardian.service.events.subjects import (
        add_identifiers,
        blind,
        create_subject,
        find_subject,
        get_subject,
    )
    from trustguardian.service.events.witnessing import tlog_proof, trust_policy

USE_CASES = {
    "add_identifiers": "subjects",
    "blind": "subjects",
    "checkpoint_json": "ledger",
    "create_subject": "subjects",
    "find_subject": "subjects",
    "get_event": "recording",
    "get_subject": "subjects",
    "latest_checkpoint": "ledger",
    "list_events": "recording",
    "prove_check": "batches",
    "prove_consistency": "ledger",
    "prove_inclusion": "ledger",
    "record_events": "recording",
    "seal_batches": "batches",
    "subject_consents": "consent",
    "subject_timeline": "consent",
    "tlog_proof": "witnessing",
    "trust_policy": "witnessing",
}
__all__ = [
    "add_identifiers",
    "blind",
    "checkpoint_json",
    "create_subject",
    "find_subject",
    "get_event",
    "get_subject",
    "latest_checkpoint",
    "list_events",
    "prove_check",
    "prove_consistency",
    "prove_inclusion",
    "record_events",
    "seal_batches",
    "subject_consents",
    "subject_timeline",
    "tlog_proof",
    "trust_policy",
]
__getattr__ = lazy(__name__, USE_CASES)
