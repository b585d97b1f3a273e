"""The world basemap in the real dashboard: land and relief far from the bundled theatre, offline."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from bench.harness import CHROMIUM, dashboard, wait_for_map
from layers.extent import fit_camera
from scenario_files import square, write_scenario, zone_feature, zones_geojson

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")
pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")

MAP = "div.footprint-map"
MAP_SIZE = (713, 640)  # the dashboard's map at a 1400-pixel-wide window
# Theatres far from the bundled one, each three bases named alpha, bravo and charlie (the test movements' ends).
THEATRES = {
    "vladivostok-petropavlovsk": [("Vladivostok", "Russia", 43.12, 131.89), ("Petropavlovsk", "Russia", 53.02, 158.65),
                                  ("Yelizovo", "Russia", 53.17, 158.45)],
    "kamchatka-alaska": [("Petropavlovsk", "Russia", 53.02, 158.65), ("Anadyr", "Russia", 64.73, 177.51),
                         ("Nome", "United States of America", 64.50, -165.41)],
    "havana-caracas": [("Havana", "Cuba", 23.13, -82.38), ("Caracas", "Venezuela", 10.49, -66.90),
                       ("Cienfuegos", "Cuba", 22.15, -80.44)],
    "murmansk": [("Severomorsk", "Russia", 69.07, 33.42), ("Murmansk", "Russia", 68.97, 33.08),
                 ("Olenya", "Russia", 68.15, 33.46)],
}


def theatre(folder: Path, name: str) -> Path:
    """A small scenario of three bases in a theatre, with one zone round the first."""
    rows = "".join(f"{base_id},{place},{country},air base,{lat},{lon},red,,Test source,reported\n"
                   for base_id, (place, country, lat, lon) in zip(("alpha", "bravo", "charlie"), THEATRES[name]))
    _, _, lat, lon = THEATRES[name][0]
    zone = zone_feature("red", "2025-01-01", "", square(lon - 1, lat - 1, 2))
    toml = 'title = "Test theatre"\ncaveat = "Test data only."\nstart = "2025-01-01"\nend = "2025-03-31"\n'
    return write_scenario(folder / name, scenario_toml=toml, zones_geojson=zones_geojson([zone]),
                          bases_csv="id,name,country,kind,lat,lon,operator,description,source,confidence\n" + rows)


def camera_query(name: str) -> str:
    camera = fit_camera([(lon, lat) for _, _, lat, lon in THEATRES[name]], *MAP_SIZE)
    return f"lat={camera.latitude}&lon={camera.longitude}&zoom={camera.zoom}"


def basemap_shot(page, url: str):
    page.goto(url)
    wait_for_map(page)
    page.wait_for_selector(f"{MAP}[data-basemap=loaded]", timeout=60_000)
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    return Image.open(io.BytesIO(page.locator(MAP).screenshot())).convert("RGB")


def spread(image) -> float:
    from PIL import ImageStat
    return sum(ImageStat.Stat(image).stddev) / 3


def water_share(image) -> float:
    """The share of the map in the light theme's water colour."""
    import numpy as np
    from layers.style import THEMES
    pixels = np.asarray(image, dtype=int)
    return float((np.abs(pixels - THEMES["light"].water).sum(axis=2) <= 6).mean())


@pytest.mark.parametrize("name", ["kamchatka-alaska", "havana-caracas", "murmansk"])
def test_the_relief_only_map_is_not_blank_far_from_the_bundled_theatre(browser, tmp_path, name):
    with dashboard(theatre(tmp_path, name)) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        outside = []
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")) else None)
        relief = basemap_shot(page, f"{server.url}/?layers=relief&{camera_query(name)}")
        page.close()
    assert spread(relief) > 5, f"{name}: land, coast and relief, not one flat colour"
    assert 0.05 < water_share(relief) < 0.95, f"{name}: both land and sea are drawn"
    assert not outside, f"the basemap needs no network: {outside[:3]}"
