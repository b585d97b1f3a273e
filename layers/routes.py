"""Movements folded into routes and drawn as arcs.

Many movements on one route (same ends, same category) become one arc with a
count, so what is sent to the browser grows with the routes on screen, not
with the number of records. The busiest `max_routes` are drawn; the rest are
counted so the map can say what it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pydeck as pdk

from layers.style import CATEGORY_COLORS, CONFIDENCE_ALPHA, PIXELS
from layers.tooltip import fields
from geodata.schema import CONFIDENCES

LAYER_ID: Final = "routes"


@dataclass(frozen=True)
class RouteLook:
    max_routes: int = 1500
    min_width: float = 1.5
    max_width: float = 14.0
    source_alpha_share: float = 0.25  # the start of an arc is fainter than its end: direction at a glance
    height: float = 0.35
    tilt: float = 60.0  # curves every arc to its right, so A→B and B→A do not overlap on a flat map


@dataclass(frozen=True)
class Routes:
    drawn: pd.DataFrame  # one row per drawn route
    total_routes: int
    total_movements: int


def _end_key(frame: pd.DataFrame, end: str) -> pd.Series:
    """A base id, or the rounded point for ends that are not bases."""
    point = frame[f"{end}_lat"].round(3).astype(str) + "," + frame[f"{end}_lon"].round(3).astype(str)
    return frame[end].where(frame[end] != "", point)


def _join_unique(values: pd.Series, limit: int = 3) -> str:
    unique = [v for v in dict.fromkeys(values.dropna().astype(str)) if v]
    more = len(unique) - limit
    return "; ".join(unique[:limit]) + (f"; +{more} more" if more > 0 else "")


def fold_routes(movements: pd.DataFrame, max_routes: int = RouteLook.max_routes) -> Routes:
    """Group movements by (origin, destination, category); keep the busiest routes."""
    if movements.empty:
        return Routes(pd.DataFrame(), 0, 0)
    frame = movements.assign(
        origin_key=_end_key(movements, "origin"),
        destination_key=_end_key(movements, "destination"),
        confidence_rank=movements["confidence"].map({word: i for i, word in enumerate(CONFIDENCES)}),
    )
    key = ["origin_key", "destination_key", "category"]
    grouped = frame.groupby(key, sort=False, observed=True)
    routes = grouped.agg(
        count=("id", "size"),
        quantity=("quantity", lambda q: q.sum(min_count=1)),
        first=("date", "min"),
        last=("until", "max"),
        confidence_rank=("confidence_rank", "min"),
        origin_lat=("origin_lat", "first"), origin_lon=("origin_lon", "first"),
        destination_lat=("destination_lat", "first"), destination_lon=("destination_lon", "first"),
        origin_name=("origin_name", "first"), destination_name=("destination_name", "first"),
    ).reset_index()
    total = len(routes)
    routes = routes.sort_values(["count", "last"], ascending=False, kind="stable").head(max_routes)
    # Text summaries only for the routes that are drawn: cheap even for huge windows.
    drawn_rows = frame.merge(routes[key], on=key)
    text = drawn_rows.groupby(key, sort=False, observed=True).agg(
        assets=("asset", _join_unique), sources=("source", _join_unique), modes=("mode", _join_unique),
        confidences=("confidence", lambda c: ", ".join(f"{n} {w}" for w, n in c.value_counts().items())),
    ).reset_index()
    routes = routes.merge(text, on=key, how="left")
    routes["confidence"] = [CONFIDENCES[int(rank)] for rank in routes["confidence_rank"]]
    return Routes(routes, total, len(movements))


def _place(name: str, lat: float, lon: float) -> str:
    return name or f"{lat:.2f}, {lon:.2f} (not a base)"


def _width(count: np.ndarray, look: RouteLook) -> np.ndarray:
    return np.clip(look.min_width + 2.2 * np.log2(count), look.min_width, look.max_width)


def route_records(routes: pd.DataFrame, look: RouteLook, *, for_html: bool) -> list[dict]:
    records = []
    widths = _width(routes["count"].to_numpy(dtype=float), look) if len(routes) else []
    for row, width in zip(routes.itertuples(index=False), widths):
        color = CATEGORY_COLORS.get(row.category, CATEGORY_COLORS["other"])
        alpha = CONFIDENCE_ALPHA[row.confidence]
        origin = _place(row.origin_name, row.origin_lat, row.origin_lon)
        destination = _place(row.destination_name, row.destination_lat, row.destination_lon)
        dates = f"{row.first:%d %b %Y}" + ("" if row.last == row.first else f" – {row.last:%d %b %Y}")
        quantity = "" if pd.isna(row.quantity) else f", quantity {int(row.quantity):,}"
        movements = "1 movement" if row.count == 1 else f"{row.count:,} movements"
        records.append({
            "source": [round(row.origin_lon, 4), round(row.origin_lat, 4)],
            "target": [round(row.destination_lon, 4), round(row.destination_lat, 4)],
            "source_color": [*color, int(alpha * look.source_alpha_share)],
            "target_color": [*color, alpha],
            "width": round(float(width), 2),
            **fields(
                f"{origin} → {destination}",
                f"{row.category} by {row.modes} · {movements}{quantity}",
                f"{dates} · {row.assets} · {row.confidences}",
                row.sources,
                for_html=for_html,
            ),
        })
    return records


def routes_layer(routes: pd.DataFrame, look: RouteLook = RouteLook(), *, for_html: bool = False) -> pdk.Layer:
    return pdk.Layer(
        "ArcLayer",
        id=LAYER_ID,
        data=route_records(routes, look, for_html=for_html),
        get_source_position="source",
        get_target_position="target",
        get_source_color="source_color",
        get_target_color="target_color",
        get_width="width",
        get_height=look.height,
        get_tilt=look.tilt,
        width_units=PIXELS,
        pickable=True,
        auto_highlight=True,
    )
