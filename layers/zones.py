"""Zones of control as translucent polygons coloured by actor."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import shapely

from layers.style import PIXELS, Theme, hex_to_rgb
from layers.tooltip import fields

LAYER_ID: Final = "zones"
SIMPLIFY_DEGREES: Final = 0.005  # about 500 m: finer than the zones' own precision, a fraction of the bytes


def _date(value) -> str:
    return "" if pd.isna(value) else f"{value:%d %b %Y}"


def zone_features(zones: gpd.GeoDataFrame, actors: pd.DataFrame, theme: Theme, *, for_html: bool) -> dict:
    """A GeoJSON FeatureCollection whose properties carry colours and tooltip text."""
    features = []
    geometries = shapely.simplify(zones.geometry.values, SIMPLIFY_DEGREES, preserve_topology=True)
    for (_, zone), geometry in zip(zones.iterrows(), geometries):
        color = hex_to_rgb(actors["color"].get(zone["actor"], "#888888"))
        name = str(actors["name"].get(zone["actor"], zone["actor"]))
        until = _date(zone["valid_to"]) or "still valid at last report"
        geometry_json = shapely.geometry.mapping(shapely.set_precision(geometry, 1e-4))
        features.append({
            "type": "Feature",
            "geometry": geometry_json,
            "properties": {
                "fill": [*color, theme.zone_fill_alpha],
                "line": [*color, 220],
                **fields(name, zone["label"], f"{_date(zone['valid_from'])} → {until}",
                         f"{zone['confidence']} · {zone['source']}", for_html=for_html),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def zones_layer(zones: gpd.GeoDataFrame, actors: pd.DataFrame, theme: Theme, *, for_html: bool = False) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id=LAYER_ID,
        data=zone_features(zones, actors, theme, for_html=for_html),
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_units=PIXELS,
        get_line_width=1.5,
        stroked=True,
        filled=True,
        pickable=True,
        auto_highlight=True,
        highlight_color=[255, 255, 255, 50],
    )
