"""Compose layers and a camera into one pydeck Deck."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from layers.style import Theme
from layers.tooltip import tooltip

ONLINE_STYLES = {"light": pdk.map_styles.CARTO_LIGHT, "dark": pdk.map_styles.CARTO_DARK}
# Streamlit fills an empty map style with CARTO's online tiles; this value, which its
# frontend strips, is the one way to ask it for no tiles at all (checked by a browser test).
NO_TILES_STYLE = "__MAP_STYLE__"


@dataclass(frozen=True)
class Camera:
    latitude: float
    longitude: float
    zoom: float


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: Streamlit re-sends the whole spec on every rerun."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def build_deck(layers: list[pdk.Layer], camera: Camera, theme: Theme, *, online_tiles: bool = False) -> pdk.Deck:
    """A flat, north-up map. Without online tiles no request leaves the machine."""
    view = pdk.ViewState(latitude=camera.latitude, longitude=camera.longitude, zoom=camera.zoom,
                         pitch=0, bearing=0, min_zoom=2, max_zoom=12)
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider="carto" if online_tiles else None,
        map_style=ONLINE_STYLES[theme.name] if online_tiles else NO_TILES_STYLE,
        tooltip=tooltip(theme.name),
    )
