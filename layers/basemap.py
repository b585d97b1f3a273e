"""The bundled offline basemap: relief, land, borders and rivers as deck.gl layers.

In the dashboard the files are served by Streamlit's static file route and the
browser fetches them once, so they are not re-sent with every slider step.
Standalone exports embed them instead, so they open with no server and no network.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pydeck as pdk

from layers.style import Theme, literal

BASEMAP_DIR: Final = Path(__file__).resolve().parent.parent / "geodata" / "basemap"
STATIC_URL: Final = "app/static/"  # `static/` is a link to geodata/basemap


@functools.lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads((BASEMAP_DIR / "manifest.json").read_text())


@dataclass(frozen=True)
class BasemapSource:
    """Where the browser gets the basemap files: URLs, or the files' contents inline."""

    inline: bool = False

    def vector(self, name: str):
        if self.inline:
            return _inline_json(name)
        return STATIC_URL + name

    def image(self, name: str) -> str:
        if self.inline:
            return _inline_png(name)
        return STATIC_URL + name


@functools.lru_cache(maxsize=8)
def _inline_json(name: str) -> dict:
    return json.loads((BASEMAP_DIR / name).read_text())


@functools.lru_cache(maxsize=2)
def _inline_png(name: str) -> str:
    return "data:image/png;base64," + base64.b64encode((BASEMAP_DIR / name).read_bytes()).decode()


def _image(layer_id: str, url: str, opacity: float = 1.0) -> pdk.Layer:
    return pdk.Layer("BitmapLayer", id=layer_id, image=literal(url),  # else pydeck opens a bare path itself
                     bounds=manifest()["bounds"], opacity=opacity)


@functools.lru_cache(maxsize=8)
def basemap_layers(theme: Theme, source: BasemapSource = BasemapSource()) -> tuple[pdk.Layer, ...]:
    """Water, land, relief, then lakes, rivers, borders and coast baked into one image.

    Line layers made a slider step cost about a second in software WebGL; the
    baked overlay (tools/bake_basemap_lines.py) costs next to nothing.
    """
    files = manifest()["files"]
    return (
        pdk.Layer(
            "SolidPolygonLayer",
            id="basemap-water",
            data=[{"polygon": [[-180, -85], [180, -85], [180, 85], [-180, 85]]}],
            get_polygon="polygon",
            get_fill_color=[*theme.water, 255],
        ),
        pdk.Layer(
            "GeoJsonLayer",
            id="basemap-land",
            data=source.vector(files["land"]),
            get_fill_color=[*theme.land, 255],
            stroked=False,
        ),
        _image("basemap-relief", source.image(files["relief"]), theme.relief_opacity),
        _image("basemap-lines", source.image(files[f"lines_{theme.name}"])),
    )
