"""Running the instance: its keys and the database they are bound to, rotation, backups, readiness,
trusted time, metrics and production checks.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.ops.backup import restore
    from trustguardian.service.ops.binding import bind, bound_id
    from trustguardian.service.ops.keyring import (
        key_chain,
        pinned_verifiers,
        register_signing_key,
        rewrap,
        signing_keys,
        wrapped_by_key,
    )
    from trustguardian.service.ops.readiness import keys_problem, ping, revisions, storage_problem
    from trustguardian.service.ops.rotation import (
        finish_master_rotation,
        rotate_master_key,
        rotate_signing_key,
    )
    from trustguardian.service.ops.stamping import stamp_due, stamp_if_configured, stamping_status
    from trustguardian.service.ops.timestamps import checkpoint_timestamps, stamp_checkpoint

USE_CASES = {
    "bind": "binding",
    "bound_id": "binding",
    "checkpoint_timestamps": "timestamps",
    "finish_master_rotation": "rotation",
    "key_chain": "keyring",
    "keys_problem": "readiness",
    "ping": "readiness",
    "pinned_verifiers": "keyring",
    "register_signing_key": "keyring",
    "restore": "backup",
    "revisions": "readiness",
    "rewrap": "keyring",
    "rotate_master_key": "rotation",
    "rotate_signing_key": "rotation",
    "signing_keys": "keyring",
    "stamp_checkpoint": "timestamps",
    "stamp_due": "stamping",
    "stamp_if_configured": "stamping",
    "stamping_status": "stamping",
    "storage_problem": "readiness",
    "wrapped_by_key": "keyring",
}
__all__ = [
    "bind",
    "bound_id",
    "checkpoint_timestamps",
    "finish_master_rotation",
    "key_chain",
    "keys_problem",
    "ping",
    "pinned_verifiers",
    "register_signing_key",
    "restore",
    "revisions",
    "rewrap",
    "rotate_master_key",
    "rotate_signing_key",
    "signing_keys",
    "stamp_checkpoint",
    "stamp_due",
    "stamp_if_configured",
    "stamping_status",
    "storage_problem",
    "wrapped_by_key",
]
__getattr__ = lazy(__name__, USE_CASES)
