"""The evidence archive: a time range of the ledger, gathered for long-term storage as a bundle
that verifies offline (reports.archive writes and checks it).

Its use cases (each opens its own unit of work) are importable from here.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.archive.gather import gather_archive

USE_CASES = {
    "gather_archive": "gather",
}
__all__ = [
    "gather_archive",
]
__getattr__ = lazy(__name__, USE_CASES)
