"""Chart category labels never overlap, however many and however long."""

from __future__ import annotations

import itertools
import math

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from trustguardian.reports.pdf import LABEL_ROOM, bar_chart, fonts, label_layout

LONG = [f"newsletter-marketing-{n}/web_form" for n in range(24)]


@pytest.mark.parametrize("count", [1, 3, 8, 24, 60, 200])
def test_neighbouring_labels_clear_each_other(count: int) -> None:
    font = fonts()[0]
    categories = LONG[:count] if count <= len(LONG) else [f"tp-{n}" for n in range(count)]
    step = 330 / count  # the plot's width shared by the categories
    layout = label_layout(categories, step, font)
    if layout.angle == 0:
        widest = max(stringWidth(c, font, layout.font_size) for c in layout.labels)
        assert widest < step  # side by side, each within its own slot
    else:
        # Rotated labels are parallel strips one line high: they clear when the strips'
        # perpendicular distance (the step between shown labels x sin angle) is at least a line.
        shown = [n for n, label in enumerate(layout.labels) if label]
        gap = min((b - a for a, b in itertools.pairwise(shown)), default=count)
        sine = math.sin(math.radians(layout.angle))
        assert gap * step * sine >= layout.font_size * 1.2 - 1e-9
        assert shown[0] == 0
        reach = max(stringWidth(c, font, layout.font_size) for c in layout.labels)
        assert reach * math.sin(math.radians(layout.angle)) <= LABEL_ROOM + 1e-6


def test_long_labels_are_cut_with_an_ellipsis_and_short_ones_kept() -> None:
    font = fonts()[0]
    layout = label_layout([*LONG, "a" * 200], 330 / 25, font)
    assert layout.labels[-1].endswith("…")
    assert len(layout.labels[-1]) < 200
    assert label_layout(["access", "erasure"], 165, font).labels == ["access", "erasure"]
    assert label_layout(["access", "erasure"], 165, font).angle == 0


def test_the_chart_makes_room_for_its_labels() -> None:
    short = bar_chart("t", ["a", "b"], [("n", [1, 2])])
    tall = bar_chart("t", LONG, [("n", list(range(len(LONG))))])
    assert tall.height > short.height
