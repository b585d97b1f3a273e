"""Compose layers and a camera into one pydeck Deck."""

from __future__ import annotations

import json

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from layers.mercator import ZOOMS, Camera
from layers.style import Theme
from layers.tooltip import tooltip


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation, for the pages that embed it."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def build_deck(layers: list[pdk.Layer], camera: Camera, theme: Theme) -> pdk.Deck:
    """A flat, north-up map with no map style: the basemap is drawn as layers, or as online
    tiles by the dashboard's map element when the analyst asks for them."""
    view = pdk.ViewState(latitude=camera.latitude, longitude=camera.longitude, zoom=camera.zoom,
                         pitch=0, bearing=0, min_zoom=ZOOMS[0], max_zoom=ZOOMS[1])
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        views=[pdk.View(type="MapView", controller=True, repeat=True)],  # data across 180° shows on both sides
        map_provider=None,
        map_style=None,
        tooltip=tooltip(theme.name),
    )
