"""Rings and the Reach panel in the real dashboard, in headless Chromium: a ring is drawn where the
geometry says and answers a hover; the panel adds rings and draws and hides the air bridge."""

import io
import os

import pytest

from bench.harness import CHROMIUM, dashboard, wait_for_map, wait_idle
from layers.mercator import Camera, to_screen
from layers.rings import ring_shape
from scenario_files import write_scenario

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")

MAP = "div.footprint-map"
SYSTEMS = """id,name,kind,range_km,notes,source,confidence
sam,Test SAM,air-defence,400,,Src,reported
lift,Test lifter,aircraft,2000,,Src,reported
"""
CAMERA = Camera(35.41, 35.95, 5.0)
VIEW = f"from=2025-01-01&to=2025-01-31&lat={CAMERA.latitude}&lon={CAMERA.longitude}&zoom={CAMERA.zoom}"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with dashboard(write_scenario(tmp_path_factory.mktemp("reach") / "s", systems_csv=SYSTEMS)) as server:
        yield server.url


def query(page) -> dict[str, str]:
    return page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")


def map_image(page):
    return Image.open(io.BytesIO(page.locator(MAP).screenshot())).convert("RGB")


def test_a_ring_is_drawn_where_its_geometry_says_and_answers_a_hover(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/?{VIEW}&layers=bases&rings=alpha:sam")
    wait_for_map(page)
    box = page.locator(MAP).bounding_box()
    # The ring's most easterly vertex, on screen: the outline must be drawn there, in the ring's purple.
    path = ring_shape(35.95, 35.41, 400).paths[0]
    east = path[path[:, 0].argmax()]
    x, y = to_screen([east[0]], [east[1]], CAMERA, box["width"], box["height"])
    image = map_image(page)
    patch = [image.getpixel((int(x[0]) + dx, int(y[0]) + dy)) for dx in range(-3, 4) for dy in range(-3, 4)]
    assert any(abs(r - 117) < 45 and abs(g - 59) < 45 and abs(b - 167) < 45 for r, g, b in patch), patch
    tooltip = page.locator(f"{MAP} .footprint-tooltip")
    wait_idle(page)
    for dx in range(-30, 8, 2):  # across the outline, as a hand would, until it answers
        page.mouse.move(box["x"] + x[0] + dx, box["y"] + y[0])
        page.wait_for_timeout(50)
        if tooltip.is_visible():
            break
    tooltip.wait_for(state="visible", timeout=15_000)
    assert "Test SAM 400 km from Alpha air base" in tooltip.inner_text()
    assert page.get_by_text("Range rings").count() > 0, "the legend lists the ring"
    page.close()


def test_the_reach_panel_adds_rings_and_draws_and_hides_the_air_bridge(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/?{VIEW}&layers=bases&reach=lift&reach_from=bravo&reach_to=charlie,alpha")
    wait_for_map(page)
    with_routes = map_image(page)
    panel = page.locator("[data-testid=stExpander]").filter(has_text="Reach: range rings")
    table = panel.locator("table")
    assert table.get_by_text("with every base", exact=True).count() == 1, "the panel shows the routes' table"
    assert table.get_by_text("Charlie field", exact=True).count() == 1

    # Add a ring at Alpha through the panel's widgets.
    panel.locator("[data-testid=stMultiSelect]").filter(has_text="At bases").locator("input").click()
    page.keyboard.type("Alpha")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    panel.get_by_text("Range rings", exact=True).click()  # out of the list, which shrinks as it loses focus
    wait_idle(page)
    panel.get_by_role("button", name="Add rings").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('rings') === 'alpha:sam'",
                           timeout=60_000)
    wait_idle(page)
    assert page.locator("[data-testid=stException]").count() == 0

    # Routes off: the dashed legs and the destination rings go, and the link forgets them.
    panel.get_by_text("Find routes").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('reach')", timeout=60_000)
    wait_idle(page)
    without_routes = map_image(page)
    from PIL import ImageChops, ImageStat
    assert sum(ImageStat.Stat(ImageChops.difference(with_routes, without_routes)).mean) / 3 > 0.3
    assert query(page)["rings"] == "alpha:sam"
    page.close()
