"""Verification: every leaf, tree node, checkpoint, consent state and piece of evidence,
from genesis.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.verify.checkpoints import check_witnessed
    from trustguardian.service.verify.full import verify_ledger

USE_CASES = {
    "check_witnessed": "checkpoints",
    "verify_ledger": "full",
}
__all__ = [
    "check_witnessed",
    "verify_ledger",
]
__getattr__ = lazy(__name__, USE_CASES)
