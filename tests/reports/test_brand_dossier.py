"""With a brand configured, the dossier's PDF report opens with the company's name and logo,
names the controller, and VERIFY.md says whose dossier it is; the dossier still verifies."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from tests.factories.brand import COMPANY, brand_values, png_logo
from tests.reports.helpers import mario_history, unzip
from tests.reports.pdf import pdf_text

from trustguardian.i18n import words
from trustguardian.reports.dossier import subject_dossier
from trustguardian.reports.dossier_verify import verify_dossier
from trustguardian.reports.inspection import inspection_report
from trustguardian.service.brand import set_brand
from trustguardian.service.context import Context


def first_page_images(body: bytes) -> list[tuple[int, int, tuple[float, float, float, float]]]:
    """(width, height, position) of every image drawn on the first page."""
    doc = pdfium.PdfDocument(body)
    try:
        page = doc[0]
        found = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            bitmap = obj.get_bitmap().to_pil()
            found.append((bitmap.width, bitmap.height, obj.get_bounds()))
        return found
    finally:
        doc.close()


def test_the_dossier_pdf_shows_the_company_name_and_logo(ctx: Context) -> None:
    history = mario_history(ctx)
    logo = png_logo(160, 48)
    set_brand(history.ctx, values=brand_values(), logo=logo, actor="test")
    body = subject_dossier(history.ctx, subject_id=history.subject_id)
    files = unzip(body)
    for lang, title in (("it", "Fascicolo probatorio"), ("en", "Evidence dossier")):
        pdf = files[f"report-{lang}.pdf"]
        text = pdf_text(pdf)
        lines = [line.strip() for line in text.splitlines()]
        # The page footer is drawn first, then the header: the company, then the title.
        assert lines.index(COMPANY) < lines.index(title)
        assert f"{COMPANY} · Trust Guardian" in lines[0]
        assert f"{words(lang)('Controller')}: {COMPANY}" in text
        images = first_page_images(pdf)
        assert [(w, h) for w, h, _ in images] == [(160, 48)]  # the logo, at its own pixels
        top = images[0][2][3]
        assert top > 780  # at the top of an A4 page (842 pt high)
    assert f"made by {COMPANY}" in files["VERIFY.md"].decode()
    assert COMPANY in files["report-en.html"].decode()
    check = verify_dossier(body, trusted_key=history.ctx.keys.signer.verifier_key)
    assert check.problems == []


def test_without_a_brand_the_report_has_no_logo(ctx: Context) -> None:
    history = mario_history(ctx)
    files = unzip(subject_dossier(history.ctx, subject_id=history.subject_id))
    assert first_page_images(files["report-en.pdf"]) == []


def test_the_inspection_report_opens_with_the_company_name_and_logo(ctx: Context) -> None:
    history = mario_history(ctx)
    set_brand(history.ctx, values=brand_values(), logo=png_logo(120, 40), actor="test")
    start = history.ctx.clock.now() - timedelta(days=30)
    body, _ = inspection_report(history.ctx, start=start, end=history.ctx.clock.now())
    assert COMPANY in pdf_text(body)
    assert [(w, h) for w, h, _ in first_page_images(body)] == [(120, 40)]
