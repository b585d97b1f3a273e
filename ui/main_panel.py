"""The main area: time controls, the map with its side panel, the timeline and the tables.

It is one fragment so that a slider step or an animation tick redraws only this
area; while playing, the fragment reruns itself on a timer.
"""

from __future__ import annotations

import html

import streamlit as st

from geodata import Scenario
from layers.view import MAP_HEIGHT, compose
from ui.charts import timeline_chart, weekly_counts
from ui.export_panel import export_panel
from ui.legend import legend_html
from ui.session import current_view, sync_query
from ui.story import show_story
from ui.tables import breakdown, change_counts, show_movements, sources_html
from ui.time_controls import SPEEDS, advance_if_playing, time_controls



def _picked_base(event) -> str | None:
    objects = (event.selection or {}).get("objects", {}) if event else {}
    picked = objects.get("bases") or []
    return str(picked[0].get("id")) if picked else None


def _follow_selection(event) -> None:
    """A click on a base opens its story; the story stays until closed or another base is clicked."""
    picked = _picked_base(event)
    if picked != st.session_state.get("last_pick"):
        st.session_state["last_pick"] = picked
        if picked is not None:
            st.session_state["selected_base"] = picked


def _close_story() -> None:
    st.session_state["selected_base"] = None


def _side_panel(scenario: Scenario, composed, view) -> None:
    base_id = st.session_state.get("selected_base")
    if base_id in scenario.bases.index:
        st.button("✕ Close", key="close_story", on_click=_close_story)
        show_story(scenario, base_id, composed.movements, (view.start, view.end))
        return
    counts = change_counts(composed.movements)
    st.markdown(counts_html(counts), unsafe_allow_html=True)
    st.markdown(legend_html(scenario, composed.actors_shown, composed.categories_shown), unsafe_allow_html=True)
    st.caption("Click a base for its story.")


def _render(scenario: Scenario) -> None:
    period = (scenario.meta.start, scenario.meta.end)
    advance_if_playing(period)
    time_controls(period)
    if _play_interval() != st.session_state.get("fragment_interval"):
        st.rerun(scope="app")  # play, pause or a new speed: re-register the fragment's timer
    view = current_view()
    composed = compose(scenario, view)
    routes = composed.routes
    status = (f"**{view.start:%d %b %Y} – {view.end:%d %b %Y}** · {routes.total_movements:,} movements on "
              f"{routes.total_routes:,} routes · zones as of {view.end:%d %b %Y}")
    if len(routes.drawn) < routes.total_routes:
        status += f" · showing the {len(routes.drawn):,} busiest of {routes.total_routes:,} routes"
    st.markdown(status)

    map_column, side_column = st.columns([3.3, 1])
    with map_column:
        event = st.pydeck_chart(composed.deck, on_select="rerun", selection_mode="single-object", key="map",
                                height=MAP_HEIGHT)
    _follow_selection(event)
    with side_column:
        _side_panel(scenario, composed, view)
        with st.expander("Export this view"):
            export_panel(scenario, view)

    st.altair_chart(timeline_chart(weekly_counts(scenario, view.keep), (view.start, view.end), period),
                    width="stretch")
    table_tab, change_tab, sources_tab = st.tabs(["Movements", "What changed", "Sources"])
    with table_tab:
        show_movements(composed.movements, f"movements_{view.start}_{view.end}")
    with change_tab:
        left, right = st.columns(2)
        left.dataframe(breakdown(composed.movements, "category"), hide_index=True, width="stretch")
        right.dataframe(breakdown(composed.movements, "destination"), hide_index=True, width="stretch")
    with sources_tab:
        texts = [*composed.movements["source"], *composed.zones["source"]]
        st.markdown(sources_html(texts, limit=40), unsafe_allow_html=True)
    sync_query(view)


def _play_interval() -> float | None:
    if not st.session_state.get("playing", False):
        return None
    return SPEEDS[st.session_state.get("play_speed", "normal")]


def main_panel(scenario: Scenario) -> None:
    interval = _play_interval()
    st.session_state["fragment_interval"] = interval
    st.fragment(run_every=interval)(_render)(scenario)


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
