"""The real dashboard in headless Chromium: it loads, draws, follows the slider and escapes hover text."""

import io
import os

import pytest

from bench.harness import CHROMIUM, dashboard, launch, wait_for_map, wait_idle
from scenario_files import BASES_CSV, write_scenario

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
Image = pytest.importorskip("PIL.Image")

HOSTILE = "<img src=x onerror=alert(1)>"


def map_pixels(page):
    """The map as an image, for comparing before and after."""
    shot = page.locator("[data-testid=stDeckGlJsonChart]").screenshot()
    return Image.open(io.BytesIO(shot)).convert("RGB")


def spread(image) -> float:
    """How much the picture varies: near zero for a blank or single-colour canvas."""
    from PIL import ImageStat
    return sum(ImageStat.Stat(image).stddev) / 3


def difference(a, b) -> float:
    from PIL import ImageChops, ImageStat
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def bundled_url():
    with dashboard() as server:
        yield server.url


def test_page_loads_offline_draws_the_map_and_follows_the_slider(browser, bundled_url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto(bundled_url)
    wait_for_map(page)
    assert page.locator("[data-testid=stException]").count() == 0
    before = map_pixels(page)
    assert spread(before) > 20, "the map canvas is drawn, not blank"
    status = page.get_by_text("movements on").first
    status_before = status.inner_text()
    table = page.locator("[data-testid=stDataFrame] [aria-rowcount]").first
    rows_before = table.get_attribute("aria-rowcount")

    page.get_by_role("button", name="month ▶").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('from') === '2025-01-01'")
    wait_idle(page)
    page.wait_for_timeout(1500)  # let the new arcs and zones finish drawing
    after = map_pixels(page)
    assert difference(before, after) > 0.5, "the map changed with the window"
    assert status.inner_text() != status_before, "the counts followed the window"
    assert table.get_attribute("aria-rowcount") != rows_before, "the table followed the window"
    assert page.locator("[data-testid=stException]").count() == 0
    assert outside == [], f"requests left the machine: {outside[:3]}"
    page.close()


def test_hover_text_from_data_is_shown_as_text(browser, tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("Alpha air base", HOSTILE))
    with dashboard(folder) as server:
        url = server.url
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # Centre the camera on the hostile base so that it sits in the middle of the map.
        page.goto(f"{url}/?lat=35.41&lon=35.95&zoom=6&layers=bases")
        wait_for_map(page)
        canvas = page.locator("[data-testid=stDeckGlJsonChart] canvas").first.bounding_box()
        centre = (canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
        page.mouse.move(centre[0] + 30, centre[1] + 30)
        page.mouse.move(*centre)
        tooltip = page.locator(".deck-tooltip")
        tooltip.wait_for(state="visible", timeout=15_000)
        assert HOSTILE in tooltip.inner_text()
        assert tooltip.locator("img").count() == 0
        assert dialogs == []
        page.close()
