"""Place names from the bundled basemap: countries and the main cities of the visible area.

They tell an audience that does not know the towns where the map is. They are
placed after the bases' names, never over a base or its name: countries at their
label points, cities beside a small dot, largest first, as many as fit. How many
cities a view offers grows with the zoom.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Final

import numpy as np
import pydeck as pdk

from layers.basemap import BASEMAP_DIR
from layers.labels import Box, Placement, around, fits, label_box
from layers.mercator import Viewport
from layers.style import FONT_FAMILY, PIXELS, Theme, literal

LAYER_ID: Final = "places"
MAX_CITIES: Final = 24  # a slide names the main cities, not every town
DOT_LAYER_ID: Final = "places-dots"


@dataclass(frozen=True)
class PlaceLook:
    city_size: float = 12.0
    country_size: float = 12.0
    dot_radius: float = 2.5
    halo: float = 2.5
    text_alpha: int = 200  # a step below the bases' names, which matter more
    country_alpha: int = 150


@functools.lru_cache(maxsize=1)
def _places() -> tuple[dict, np.ndarray, np.ndarray]:
    """The places file, with the cities' positions as arrays for quick look-ups."""
    places = json.loads((BASEMAP_DIR / "places.json").read_text(encoding="utf-8"))
    lon = np.array([c["lon"] for c in places["cities"]], dtype=float)
    lat = np.array([c["lat"] for c in places["cities"]], dtype=float)
    return places, lon, lat


def city_threshold(zoom: float) -> float:
    """The smallest population a view offers: 5 million for the whole world, a million for a region
    (zoom 4.8), 100,000 for a few governorates (zoom 7)."""
    return 10 ** max(5.0, 8.0 - 0.42 * zoom)


def place_marks(viewport: Viewport, obstacles: list[Box], theme: Theme, look: PlaceLook = PlaceLook()) -> list[dict]:
    """Placed names of countries and cities inside the map box, clear of `obstacles` and of each other."""
    places, lon, lat = _places()
    zoom = viewport.camera.zoom
    inside = viewport.contains(lon, lat)
    populations = np.array([c["population"] for c in places["cities"]])
    candidates = np.flatnonzero(inside & (populations >= city_threshold(zoom)))
    xs, ys = viewport.to_screen(lon[candidates], lat[candidates])
    bounds = (2.0, 2.0, viewport.width - 2.0, viewport.height - 2.0)
    taken = list(obstacles)
    marks = []
    for index, x, y in zip(candidates, xs.tolist(), ys.tolist()):  # the file lists the largest first
        if len(marks) == MAX_CITIES:
            break
        city = places["cities"][index]
        dot = (x - look.dot_radius - 1, y - look.dot_radius - 1, x + look.dot_radius + 1, y + look.dot_radius + 1)
        if not fits(dot, bounds, taken):
            continue
        for placement in around(look.dot_radius + 3):
            box = label_box(x, y, placement, city["name"], look.city_size)
            if fits(box, bounds, taken):
                taken += [dot, box]
                marks.append(_mark(city["name"], city["lon"], city["lat"], placement, look.city_size, "city",
                                   [*theme.text, look.text_alpha]))
                break
    for country in places["countries"]:
        if country["min_zoom"] > zoom + 1.5 or not viewport.contains([country["lon"]], [country["lat"]])[0]:
            continue
        x, y = (float(v[0]) for v in viewport.to_screen([country["lon"]], [country["lat"]]))
        name = country["name"].upper()
        placement = Placement("middle", "center", (0, 0))
        box = label_box(x, y, placement, name, look.country_size * 1.15)  # letter-spaced capitals
        if fits(box, bounds, taken):
            taken.append(box)
            marks.append(_mark(name, country["lon"], country["lat"], placement, look.country_size, "country",
                               [*theme.text, look.country_alpha]))
    return marks


def _mark(name: str, lon: float, lat: float, placement: Placement, size: float, kind: str, color: list) -> dict:
    return {"name": name, "position": [lon, lat], "kind": kind, "size": size, "color": color,
            "anchor": placement.anchor, "baseline": placement.baseline, "offset": list(placement.offset)}


def places_layers(marks: list[dict], theme: Theme, look: PlaceLook = PlaceLook()) -> list[pdk.Layer]:
    cities = [m for m in marks if m["kind"] == "city"]
    return [
        pdk.Layer("ScatterplotLayer", id=DOT_LAYER_ID, data=[{"position": m["position"]} for m in cities],
                  get_position="position", get_radius=look.dot_radius, radius_units=PIXELS,
                  get_fill_color=[*theme.text, look.text_alpha], stroked=True, get_line_color=[*theme.halo, 220],
                  line_width_units=PIXELS, get_line_width=1),
        pdk.Layer("TextLayer", id=LAYER_ID, data=marks, get_position="position", get_text="name",
                  get_color="color", get_size="size", size_units=PIXELS, font_family=FONT_FAMILY,
                  get_text_anchor="anchor", get_alignment_baseline="baseline", get_pixel_offset="offset",
                  character_set=literal("auto"), font_settings={"sdf": True}, outline_width=look.halo,
                  outline_color=[*theme.halo, 220]),
    ]

