"""The brand administered from the console (DPO): the company's name, logo, colours, footer,
links and mail sender; each field left blank falls back to settings. Saved through the brand
use case, so every change is a ledger record; the logo is checked from its bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from trustguardian.domain.brand import AA, FIELDS, Brand, contrast
from trustguardian.domain.roles import AdminUser, Permission
from trustguardian.service.brand import console_brand, set_brand
from trustguardian.service.context import Context
from trustguardian.web.console.core import PREFIX, Ctx, SessionDep, need
from trustguardian.web.console.forms import Fields, Submitted, show
from trustguardian.web.console.pages_requests import actor

router = APIRouter(prefix=f"{PREFIX}/manage", include_in_schema=False)
Manager = Annotated[AdminUser, Depends(need(Permission.MANAGE_BRAND))]
TEMPLATE = "manage_brand.html"


def N_(text: str) -> str:  # noqa: N802 -- gettext's name for a string marked, translated later
    """Marks a caption for the catalogs (the form's macros translate it when shown)."""
    return text


CAPTIONS = {
    "company_name": N_("Company name"),
    "primary_color": N_("Primary colour (#rrggbb)"),
    "accent_color": N_("Accent colour (#rrggbb)"),
    "on_primary_color": N_("Text on the primary colour (#rrggbb)"),
    "footer_text": N_("Footer text"),
    "privacy_url": N_("Privacy policy link"),
    "contact_url": N_("Contact link"),
    "sender_name": N_("Mail sender name"),
    "sender_address": N_("Mail sender address"),
}
LIMITS = {"footer_text": 1000, "privacy_url": 500, "contact_url": 500}


def _contrast(brand: Brand) -> dict[str, object]:
    """What the page says of the colours: the ratios, and whether one was replaced."""
    palette = brand.palette()
    given = contrast(brand.primary_color, brand.on_primary_color)
    return {
        "palette": palette,
        "given_ratio": f"{given:.1f}",
        "used_ratio": f"{contrast(brand.primary_color, palette['on-primary']):.1f}",
        "replaced": given < AA,
        "link_ratio": f"{contrast(palette['link'], '#ffffff'):.1f}",
    }


def _page(ctx: Context) -> dict[str, object]:
    form = console_brand(ctx)
    return {"brand_form": form, "fields": FIELDS, "captions": CAPTIONS, **_contrast(form.in_force)}


@router.get("/brand")
def page(request: Request, ctx: Ctx, session: SessionDep, _: Manager) -> HTMLResponse:
    return show(request, session, TEMPLATE, **_page(ctx))


@router.post("/brand")
async def save(ctx: Ctx, sub: Submitted, user: Manager) -> Response:
    upload = sub.form.get("logo")
    logo = None
    if isinstance(upload, UploadFile) and upload.filename:
        # One byte past the limit is enough to refuse it (domain.brand.sniff_logo).
        logo = await upload.read(ctx.settings.brand_logo_max_bytes + 1)

    def action(f: Fields) -> str:
        values = {name: f.optional(name, limit=LIMITS.get(name, 200)) for name in FIELDS}
        remove = f.flag("remove_logo")
        f.check()
        set_brand(ctx, values=values, logo=logo, remove_logo=remove, actor=actor(user))
        return f"{PREFIX}/manage/brand?saved=1"

    return sub.run(TEMPLATE, _page(ctx), action)
