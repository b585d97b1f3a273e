"""The map element itself: deck.gl in the page, as a Streamlit v2 component (the scripts of `map_js/`).

This module stays light (no pandas, no geopandas) so that the first script run
can tell the browser to fetch deck.gl and the basemap's first tiles before it loads the data.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Callable, Final

import pydeck as pdk
import streamlit as st
import streamlit.components.v1 as components_v1
import streamlit.components.v2 as components_v2
from pydeck.bindings.json_tools import default_serialize

from layers.basemap import basemap_layers
from layers.style import THEMES

UNDER_PREFIXES: Final = ("basemap", "zones")  # the ids of layers/basemap.py and layers/zones.py
# The early map's size and camera; once adopted it takes its element's size and the view's camera.
EARLY_SIZE: Final = (800, 640)
EARLY_CAMERA: Final = {"latitude": 33.0, "longitude": 28.0, "zoom": 3.6}

# A v1 component is the one way Streamlit serves a folder of files; this one only
# serves deck.gl's JavaScript to the page and is never drawn.
_BUNDLE = components_v1.declare_component("deckgl", path=str(Path(pdk.__file__).parent / "nbextension" / "static"))
BUNDLE_URL: Final = f"component/{_BUNDLE.name}/index.js"

# One job per file, joined into one module; map.js holds the element's entry point.
MAP_SCRIPTS: Final = ("loader.js", "tooltip.js", "basemap.js", "camera.js", "layers.js", "play.js", "map.js")
_MAP_JS: Final = "\n".join((Path(__file__).parent / "map_js" / name).read_text() for name in MAP_SCRIPTS)
_MAP = components_v2.component("footprint_map", js=_MAP_JS, isolate_styles=False)


def layer_item(layer: pdk.Layer) -> dict:
    """A layer's JSON with a digest of it: the map keeps a layer whose digest it has seen.

    The basemap and the zones go on the lower of the map's two planes, which a step
    or an animation frame does not redraw.
    """
    text = json.dumps(layer, default=default_serialize, sort_keys=True, separators=(",", ":"))
    return {"key": hashlib.blake2b(text.encode(), digest_size=12).hexdigest(), "spec": json.loads(text),
            "under": layer.id.startswith(UNDER_PREFIXES)}


@functools.lru_cache(maxsize=256)
def cached_item(layer: pdk.Layer) -> dict:
    """The item of a layer object that comes from a cache in `layers/`, built once."""
    return layer_item(layer)


def early_map() -> None:
    """Start the browser on the map before the data is loaded; draws nothing in the page.

    On the first run after `streamlit run` the data takes a few seconds to load.
    Meanwhile the browser fetches deck.gl (4 MB) and the basemap tiles of the
    bundled theatre and draws them out of sight; the map element adopts that map
    (and its tile cache) when it arrives.
    """
    theme = THEMES.get(st.session_state.get("theme") or st.query_params.get("theme"), THEMES["light"])
    early = {"early": True, "bundle": BUNDLE_URL, "width": EARLY_SIZE[0], "height": EARLY_SIZE[1],
             "camera": EARLY_CAMERA, "layers": [cached_item(layer) for layer in basemap_layers(theme)]}
    _MAP(data=early, key="early_map", height=0)


def deck_map(payload: dict, *, key: str, **callbacks: Callable[[], None]):
    """Draw the map. Each callback is named after an event of the map (camera, clicked,
    progress, played) and runs before the rerun that the event starts."""
    return _MAP(data=payload, key=key, height=payload["height"],
                **{f"on_{event}_change": callback for event, callback in callbacks.items()})
