"""Movements folded into routes and drawn as arcs.

Many movements on one route (same ends, same category) become one arc with a
count, so what is sent to the browser grows with the routes on screen, not
with the number of records. The busiest `max_routes` are drawn; the rest are
counted so the map can say what it leaves out.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pydeck as pdk

from geodata.schema import CATEGORIES, CONFIDENCES
from layers.style import CATEGORY_COLORS, CONFIDENCE_ALPHA, PIXELS
from layers.tooltip import fields

LAYER_ID: Final = "routes"


@dataclass(frozen=True)
class RouteLook:
    max_routes: int = 500
    min_width: float = 1.5
    max_width: float = 14.0
    source_alpha_share: float = 0.25  # the start of an arc is fainter than its end: direction at a glance


@dataclass(frozen=True)
class Routes:
    drawn: pd.DataFrame  # one row per drawn route
    total_routes: int
    total_movements: int


def _summaries(route: np.ndarray, values: pd.Series, limit: int = 3) -> dict[int, str]:
    """Per route: its first few distinct non-empty values, joined ("a; b; c; +2 more")."""
    codes, uniques = pd.factorize(values)  # on integer codes: a million strings are not compared
    texts = ["", *(value if isinstance(value, str) else "" for value in uniques)]
    stride = len(texts)
    found: dict[int, list[str]] = {}
    for key in pd.unique(route * stride + codes + 1).tolist():  # first appearance first
        key_route, code = divmod(key, stride)
        if texts[code]:
            found.setdefault(key_route, []).append(texts[code])
    return {key: "; ".join(items[:limit]) + (f"; +{len(items) - limit} more" if len(items) > limit else "")
            for key, items in found.items()}


def _confidence_counts(route: np.ndarray, confidence: pd.Series) -> dict[int, str]:
    """Per route: how many movements carry each confidence word ("3 confirmed, 1 claimed")."""
    keys, position = np.unique(route, return_inverse=True)
    table = np.bincount(position * len(CONFIDENCES) + confidence.cat.codes.to_numpy(),
                        minlength=len(keys) * len(CONFIDENCES)).reshape(len(keys), len(CONFIDENCES))
    return {key: ", ".join(f"{n} {w}" for n, w in zip(counts, CONFIDENCES) if n)
            for key, counts in zip(keys.tolist(), table.tolist())}


def fold_routes(movements: pd.DataFrame, places: pd.DataFrame, max_routes: int = RouteLook.max_routes, *,
                summarise: bool = True) -> Routes:
    """Group movements by (origin, destination, category); keep the busiest routes.

    Grouping runs on integer codes; text is summarised only for the routes drawn,
    so the cost follows what is drawn rather than how many records the window holds.
    Animation frames have no tooltips and skip the text (`summarise=False`).
    """
    if movements.empty:
        return Routes(pd.DataFrame(), 0, 0)
    categories = len(CATEGORIES)
    route = ((movements["origin_code"].to_numpy(np.int64) * len(places)
              + movements["destination_code"].to_numpy(np.int64)) * categories
             + movements["category"].cat.codes.to_numpy(np.int64))
    frame = pd.DataFrame({
        "route": route,
        "date": movements["date"].to_numpy(),
        "until": movements["until"].to_numpy(),
        "quantity": movements["quantity"].to_numpy(dtype=float, na_value=np.nan),
        "confidence_rank": movements["confidence"].cat.codes.to_numpy(),
    })
    grouped = frame.groupby("route", sort=False)
    routes = pd.DataFrame({
        "count": grouped.size(),
        "quantity": grouped["quantity"].sum(min_count=1),
        "first": grouped["date"].min(),
        "last": grouped["until"].max(),
        "confidence_rank": grouped["confidence_rank"].min(),
    })
    total = len(routes)
    routes = routes.sort_values(["count", "last"], ascending=False, kind="stable").head(max_routes)
    if summarise:
        drawn = np.isin(route, routes.index.to_numpy())
        drawn_route, drawn_rows = route[drawn], movements[drawn]
        for column in ("asset", "source", "mode"):
            routes[f"{column}s"] = routes.index.map(_summaries(drawn_route, drawn_rows[column])).fillna("")
        routes["confidences"] = routes.index.map(_confidence_counts(drawn_route, drawn_rows["confidence"]))
    origin = (routes.index.to_numpy() // categories) // len(places)
    destination = (routes.index.to_numpy() // categories) % len(places)
    for end, codes in (("origin", origin), ("destination", destination)):
        for column in ("name", "lat", "lon"):
            routes[f"{end}_{column}"] = places[column].to_numpy()[codes]
        routes[f"{end}_key"] = places["key"].to_numpy()[codes]
    routes["category"] = np.asarray(CATEGORIES)[routes.index.to_numpy() % categories]
    routes["confidence"] = np.asarray(CONFIDENCES)[routes["confidence_rank"].to_numpy()]
    return Routes(routes.reset_index(), total, len(movements))


def _place(name: str, lat: float, lon: float) -> str:
    return name or f"{lat:.2f}, {lon:.2f} (not a base)"


def _width(count: np.ndarray, look: RouteLook) -> np.ndarray:
    return np.clip(look.min_width + 2.2 * np.log2(count), look.min_width, look.max_width)


def _rows(routes: pd.DataFrame) -> list:
    """The routes as tuples of plain Python values: itertuples over Arrow-backed columns is slow."""
    row = namedtuple("Route", routes.columns)
    return [row(*values) for values in zip(*(routes[column].tolist() for column in routes.columns))]


def _arc_records(routes: pd.DataFrame, look: RouteLook) -> list[dict]:
    """Geometry and look only: what an animation frame needs."""
    widths = _width(routes["count"].to_numpy(dtype=float), look) if len(routes) else []
    return [{
        "s": [round(row.origin_lon, 4), round(row.origin_lat, 4)],
        "t": [round(row.destination_lon, 4), round(row.destination_lat, 4)],
        "c": list(CATEGORY_COLORS.get(row.category, CATEGORY_COLORS["other"])),
        "a": CONFIDENCE_ALPHA[row.confidence],
        "w": round(float(width), 1),
    } for row, width in zip(_rows(routes), widths)]


def route_records(routes: pd.DataFrame, look: RouteLook, *, for_html: bool) -> list[dict]:
    """One compact record per arc with its tooltip; colours are finished in the browser from `c` and `a`."""
    records = []
    for row, arc in zip(_rows(routes), _arc_records(routes, look)):
        origin = _place(row.origin_name, row.origin_lat, row.origin_lon)
        destination = _place(row.destination_name, row.destination_lat, row.destination_lon)
        dates = f"{row.first:%d %b %Y}" + ("" if row.last == row.first else f" – {row.last:%d %b %Y}")
        quantity = "" if pd.isna(row.quantity) else f", quantity {int(row.quantity):,}"
        movements = "1 movement" if row.count == 1 else f"{row.count:,} movements"
        records.append({
            "route": int(row.route),
            **arc,
            **fields(f"{origin} → {destination}", f"{row.category} by {row.modes} · {movements}{quantity}",
                     f"{dates} · {row.confidences}", f"{row.assets} · {row.sources}", for_html=for_html),
        })
    return records


def routes_layer(routes: pd.DataFrame, look: RouteLook = RouteLook(), *, for_html: bool = False,
                 animated: bool = False) -> pdk.Layer:
    return pdk.Layer(
        "ArcLayer",
        id=LAYER_ID,
        data=_arc_records(routes, look) if animated else route_records(routes, look, for_html=for_html),
        get_source_position="s",
        get_target_position="t",
        get_source_color=f"[c[0], c[1], c[2], a * {look.source_alpha_share}]",
        get_target_color="[c[0], c[1], c[2], a]",
        get_width="w",
        num_segments=24,
        great_circle=True,  # the shortest path on the globe, curved on the flat map for long routes
        width_units=PIXELS,
        pickable=not animated,
        auto_highlight=not animated,
    )
