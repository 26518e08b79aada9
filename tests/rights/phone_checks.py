"""What a phone user needs from a public page, measured in the browser: no sideways scrolling,
targets a finger can hit (44 x 44 CSS px), text at WCAG 2.1 AA contrast."""

from __future__ import annotations

import re

from playwright.sync_api import Page

PHONES = ((360, 740), (390, 844), (414, 896))
# Every control a finger presses: fields, switches, buttons, the notice's summary.
TARGETS = "input:not([type=hidden]), button, select, textarea, summary"
TARGET_SIZES_JS = """
(selector) => [...document.querySelectorAll(selector)].map((el) => {
  const box = el.getBoundingClientRect();
  return [el.outerHTML.slice(0, 80), box.width, box.height];
})
"""
# For each visible element that holds text of its own: the text, its colour, and the background
# colours from the element up to the root (composited in Python, translucent ones included).
COLOURS_JS = """
() => [...document.querySelectorAll('body *')].filter((el) =>
  el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible' &&
  [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
).map((el) => {
  const backgrounds = [];
  for (let up = el; up; up = up.parentElement) {
    backgrounds.push(getComputedStyle(up).backgroundColor);
  }
  return [el.textContent.trim().slice(0, 40), getComputedStyle(el).color, backgrounds];
})
"""
Rgba = tuple[float, float, float, float]


def rgba(css: str) -> Rgba:
    """A computed CSS colour (`rgb(r, g, b)` or `rgba(r, g, b, a)`) as four numbers."""
    parts = [float(v) for v in re.findall(r"[0-9.]+", css)]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def over(top: Rgba, below: Rgba) -> Rgba:
    """`top` painted over an opaque `below` (source-over)."""
    a = top[3]
    r, g, b = (t * a + u * (1 - a) for t, u in zip(top[:3], below[:3], strict=True))
    return (r, g, b, 1.0)


def luminance(colour: Rgba) -> float:
    """WCAG 2.1 relative luminance."""

    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text: Rgba, background: Rgba) -> float:
    """WCAG 2.1 contrast ratio of text (translucent allowed) over an opaque background."""
    a, b = luminance(over(text, background)), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def text_contrasts(page: Page) -> list[tuple[str, float]]:
    """Each visible text's contrast against the background it is painted on."""
    found = []
    for text, colour, backgrounds in page.evaluate(COLOURS_JS):
        background: Rgba = (255.0, 255.0, 255.0, 1.0)  # the canvas
        for layer in reversed(backgrounds):
            background = over(rgba(layer), background)
        found.append((text, contrast(rgba(colour), background)))
    return found


def assert_aa_contrast(page: Page) -> None:
    found = text_contrasts(page)
    assert found
    poor = [(text, round(ratio, 2)) for text, ratio in found if ratio < 4.5]
    assert poor == [], poor  # WCAG 2.1 AA for normal text


def assert_fits(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


def assert_large_targets(page: Page) -> None:
    sizes = page.evaluate(TARGET_SIZES_JS, TARGETS)
    assert sizes
    small = [s for s in sizes if s[1] < 44 or s[2] < 44]
    assert small == [], small
