"""The date-window slider, step buttons and play/pause."""

from __future__ import annotations

import datetime as dt
from typing import Final

import streamlit as st

from ui.window import STEP_UNITS, at_end, shift_window

# Seconds per step. A tick that comes before the last step finished interrupts it, so the
# fastest speed stays above what one step costs in the browser.
SPEEDS: Final = {"slow": 1.5, "normal": 0.8, "fast": 0.5}


def _step(unit: str, count: int, period: tuple[dt.date, dt.date]) -> None:
    st.session_state["window"] = shift_window(st.session_state["window"], unit, count, period)


def _pause() -> None:
    st.session_state["playing"] = False


def _toggle_play(period: tuple[dt.date, dt.date]) -> None:
    playing = not st.session_state.get("playing", False)
    if playing and at_end(st.session_state["window"], period):
        # Play from the start when the window already stands at the end.
        start, end = st.session_state["window"]
        st.session_state["window"] = (period[0], period[0] + (end - start))
    st.session_state["playing"] = playing


def advance_if_playing(period: tuple[dt.date, dt.date]) -> None:
    """One animation step; stops at the end of the period."""
    if not st.session_state.get("playing"):
        return
    unit = st.session_state.get("play_unit", "week")
    st.session_state["window"] = shift_window(st.session_state["window"], unit, 1, period)
    if at_end(st.session_state["window"], period):
        st.session_state["playing"] = False
        st.rerun(scope="app")  # the timed fragment stops with the next full run


def time_controls(period: tuple[dt.date, dt.date]) -> None:
    st.slider("Window", min_value=period[0], max_value=period[1], key="window", step=dt.timedelta(days=1),
              format="D MMM YYYY", on_change=_pause, label_visibility="collapsed")
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
