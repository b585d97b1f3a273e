"""The main area: time controls, the map with its side panel, the timeline and the tables.

It is one fragment so that a slider step, a camera report or a click on the map
redraws only this area.
"""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st

from analysis.changes import default_sides
from analysis.counts import WindowCounts, plural
from geodata import Scenario
from layers.routes import count_text
from layers.style import THEMES, rgb_to_hex
from layers.view import MAP_HEIGHT, MAP_WIDTH, MapView, compose, default_camera
from ui.charts import timeline_spec, weekly_counts
from ui.deck_map import layer_items, map_payload, reported_camera
from ui.export_panel import export_panel
from ui.fragments import contained_fragment
from ui.legend import legend_html
from ui.map_element import deck_map
from ui.compare_panel import compare_panel
from ui.reach_panel import reach_panel
from ui.session import (COMPARE, MAP, MODE_KEY, compare_sides, current_view, keep_widget_values, set_compare_sides,
                        sync_query)
from ui.shared_parts import SHARED
from ui.story import show_story
from ui.tables import WindowTables, show_movements, window_tables
from ui.time_controls import frames_to_play, play_progressed, play_stopped, time_controls

MAP_KEY = "map"


def _map_event(name: str):
    return (st.session_state.get(MAP_KEY) or {}).get(name)


def _camera_reported() -> None:
    """A pan or zoom that settled, or a map that changed size: links, exports and label placement follow it."""
    reported = reported_camera(_map_event("camera"))
    if reported:
        st.session_state["camera"], st.session_state["map_width"] = reported


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
    if st.session_state.get("playing"):
        st.caption("Playing: the caption on the map gives the frame on screen; its counts follow on Pause.")
    else:
        st.markdown(counts_html(tables.counts), unsafe_allow_html=True)
    st.markdown(legend_html(composed.legend()), unsafe_allow_html=True)
    st.caption("Click a base for its story.")


def _mode_changed(period: tuple) -> None:
    """Compare opens on a month before the map's day and that day; a playing map stops."""
    st.session_state["playing"] = False
    st.session_state["adopt_frame"] = False
    if st.session_state[MODE_KEY] == COMPARE and compare_sides() is None:
        set_compare_sides(*default_sides(period, st.session_state["window"][1]))


def _render(scenario: Scenario, folder: Path | None) -> None:
    period = scenario.meta.period
    keep_widget_values()
    st.radio("Mode", (MAP, COMPARE), key=MODE_KEY, horizontal=True, label_visibility="collapsed",
             on_change=_mode_changed, args=(period,))
    view = current_view()
    if st.session_state[MODE_KEY] == COMPARE:
        compare_panel(scenario, view, folder)
        with st.expander("Export this comparison or the map"):
            export_panel(scenario, view, folder)
        sync_query(view)
        return
    frames = frames_to_play(scenario, view, period)  # may stop play: before the Play button is drawn
    time_controls(period)
    composed = compose(scenario, view, viewport_size=(st.session_state.get("map_width", MAP_WIDTH), MAP_HEIGHT),
                       parts=SHARED)
    tables = window_tables(scenario, view.start, view.end, view.keep)
    st.markdown(_status(view, composed.routes))

    map_column, side_column = st.columns([3.3, 1])
    with map_column:
        _show_map(scenario, composed, view, frames)
    with side_column:
        _side_panel(scenario, composed, view, tables)
        with st.expander("Reach: range rings and the air bridge", expanded=bool(view.rings or view.reach),
                         key="reach_expander"):
            reach_panel(scenario, composed)
        with st.expander("Export this view"):
            export_panel(scenario, view, folder)

    st.vega_lite_chart(timeline_spec(weekly_counts(scenario, view.keep), (view.start, view.end), period),
                       width="stretch")
    table_tab, change_tab, sources_tab = st.tabs(["Movements", "What changed", "Sources"])
    with table_tab:
        show_movements(lambda: composed.movements, tables.counts.under_way, tables.table,
                       f"movements_{view.start}_{view.end}")
    with change_tab:
        left, right = st.columns(2)
        left.dataframe(tables.by_category, hide_index=True, width="stretch")
        right.dataframe(tables.by_destination, hide_index=True, width="stretch")
    with sources_tab:
        st.markdown(tables.sources, unsafe_allow_html=True)
    sync_query(view)
    if scenario.database is not None:
        scenario.database.prefetch(view.start, view.end, view.keep)


def _status(view: MapView, routes) -> str:
    if st.session_state.get("playing"):
        return f"**▶ Playing from {view.start:%d %b %Y}** · the map's caption gives the frame on screen"
    status = (f"**{view.start:%d %b %Y} – {view.end:%d %b %Y}** · {count_text(routes)} · "
              f"zones and holders as of {view.end:%d %b %Y}")
    if len(routes.drawn) < routes.total_routes:
        status += f" · showing the {len(routes.drawn):,} busiest of {routes.total_routes:,} routes"
    return status


def main_panel(scenario: Scenario, folder: Path | None) -> None:
    """`folder`: the scenario's files (town checks for Compare)."""
    contained_fragment(_render, scenario, folder)


def counts_html(counts: WindowCounts) -> str:
    """The window's figures, each saying what it counts."""
    unnumbered = f" (+{plural(counts.people_unnumbered, 'move')} without a number)" if counts.people_unnumbered else ""
    cells = [(f"{counts.under_way:,}", "under way in the window"), (f"{counts.started:,}", "started in it"),
             (f"{counts.people:,}", f"troops moved{unnumbered}")]
    figures = "<div style='display:flex;gap:14px;margin-bottom:4px'>" + "".join(
        f"<div><div style='font-size:1.5rem;font-weight:600;line-height:1.1'>{value}</div>"
        f"<div style='font-size:.72rem;opacity:.7'>{html.escape(label)}</div></div>" for value, label in cells) + "</div>"
    equipment = " · ".join(f"{category} {number:,}" for category, number in counts.equipment.items())
    # Quantities, not movements: one movement may stand for nine flights.
    note = (f"<div style='font-size:.75rem;opacity:.75;margin-bottom:8px'>Quantities moved: {html.escape(equipment)} "
            "(summed over the movements that started in the window)</div>") if equipment else ""
    return figures + note


def title(scenario: Scenario) -> None:
    meta = scenario.meta
    st.markdown(
        "<style>.block-container{padding-top:1.2rem;padding-bottom:1rem}"
        "section[data-testid=stSidebar] .block-container{padding-top:1rem}</style>"
        f"<div style='font-size:1.35rem;font-weight:650;margin:0'>{html.escape(meta.title)}</div>"
        f"<div style='opacity:.7;font-size:.8rem;margin-bottom:.3rem'>{html.escape(meta.caveat)}</div>",
        unsafe_allow_html=True)
