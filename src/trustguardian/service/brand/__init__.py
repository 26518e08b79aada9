"""The company's brand: what public pages, mails and reports show, set in settings and
overridden field by field from the console (each change a ledger record)."""

from trustguardian.service.brand.use_cases import (
    BrandForm,
    brand_in_force,
    brand_logo,
    console_brand,
    mail_sender,
    set_brand,
)

__all__ = [
    "BrandForm",
    "brand_in_force",
    "brand_logo",
    "console_brand",
    "mail_sender",
    "set_brand",
]
