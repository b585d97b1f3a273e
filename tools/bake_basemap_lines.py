"""Bake lakes, rivers, borders and coastlines into one transparent overlay image per theme.

Vector line layers cost the dashboard about a second per slider step in software
WebGL (deck.gl re-processes them with every update), while an image costs next to
nothing. The overlay is drawn at twice its final size and scaled down, so the
lines are antialiased. Rebuild after changing the basemap or the theme colours:

    python tools/bake_basemap_lines.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers.style import THEMES  # noqa: E402

BASEMAP = ROOT / "geodata" / "basemap"
WIDTH = 4096  # about 50 px per degree: sharp at the theatre view, soft beyond zoom 6
SUPERSAMPLE = 2


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


class Projection:
    def __init__(self, bounds: list[float], width: int):
        self.west, self.south, self.east, self.north = bounds
        self.top, self.bottom = _mercator_y(self.north), _mercator_y(self.south)
        self.width = width
        self.height = round(width * (self.top - self.bottom) / math.radians(self.east - self.west))

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (self.top - _mercator_y(max(-85.0, min(85.0, lat)))) / (self.top - self.bottom) * self.height
        return x, y


def _parts(geometry):
    return getattr(geometry, "geoms", [geometry])


def _features(name: str):
    for feature in json.loads((BASEMAP / name).read_text())["features"]:
        if feature["geometry"]:
            yield feature.get("properties") or {}, shape(feature["geometry"])


def bake(theme_name: str, manifest: dict) -> Image.Image:
    theme = THEMES[theme_name]
    files = manifest["files"]
    projection = Projection(manifest["bounds"], WIDTH * SUPERSAMPLE)
    image = Image.new("RGBA", (projection.width, projection.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def line(coords, color, width_px):
        draw.line([projection.pixel(*point) for point in coords], fill=color,
                  width=max(1, round(width_px * SUPERSAMPLE)), joint="curve")

    for _, lake in _features(files["lakes"]):
        for polygon in _parts(lake):
            draw.polygon([projection.pixel(*p) for p in polygon.exterior.coords], fill=(*theme.water, 255))
    for properties, river in _features(files["rivers"]):
        width = 1.3 if properties.get("level") == 1 else 0.7
        for part in _parts(river):
            line(part.coords, (*theme.river, 230), width)
    for _, border in _features(files["borders"]):
        for part in _parts(border):
            line(part.coords, (*theme.border, 210), 1.0)
    for _, coast in _features(files["coastline"]):
        for part in _parts(coast):
            line(part.coords, (*theme.coast, 255), 0.9)
    return image.resize((WIDTH, projection.height // SUPERSAMPLE), Image.LANCZOS)


def main() -> None:
    manifest_path = BASEMAP / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for theme_name in THEMES:
        name = f"lines-{theme_name}.png"
        bake(theme_name, manifest).save(BASEMAP / name, optimize=True)
        manifest["files"][f"lines_{theme_name}"] = name
        print(f"wrote {name} ({(BASEMAP / name).stat().st_size / 1e6:.1f} MB)")
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
