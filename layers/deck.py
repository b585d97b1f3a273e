"""Compose layers and a camera into one pydeck Deck."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from layers.style import Theme
from layers.tooltip import tooltip


@dataclass(frozen=True)
class Camera:
    latitude: float
    longitude: float
    zoom: float


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation, for the pages that embed it."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def build_deck(layers: list[pdk.Layer], camera: Camera, theme: Theme) -> pdk.Deck:
    """A flat, north-up map with no map style: the basemap is drawn as layers, or as online
    tiles by the dashboard's map element when the analyst asks for them."""
    view = pdk.ViewState(latitude=camera.latitude, longitude=camera.longitude, zoom=camera.zoom,
                         pitch=0, bearing=0, min_zoom=2, max_zoom=12)
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        map_style=None,
        tooltip=tooltip(theme.name),
    )
