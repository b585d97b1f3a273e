"""The bundled world basemap: land, lakes, rivers, borders, coast and shaded relief, offline.

`tools/build_basemap.py` cuts it into Web Mercator tiles of 256 pixels: a mask tile holds
land, rivers, borders and coast as coverage (0-255) in its three channels, a relief tile
the shaded relief, and `tiles/index.json` says which tiles are all water or all plain land
(no file). A tile is coloured by the theme where it is drawn, by one rule (`compose_tile`
here, `composeTile` in ui/map_js/basemap.js): water, land, relief on land at the theme's
opacity, then rivers, borders and coast.

In the dashboard the map element fetches the tiles its camera needs from Streamlit's
static route, once each. Exports get one image of what their camera shows
(`basemap_image`), so a standalone HTML file carries only that, not the world.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pydeck as pdk
from PIL import Image

from layers.mercator import TILE as WORLD_PIXELS, world_lonlat, world_pixels
from layers.style import RGB, Theme

BASEMAP_DIR: Final = Path(__file__).resolve().parent.parent / "geodata" / "basemap"
STATIC_URL: Final = "app/static/"  # `static/` is a link to geodata/basemap
LAYER_ID: Final = "basemap-tiles"
TILE: Final = 256  # pixels of a basemap tile: level z is deck.gl's zoom z - 1
RELIEF_MAX_ZOOM: Final = 7.0  # the relief's last level (5) scaled up fourfold; beyond, plain land
# How opaque each line is where it fully covers a pixel.
LINE_ALPHA: Final = {"river": 0.9, "border": 0.82, "coast": 1.0}
WATER, LAND, FILE = "0", "1", "2"  # tile states in tiles/index.json
MAX_IMAGE_SIDE: Final = 4096  # pixels: an export's basemap image is drawn at a coarser level beyond this


@functools.lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads((BASEMAP_DIR / "manifest.json").read_text())


def borders_note() -> str:
    """Whose borders the basemap draws, for legends and export footers."""
    return manifest()["borders_note"]


def attribution() -> str:
    return manifest()["attribution"]


@dataclass(frozen=True)
class Palette:
    """The colours a tile is composed with: a theme's, and whether relief is shown."""

    water: RGB
    land: RGB
    river: RGB
    border: RGB
    coast: RGB
    relief_opacity: float  # 0: no relief

    @classmethod
    def of(cls, theme: Theme, relief: bool = True) -> Palette:
        return cls(theme.water, theme.land, theme.river, theme.border, theme.coast,
                   theme.relief_opacity if relief else 0.0)

    def to_json(self) -> dict:
        return {"water": list(self.water), "land": list(self.land), "river": list(self.river),
                "border": list(self.border), "coast": list(self.coast), "reliefOpacity": self.relief_opacity,
                "lineAlpha": LINE_ALPHA}

    @classmethod
    def from_json(cls, value: dict) -> Palette:
        return cls(*(tuple(value[key]) for key in ("water", "land", "river", "border", "coast")),
                   value["reliefOpacity"])


@dataclass(frozen=True)
class BasemapSource:
    """Where the map gets the tiles: Streamlit's static route, or embedded by the page that
    shows the map (briefing/page.py, which puts in one image of what the camera shows)."""

    inline: bool = False


@functools.lru_cache(maxsize=8)
def relief_shown(wanted: bool, zoom: float) -> bool:
    """Relief is drawn only where its tiles hold detail: closer in it would be a blur over the land."""
    return wanted and zoom <= RELIEF_MAX_ZOOM


def basemap_layers(theme: Theme, source: BasemapSource = BasemapSource(), relief: bool = True
                   ) -> tuple[pdk.Layer, ...]:
    """The basemap as one tile layer that the map element (ui/map_js/basemap.js) draws itself.

    Its settings sit under `basemap`, out of reach of pydeck's and deck.gl's string handling.
    """
    tiles = manifest()["tiles"]
    settings = {"palette": Palette.of(theme, relief).to_json(), "tileSize": TILE,
                "maskLevels": tiles["mask_levels"], "reliefLevels": tiles["relief_levels"],
                "embedded": source.inline}
    if not source.inline:
        settings |= {"mask": STATIC_URL + tiles["mask"], "relief": STATIC_URL + tiles["relief"],
                     "index": STATIC_URL + tiles["index"]}
    return (pdk.Layer("TileLayer", id=LAYER_ID, basemap=settings),)


# ---------------------------------------------------------------- composing tiles in Python

@functools.lru_cache(maxsize=1)
def _index() -> list[str]:
    return json.loads((BASEMAP_DIR / manifest()["tiles"]["index"]).read_text())["levels"]


@functools.lru_cache(maxsize=128)  # 25 MB: an export's view at the deepest level
def _mask(z: int, x: int, y: int) -> np.ndarray:
    state = _index()[z][y * 2**z + x]
    if state == FILE:
        path = BASEMAP_DIR / manifest()["tiles"]["mask"].format(z=z, x=x, y=y)
        return np.asarray(Image.open(path).convert("RGB"))
    mask = np.zeros((TILE, TILE, 3), dtype=np.uint8)
    mask[..., 0] = 255 if state == LAND else 0
    return mask


