"""Small charts: movements per week by category, with the selected window shaded."""

from __future__ import annotations

import copy
import datetime as dt
import functools

import altair as alt
import pandas as pd

from geodata import MovementFilter, Scenario
from layers.style import CATEGORY_COLORS, rgb_to_hex


@functools.lru_cache(maxsize=32)
def weekly_counts(scenario: Scenario, keep: MovementFilter) -> pd.DataFrame:
    """Movements per week and category over the whole period (cached per filter)."""
    if scenario.database is not None:  # counted where the movements are
        return scenario.database.weekly_counts(*scenario.meta.period, keep)
    movements = scenario.movements_in(*scenario.meta.period, keep)
    weeks = movements["date"].dt.to_period("W-SUN").dt.start_time
    counts = movements.groupby([weeks.rename("week"), "category"], observed=True).size()
    return counts.rename("movements").reset_index()


def _category_scale() -> alt.Scale:
    return alt.Scale(domain=list(CATEGORY_COLORS), range=[rgb_to_hex(c) for c in CATEGORY_COLORS.values()])


def _period_scale(period: tuple[dt.date, dt.date]) -> alt.Scale:
    return alt.Scale(domain=[pd.Timestamp(period[0]).isoformat(), pd.Timestamp(period[1]).isoformat()])


def _window_frame(window: tuple[dt.date, dt.date]) -> pd.DataFrame:
    return pd.DataFrame({"start": [pd.Timestamp(window[0])], "end": [pd.Timestamp(window[1])]})


def _window_shade(data: pd.DataFrame | alt.NamedData) -> alt.Chart:
    # No scale of its own: it shares the bars' period scale (two copies of a domain conflict in Vega-Lite).
    return alt.Chart(data).mark_rect(opacity=0.18, color="#3b6fb6").encode(x="start:T", x2="end:T")


def timeline_spec(counts: pd.DataFrame, window: tuple[dt.date, dt.date], period: tuple[dt.date, dt.date],
                  height: int = 140) -> dict:
    """The weekly chart as a Vega-Lite spec for `st.vega_lite_chart`; only its data changes with a step."""
    datasets = {"counts": counts, "window": _window_frame(window)}
    return {**copy.deepcopy(_timeline_layout(period, height)), "datasets": datasets}


@functools.lru_cache(maxsize=8)
def _timeline_layout(period: tuple[dt.date, dt.date], height: int) -> dict:
    """Built and validated by Altair once: that took a fifth of a slider step's server time."""
    x_scale = _period_scale(period)
    shade = _window_shade(alt.NamedData("window"))
    bars = alt.Chart(alt.NamedData("counts")).mark_bar().encode(
        x=alt.X("week:T", title=None, scale=x_scale),
        y=alt.Y("sum(movements):Q", title="per week", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("category:N", scale=_category_scale(), legend=None),
        tooltip=[alt.Tooltip("week:T", title="week of"), "category:N", alt.Tooltip("sum(movements):Q", title="movements")],
    )
    return alt.layer(shade, bars).properties(height=height).to_dict()


def base_timeline(movements: pd.DataFrame, base_id: str, window: tuple[dt.date, dt.date],
                  period: tuple[dt.date, dt.date]) -> alt.LayerChart:
    """In and out movements of one base per month over the whole period."""
    involved = movements[(movements["origin"] == base_id) | (movements["destination"] == base_id)]
    direction = involved["destination"].eq(base_id).map({True: "in", False: "out"})
    months = involved["date"].dt.to_period("M").dt.start_time
    counts = involved.groupby([months.rename("month"), direction.rename("direction")]).size()
    counts = counts.rename("movements").reset_index()
    x_scale = _period_scale(period)
    shade = _window_shade(_window_frame(window))
    bars = alt.Chart(counts).mark_bar().encode(
        # A narrow column: a few month ticks, not one per month on top of each other.
        x=alt.X("month:T", title=None, scale=x_scale,
                axis=alt.Axis(format="%b %y", tickCount={"interval": "month", "step": 3}, labelAngle=0,
                              labelOverlap="greedy")),
        y=alt.Y("movements:Q", title=None, axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("direction:N", scale=alt.Scale(domain=["in", "out"], range=["#1a9850", "#d7301f"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), "direction:N", "movements:Q"],
    )
    return alt.layer(shade, bars).properties(height=150)
