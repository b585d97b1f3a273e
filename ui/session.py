"""Dashboard state in `st.session_state`: set once from the URL, read back as a MapView."""

from __future__ import annotations

import streamlit as st

from geodata import MovementFilter, Scenario
from layers.view import MapView
from ui.query import LIST_PARAMS, parse_query, to_query
from ui.reach_panel import reach_fields, reach_state

FILTER_KEYS = {attribute: f"filter_{attribute}" for attribute in LIST_PARAMS.values()}


def init_from_query(scenario: Scenario) -> list[str]:
    """On a session's first run, fill the widgets' state from the query string."""
    marker = f"initialised:{scenario.name}"
    if st.session_state.get("initialised") == marker:
        return []
    parsed = parse_query(st.query_params.to_dict(), scenario)
    view = parsed.view
    st.session_state.update({
        "initialised": marker,
        "window": (view.start, view.end),
        "layers": sorted(view.show),
        "theme": view.theme,
        "online_tiles": view.online_tiles,
        "camera": view.camera,
        "selected_base": parsed.selected_base,
        "playing": False,
        **{key: sorted(getattr(view.keep, attribute)) for attribute, key in FILTER_KEYS.items()},
        **reach_state(view),
    })
    return parsed.notices


def current_filter() -> MovementFilter:
    return MovementFilter(**{attribute: frozenset(st.session_state.get(key, ()))
                             for attribute, key in FILTER_KEYS.items()})


def current_view() -> MapView:
    """The MapView that the widgets describe."""
    start, end = st.session_state["window"]
    return MapView(start=start, end=end, keep=current_filter(), show=frozenset(st.session_state["layers"]),
                   theme=st.session_state["theme"], camera=st.session_state.get("camera"),
                   online_tiles=st.session_state["online_tiles"], **reach_fields())


def sync_query(view: MapView) -> None:
    """Write the view into the URL; only when it changed, to avoid needless browser history."""
    wanted = to_query(view, st.session_state.get("selected_base"))
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
