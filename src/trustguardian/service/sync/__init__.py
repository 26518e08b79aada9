"""The company's systems: their webhooks and where each stands in receiving our events.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.sync.status import reconciliation, replay, subject_sync, sync_status
    from trustguardian.service.sync.systems import (
        create_system,
        create_webhook,
        list_systems,
        list_webhooks,
        open_secret,
        rotate_secret,
        seal_secret,
    )
    from trustguardian.service.sync.webhooks import (
        delete_webhook,
        disable_webhook,
        discard_dead_letters,
        enable_webhook,
        list_dead_letters,
        retry_dead_letters,
    )

USE_CASES = {
    "create_system": "systems",
    "create_webhook": "systems",
    "delete_webhook": "webhooks",
    "disable_webhook": "webhooks",
    "discard_dead_letters": "webhooks",
    "enable_webhook": "webhooks",
    "list_dead_letters": "webhooks",
    "list_systems": "systems",
    "list_webhooks": "systems",
    "open_secret": "systems",
    "reconciliation": "status",
    "replay": "status",
    "retry_dead_letters": "webhooks",
    "rotate_secret": "systems",
    "seal_secret": "systems",
    "subject_sync": "status",
    "sync_status": "status",
}
__all__ = [
    "create_system",
    "create_webhook",
    "delete_webhook",
    "disable_webhook",
    "discard_dead_letters",
    "enable_webhook",
    "list_dead_letters",
    "list_systems",
    "list_webhooks",
    "open_secret",
    "reconciliation",
    "replay",
    "retry_dead_letters",
    "rotate_secret",
    "seal_secret",
    "subject_sync",
    "sync_status",
]
__getattr__ = lazy(__name__, USE_CASES)
