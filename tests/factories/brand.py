"""A company brand for tests: a real PNG logo (drawn with Pillow) and the fields around it."""

from __future__ import annotations

import io

from PIL import Image

COMPANY = "Bottega Rossi S.p.A."
SENDER = "privacy@bottegarossi.example"


def png_logo(width: int = 160, height: int = 48) -> bytes:
    """A red PNG with a white band: real image bytes that any decoder reads."""
    image = Image.new("RGB", (width, height), (180, 30, 40))
    for x in range(width):
        for y in range(height // 3, 2 * height // 3):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def brand_values(**changes: str | None) -> dict[str, str | None]:
    """Every brand field set; `changes` replaces some."""
    values: dict[str, str | None] = {
        "company_name": COMPANY,
        "primary_color": "#b41e28",
        "accent_color": "#f0c000",
        "on_primary_color": "#ffffff",
        "footer_text": "Bottega Rossi S.p.A. · Via Roma 1, Milano · P.IVA 01234567890",
        "privacy_url": "https://bottegarossi.example/privacy",
        "contact_url": "https://bottegarossi.example/contatti",
        "sender_name": "Bottega Rossi",
        "sender_address": SENDER,
    }
    return values | changes
