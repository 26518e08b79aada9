"""The company's brand atop the reports made from the instance (inspection, touchpoint
dossier): its logo (PNG or JPEG) and name, over a rule in its colour."""

from __future__ import annotations

from reportlab.platypus import Flowable

from trustguardian.domain.brand import JPEG, PNG
from trustguardian.reports import pdf
from trustguardian.service.brand import brand_in_force, brand_logo
from trustguardian.service.context import Context


def brand_head(ctx: Context) -> list[Flowable]:
    """The header flowables of the brand in force (none when no name or logo is set)."""
    brand = brand_in_force(ctx)
    found = brand_logo(ctx)
    logo = found[0] if found is not None and found[1] in (PNG, JPEG) else None
    return pdf.brand_header(brand.company_name, logo, brand.palette()["link"])
