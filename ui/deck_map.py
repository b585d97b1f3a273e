"""The map element: deck.gl in the page, as a Streamlit v2 component (`deck_map.js`).

`st.pydeck_chart` neither reports the camera after a pan or zoom nor keeps
unchanged layers between reruns; this element does both. It draws with
pydeck's own offline deck.gl bundle, served from the installed pydeck, so the
map needs no network and matches the standalone HTML export.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Callable, Final

import pydeck as pdk
import streamlit.components.v1 as components_v1
import streamlit.components.v2 as components_v2
from pydeck.bindings.json_tools import default_serialize

from layers.deck import Camera
from layers.routes import LAYER_ID as ROUTES_LAYER_ID
from layers.zones import LAYER_ID as ZONES_LAYER_ID

# A v1 component is the one way Streamlit serves a folder of files; this one only
# serves deck.gl's JavaScript to the page and is never drawn.
_BUNDLE = components_v1.declare_component("deckgl", path=str(Path(pdk.__file__).parent / "nbextension" / "static"))
BUNDLE_URL: Final = f"component/{_BUNDLE.name}/index.js"

_MAP = components_v2.component("footprint_map", js=(Path(__file__).parent / "deck_map.js").read_text(),
                               isolate_styles=False)

UNDER_PREFIXES: Final = ("basemap", ZONES_LAYER_ID)
ONLINE_TILES: Final = {
    "light": "https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
    "dark": "https://basemaps.cartocdn.com/dark_all/{z}/{x}/{y}.png",
}
TILES_ATTRIBUTION: Final = "© OpenStreetMap contributors © CARTO"


def layer_item(layer: pdk.Layer) -> dict:
    """A layer's JSON with a digest of it: the map keeps a layer whose digest it has seen.

    The basemap and the zones go on the lower of the map's two planes, which a step
    or an animation frame does not redraw.
    """
    text = json.dumps(layer, default=default_serialize, sort_keys=True, separators=(",", ":"))
    return {"key": hashlib.blake2b(text.encode(), digest_size=12).hexdigest(), "spec": json.loads(text),
            "under": layer.id.startswith(UNDER_PREFIXES)}


@functools.lru_cache(maxsize=256)
def _cached_item(layer: pdk.Layer) -> dict:
    return layer_item(layer)


def layer_items(layers: list[pdk.Layer]) -> list[dict]:
    """Items for `layers`. Only the arcs are new with every step; every other layer object
    comes from a cache in `layers/`, so its item is built once."""
    return [layer_item(layer) if layer.id == ROUTES_LAYER_ID else _cached_item(layer) for layer in layers]


def map_payload(deck: pdk.Deck, items: list[dict], *, camera: Camera, camera_key: int, window: list[str],
                theme: str, background: str, online_tiles: bool, height: int, play: dict | None = None,
                hold: bool = False) -> dict:
    """What the map element draws. `camera` is applied only when `camera_key` changes, so
    a rerun does not undo the analyst's pan; `hold` keeps a paused animation's frame."""
    view = deck.initial_view_state
    return {
        "bundle": BUNDLE_URL,
        "height": height,
        "background": background,
        "camera": {"latitude": camera.latitude, "longitude": camera.longitude, "zoom": camera.zoom,
                   "min_zoom": view.min_zoom, "max_zoom": view.max_zoom, "key": camera_key},
        "layers": items,
        "tooltip": deck._tooltip,
        "tiles": {"url": ONLINE_TILES[theme], "attribution": TILES_ATTRIBUTION} if online_tiles else None,
        "window": window,
        "play": play,
        "hold": hold,
    }


def deck_map(payload: dict, *, key: str, **callbacks: Callable[[], None]):
    """Draw the map. Each callback is named after an event of the map (camera, clicked,
    progress, played) and runs before the rerun that the event starts."""
    return _MAP(data=payload, key=key, height=payload["height"],
                **{f"on_{event}_change": callback for event, callback in callbacks.items()})
