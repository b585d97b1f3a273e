"""Dashboard state in `st.session_state`: set once from the URL, read back as a MapView."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analysis.changes import Side, side_on
from geodata import MovementFilter, Scenario
from layers.view import MapView
from ui.query import LIST_PARAMS, compare_query, parse_compare, parse_query, to_query
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
    sides, notices = parse_compare(st.query_params.to_dict(), scenario, view.end)
    st.session_state[MODE_KEY] = COMPARE if sides else MAP
    st.session_state[PERIOD_KEY] = scenario.meta.period
    if sides:
        set_compare_sides(*sides)
    return parsed.notices + notices


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
    if st.session_state.get(MODE_KEY) == COMPARE:
        wanted.update(compare_query(compare_sides()))
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# Compare mode: two sides, each a day or a window, held by the widgets of ui/compare_panel.py.
MODE_KEY, MAP, COMPARE = "mode", "Map", "Compare"
WINDOWS_KEY = "compare_windows"  # both sides are windows; else both are days
PERIOD_KEY = "compare_period"


def side_key(side: str, windows: bool) -> str:
    """The widget key of side 'a' or 'b', as a day or as a window."""
    return f"compare_{side}_{'window' if windows else 'day'}"


def set_compare_sides(a: Side, b: Side) -> None:
    """Set both sides' widgets; a day stays a day unless the other side is a window."""
    windows = not (a.single and b.single)
    st.session_state[WINDOWS_KEY] = windows
    for name, side in (("a", a), ("b", b)):
        st.session_state[side_key(name, False)] = side.last
        st.session_state[side_key(name, True)] = (side.first, side.last)


def compare_sides(period: tuple[dt.date, dt.date] | None = None) -> tuple[Side, Side] | None:
    """The two sides the widgets describe, or None before Compare was opened."""
    windows = st.session_state.get(WINDOWS_KEY)
    if windows is None:
        return None
    period = period or st.session_state[PERIOD_KEY]
    if windows:
        return tuple(Side(*st.session_state[side_key(name, True)]) for name in ("a", "b"))
    return tuple(side_on(st.session_state[side_key(name, False)], period) for name in ("a", "b"))


def keep_widget_values() -> None:
    """Give the mode switch and Compare's widgets their values on every run, and the map's own while Compare
    hides them: Streamlit forgets the value of a widget that a run does not draw, and a page that reconnected
    (its map drawing blocked it too long) shows such a widget at its default until told its value."""
    hidden = MAP_WIDGETS if st.session_state.get(MODE_KEY) == COMPARE else ()
    for key in (MODE_KEY, *COMPARE_WIDGETS, *hidden):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


MAP_WIDGETS = ("window", "play_unit", "play_speed")
COMPARE_WIDGETS = (WINDOWS_KEY, *(side_key(name, windows) for name in ("a", "b") for windows in (False, True)))
