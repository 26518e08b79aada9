"""The company's brand on public pages, mails and reports: its name, logo, colours, footer,
links and mail sender; colours kept readable (WCAG 2.1 AA) and logos checked before use.

Colours: a configured colour is kept as given; what the pages draw with it is chosen so that
text keeps a contrast of at least 4.5:1 (WCAG 2.1 success criterion 1.4.3). Text on the primary
colour is the configured text-on-primary colour when it reaches 4.5:1, else black or white,
whichever contrasts more. Links and outlines drawn on white use the primary (or accent) colour
darkened in steps until it reaches 4.5:1 against white.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # no DTD is let through (below), so no entities
from dataclasses import dataclass
from urllib.parse import urlsplit

from trustguardian.domain.errors import FieldError, InvalidInput

HEX = re.compile(r"#[0-9a-fA-F]{6}")
AA = 4.5
WHITE = "#ffffff"
BLACK = "#1a1a1a"  # the pages' body text colour
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
LOGO_TYPES = (PNG, JPEG, SVG)
# SVG elements that run, embed or fetch something; a logo needs none of them.
SVG_FORBIDDEN = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "handler",
     "listener", "animate", "set", "animatemotion", "animatetransform"}
)  # fmt: skip
FIELDS = (
    "company_name", "primary_color", "accent_color", "on_primary_color", "footer_text",
    "privacy_url", "contact_url", "sender_name", "sender_address",
)  # fmt: skip


@dataclass(frozen=True)
class Brand:
    """The brand in force: each field the console's value, else the settings' one."""

    company_name: str | None = None
    primary_color: str = "#0b4a8b"
    accent_color: str = "#b35c00"
    on_primary_color: str = WHITE
    footer_text: str | None = None
    privacy_url: str | None = None
    contact_url: str | None = None
    sender_name: str | None = None
    sender_address: str | None = None
    logo_type: str | None = None
    logo_sha256: str | None = None

    def palette(self) -> dict[str, str]:
        """The CSS custom properties of the public stylesheet (`--brand-<name>`), AA-safe."""
        primary = self.primary_color
        return {
            "primary": primary,
            "on-primary": text_on(primary, self.on_primary_color),
            "accent": self.accent_color,
            "link": readable_on_white(primary),
            "focus": readable_on_white(self.accent_color, 3.0),  # a focus ring is no text
        }

    def logo_version(self) -> str:
        """A short token that changes with the logo (for the logo's URL, so caches renew)."""
        return (self.logo_sha256 or "none")[:12]


def channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of `#rrggbb`."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two `#rrggbb` colours (1 to 21)."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_on(background: str, wanted: str) -> str:
    """`wanted` when it reaches AA on `background`, else black or white, whichever is higher."""
    if contrast(background, wanted) >= AA:
        return wanted
    return WHITE if contrast(background, WHITE) >= contrast(background, BLACK) else BLACK


def readable_on_white(colour: str, ratio: float = AA) -> str:
    """`colour`, darkened in 5% steps until it reaches `ratio` against white."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    found = colour.lower()
    for step in range(21):
        scale = 1 - step * 0.05
        found = f"#{round(r * scale):02x}{round(g * scale):02x}{round(b * scale):02x}"
        if contrast(found, WHITE) >= ratio:
            return found
    return found


def check_fields(values: dict[str, str | None]) -> dict[str, str | None]:
    """The brand fields cleaned (blank: none, i.e. the settings' value); refuses a colour that
    is not `#rrggbb`, a link that is not http(s) and a sender address without an `@`."""
    errors: list[FieldError] = []
    clean: dict[str, str | None] = {}
    for name in FIELDS:
        value = (values.get(name) or "").strip() or None
        if value is not None and name.endswith("_color") and not HEX.fullmatch(value):
            errors.append(FieldError(name, "a colour is written #rrggbb, e.g. #0b4a8b"))
        if value is not None and name.endswith("_url"):
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                errors.append(FieldError(name, "a link starts with https:// (or http://)"))
        if value is not None and name == "sender_address" and not _address(value):
            errors.append(FieldError(name, "an e-mail address is written name@domain"))
        if value is not None and name in ("company_name", "sender_name") and len(value) > 200:
            errors.append(FieldError(name, "at most 200 characters"))
        if value is not None and name == "footer_text" and len(value) > 1000:
            errors.append(FieldError(name, "at most 1000 characters"))
        clean[name] = value.lower() if value and name.endswith("_color") else value
    if errors:
        raise InvalidInput("the brand was not saved", errors=errors)
    return clean


def _address(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and "." in domain and not re.search(r"[\s<>\"',;]", value))


def sniff_logo(data: bytes, limit: int) -> str:
    """The logo's media type, from its bytes (whatever name or type it came with); refuses what
    is larger than `limit`, not PNG, JPEG or SVG, or an SVG that could run or fetch anything."""
    if not data:
        raise _bad("the logo file is empty")
    if len(data) > limit:
        raise _bad(f"the logo is larger than {limit // 1024} KiB")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    _check_svg(data)
    return SVG


def _bad(message: str) -> InvalidInput:
    return InvalidInput("the logo was not saved", errors=[FieldError("logo", message)])


def _check_svg(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("a logo is a PNG, JPEG or SVG image") from None
    # No DTD: it is where entity expansion and external entities come from.
    if "<!doctype" in text.lower() or "<!entity" in text.lower():
        raise _bad("an SVG logo may not declare a DTD or entities")
    try:
        root = ET.fromstring(text)  # noqa: S314 -- DTDs refused above
    except ET.ParseError:
        raise _bad("a logo is a PNG, JPEG or SVG image") from None
    if _local(root.tag) != "svg":
        raise _bad("a logo is a PNG, JPEG or SVG image")
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in SVG_FORBIDDEN:
            raise _bad(f"an SVG logo may not hold <{_local(element.tag)}>")
        if name == "style" and re.search(r"url\s*\(|@import", element.text or "", re.I):
            raise _bad("an SVG logo's style may not load anything")
        for attribute, value in element.attrib.items():
            key = _local(attribute).lower()
            if key.startswith("on"):
                raise _bad(f"an SVG logo may not carry the {key} handler")
            if key == "href" and not value.strip().startswith("#"):
                raise _bad("an SVG logo may not link to anything outside itself")
            if re.search(r"url\s*\(\s*['\"]?\s*(?!#)", value, re.I) or "javascript:" in value:
                raise _bad("an SVG logo may not load anything")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
