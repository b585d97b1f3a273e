"""Compare mode: A and B side by side on one camera, the change map, and the change report.

Each side is a day (zones and holders as of it, the movements of the month up
to it) or a window; both maps are the dashboard's own map of that day or window
(`compose`), and the change map is `layers/changes.py`'s. The three maps move
together; the first reports the camera, so links and exports follow it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from analysis.changes import (MOVEMENT_DAYS, ChangeReport, Side, base_sources, base_text, change_report, headline,
                              holders_text, presence_text, report_csv, route_name, side_on, span_text, town_points)
from geodata import MovementFilter, Scenario
from geodata.windows import shift_date, shift_window
from layers.changes import ChangeMap, changes_camera, compose_changes
from layers.mercator import Camera
from layers.style import THEMES, rgb_to_hex
from layers.view import MapView, compose, default_camera
from ui.deck_map import layer_items, map_payload, reported_camera
from ui.legend import legend_html
from ui.map_element import deck_map
from ui.session import PERIOD_KEY, WINDOWS_KEY, compare_sides, side_key
from ui.shared_parts import SHARED
from ui.sidebar import move_camera

MAP_HEIGHT: Final = 430
MAP_WIDTH: Final = 560  # until the first map reports its width: half a laptop's main area
WIDTH_KEY: Final = "compare_width"
LINK: Final = "compare"
MAP_KEYS: Final = {"a": "compare_map_a", "b": "compare_map_b", "changes": "compare_map_changes"}
STEPS: Final = (("◀ mo", "month", -1), ("◀ wk", "week", -1), ("◀ d", "day", -1),
                ("d ▶", "day", 1), ("wk ▶", "week", 1), ("mo ▶", "month", 1))
MAX_ROUTES: Final = 15


def _camera_reported() -> None:
    """The first map reports the camera for all three; names are placed for its width."""
    reported = reported_camera((st.session_state.get(MAP_KEYS["a"]) or {}).get("camera"))
    if reported:
        st.session_state["camera"], st.session_state[WIDTH_KEY] = reported


def _step(name: str, unit: str, count: int, period: tuple[dt.date, dt.date]) -> None:
    windows = st.session_state[WINDOWS_KEY]
    key = side_key(name, windows)
    if windows:
        st.session_state[key] = shift_window(st.session_state[key], unit, count, period)
    else:
        st.session_state[key] = min(period[1], max(period[0], shift_date(st.session_state[key], unit, count)))


def _windows_toggled() -> None:
    """Days become the windows they stand for; windows become their last days."""
    windows, period = st.session_state[WINDOWS_KEY], st.session_state[PERIOD_KEY]
    for name in ("a", "b"):
        if windows:
            side = side_on(st.session_state[side_key(name, False)], period)
            st.session_state[side_key(name, True)] = (side.first, side.last)
        else:
            st.session_state[side_key(name, False)] = st.session_state[side_key(name, True)][1]


def _controls(period: tuple[dt.date, dt.date]) -> None:
    st.toggle("Windows", key=WINDOWS_KEY, on_change=_windows_toggled,
              help=f"Off: A and B are days; each map shows the movements of the {MOVEMENT_DAYS} days up to its day. "
                   "On: A and B are windows; zones and holders as of each window's last day.")
    windows = st.session_state[WINDOWS_KEY]
    for column, name in zip(st.columns(2, gap="medium"), ("a", "b")):
        with column:
            st.slider(name.upper(), min_value=period[0], max_value=period[1], key=side_key(name, windows),
                      step=dt.timedelta(days=1), format="D MMM YYYY")
            for button, (label, unit, count) in zip(st.columns(len(STEPS)), STEPS):
                button.button(label, key=f"compare_step_{name}_{unit}_{count}", on_click=_step,
                              args=(name, unit, count, period), width="stretch",
                              help=f"{name.upper()} a {unit} {'earlier' if count < 0 else 'later'}")


@functools.lru_cache(maxsize=4)
def _points(folder: Path | None) -> pd.DataFrame:
    return town_points(folder)


@functools.lru_cache(maxsize=16)
def _report(scenario: Scenario, a: Side, b: Side, keep: MovementFilter, folder: Path | None) -> ChangeReport:
    """Built once for every session that compares the same sides."""
    return change_report(scenario, a, b, _points(folder), keep)


@functools.lru_cache(maxsize=16)
def _change_map(scenario: Scenario, report: ChangeReport, theme: str, camera: Camera, width: int,
                relief: bool) -> ChangeMap:
    return compose_changes(report, scenario.actors, THEMES[theme], camera, viewport_size=(width, MAP_HEIGHT),
                           relief=relief)


def _show_map(deck, key: str, window: Side, view: MapView, camera: Camera) -> None:
    reports = key == MAP_KEYS["a"]
    payload = map_payload(deck, layer_items(deck.layers), camera=camera,
                          camera_key=st.session_state.get("camera_key", 0),
                          window=[window.first.isoformat(), window.last.isoformat()], theme=view.theme,
                          background=rgb_to_hex(THEMES[view.theme].water), online_tiles=view.online_tiles,
                          height=MAP_HEIGHT, link={"group": LINK, "reports": reports})
    deck_map(payload, key=key, **({"camera": _camera_reported} if reports else {}))


def _caption(name: str, side: Side) -> str:
    """'**B · 12 Feb 2026** · movements 14 Jan – 12 Feb 2026': zones and holders are as of the side's last day."""
    return f"**{name} · {side.label}** · {side.movements_label}"


