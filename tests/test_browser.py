"""The real dashboard in headless Chromium: it loads, draws, follows the slider, reports the camera,
opens a story on click, plays and pauses, and escapes hover text."""

import csv
import io
import os

import pytest

from bench.harness import CHROMIUM, dashboard, wait_for_map, wait_idle

MAP = "div.footprint-map"
PLAY = ".st-key-play button"
STOPPED = f"document.querySelector('{PLAY}').innerText.includes('Play')"  # the button offers Play again
from scenario_files import BASES_CSV, write_scenario

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")

HOSTILE = "<img src=x onerror=alert(1)>"


def map_pixels(page):
    """The map as an image, for comparing before and after."""
    shot = page.locator(MAP).screenshot()
    return Image.open(io.BytesIO(shot)).convert("RGB")


def open_map(page, url: str) -> tuple[float, float]:
    """Open `url`, wait for the map to be drawn, and return the map's centre on the page."""
    page.goto(url)
    wait_for_map(page)
    box = page.locator(MAP).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def spread(image) -> float:
    """How much the picture varies: near zero for a blank or single-colour canvas."""
    from PIL import ImageStat
    return sum(ImageStat.Stat(image).stddev) / 3


def difference(a, b) -> float:
    from PIL import ImageChops, ImageStat
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.fixture(scope="module")
def bundled_url():
    with dashboard() as server:
        yield server.url


