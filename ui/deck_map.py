"""What the map element (`ui/map_element.py`) is given: layers with digests, camera, play.

`st.pydeck_chart` neither reports the camera after a pan or zoom nor keeps
unchanged layers between reruns; our element does both. It draws with
pydeck's own offline deck.gl bundle, served from the installed pydeck, so the
map needs no network and matches the standalone HTML export.
"""

from __future__ import annotations

import functools
from typing import Final

import pydeck as pdk

from layers.mercator import Camera
from layers.routes import LAYER_ID as ROUTES_LAYER_ID
from layers.view import MAP_WIDTH
from ui.map_element import BUNDLE_URL, cached_item, layer_item

ONLINE_TILES: Final = {
    "light": "https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
    "dark": "https://basemaps.cartocdn.com/dark_all/{z}/{x}/{y}.png",
}
TILES_ATTRIBUTION: Final = "© OpenStreetMap contributors © CARTO"


@functools.lru_cache(maxsize=32)
def _arcs_item(layer: pdk.Layer) -> dict:
    # Arcs change with the window; they get a cache of their own so as not to push out the other layers.
    return layer_item(layer)


def layer_items(layers: list[pdk.Layer]) -> list[dict]:
    """Items for `layers`. Every layer object comes from a cache in `layers/`, so an item is
    built once: a window's arcs again only when no session has shown that window lately."""
    return [_arcs_item(layer) if layer.id == ROUTES_LAYER_ID else cached_item(layer) for layer in layers]


def map_payload(deck: pdk.Deck, items: list[dict], *, camera: Camera, camera_key: int, window: list[str],
                theme: str, background: str, online_tiles: bool, height: int, play: dict | None = None,
                hold: bool = False, link: dict | None = None) -> dict:
    """What the map element draws. `camera` is applied only when `camera_key` changes, so
    a rerun does not undo the analyst's pan; `hold` keeps a paused animation's frame; maps with
    the same `link` group ({"group": id, "reports": bool}) share one camera, which one of them reports."""
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
        "link": link,
    }



def reported_camera(report: object) -> tuple[Camera, int] | None:
    """The camera and map width in a report from the browser: numbers in range, or None."""
    try:
        latitude, longitude, zoom = (float(report[name]) for name in ("latitude", "longitude", "zoom"))
        width = min(4000.0, max(200.0, float(report.get("width", MAP_WIDTH))))
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return Camera(latitude, longitude, zoom).clamped(), round(width)
