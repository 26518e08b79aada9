"""Shared PDF building blocks (ReportLab): a Unicode font, styles, tables and bar charts."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

# DejaVu covers every character a notice or a name may hold; Helvetica (Latin-1) is the fallback.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PALETTE = (
    colors.HexColor("#2f6f4f"),
    colors.HexColor("#c0504d"),
    colors.HexColor("#e0a030"),
    colors.HexColor("#4f81bd"),
    colors.HexColor("#8064a2"),
    colors.HexColor("#7f7f7f"),
)


@cache
def fonts() -> tuple[str, str]:
    """Registers DejaVu Sans when installed; returns (regular, bold) font names."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("TGSans", str(regular)))
            pdfmetrics.registerFont(TTFont("TGSans-Bold", str(bold)))
            return "TGSans", "TGSans-Bold"
    return "Helvetica", "Helvetica-Bold"


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("tg-title", parent=base["Title"], fontName=bold, fontSize=18),
        "h1": ParagraphStyle("tg-h1", parent=base["Heading1"], fontName=bold, fontSize=14),
        "h2": ParagraphStyle("tg-h2", parent=base["Heading2"], fontName=bold, fontSize=11),
        "body": ParagraphStyle("tg-body", parent=base["BodyText"], fontName=regular, fontSize=9),
        "small": ParagraphStyle(
            "tg-small", parent=base["BodyText"], fontName=regular, fontSize=7, leading=9
        ),
        "mono": ParagraphStyle(
            "tg-mono", parent=base["Code"], fontName=regular, fontSize=7, leading=9
        ),
    }


def esc(value: object) -> str:
    """Text safe for a ReportLab paragraph (its mini-markup is XML)."""
    text = value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: object, style: str = "body") -> Paragraph:
    return Paragraph(esc(text), styles()[style])


def preformatted(text: str) -> Paragraph:
    """A block of exact text (a notice), line breaks kept."""
    return Paragraph(esc(text).replace("\n", "<br/>"), styles()["mono"])


def table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None
) -> Table:
    """A striped table whose cells wrap."""
    cells = [[para(h, "small") for h in header]] + [
        [para("" if v is None else v, "small") for v in row] for row in rows
    ]
    out = Table(cells, colWidths=list(widths) if widths else None, repeatRows=1)
    out.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde7e1")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b0b0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return out


# Room under a chart for its category labels, and the angles they may take, flattest first.
LABEL_ROOM = 48.0
LABEL_ANGLES = (0, 30, 45, 60, 90)
LABEL_FONT = 7.0
LABEL_FONT_MIN = 4.0


@dataclass(frozen=True)
class LabelLayout:
    angle: int
    font_size: float
    labels: list[str]
    room: float  # how far below the axis the labels reach


def label_layout(categories: Sequence[str], step: float, font: str) -> LabelLayout:
    """Category labels that do not overlap: the flattest angle at which neighbours `step`
    points apart clear each other, a smaller font when even upright ones would not, and each
    label cut (with an ellipsis) to LABEL_ROOM under the chart."""
    size = max(LABEL_FONT_MIN, min(LABEL_FONT, step * 0.8))
    height = size * 1.2
    widest = max((stringWidth(c, font, size) for c in categories), default=0.0)
    angle = 90
    for candidate in LABEL_ANGLES:
        if candidate == 0:
            if widest + 2 <= step:
                angle = 0
                break
        elif height / math.sin(math.radians(candidate)) <= step:
            angle = candidate
            break
    if angle == 0:
        return LabelLayout(0, size, list(categories), height + 4)
    sine = math.sin(math.radians(angle))
    labels = [_cut(c, font, size, LABEL_ROOM / sine) for c in categories]
    every = math.ceil(height / (step * sine))  # more than fit upright: label every k-th bar
    labels = [label if n % every == 0 else "" for n, label in enumerate(labels)]
    reach = max((stringWidth(c, font, size) for c in labels), default=0.0) * sine
    return LabelLayout(angle, size, labels, reach + height + 4)


def _cut(text: str, font: str, size: float, room: float) -> str:
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text + "…"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    width: float = 170 * mm,
    height: float = 70 * mm,
) -> Drawing:
    """A grouped vertical bar chart with a legend; its category labels never overlap."""
    regular, bold = fonts()
    plot_width = int(width - 150)
    layout = label_layout(list(categories) or [""], plot_width / max(1, len(categories)), regular)
    height += layout.room - 25  # the room the labels take, beyond what a chart always had
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, int(layout.room) + 6
    chart.width, chart.height = plot_width, int(height - layout.room - 40)
    chart.data = [list(values) or [0] for _, values in series] or [[0]]
    chart.categoryAxis.categoryNames = layout.labels
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = layout.font_size
    chart.categoryAxis.labels.angle = layout.angle
    chart.categoryAxis.labels.boxAnchor = "n" if layout.angle == 0 else "ne"
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max((max(values, default=0) for _, values in series), default=0)
    chart.valueAxis.valueMax = max(1, top * 1.15)
    for n in range(len(series)):
        chart.bars[n].fillColor = PALETTE[n % len(PALETTE)]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = int(width - 110), int(height - 30)
    legend.fontName = regular
    legend.fontSize = 7
    legend.alignment = "right"  # swatch first, then its name
    legend.columnMaximum = max(1, len(series))
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [
        (PALETTE[n % len(PALETTE)], name) for n, (name, _) in enumerate(series)
    ]
    drawing.add(legend)
    drawing.add(String(0, height - 12, title, fontName=bold, fontSize=9))
    return drawing


def brand_header(name: str | None, logo: bytes | None, colour: str) -> list[Flowable]:
    """The company's logo and name above a report, over a rule in its primary colour; nothing
    when neither is set. A logo the PDF library cannot read is left out."""
    cells: list[Flowable] = []
    if logo is not None:
        try:
            width, height = ImageReader(io.BytesIO(logo)).getSize()
            tall = 14 * mm
            cells.append(Image(io.BytesIO(logo), width=tall * width / height, height=tall))
        except (OSError, ValueError, ZeroDivisionError):
            pass
    if name:
        cells.append(para(name, "h1"))
    if not cells:
        return []
    row = Table([cells], hAlign="LEFT")
    row.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 2, colors.HexColor(colour)),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    return [row, Spacer(1, 4 * mm)]


def render(story: Sequence[Flowable], *, title: str, footer: str) -> bytes:
    """Lays out a story on A4 pages with a footer and page numbers; returns the PDF bytes."""
    regular, _ = fonts()
    out = io.BytesIO()

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(15 * mm, 10 * mm, footer)
        canvas.drawRightString(195 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Trust Guardian",
        # A fixed creation date keeps a document's bytes a function of its content.
        invariant=True,
    )
    doc.build([*story, Spacer(1, 1)], onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
