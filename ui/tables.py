"""The window's movements as a table with source links, downloads and 'what changed' counts."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analysis.counts import WindowCounts, counts_of, window_counts
from geodata import MovementFilter, Scenario
from geodata.downloads import URL, movements_csv, movements_geojson
from geodata.geodesy import KM_PER_NAUTICAL_MILE


def _first_link(text: str) -> str | None:
    match = URL.search(text)
    return match.group(0).rstrip(".") if match else None


def movements_table(movements: pd.DataFrame, limit: int = 300) -> pd.DataFrame:
    """The columns an analyst reads, newest first; capped so huge windows stay responsive."""
    shown = movements.sort_values("date", ascending=False).head(limit)

    def place(end: str) -> pd.Series:
        point = (shown[f"{end}_lat"].round(2).astype(str) + ", " + shown[f"{end}_lon"].round(2).astype(str)
                 + " (not a base: see notes)")
        return shown[f"{end}_name"].where(shown[f"{end}_name"] != "", point)

    return pd.DataFrame({
        "date": shown["date"].dt.date,
        "until": shown["end_date"].dt.date,
        "from": place("origin"),
        "to": place("destination"),
        "mode": shown["mode"],
        "category": shown["category"],
        "asset": shown["asset"],
        "quantity": shown["quantity"],
        "km": shown["distance_km"].round(0),
        "nm": (shown["distance_km"] / KM_PER_NAUTICAL_MILE).round(0).where(shown["mode"].isin(["air", "sea"])),
        "confidence": shown["confidence"],
        "source": shown["source"],
        "link": shown["source"].map(_first_link),
        "notes": shown["notes"],
    })


def show_movements(movements: Callable[[], pd.DataFrame], total: int, table: pd.DataFrame, file_stem: str) -> None:
    """`table` is `movements_table` of the `total` movements that `movements()` gives when a download asks."""
    if total > len(table):
        st.caption(f"Showing the newest {len(table):,} of {total:,} movements; downloads hold all.")
    st.dataframe(table, hide_index=True, width="stretch", height=320, column_config={
        "link": st.column_config.LinkColumn("link", display_text="open"),
        "quantity": st.column_config.NumberColumn(format="%d"),
        "km": st.column_config.NumberColumn("km", format="%,.0f", help="Geodesic distance (WGS84)"),
        "nm": st.column_config.NumberColumn("nm", format="%,.0f", help="Nautical miles, for air and sea"),
    })
    csv_col, geo_col, _ = st.columns([1, 1, 3])
    # Files are made only when clicked: a slider step must not pay for them.
    csv_col.download_button("Download CSV", lambda: movements_csv(movements()), f"{file_stem}.csv", "text/csv",
                            width="stretch")
    geo_col.download_button("Download GeoJSON", lambda: movements_geojson(movements()), f"{file_stem}.geojson",
                            "application/geo+json", width="stretch")


def breakdown(movements: pd.DataFrame, by: str) -> pd.DataFrame:
    """Movements and summed quantity per value of `by` ('category' or 'destination')."""
    key = movements["category"] if by == "category" else movements["destination_name"].where(
        movements["destination_name"] != "", "(not a base)")
    grouped = movements.groupby(key.rename(by), observed=True).agg(
        movements=("id", "size"), quantity=("quantity", "sum"))
    return grouped.sort_values("movements", ascending=False).reset_index()


def sources_html(texts: list[str], limit: int = 12) -> str:
    """Distinct sources as an escaped list; URLs become links."""
    items = []
    for text in list(dict.fromkeys(t for t in texts if t))[:limit]:
        link = _first_link(text)
        label = html.escape(text)
        if link:
            label = label.replace(html.escape(link), f"<a href='{html.escape(link)}' target='_blank' "
                                                     f"rel='noopener noreferrer'>{html.escape(link)}</a>")
        items.append(f"<li>{label}</li>")
    return "<ul style='padding-left:1.1em;font-size:0.85rem'>" + "".join(items) + "</ul>"


@dataclass(frozen=True)
class WindowTables:
    """What the counts and tables beside and under the map show for one window; shared by every
    session that shows it, so read, never modified."""

    table: pd.DataFrame
    by_category: pd.DataFrame
    by_destination: pd.DataFrame
    counts: WindowCounts
    sources: str  # escaped HTML


@functools.lru_cache(maxsize=32)
def window_tables(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter) -> WindowTables:
    """Built once per window for every session that shows it, like the window's arcs."""
    if scenario.database is not None:
        return _counted_by_database(scenario, start, end, keep)
    movements = scenario.movements_in(start, end, keep)
    texts = [*movements["source"], *scenario.zones_on(end)["source"]]
    return WindowTables(movements_table(movements), breakdown(movements, "category"),
                        breakdown(movements, "destination"), window_counts(movements, start),
                        sources_html(texts, limit=40))


def _counted_by_database(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter) -> WindowTables:
    """The same tables when the movements stay in a database: it counts them and sends the newest rows."""
    figures = scenario.database.figures(start, end, keep, newest=300, sources=40)
    counts = counts_of(figures.total, scenario.database.started_by_category(start, end, keep))
    texts = [*figures.sources, *scenario.zones_on(end)["source"]]
    return WindowTables(movements_table(figures.newest), figures.by_category, figures.by_destination, counts,
                        sources_html(texts, limit=40))
