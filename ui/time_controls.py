"""The date-window slider, step buttons and play/pause.

Play runs in the browser (`ui/play.py`); the callbacks here keep the slider in
step with what the map shows and let a pause keep the frame on screen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Final

import streamlit as st

from geodata import Scenario
from layers.view import MAP_HEIGHT, MAP_WIDTH, MapView
from ui.play import CHUNK_FRAMES, FIRST_CHUNK_FRAMES, play_chunk, play_token
from geodata.windows import STEP_UNITS, at_end, shift_window

# Seconds per step at least; a frame is never shown before the last one is drawn.
SPEEDS: Final = {"slow": 1.0, "normal": 0.4, "fast": 0.15}


def _step(unit: str, count: int, period: tuple[dt.date, dt.date]) -> None:
    if st.session_state.get("playing"):
        # The slider lags the animation; step from the frame on screen once the map reports it.
        _stop_at_frame()
        st.session_state["step_after_stop"] = (unit, count, period)
        return
    st.session_state["window"] = shift_window(st.session_state["window"], unit, count, period)


def _pause() -> None:
    """A slider move while playing: stop, and the user's window wins. (The slider stays where play
    started until then; the map's caption gives the frame on screen.)"""
    st.session_state["playing"] = False
    st.session_state["adopt_frame"] = False


def _stop_at_frame() -> None:
    st.session_state["playing"] = False
    # The window becomes the frame the map reports; the map keeps that frame until then,
    # through any rerun that comes first (a request for frames already on its way).
    st.session_state["adopt_frame"] = True


def _toggle_play(period: tuple[dt.date, dt.date]) -> None:
    if st.session_state.get("playing", False):
        _stop_at_frame()
        return
    if at_end(st.session_state["window"], period):
        # Play from the start when the window already stands at the end.
        start, end = st.session_state["window"]
        st.session_state["window"] = (period[0], period[0] + (end - start))
    st.session_state.update(playing=True, play_counter=st.session_state.get("play_counter", 0) + 1,
                            play_cursor=st.session_state["window"], play_token=None, play_chunk=None)


def _window(report: list[str]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(report[0]), dt.date.fromisoformat(report[1])


def play_progressed(report: dict) -> None:
    """The map asks for more frames: the next chunk starts after its last frame. The slider stays
    where play started (disabled) until the map reports where it stopped."""
    if st.session_state.get("playing") and report.get("token") == st.session_state.get("play_token"):
        st.session_state["play_cursor"] = _window(report["through"])


def play_stopped(report: dict) -> None:
    """The map stopped at the end, on Pause or on a step: the slider, counts and tables move to its last frame."""
    if report.get("token") != st.session_state.get("play_token"):
        return
    if st.session_state.get("playing") or st.session_state.get("adopt_frame"):
        st.session_state["window"] = _window(report["shown"])
        step = st.session_state.pop("step_after_stop", None)
        if step:
            unit, count, period = step
            st.session_state["window"] = shift_window(st.session_state["window"], unit, count, period)
    st.session_state["playing"] = False
    st.session_state["adopt_frame"] = False


def frames_to_play(scenario: Scenario, view: MapView, period: tuple[dt.date, dt.date]) -> dict | None:
    """The chunk of frames the map plays next, or None when not playing.

    Filters, layers or theme changed while playing stop the animation: frames prepared
    for the old view must not be mixed with the new one.
    """
    if not st.session_state.get("playing"):
        return None
    token = play_token(st.session_state.get("play_counter", 0), view)
    if st.session_state.get("play_token") not in (None, token):
        _pause()
        return None
    st.session_state["play_token"] = token
    start, end = st.session_state.get("play_cursor") or (view.start, view.end)
    cached = st.session_state.get("play_chunk")
    if cached and cached[:2] == (token, start):
        return cached[2]  # a rerun for another reason (a camera report, a click) sends the same frames
    first = (start, end) == (view.start, view.end)
    chunk = play_chunk(scenario, dataclasses.replace(view, start=start, end=end),
                       unit=st.session_state.get("play_unit", "week"), period=period, token=token,
                       interval=SPEEDS[st.session_state.get("play_speed", "normal")],
                       viewport_size=(st.session_state.get("map_width", MAP_WIDTH), MAP_HEIGHT),
                       count=FIRST_CHUNK_FRAMES if first else CHUNK_FRAMES)
    st.session_state["play_chunk"] = (token, start, chunk)
    return chunk


def time_controls(period: tuple[dt.date, dt.date]) -> None:
    # The default is the window itself: a browser that redraws the slider at its default (seen on first
    # loads, when a click arrives as the page settles) then reports no change, instead of the whole period.
    st.slider("Window", min_value=period[0], max_value=period[1], value=st.session_state["window"], key="window",
              step=dt.timedelta(days=1), format="D MMM YYYY", on_change=_pause, label_visibility="collapsed")
    buttons = st.columns([1, 1, 1, 1, 1, 1, 1.3, 1.3, 1.3])
    for column, (label, unit, count) in zip(buttons, (
            ("◀ month", "month", -1), ("◀ week", "week", -1), ("◀ day", "day", -1),
            ("day ▶", "day", 1), ("week ▶", "week", 1), ("month ▶", "month", 1))):
        column.button(label, key=f"step_{unit}_{count}", on_click=_step, args=(unit, count, period),
                      width="stretch")
    playing = st.session_state.get("playing", False)
    buttons[6].button("⏸ Pause" if playing else "▶ Play", key="play", on_click=_toggle_play, args=(period,),
                      type="primary", width="stretch")
    buttons[7].selectbox("Play step", STEP_UNITS, index=1, key="play_unit", label_visibility="collapsed")
    buttons[8].selectbox("Speed", list(SPEEDS), index=1, key="play_speed", label_visibility="collapsed")
