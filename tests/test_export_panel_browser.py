"""The dashboard's "Export this view" in headless Chromium: the 5-date PowerPoint pack, made and downloaded."""

import os
import re

import pytest
from pptx import Presentation

from bench.harness import CHROMIUM, dashboard, wait_for_map
from geodata import load_scenario
from test_pptx import check_pack

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
pytest.importorskip("playwright.sync_api")

DATES = "2024-12-15,2024-12-31,2025-02-28,2025-06-30,2026-02-28"
PACK_MS = 1_200_000  # five maps drawn in software WebGL, on a machine that may be busy


def test_the_dashboard_makes_the_five_date_pack_with_progress_and_offers_it_for_download(browser, tmp_path):
    with dashboard() as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(server.url)
        wait_for_map(page, timeout_ms=PACK_MS)
        page.get_by_text("Export this view").click()
        page.get_by_text("Pack: a slide per date", exact=True).click()
        dates = page.get_by_role("textbox", name="Dates (YYYY-MM-DD, comma-separated)")
        dates.fill(DATES)
        dates.press("Enter")
        page.get_by_text("5 slides, 1 Dec 2024 to 28 Feb 2026").wait_for()
        page.get_by_role("button", name="Prepare").click()
        page.locator("[data-testid=stProgress]").wait_for(timeout=60_000)
        download = page.get_by_role("button", name=re.compile(r"Download .*_pack\.pptx"))
        download.wait_for(timeout=PACK_MS)
        with page.expect_download() as event:
            download.click()
        path = tmp_path / event.value.suggested_filename
        event.value.save_as(path)
        page.close()
    assert path.name == "syria-libya_2024-12-01_2026-02-28_pack.pptx"
    check_pack(Presentation(str(path)), load_scenario(None), DATES)
