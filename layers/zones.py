"""Zones of control as translucent polygons coloured by actor; less certain control is hatched.

A zone whose control is only `reported` or `claimed`, or is marked contested,
gets a lighter fill and diagonal hatching in its actor's colour, the way
conflict maps mark assessed or disputed ground. deck.gl's own fill patterns are
not in the bundled library, so the hatching is drawn as lines, spaced in screen
pixels for the camera's zoom; the static renderer draws the same lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from layers.antimeridian import unwrap_geometry
from layers.mercator import world_lonlat, world_pixels
from layers.style import NEUTRAL, PIXELS, Theme, hex_to_rgb
from layers.tooltip import fields

LAYER_ID: Final = "zones"
OUTLINE_LAYER_ID: Final = "zones-outline"
HATCH_LAYER_ID: Final = "zones-hatch"
SIMPLIFY_DEGREES: Final = 0.005  # about 500 m: finer than the zones' own precision, a fraction of the bytes
CERTAIN: Final = "confirmed"


@dataclass(frozen=True)
class ZoneLook:
    outline: float = 1.5
    line_alpha: int = 220
    uncertain_fill_share: float = 0.5  # an uncertain zone's fill is this much of a confirmed one's
    hatch_spacing: float = 10.0  # pixels between hatch lines
    hatch_width: float = 1.2
    hatch_alpha: int = 120


def _date(value) -> str:
    return "" if pd.isna(value) else f"{value:%d %b %Y}"


def is_uncertain(zone: pd.Series) -> bool:
    return zone["confidence"] != CERTAIN or str(zone.get("contested", "")).lower() == "yes"


def hatch_zoom(zoom: float) -> float:
    """Hatching is laid out per half zoom level: spacing stays within √2 of the target as the map zooms."""
    return math.floor(zoom * 2) / 2


def hatch_lines(geometry, zoom: float, spacing: float) -> list[list[list[float]]]:
    """Diagonal lines `spacing` screen pixels apart at `zoom`, clipped to `geometry`, as lon/lat paths."""
    projected = shapely.transform(geometry, lambda xy: np.column_stack(world_pixels(xy[:, 0], xy[:, 1], zoom)))
    left, top, right, bottom = projected.bounds
    # Lines x - y = c, c stepping by spacing·√2 so that lines are `spacing` apart.
    step = spacing * math.sqrt(2)
    first = math.floor((left - bottom) / step) * step
    lines = [shapely.LineString([(c + top, top), (c + bottom, bottom)])
             for c in np.arange(first, right - top + step, step)]
    clipped = shapely.intersection(shapely.MultiLineString(lines), projected) if lines else shapely.GeometryCollection()
    paths = []
    for part in getattr(clipped, "geoms", [clipped]):
        if part.geom_type == "LineString" and not part.is_empty:
            lon, lat = world_lonlat(*np.asarray(part.coords).T, zoom)
            paths.append([[round(float(a), 4), round(float(b), 4)] for a, b in zip(lon, lat)])
    return paths


def zone_marks(zones: gpd.GeoDataFrame, actors: pd.DataFrame, theme: Theme, *, zoom: float,
               look: ZoneLook = ZoneLook(), for_html: bool) -> tuple[dict, list[dict]]:
    """The zones as a GeoJSON FeatureCollection with colours and tooltips, and their hatch lines.

    Both renderers draw these as they are.
    """
    features, hatches = [], []
    geometries = shapely.simplify(zones.geometry.values, SIMPLIFY_DEGREES, preserve_topology=True)
    for (_, zone), geometry in zip(zones.iterrows(), geometries):
        if geometry.bounds[2] - geometry.bounds[0] > 180:  # split at ±180: one shape, drawn the short way
            geometry = unwrap_geometry(geometry)
        color = hex_to_rgb(actors["color"].get(zone["actor"], "")) if zone["actor"] in actors.index else NEUTRAL
        name = str(actors["name"].get(zone["actor"], zone["actor"]))
        uncertain = is_uncertain(zone)
        fill = round(theme.zone_fill_alpha * (look.uncertain_fill_share if uncertain else 1))
        until = _date(zone["valid_to"]) or "still valid at last report"
        kind = str(zone["label"]) + (" · hatched: control reported, claimed or contested" if uncertain else "")
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shapely.set_precision(geometry, 1e-4)),
            "properties": {
                "fill": [*color, fill],
                "line": [*color, look.line_alpha],
                "hatched": uncertain,
                **fields(name, kind, f"{_date(zone['valid_from'])} → {until}",
                         f"{zone['confidence']} · {zone['source']}", for_html=for_html),
            },
        })
        if uncertain:
            hatches += [{"path": path, "color": [*color, look.hatch_alpha]}
                        for path in hatch_lines(geometry, hatch_zoom(zoom), look.hatch_spacing)]
    return {"type": "FeatureCollection", "features": features}, hatches


# Outlines and hatching are drawn as straight segments (deck.gl's LineLayer) rather than paths:
# without a GPU the PathLayer's shader cost about 0.5 s more the first time a map drew it
# (bench/scale.py --bundled: first map 10.7 s against 12.3 s), and at these widths joints do not show.
def zones_layers(features: dict, hatches: list[dict], look: ZoneLook = ZoneLook()) -> tuple[pdk.Layer, ...]:
    """The zones' fills (hovered for their story), their outlines, and the hatch lines if any."""
    fills = pdk.Layer("GeoJsonLayer", id=LAYER_ID, data=features, get_fill_color="properties.fill", stroked=False,
                      filled=True, pickable=True, auto_highlight=True, highlight_color=[255, 255, 255, 50])
    outlines = _segments_layer(OUTLINE_LAYER_ID, outline_segments(features), look.outline)
    if not hatches:
        return fills, outlines
    hatching = [{"s": hatch["path"][0], "t": hatch["path"][-1], "c": hatch["color"]} for hatch in hatches]
    return fills, outlines, _segments_layer(HATCH_LAYER_ID, hatching, look.hatch_width)


def _segments_layer(layer_id: str, segments: list[dict], width: float) -> pdk.Layer:
    return pdk.Layer("LineLayer", id=layer_id, data=segments, get_source_position="s", get_target_position="t",
                     get_color="c", get_width=width, width_units=PIXELS)


def outline_segments(features: dict) -> list[dict]:
    """Every ring of every zone as segments in the zone's line colour."""
    segments = []
    for feature in features["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        color = feature["properties"]["line"]
        for ring in (ring for polygon in polygons for ring in polygon):
            segments += [{"s": start, "t": end, "c": color} for start, end in zip(ring, ring[1:])]
    return segments
