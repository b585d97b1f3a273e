"""The map element itself: deck.gl in the page, as a Streamlit v2 component (`deck_map.js`).

This module stays light (no pandas, no geopandas) so that the first script run
can tell the browser to fetch deck.gl and the basemap before it loads the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Final

import pydeck as pdk
import streamlit as st
import streamlit.components.v1 as components_v1
import streamlit.components.v2 as components_v2

from layers.basemap import basemap_urls
from layers.style import THEMES

# A v1 component is the one way Streamlit serves a folder of files; this one only
# serves deck.gl's JavaScript to the page and is never drawn.
_BUNDLE = components_v1.declare_component("deckgl", path=str(Path(pdk.__file__).parent / "nbextension" / "static"))
BUNDLE_URL: Final = f"component/{_BUNDLE.name}/index.js"

_MAP = components_v2.component("footprint_map", js=(Path(__file__).parent / "deck_map.js").read_text(),
                               isolate_styles=False)


def preload_map() -> None:
    """Start the browser on deck.gl (4 MB) and the basemap files; draws nothing.

    On the first run after `streamlit run` the data takes a few seconds to load;
    fetched meanwhile, the map can draw as soon as its layers arrive.
    """
    theme = st.session_state.get("theme") or st.query_params.get("theme")
    urls = basemap_urls(THEMES[theme] if theme in THEMES else THEMES["light"])
    _MAP(data={"bundle": BUNDLE_URL, "preload": urls}, key="map_preload", height=0)


def deck_map(payload: dict, *, key: str, **callbacks: Callable[[], None]):
    """Draw the map. Each callback is named after an event of the map (camera, clicked,
    progress, played) and runs before the rerun that the event starts."""
    return _MAP(data=payload, key=key, height=payload["height"],
                **{f"on_{event}_change": callback for event, callback in callbacks.items()})
