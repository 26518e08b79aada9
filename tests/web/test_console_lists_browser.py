"""The acceptance of campaign lists in the console: headless Debian Chromium against a real
`trustguardian serve`, on both backends, signed in as marketing, uploads a `;`-separated list of
10,000 rows, maps its columns, watches the run end and downloads the allowed and rejected files,
which equal `trustguardian audience filter`'s on the same list; an XLSX list likewise."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page
from tests.web.browser import Site, shot, sign_in
from tests.web.lists import CHANNEL, PURPOSE, add_listed_people, audience_filter, campaign_list

pytestmark = pytest.mark.slow
# A run of 10,000 rows ends in seconds; a busy machine gets room, a hung run fails the test.
RUN_MS = 300_000


def _upload_and_map(page: Page, site: Site, name: str, data: bytes, email_column: str) -> str:
    """Uploads a list, maps its e-mail column, starts the run; the run's page URL."""
    page.get_by_role("link", name="Lists").first.click()
    page.wait_for_url(f"{site.base}/console/lists")
    page.set_input_files("#f-list", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.locator('form[action="/console/lists"] button[type="submit"]').click()
    page.wait_for_selector("#mapping")
    url = page.url
    page.select_option(f"#f-{email_column}", "email")
    page.select_option('[name="purpose"]', PURPOSE)
    page.select_option('[name="channel"]', CHANNEL)
    shot(page, site, f"lists-map-{name}")
    page.locator("#mapping button[type='submit']").click()
    page.wait_for_url(url)
    # The run's page: its progress (refreshing itself) or, already, its end.
    assert page.locator("#progress, #done").count() == 1
    page.wait_for_selector("#done", timeout=RUN_MS)
    return url


def _download(page: Page, which: str) -> bytes:
    with page.expect_download() as info:
        page.click(f"#download-{which}")
    return Path(info.value.path()).read_bytes()


def test_marketing_filters_a_list_of_10000_rows_like_audience_filter(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    listed = add_listed_people(site.ctx, uuid.uuid4().hex[:8])
    data = campaign_list(listed, 10_000)
    page = browser.new_page()
    sign_in(page, site, "marketing")
    _upload_and_map(page, site, "campagna.csv", data, "column-1")
    assert "of 10000." in page.locator("#done").inner_text().replace(",", "")
    shot(page, site, "lists-done")
    allowed, rejected = _download(page, "allowed"), _download(page, "rejected")
    source = tmp_path / "campagna.csv"
    source.write_bytes(data)
    assert (allowed, rejected) == audience_filter(site.ctx, source, tmp_path)
    assert allowed.count(b"\r\n") > 1_000
    assert b";withdrawn;" in rejected
    assert b";invalid_row;" in rejected
    reasons = page.locator("#reasons").inner_text()
    assert "invalid row" in reasons
    page.close()


def test_marketing_filters_an_xlsx_list(browser: Browser, site: Site, tmp_path: Path) -> None:
    listed = add_listed_people(site.ctx, uuid.uuid4().hex[:8], consenting=3, withdrawn=2)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    rows = [["Cliente", "Indirizzo di posta"]]
    rows += [[f"Persona {n}", e] for n, e in enumerate([*listed.consenting, *listed.withdrawn])]
    rows.append(["Nessuno", "nessuno@example.it"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    page = browser.new_page()
    sign_in(page, site, "marketing")
    _upload_and_map(page, site, "lista.xlsx", buffer.getvalue(), "column-1")
    allowed, rejected = _download(page, "allowed"), _download(page, "rejected")
    source = tmp_path / "lista.csv"
    source.write_text("".join(",".join(r) + "\r\n" for r in rows))
    expected = audience_filter(site.ctx, source, tmp_path, "email=Indirizzo di posta")
    assert (allowed, rejected) == expected
    assert allowed.count(b"\r\n") == 1 + 3
    page.close()
