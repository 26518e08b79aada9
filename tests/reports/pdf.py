"""Reading the PDFs the reports make: their text, and their pages rendered to images."""

from __future__ import annotations

import re

import pypdfium2 as pdfium


def pdf_text(body: bytes) -> str:
    doc = pdfium.PdfDocument(body)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def page_ink(body: bytes) -> list[int]:
    """Each page rendered to an image: how many of its pixels are not white."""
    doc = pdfium.PdfDocument(body)
    try:
        return [
            sum(
                1
                for p in page.render(scale=1).to_pil().convert("L").get_flattened_data()
                if p < 200
            )
            for page in doc
        ]
    finally:
        doc.close()


def pages(body: bytes) -> list[tuple[str, list[tuple[int, int, int]]]]:
    """(text, pixels) of every page, each page rendered to an image."""
    doc = pdfium.PdfDocument(body)
    try:
        found = []
        for page in doc:
            image = page.render(scale=1).to_pil().convert("RGB")
            found.append((page.get_textpage().get_text_range(), list(image.get_flattened_data())))
        return found
    finally:
        doc.close()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)