def test_page_loads_offline_draws_the_map_and_follows_the_slider(browser, bundled_url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    chart_warnings = []  # Vega warns in the console when a chart spec contradicts itself
    page.on("console", lambda message: chart_warnings.append(message.text) if message.text.startswith("WARN") else None)
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
    wait_idle(page)  # the new arcs, and the zones underneath, drawn
    after = map_pixels(page)
    assert difference(before, after) > 0.5, "the map changed with the window"
    assert status.inner_text() != status_before, "the counts followed the window"
    assert table.get_attribute("aria-rowcount") != rows_before, "the table followed the window"
    assert page.locator("[data-testid=stException]").count() == 0
    assert outside == [], f"requests left the machine: {outside[:3]}"
    assert chart_warnings == []
    page.close()


def test_hover_text_from_data_is_shown_as_text(browser, tmp_path):
    # deck.gl's JSON converter would read "@@=" as code: a base named so must stay text too.
    bases = BASES_CSV.replace("Alpha air base", HOSTILE).replace("Bravo port", "@@=alert(2)")
    folder = write_scenario(tmp_path / "s", bases_csv=bases)
    with dashboard(folder) as server:
        url = server.url
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # Centre the camera on the hostile base so that it sits in the middle of the map.
        centre = open_map(page, f"{url}/?lat=35.41&lon=35.95&zoom=6&layers=bases")
        page.mouse.move(centre[0] + 30, centre[1] + 30)
        page.mouse.move(*centre)
        tooltip = page.locator(f"{MAP} .footprint-tooltip")
        tooltip.wait_for(state="visible", timeout=15_000)
        assert HOSTILE in tooltip.inner_text()
        assert tooltip.locator("img").count() == 0
        assert dialogs == []
        page.mouse.wheel(0, -300)  # the base moves from under the pointer: its tip must not stay
        tooltip.wait_for(state="hidden", timeout=5_000)

        # Zones lie on the map's lower plane: hovering one with nothing above it still answers.
        centre = open_map(page, f"{url}/?lat=34.5&lon=36.5&zoom=7&layers=zones,bases")
        page.mouse.move(centre[0] + 20, centre[1] + 20)
        page.mouse.move(*centre)
        page.wait_for_function(f"() => document.querySelector('{MAP} .footprint-tooltip').innerText"
                               ".includes('red zone')", timeout=15_000)
        page.close()


def test_each_movement_on_a_route_is_an_arc_of_its_own_that_answers_a_hover(browser, tmp_path):
    folder = write_scenario(tmp_path / "s")
    with dashboard(folder) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        # Centred on the middle of Alpha → Charlie: its two January movements bow north of it, one beyond the other.
        x, y = open_map(page, f"{server.url}/?from=2025-01-01&to=2025-01-31&lat=33.73&lon=28.57&zoom=5&layers=routes")
        tooltip = page.locator(f"{MAP} .footprint-tooltip")
        seen = []
        for up in range(40, 130, 2):
            page.mouse.move(x, y - up)
            page.wait_for_timeout(40)
            if tooltip.is_visible() and tooltip.inner_text() not in seen:
                seen.append(tooltip.inner_text())
        details = [text.splitlines()[2] for text in seen]
        assert details == ["05 Jan 2025 · confirmed", "20 Jan 2025 – 22 Jan 2025 · reported"], seen
        page.close()


def test_online_tiles_that_cannot_load_leave_the_bundled_basemap_and_say_so(browser, bundled_url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("https://basemaps.cartocdn.com/**", lambda route: route.abort())  # as with no network
    page.goto(f"{bundled_url}/?tiles=online")
    wait_for_map(page)
    note = page.locator(f"{MAP} .footprint-map-note")
    page.wait_for_function(f"() => document.querySelector('{MAP} .footprint-map-note').innerText"
                           ".includes('Online tiles cannot be loaded')", timeout=30_000)
    assert "CARTO" in note.inner_text(), "the attribution stays with the notice"
    assert page.locator(MAP).get_attribute("data-basemap") == "loaded"
    assert spread(map_pixels(page)) > 20, "the bundled basemap is drawn"
    # The aborted tile requests are the expected console errors; any other still fails the test.
    browser.errors[:] = [error for error in browser.errors if "net::ERR_FAILED" not in error]
    page.close()


def test_fit_all_bases_brings_a_camera_from_elsewhere_back_to_the_bases(browser, tmp_path):
    with dashboard(write_scenario(tmp_path / "s")) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        open_map(page, f"{server.url}/?lat=-40&lon=-100&zoom=6")  # the South Pacific: no base in view
        page.locator(".st-key-fit_all_bases button").click()
        page.wait_for_function("() => new URLSearchParams(location.search).get('lat') !== '-40.0000'", timeout=30_000)
        camera = query(page)
        bases = list(csv.DictReader(io.StringIO(BASES_CSV)))
        lats, lons = ([float(base[axis]) for base in bases] for axis in ("lat", "lon"))
        assert min(lats) < float(camera["lat"]) < max(lats) and min(lons) < float(camera["lon"]) < max(lons)
        assert 3 <= float(camera["zoom"]) <= 7, "zoomed out enough for Syria and Libya, in no further"
        page.close()


def query(page) -> dict[str, str]:
    return page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")


def test_pan_and_zoom_reach_the_link_and_a_click_opens_the_story(browser, tmp_path):
    folder = write_scenario(tmp_path / "s")
    with dashboard(folder) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        # Alpha air base sits in the middle of the map at this camera.
        centre = open_map(page, f"{server.url}/?lat=35.41&lon=35.95&zoom=6&layers=bases")
        page.mouse.click(*centre)
        page.wait_for_function("() => new URLSearchParams(location.search).get('selected') === 'alpha'",
                               timeout=30_000)
        assert page.get_by_text("In and out").count() > 0, "the story of the clicked base is open"

        page.mouse.move(centre[0] + 100, centre[1] + 100)
        page.mouse.down()
        page.mouse.move(centre[0] - 100, centre[1] + 20, steps=8)
        page.mouse.up()
        page.wait_for_function("() => new URLSearchParams(location.search).get('lon') !== '35.9500'")
        moved = query(page)
        assert float(moved["lon"]) > 36.5, "dragging the map left moves the centre east"
        assert moved["zoom"] == "6.00"
        page.close()


def play_from(browser, url: str):
    """A new page on `url` with its map drawn and Play pressed."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    wait_for_map(page)
    page.locator(PLAY).click()
    page.wait_for_function(f"() => !({STOPPED})", timeout=60_000)  # the app took the click: it offers Pause
    return page


def test_play_moves_the_map_and_pause_brings_the_slider_to_the_frame(browser, tmp_path):
    with dashboard(write_scenario(tmp_path / "s")) as server:
        page = play_from(browser, f"{server.url}/?from=2025-01-01&to=2025-01-07")
        page.wait_for_function(f"() => document.querySelector('{MAP}').dataset.window >= '2025-01-22'", timeout=60_000)
        page.locator(PLAY).click()
        page.wait_for_function(f"() => {STOPPED}")
        wait_idle(page)
        shown = page.locator(MAP).get_attribute("data-window")
        assert shown.split("/") == [query(page)["from"], query(page)["to"]], "slider and link follow the frame"
        assert query(page)["from"] >= "2025-01-22"
        assert page.locator("[data-testid=stException]").count() == 0
        page.close()


def test_play_runs_through_frames_that_change_nothing_on_the_map(browser, tmp_path):
    """After the last movement every frame draws the same layers; play must still reach the end."""
    with dashboard(write_scenario(tmp_path / "s")) as server:
        page = play_from(browser, f"{server.url}/?from=2025-03-02&to=2025-03-08")
        at_end = f"document.querySelector('{MAP}').dataset.window.endsWith('2025-03-31')"
        page.wait_for_function(f"() => {STOPPED} && {at_end}", timeout=30_000)
        wait_idle(page)
        assert query(page)["to"] == "2025-03-31", "the slider ends where the animation ended"
        page.close()
