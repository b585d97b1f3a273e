"""The world basemap: tiles and their index agree, one colouring rule in Python and in the map element,
and exports embed only what their camera shows."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageStat

from layers.basemap import (
    BASEMAP_DIR, FILE, LAYER_ID, LINE_ALPHA, MAX_IMAGE_SIDE, TILE, WATER, BasemapSource, Palette, _index, _mask,
    basemap_image, basemap_layers, borders_note, compose_tile, decode, manifest)
from layers.style import THEMES

ROOT = Path(__file__).resolve().parent.parent
LIGHT = Palette.of(THEMES["light"])


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2
    return int((lon + 180) / 360 * n), int(y * n)


def test_the_index_and_the_files_agree():
    tiles = manifest()["tiles"]
    levels = _index()
    assert len(levels) == tiles["mask_levels"]
    for z, states in enumerate(levels):
        assert len(states) == 4**z and set(states) <= {"0", "1", "2"}
        masks = {path.stem for path in (BASEMAP_DIR / "tiles" / "mask" / str(z)).glob("*.png")}
        assert masks == {f"{i % 2**z}-{i // 2**z}" for i, state in enumerate(states) if state == FILE}
        if z < tiles["relief_levels"]:
            reliefs = {path.stem for path in (BASEMAP_DIR / "tiles" / "relief" / str(z)).glob("*.webp")}
            assert reliefs == {f"{i % 2**z}-{i // 2**z}" for i, state in enumerate(states) if state != WATER}


@pytest.mark.parametrize("place", [(131.89, 43.12), (-165.41, 64.5), (-82.38, 23.13), (33.08, 68.97), (35.9, 35.4)])
def test_every_theatre_has_land_at_the_deepest_level(place):
    z = manifest()["tiles"]["mask_levels"] - 1
    x, y = tile_of(*place, z)
    assert _index()[z][y * 2**z + x] != WATER
    land, *_ = decode(_mask(z, x, y))
    assert land.mean() > 0.05


def test_a_coast_tile_shows_land_water_and_the_coast_line():
    x, y = tile_of(35.9, 35.4, 6)  # Latakia's coast
    land, river, border, coast = decode(_mask(6, x, y))
    assert land.min() == 0 and land.max() == 1 and coast.max() > 0.5
    rgb = compose_tile(LIGHT, 6, x, y).reshape(-1, 3)
    assert (rgb == THEMES["light"].water).all(axis=1).any(), "the sea is the theme's water"


def test_relief_shows_on_land_only():
    x, y = tile_of(35.9, 35.4, 5)
    with_relief = compose_tile(LIGHT, 5, x, y).astype(int)
    without = compose_tile(Palette.of(THEMES["light"], relief=False), 5, x, y).astype(int)
    land, *_ = decode(_mask(5, x, y))
    changed = np.abs(with_relief - without).sum(axis=2) > 0
    assert changed[land > 0.99].mean() > 0.9 and not changed[land == 0].any()


def test_open_sea_is_water_and_a_tile_wraps_round_the_world():
    sea = _index()[3].index(WATER)
    assert (compose_tile(LIGHT, 3, sea % 8, sea // 8) == THEMES["light"].water).all()
    assert np.array_equal(compose_tile(LIGHT, 3, 8 + 4, 2), compose_tile(LIGHT, 3, 4, 2))


def test_borders_and_coast_share_the_blue_channel():
    mask = np.zeros((1, 4, 3), dtype=np.uint8)
    mask[0, :, 2] = [0, 127, 128, 255]
    _, _, border, coast = decode(mask)
    assert border.tolist()[0] == [0, 1, 0, 0] and coast.tolist()[0] == [0, 0, 0, 1]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the map element's colouring")
def test_the_map_element_colours_a_tile_as_python_does(tmp_path):
    source = (ROOT / "ui" / "map_js" / "basemap.js").read_text()
    function = re.search(r"^function composeTile\(.*?^}\n", source, re.S | re.M).group(0)
    x, y = tile_of(35.9, 35.4, 5)
    mask = np.dstack([_mask(5, x, y), np.full((TILE, TILE, 1), 255, np.uint8)])
    relief = np.asarray(Image.open(BASEMAP_DIR / f"tiles/relief/5/{x}-{y}.webp").convert("RGBA"))
    script = tmp_path / "compose.js"
    script.write_text(
        "globalThis.ImageData = class { constructor(w, h) { this.data = new Uint8ClampedArray(w * h * 4); } };\n"
        + function + "\nconst input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const out = composeTile(input.palette, Uint8ClampedArray.from(input.mask), Uint8ClampedArray.from(input.relief), "
        f"{TILE});\nprocess.stdout.write(JSON.stringify(Array.from(out.data)));\n")
    payload = {"palette": LIGHT.to_json(), "mask": mask.ravel().tolist(), "relief": relief.ravel().tolist()}
    result = subprocess.run(["node", str(script)], input=json.dumps(payload), capture_output=True, text=True,
                            timeout=60, check=True)
    from_js = np.array(json.loads(result.stdout), dtype=int).reshape(TILE, TILE, 4)[..., :3]
    assert np.abs(from_js - compose_tile(LIGHT, 5, x, y).astype(int)).max() <= 1


def spread(image: Image.Image) -> float:
    return sum(ImageStat.Stat(image).stddev) / 3


def test_an_image_across_the_antimeridian():
    image, (west, south, east, north) = basemap_image(LIGHT, 60.0, 180.0, 4.0, 1000, 640)
    assert west < 180 < east and east - west == pytest.approx(1000 / (512 * 2**4) * 360, rel=0.02)
    assert south < 60 < north
    assert spread(image) > 10, "Chukotka, Kamchatka and Alaska, not an empty sea"


def test_an_export_image_stays_within_its_size_limit():
    image, _ = basemap_image(LIGHT, 35.0, 37.0, 7.5, 3840, 2160, pixel_ratio=2, margin=0.5)
    assert max(image.size) <= MAX_IMAGE_SIDE


def test_the_html_export_embeds_the_view_not_the_world(tmp_path):
    from briefing.layout import layout
    from briefing.page import split_basemap
    from briefing.sizes import SLIDE
    boxes = layout(SLIDE, banner=False, table=False)
    layer = json.loads(json.dumps(basemap_layers(THEMES["dark"], BasemapSource(inline=True))[0],
                                  default=lambda o: o.__dict__))
    layer = {"@@type": "TileLayer", "id": LAYER_ID, "basemap": layer["basemap"]}
    deck = {"layers": [layer], "initialViewState": {"latitude": 43.0, "longitude": 132.0, "zoom": 6.0}}
    embedded, shared = split_basemap(deck, boxes.map, boxes.size.pixel_ratio)
    sizes = {name.split(":")[0]: Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size
             for name, url in shared.items()}
    assert sizes["basemap-world"] == (1024, 1024)
    view = next(layer for layer in embedded["layers"] if layer["id"] == "basemap-view")
    west, _, east, _ = view["bounds"]
    covered = 2 * boxes.map.width  # CSS pixels: the map box and half again on each side
    assert east - west == pytest.approx(covered / (512 * 2**6) * 360, rel=0.01)
    # at zoom 6 the deepest tiles give half an image pixel per CSS pixel, as the dashboard shows them
    assert covered * 0.49 <= sizes["basemap-view"][0] <= covered * 0.51
    assert sum(len(url) for url in shared.values()) < 3_000_000


def test_the_basemap_says_whose_borders_it_draws():
    assert "Natural Earth" in borders_note() and "Crimea" in borders_note()
    assert 0 < LINE_ALPHA["border"] <= 1
