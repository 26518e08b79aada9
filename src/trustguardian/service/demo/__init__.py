"""A realistic demo company and its history.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.demo.collect import demo_notice, seed_collect_demo
    from trustguardian.service.demo.company import seed_demo
    from trustguardian.service.demo.history import seed_history
    from trustguardian.service.demo.rights import seed_rights

USE_CASES = {
    "demo_notice": "collect",
    "seed_collect_demo": "collect",
    "seed_demo": "company",
    "seed_history": "history",
    "seed_rights": "rights",
}
__all__ = [
    "demo_notice",
    "seed_collect_demo",
    "seed_demo",
    "seed_history",
    "seed_rights",
]
__getattr__ = lazy(__name__, USE_CASES)
