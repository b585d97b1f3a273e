"""Compare mode in headless Chromium: three maps drawn, B steps, and a pan on A moves the others."""

import base64
import io
import os

import pytest

from bench.harness import CHROMIUM, PLANES_DRAWN, dashboard
from scenario_files import square, write_scenario, zone_feature, zones_geojson

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")

MAPS = "div.footprint-map"
TIMEOUT_MS = 300_000
IDLE = ("() => { const s = document.querySelector('[data-testid=stStatusWidget]');"
        " return !s || !s.innerText.includes('Running'); }")
# Three maps, each showing its window.
SHOWN = """([a, b]) => {
    const maps = [...document.querySelectorAll('div.footprint-map')];
    return maps.length === 3 && maps[0].dataset.window === a && maps[1].dataset.window === b;
}"""
# readPixels returns once the frame is done.
FRAMES_DONE = """() => new Promise(resolve => requestAnimationFrame(() => {
    for (const canvas of document.querySelectorAll('div.footprint-map canvas')) {
        const gl = canvas.getContext('webgl2') || canvas.getContext('webgl');
        if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    }
    resolve(true);
}))"""


def wait_drawn(page, a: str, b: str) -> None:
    page.wait_for_function(IDLE, timeout=TIMEOUT_MS)
    page.wait_for_function(SHOWN, arg=[a, b], timeout=TIMEOUT_MS, polling=500)
    page.wait_for_function(PLANES_DRAWN, timeout=TIMEOUT_MS)  # tiles, icons and zones loaded and drawn
    page.evaluate(FRAMES_DONE)


# Each map's two planes drawn into one picture: what the maps show, wherever the page has laid them out.
# Null until the three maps show windows A and B (a rerun may replace a map element meanwhile).
PICTURES = """([a, b]) => {
    const maps = [...document.querySelectorAll('div.footprint-map')];
    if (maps.length !== 3 || maps[0].dataset.window !== a || maps[1].dataset.window !== b) return null;
    return maps.map((map) => {
        const canvases = map.querySelectorAll('canvas');
        const picture = document.createElement('canvas');
        picture.width = canvases[0].width;
        picture.height = canvases[0].height;
        for (const canvas of canvases) picture.getContext('2d').drawImage(canvas, 0, 0);
        return picture.toDataURL('image/png');
    });
}"""


def pictures(page, a: str, b: str) -> list:
    """The three maps, drawn, showing windows `a` and `b`."""
    for _ in range(20):
        wait_drawn(page, a, b)
        data = page.evaluate(PICTURES, [a, b])
        if data:
            return [Image.open(io.BytesIO(base64.b64decode(d.split(",", 1)[1]))).convert("RGB") for d in data]
    raise AssertionError("the maps kept changing")


def difference(first, second) -> float:
    from PIL import ImageChops, ImageStat
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


def compare_param(page) -> str:
    return page.evaluate("() => new URLSearchParams(location.search).get('compare')")


def test_compare_mode_draws_three_maps_steps_b_and_moves_them_together(browser, tmp_path):
    zones = zones_geojson([
        zone_feature("red", "2025-01-01", "2025-01-31", square(36, 34)),
        zone_feature("red", "2025-02-01", "", [[[36, 34], [36.5, 34], [36.5, 35], [36, 35], [36, 34]]]),
        zone_feature("blue", "2025-02-01", "", [[[36.5, 34], [37, 34], [37, 35], [36.5, 35], [36.5, 34]]]),
    ])
    with dashboard(write_scenario(tmp_path / "s", zones_geojson=zones)) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1500})
        page.set_default_timeout(TIMEOUT_MS)  # the first frame of three maps compiles their shaders three times
        page.goto(f"{server.url}/?compare=2025-01-15,2025-01-20&lat=34.6&lon=36.4&zoom=6.5")
        before = pictures(page, "2025-01-01/2025-01-15", "2025-01-01/2025-01-20")
        assert page.locator("[data-testid=stException]").count() == 0

        page.locator(".st-key-compare_step_b_month_1 button:visible").click()
        page.wait_for_function("() => new URLSearchParams(location.search).get('compare') === '2025-01-15,2025-02-20'")
        after = pictures(page, "2025-01-01/2025-01-15", "2025-01-22/2025-02-20")
        assert difference(before[0], after[0]) < 1, "A stays"
        assert difference(before[1], after[1]) > 1, "B shows February's zones"
        assert difference(before[2], after[2]) > 1, "the change map shows the half square that changed hands"
        assert page.get_by_text("changed hands").count() > 0

        # A drag on the change map moves A and B with it; A reports the camera to the link.
        box = page.locator(MAPS).nth(2).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 150, y, steps=8)
        page.mouse.up()
        page.wait_for_function("() => Number(new URLSearchParams(location.search).get('lon')) > 36.6")
        panned = pictures(page, "2025-01-01/2025-01-15", "2025-01-22/2025-02-20")
        assert all(difference(after[i], panned[i]) > 1 for i in range(3)), "all three maps moved"
        assert compare_param(page) == "2025-01-15,2025-02-20"
        assert page.locator("[data-testid=stException]").count() == 0
        page.close()