@functools.lru_cache(maxsize=128)
def _relief(z: int, x: int, y: int) -> np.ndarray:
    """Relief of a tile with land; past the last relief level, its ancestor's part scaled up."""
    last = manifest()["tiles"]["relief_levels"] - 1
    up = max(0, z - last)
    rz, rx, ry = z - up, x >> up, y >> up
    image = Image.open(BASEMAP_DIR / manifest()["tiles"]["relief"].format(z=rz, x=rx, y=ry)).convert("RGB")
    if up:
        part = TILE / 2**up
        box = ((x - (rx << up)) * part, (y - (ry << up)) * part)
        image = image.resize((TILE, TILE), Image.BILINEAR, box=(*box, box[0] + part, box[1] + part))
    return np.asarray(image)


def decode(mask: np.ndarray) -> tuple[np.ndarray, ...]:
    """Coverage 0-1 of land, rivers, borders and coast from a mask tile's RGB."""
    blue = mask[..., 2].astype(float)
    border = np.where(blue < 128, blue / 127, 0.0)
    coast = np.where(blue >= 128, (blue - 128) / 127, 0.0)
    return mask[..., 0] / 255.0, mask[..., 1] / 255.0, border, coast


def compose_tile(palette: Palette, z: int, x: int, y: int) -> np.ndarray:
    """The RGB pixels of one tile (x taken round the world), coloured by `palette`."""
    n = 2**z
    x %= n
    state = _index()[z][y * n + x]
    if state == WATER:
        return np.broadcast_to(np.array(palette.water, dtype=np.uint8), (TILE, TILE, 3))
    land, river, border, coast = (c[..., None] for c in decode(_mask(z, x, y)))
    rgb = np.array(palette.water, dtype=float) * (1 - land) + np.array(palette.land, dtype=float) * land
    if palette.relief_opacity:
        share = palette.relief_opacity * land
        rgb = rgb * (1 - share) + _relief(z, x, y) * share
    for coverage, color, alpha in ((river, palette.river, LINE_ALPHA["river"]),
                                   (border, palette.border, LINE_ALPHA["border"]),
                                   (coast, palette.coast, LINE_ALPHA["coast"])):
        share = coverage * alpha
        rgb = rgb * (1 - share) + np.array(color, dtype=float) * share
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


def _level_pixels(longitude: float, latitude: float, z: int) -> tuple[float, float]:
    """Pixel position in tile level `z`'s world (256-pixel tiles: deck.gl's zoom z - 1)."""
    x, y = world_pixels(np.array([longitude]), np.array([latitude]), z - 1)
    return float(x[0]), float(y[0])


def _level_lonlat(px: float, py: float, z: int) -> tuple[float, float]:
    lon, lat = world_lonlat(np.array([px]), np.array([py]), z - 1)
    return float(lon[0]), float(lat[0])


def basemap_image(palette: Palette, latitude: float, longitude: float, zoom: float, width: float,
                  height: float, pixel_ratio: float = 1.0, margin: float = 0.0
                  ) -> tuple[Image.Image, list[float]]:
    """The basemap under a north-up camera, and its bounds [west, south, east, north].

    The view is `width` × `height` CSS pixels at deck.gl's `zoom`, widened by `margin` (a
    share of each side) so that a reader can pan a little. It is drawn at the tile level
    that gives at least one pixel per device pixel, or coarser when the image would pass
    MAX_IMAGE_SIDE. Longitudes may pass ±180 when the view does: the image then crosses
    the antimeridian. Latitudes stop at Web Mercator's ±85.05°.
    """
    last = manifest()["tiles"]["mask_levels"] - 1
    z = max(0, min(last, math.ceil(zoom + 1 + math.log2(max(pixel_ratio, 1e-9)))))
    while True:
        scale = TILE * 2**z / (WORLD_PIXELS * 2**zoom)  # level pixels per CSS pixel
        half_w, half_h = width * scale * (0.5 + margin), height * scale * (0.5 + margin)
        if z == 0 or max(2 * half_w, 2 * half_h) <= MAX_IMAGE_SIDE:
            break
        z -= 1
    cx, cy = _level_pixels(longitude, latitude, z)
    left, right = math.floor(cx - half_w), math.ceil(cx + half_w)
    top, bottom = max(0, math.floor(cy - half_h)), min(TILE * 2**z, math.ceil(cy + half_h))
    image = Image.new("RGB", (right - left, bottom - top))
    for ty in range(top // TILE, math.ceil(bottom / TILE)):
        for tx in range(math.floor(left / TILE), math.ceil(right / TILE)):
            tile = Image.fromarray(np.ascontiguousarray(compose_tile(palette, z, tx, ty)))
            image.paste(tile, (tx * TILE - left, ty * TILE - top))
    (west, south), (east, north) = _level_lonlat(left, bottom, z), _level_lonlat(right, top, z)
    bounds = [west, south, east, north]
    return image, bounds
