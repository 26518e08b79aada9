"""The brand's rules: AA-safe colours, checked fields, and logos sniffed and checked by bytes."""

from __future__ import annotations

import pytest
from tests.factories.brand import png_logo

from trustguardian.domain.brand import (
    AA,
    JPEG,
    PNG,
    SVG,
    WHITE,
    Brand,
    check_fields,
    contrast,
    readable_on_white,
    sniff_logo,
    text_on,
)
from trustguardian.domain.errors import InvalidInput

LIMIT = 64 * 1024
SAFE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'width="40" height="40"><defs><linearGradient id="g"/></defs>'
    b'<rect width="40" height="40" fill="url(#g)"/><use xlink:href="#g"/></svg>'
)


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)


def test_a_text_colour_below_aa_is_replaced_by_the_better_of_black_and_white() -> None:
    assert text_on("#0b4a8b", WHITE) == WHITE  # 8.9:1, kept as chosen
    yellow = "#f0c000"
    assert contrast(yellow, WHITE) < AA
    chosen = text_on(yellow, WHITE)
    assert chosen != WHITE
    assert contrast(yellow, chosen) >= AA


def test_a_light_brand_colour_is_darkened_for_links_until_it_reads_on_white() -> None:
    link = readable_on_white("#f0c000")
    assert contrast(link, WHITE) >= AA
    assert readable_on_white("#0b4a8b") == "#0b4a8b"
    palette = Brand(primary_color="#f0c000", on_primary_color=WHITE).palette()
    assert contrast(palette["primary"], palette["on-primary"]) >= AA
    assert contrast(palette["link"], WHITE) >= AA


def test_fields_are_checked_and_blank_ones_fall_back() -> None:
    clean = check_fields(
        {"company_name": "  Rossi  ", "primary_color": "#B41E28", "footer_text": ""}
    )
    assert clean["company_name"] == "Rossi"
    assert clean["primary_color"] == "#b41e28"
    assert clean["footer_text"] is None
    with pytest.raises(InvalidInput) as refused:
        check_fields(
            {
                "primary_color": "red",
                "privacy_url": "javascript:alert(1)",
                "sender_address": "Rossi <a@b.it>",
            }
        )
    assert {e.loc for e in refused.value.errors} == {
        "primary_color",
        "privacy_url",
        "sender_address",
    }


def test_logos_are_told_apart_by_their_bytes() -> None:
    assert sniff_logo(png_logo(), LIMIT) == PNG
    assert sniff_logo(b"\xff\xd8\xff\xe0" + b"\0" * 20, LIMIT) == JPEG
    assert sniff_logo(SAFE_SVG, LIMIT) == SVG


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"GIF89a....", "PNG, JPEG or SVG"),
        (b"<html><body>hi</body></html>", "PNG, JPEG or SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
            "<foreignObject>",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://tracker.example/p.png"/></svg>',
            "outside itself",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "DTD",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x.example/a)"/>'
            b"</svg>",
            "load anything",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * LIMIT, "larger than"),
    ],
)
def test_a_logo_that_could_run_or_fetch_anything_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        sniff_logo(data, LIMIT)
    assert why in refused.value.errors[0].msg
