"""The main area: time controls, the map with its side panel, the timeline and the tables.

It is one fragment so that a slider step, a camera report or a click on the map
redraws only this area.
"""

from __future__ import annotations

import html

import streamlit as st

from geodata import Scenario
from layers.deck import Camera
from layers.routes import arc_meaning, count_text
from layers.style import THEMES, rgb_to_hex
from layers.view import MAP_HEIGHT, MapView, compose, default_camera
from ui.charts import timeline_spec, weekly_counts
from ui.deck_map import layer_items, map_payload
from ui.export_panel import export_panel
from ui.legend import legend_html
from ui.map_element import deck_map
from ui.session import current_view, sync_query
from ui.story import show_story
from ui.tables import WindowTables, show_movements, window_tables
from ui.time_controls import frames_to_play, play_progressed, play_stopped, time_controls

MAP_KEY = "map"


def _map_event(name: str):
    return (st.session_state.get(MAP_KEY) or {}).get(name)


def _camera_reported() -> None:
    """A pan or zoom that settled: links, exports and label placement follow it."""
    camera = _map_event("camera")
    try:  # the report comes from the browser: numbers in range, or nothing
        latitude, longitude, zoom = (float(camera[name]) for name in ("latitude", "longitude", "zoom"))
    except (KeyError, TypeError, ValueError):
        return
    st.session_state["camera"] = Camera(min(85.0, max(-85.0, latitude)), (longitude + 180) % 360 - 180,
                                        min(14.0, max(1.0, zoom)))


def _base_clicked() -> None:
    """A click on a base opens its story; the story stays until closed or another base is clicked."""
    clicked = _map_event("clicked")
    if clicked:
        st.session_state["selected_base"] = clicked


def _play_progressed() -> None:
    play_progressed(_map_event("progress") or {})


def _play_stopped() -> None:
    play_stopped(_map_event("played") or {})


def _show_map(scenario: Scenario, composed, view: MapView, frames: dict | None) -> None:
    theme = THEMES[view.theme]
    payload = map_payload(
        composed.deck, [] if frames else layer_items(composed.deck.layers),
        camera=view.camera or default_camera(scenario), camera_key=st.session_state.get("camera_key", 0),
        window=[view.start.isoformat(), view.end.isoformat()], theme=view.theme,
        background=rgb_to_hex(theme.water), online_tiles=view.online_tiles, height=MAP_HEIGHT,
        play=frames, hold=st.session_state.get("adopt_frame", False))
    deck_map(payload, key=MAP_KEY, camera=_camera_reported, clicked=_base_clicked, progress=_play_progressed,
             played=_play_stopped)


def _close_story() -> None:
    st.session_state["selected_base"] = None


def _side_panel(scenario: Scenario, composed, view, tables: WindowTables) -> None:
    base_id = st.session_state.get("selected_base")
    if base_id in scenario.bases.index:
        st.button("✕ Close", key="close_story", on_click=_close_story)
        show_story(scenario, base_id, composed.rows(at=base_id), (view.start, view.end))
        return
    st.markdown(counts_html(tables.counts), unsafe_allow_html=True)
    st.markdown(legend_html(scenario, composed.actors_shown, composed.categories_shown, arc_meaning(composed.routes)),
                unsafe_allow_html=True)
    st.caption("Click a base for its story.")


def _render(scenario: Scenario) -> None:
    period = (scenario.meta.start, scenario.meta.end)
    view = current_view()
    frames = frames_to_play(scenario, view, period)  # may stop play: before the Play button is drawn
    time_controls(period)
    composed = compose(scenario, view)
    tables = window_tables(scenario, view.start, view.end, view.keep)
    routes = composed.routes
    status = (f"**{view.start:%d %b %Y} – {view.end:%d %b %Y}** · {count_text(routes)} · "
              f"zones as of {view.end:%d %b %Y}")
    if len(routes.drawn) < routes.total_routes:
        status += f" · showing the {len(routes.drawn):,} busiest of {routes.total_routes:,} routes"
    st.markdown(status)

    map_column, side_column = st.columns([3.3, 1])
    with map_column:
        _show_map(scenario, composed, view, frames)
    with side_column:
        _side_panel(scenario, composed, view, tables)
        with st.expander("Export this view"):
            export_panel(scenario, view)

    st.vega_lite_chart(timeline_spec(weekly_counts(scenario, view.keep), (view.start, view.end), period),
                       width="stretch")
    table_tab, change_tab, sources_tab = st.tabs(["Movements", "What changed", "Sources"])
    with table_tab:
        show_movements(lambda: composed.movements, tables.counts["movements"], tables.table,
                       f"movements_{view.start}_{view.end}")
    with change_tab:
        left, right = st.columns(2)
        left.dataframe(tables.by_category, hide_index=True, width="stretch")
        right.dataframe(tables.by_destination, hide_index=True, width="stretch")
    with sources_tab:
        st.markdown(tables.sources, unsafe_allow_html=True)
    sync_query(view)


def main_panel(scenario: Scenario) -> None:
    st.fragment(_render)(scenario)


def counts_html(counts: dict[str, int]) -> str:
    """Movements, personnel and equipment in the window, as three compact figures."""
    cells = [("movements", counts["movements"]), ("personnel", counts["personnel"]),
             ("equipment", counts["equipment"])]
    return "<div style='display:flex;gap:14px;margin-bottom:8px'>" + "".join(
        f"<div><div style='font-size:1.5rem;font-weight:600;line-height:1.1'>{value:,}</div>"
        f"<div style='font-size:.75rem;opacity:.7'>{label}</div></div>" for label, value in cells) + "</div>"


def title(scenario: Scenario) -> None:
    meta = scenario.meta
    st.markdown(
        "<style>.block-container{padding-top:1.2rem;padding-bottom:1rem}"
        "section[data-testid=stSidebar] .block-container{padding-top:1rem}</style>"
        f"<div style='font-size:1.35rem;font-weight:650;margin:0'>{html.escape(meta.title)}</div>"
        f"<div style='opacity:.7;font-size:.8rem;margin-bottom:.3rem'>{html.escape(meta.caveat)}</div>",
        unsafe_allow_html=True)