def _headline_html(report: ChangeReport) -> str:
    cells = "".join(
        f"<div><div style='font-size:1.35rem;font-weight:600;line-height:1.1'>{html.escape(value)}</div>"
        f"<div style='font-size:.72rem;opacity:.7'>{html.escape(label)}</div></div>"
        for value, label in headline(report))
    return f"<div style='display:flex;gap:16px;flex-wrap:wrap;margin-bottom:6px'>{cells}</div>"


def _day(day: dt.date | None) -> str:
    return f"{day:%-d %b %Y}" if day else ""


def _tables(report: ChangeReport) -> dict[str, pd.DataFrame]:
    """What the report's tabs show, one table each."""
    land = pd.DataFrame([{"actor": report.name(a.actor), "km² at A": round(a.km2_a), "km² at B": round(a.km2_b),
                          "gained": round(a.gained), "lost": round(a.lost)} for a in report.actors])
    changed = pd.DataFrame([{"from → to": holders_text(c.old, c.new, report), "km²": round(c.km2),
                             "source": c.source} for c in report.land])
    bases = pd.DataFrame([{"base": c.name, "what changed": base_text(c, report),
                           "source": base_sources(c, report)} for c in report.bases])
    towns = pd.DataFrame([{"town": t.name, "from → to": holders_text(t.holder_a, t.holder_b, report),
                           "since": _day(t.date), "confidence": t.confidence, "source": t.source}
                          for t in report.towns])
    presences = pd.DataFrame([{"what": presence_text(e, report), "confidence": e.confidence, "source": e.source}
                              for e in report.presences])
    categories = pd.DataFrame([{"category": category, "A": a, "B": b} for category, (a, b)
                               in report.categories.items()])
    routes = pd.DataFrame([{"route": route_name(r), "A": r.a, "B": r.b, "change": f"{r.change:+d}"}
                           for r in report.routes[:MAX_ROUTES]])
    return {"land": land, "changed": changed, "bases": bases, "towns": towns, "presences": presences,
            "categories": categories, "routes": routes}


def _table(frame: pd.DataFrame, empty: str) -> None:
    if frame.empty:
        st.caption(empty)
        return
    numbers = frame.select_dtypes("number").columns
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={column: st.column_config.NumberColumn(format="%,d") for column in numbers})


def _report_view(report: ChangeReport) -> None:
    st.markdown(_headline_html(report), unsafe_allow_html=True)
    tables = _tables(report)
    land, bases, towns, presences, movements = st.tabs(["Land", "Bases", "Towns", "Presences", "Movements"])
    with land:
        _table(tables["land"], "No zones on either day.")
        _table(tables["changed"], "No land changed hands.")
    with bases:
        _table(tables["bases"], "No base changed holder or presences.")
    with towns:
        _table(tables["towns"], "No town changed hands.")
    with presences:
        _table(tables["presences"], "No presence started or ended.")
    with movements:
        st.caption(f"Movements under way: A {span_text(report.a.first, report.a.last)}, "
                   f"B {span_text(report.b.first, report.b.last)}.")
        _table(tables["categories"], "No movements in either window.")
        _table(tables["routes"], "No route changed.")
    name = f"changes_{report.a.query}_{report.b.query}.csv".replace("/", "_")
    st.download_button("Download the report (CSV)", lambda: report_csv(report), name, "text/csv",
                       key="compare_download", width="stretch")


def compare_panel(scenario: Scenario, view: MapView, folder: Path | None) -> None:
    """The Compare mode; `view` gives the filters, layers, theme and camera, `folder` the scenario's files."""
    period = scenario.meta.period
    _controls(period)
    a, b = compare_sides(period)
    if b.last < a.last:
        st.warning(f"B ({b.label}) is before A ({a.label}): move B later or A earlier.")
        return
    width = st.session_state.get(WIDTH_KEY, MAP_WIDTH)
    report = _report(scenario, a, b, view.keep, folder)
    camera = view.camera
    if camera is None:  # opened on the scenario's view: go to what changed, and keep that camera
        camera = st.session_state["camera"] = changes_camera(report, width, MAP_HEIGHT, default_camera(scenario))
    maps = st.columns(2, gap="medium")
    sides = {}
    for column, name, side in zip(maps, ("a", "b"), (a, b)):
        composed = compose(scenario, dataclasses.replace(view, start=side.first, end=side.last),
                           viewport_size=(width, MAP_HEIGHT), parts=SHARED)
        sides[name] = composed
        with column:
            st.markdown(_caption(name.upper(), side))
            _show_map(composed.deck, MAP_KEYS[name], side, view, camera)
    change_column, report_column = st.columns(2, gap="medium")
    with change_column:
        st.markdown(f"**What changed · {a.label} → {b.label}**")
        change_map = _change_map(scenario, report, view.theme, camera, width, "relief" in view.show)
        _show_map(change_map.deck, MAP_KEYS["changes"], b, view, camera)
        fit, _ = st.columns([1, 2])
        fit.button("Fit the changes", key="compare_fit", width="stretch", on_click=move_camera,
                   args=(changes_camera(report, width, MAP_HEIGHT, camera),),
                   help="Move the three maps to the land and bases that changed hands.")
        st.markdown(legend_html(change_map.legend()), unsafe_allow_html=True)
    with report_column:
        _report_view(report)
    with st.expander("Legend of the two maps"):
        left, right = st.columns(2)
        left.markdown(legend_html(sides["a"].legend()), unsafe_allow_html=True)
        right.markdown(legend_html(sides["b"].legend()), unsafe_allow_html=True)
