"""The company's brand: what public pages, mails and reports show, set in settings and
overridden field by field from the console (each change a ledger record).

Its use cases (each opens its own unit of work) are importable from here; the mail helpers
are in `service.brand.mail`.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.brand.use_cases import (
        brand_in_force,
        brand_logo,
        console_brand,
        set_brand,
    )

USE_CASES = {
    "brand_in_force": "use_cases",
    "brand_logo": "use_cases",
    "console_brand": "use_cases",
    "set_brand": "use_cases",
}
__all__ = ["brand_in_force", "brand_logo", "console_brand", "set_brand"]
__getattr__ = lazy(__name__, USE_CASES)
