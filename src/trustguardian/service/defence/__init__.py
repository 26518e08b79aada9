"""Legal defence (art. 17(3)(e)): the proofs an erasure keeps, their opening by the DPO, their
destruction when the retention ends, and the legal holds that suspend it.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work (keeping a copy at erasure, re-wrapping at a rotation) stay in their
modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.defence.holds import (
        list_legal_holds,
        place_legal_hold,
        release_legal_hold,
    )
    from trustguardian.service.defence.purge import purge_defence_copies
    from trustguardian.service.defence.reading import open_defence_copy

USE_CASES = {
    "list_legal_holds": "holds",
    "open_defence_copy": "reading",
    "place_legal_hold": "holds",
    "purge_defence_copies": "purge",
    "release_legal_hold": "holds",
}
__all__ = [
    "list_legal_holds",
    "open_defence_copy",
    "place_legal_hold",
    "purge_defence_copies",
    "release_legal_hold",
]
__getattr__ = lazy(__name__, USE_CASES)
