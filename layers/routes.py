"""Movements drawn as arcs: one by one when the window is sparse, folded into routes when busy.

A window of at most `max_arcs` movements draws every movement as its own arc,
with its own date, confidence and source. A busier window folds movements on
one route (same ends, same category) into one arc with a count, so what is sent
to the browser grows with the routes on screen, not with the number of
records; the busiest `max_arcs` routes are drawn and the rest are counted.

Arcs bow to their right, so the two directions between two bases part, and
arcs that share both ends fan out: each stays in sight and answers a hover.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pydeck as pdk

from analysis.counts import plural
from geodata.geodesy import distance_text
from geodata.schema import CATEGORIES, CONFIDENCES
from layers.style import CATEGORY_COLORS, CONFIDENCE_ALPHA, PIXELS
from layers.tooltip import fields

LAYER_ID: Final = "routes"
KM_PER_DEGREE: Final = 111.2
BOW_RIGHT: Final = -90  # deck.gl tilt in degrees: the arc lies flat on the map, on its right side


@dataclass(frozen=True)
class RouteLook:
    max_arcs: int = 500
    min_width: float = 1.5
    max_width: float = 14.0
    full_width_at: int = 50  # an arc is drawn at full width only if it stands for this many movements
    source_alpha_share: float = 0.25  # the start of an arc is fainter than its end: direction at a glance
    bend: float = 0.22  # deck.gl's arc height as a share of the chord: flat on the map, its middle bows half that
    fan_step: float = 0.14  # more bend for each further arc between the same two ends
    fan_km: float = 60.0  # but its middle at most this much further out
    max_bend: float = 0.7


@dataclass(frozen=True)
class Routes:
    drawn: pd.DataFrame  # one row per arc: a movement if `one_by_one`, else a route
    total_routes: int
    total_movements: int
    one_by_one: bool


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


def _route_keys(movements: pd.DataFrame, places: pd.DataFrame) -> np.ndarray:
    """One integer per (origin, destination, category): grouping on integers, not strings."""
    return ((movements["origin_code"].to_numpy(np.int64) * len(places)
             + movements["destination_code"].to_numpy(np.int64)) * len(CATEGORIES)
            + movements["category"].cat.codes.to_numpy(np.int64))


def _numbers(movements: pd.DataFrame, route: np.ndarray) -> pd.DataFrame:
    """Per movement, on plain arrays: its route, dates, quantity and confidence rank."""
    return pd.DataFrame({
        "route": route,
        "first": movements["date"].to_numpy(),
        "last": movements["until"].to_numpy(),
        "quantity": movements["quantity"].to_numpy(dtype=float, na_value=np.nan),
        "confidence_rank": movements["confidence"].cat.codes.to_numpy(),
        "km": movements["distance_km"].to_numpy(dtype=float),
    })


def _single_arcs(movements: pd.DataFrame, numbers: pd.DataFrame) -> pd.DataFrame:
    """One arc per movement, oldest first, with its own words."""
    arcs = numbers.assign(
        count=1,
        **{f"{column}s": movements[column].fillna("").astype(str).to_numpy()
           for column in ("asset", "source", "mode")},
        confidences=movements["confidence"].astype(str).to_numpy(),
    )
    return arcs.sort_values("first", kind="stable").reset_index(drop=True)


def _folded_arcs(movements: pd.DataFrame, numbers: pd.DataFrame, max_arcs: int,
                 summarise: bool) -> tuple[pd.DataFrame, int]:
    """The busiest `max_arcs` routes with counts, and how many routes there are.

    Text is summarised only for the routes drawn, so the cost follows what is
    drawn rather than how many records the window holds.
    """
    grouped = numbers.groupby("route", sort=False)
    routes = pd.DataFrame({
        "count": grouped.size(),
        "quantity": grouped["quantity"].sum(min_count=1),
        "first": grouped["first"].min(),
        "last": grouped["last"].max(),
        "confidence_rank": grouped["confidence_rank"].min(),
        "km": grouped["km"].first(),  # one route, one pair of ends, one distance
    })
    total = len(routes)
    routes = routes.sort_values(["count", "last"], ascending=False, kind="stable").head(max_arcs)
    if summarise:
        route = numbers["route"].to_numpy()
        drawn = np.isin(route, routes.index.to_numpy())
        drawn_route, drawn_rows = route[drawn], movements[drawn]
        for column in ("asset", "source", "mode"):
            routes[f"{column}s"] = routes.index.map(_summaries(drawn_route, drawn_rows[column])).fillna("")
        routes["confidences"] = routes.index.map(_confidence_counts(drawn_route, drawn_rows["confidence"]))
    return routes.reset_index(), total


def eastward(origin_lon, destination_lon):
    """Degrees from origin to destination the short way round, across the antimeridian if need be."""
    return (destination_lon - origin_lon + 180) % 360 - 180


def _chord_km(arcs: pd.DataFrame) -> np.ndarray:
    """Roughly how far apart an arc's ends are; enough to size its fan."""
    mean_lat = np.radians((arcs["origin_lat"] + arcs["destination_lat"]).to_numpy(float) / 2)
    east = eastward(arcs["origin_lon"].to_numpy(float), arcs["destination_lon"].to_numpy(float)) * np.cos(mean_lat)
    north = (arcs["destination_lat"] - arcs["origin_lat"]).to_numpy(float)
    return np.hypot(east, north) * KM_PER_DEGREE


def _widths(count: np.ndarray, look: RouteLook) -> np.ndarray:
    """Width grows linearly with the movements an arc stands for, up to the window's busiest.

    Measured against the busiest arc, a busy window reads as a few wide routes among
    thin ones instead of a thicket of equally wide arcs; `full_width_at` keeps a quiet
    window's arcs thin.
    """
    busiest = max(int(count.max(initial=1)), look.full_width_at)
    return np.round(look.min_width + (look.max_width - look.min_width) * count / busiest, 1)


def _bends(ends: np.ndarray, chord_km: np.ndarray, look: RouteLook) -> np.ndarray:
    """How far each arc bows: arcs between the same two ends, in order, fan out from the first.

    A further arc's middle lies at most `fan_km` beyond the one before, so a long
    route's fan does not spread across the theatre.
    """
    pairs = pd.Series(ends)
    order = pairs.groupby(pairs, sort=False).cumcount().to_numpy()
    siblings = pairs.map(pairs.value_counts()).to_numpy()
    step = np.minimum.reduce([np.full(len(ends), look.fan_step),
                              (look.max_bend - look.bend) / np.maximum(siblings - 1, 1),
                              2 * look.fan_km / np.maximum(chord_km, 1.0)])  # the middle bows half the bend
    return np.round(look.bend + step * order, 4)


def movement_arcs(movements: pd.DataFrame, places: pd.DataFrame, look: RouteLook = RouteLook(), *,
                  summarise: bool = True) -> Routes:
    """The arcs of a window: its movements one by one if there are at most `look.max_arcs`,
    else its busiest routes. Animation frames have no tooltips and skip the text (`summarise=False`)."""
    if movements.empty:
        return Routes(pd.DataFrame(), 0, 0, one_by_one=True)
    numbers = _numbers(movements, _route_keys(movements, places))
    one_by_one = len(movements) <= look.max_arcs
    if one_by_one:
        arcs, total = _single_arcs(movements, numbers), numbers["route"].nunique()
    else:
        arcs, total = _folded_arcs(movements, numbers, look.max_arcs, summarise)
    return drawn_arcs(arcs, places, look, total, len(movements), one_by_one)


def drawn_arcs(arcs: pd.DataFrame, places: pd.DataFrame, look: RouteLook, total_routes: int, total_movements: int,
               one_by_one: bool) -> Routes:
    """Arcs counted and summarised (one per movement, or per route as a database folds them), keyed by
    route code into `places`, given their ends, colour words, bend and width. `arcs` itself is left as it
    is: a database window's arcs are cached, and the sessions of a process draw them at once."""
    arcs = arcs.copy()
    keys = arcs["route"].to_numpy()
    ends = keys // len(CATEGORIES)
    for end, codes in (("origin", ends // len(places)), ("destination", ends % len(places))):
        for column in ("name", "lat", "lon", "key"):
            arcs[f"{end}_{column}"] = places[column].to_numpy()[codes]
    arcs["category"] = np.asarray(CATEGORIES)[keys % len(CATEGORIES)]
    arcs["confidence"] = np.asarray(CONFIDENCES)[arcs["confidence_rank"].to_numpy()]
    arcs["bend"] = _bends(ends, _chord_km(arcs), look)
    arcs["width"] = _widths(arcs["count"].to_numpy(), look)
    return Routes(arcs, total_routes, total_movements, one_by_one)


def count_text(routes: Routes) -> str:
    """"12 movements on 3 routes", for status lines, animation frames and exports."""
    return f"{plural(routes.total_movements, 'movement')} on {plural(routes.total_routes, 'route')}"


def arc_meaning(routes: Routes) -> str:
    """What one arc stands for, for the legends."""
    if routes.one_by_one:
        return "one arc per movement"
    return f"one arc per route, widest = {int(routes.drawn['count'].max()):,} movements"


def _place(name: str, lat: float, lon: float) -> str:
    return name or f"{lat:.2f}, {lon:.2f} (not a base)"


def _rows(routes: pd.DataFrame) -> list:
    """The arcs as tuples of plain Python values: itertuples over Arrow-backed columns is slow."""
    row = _row_type(tuple(routes.columns))
    return [row(*values) for values in zip(*(routes[column].tolist() for column in routes.columns))]


@functools.lru_cache(maxsize=8)
def _row_type(columns: tuple[str, ...]) -> type:
    return namedtuple("Route", columns)  # a class made once: making one costs a millisecond


def arc_colors(category: str, confidence: str, look: RouteLook) -> tuple[list[int], list[int]]:
    """An arc's colour at its origin and at its destination: category hue, fainter for lower
    confidence, and fainter still at the origin so that direction reads at a glance."""
    color = list(CATEGORY_COLORS.get(category, CATEGORY_COLORS["other"]))
    alpha = CONFIDENCE_ALPHA[confidence]
    return [*color, round(alpha * look.source_alpha_share)], [*color, alpha]


def arc_records(routes: pd.DataFrame, look: RouteLook) -> list[dict]:
    """Geometry and look only: what an animation frame needs, and what every renderer draws."""
    records = []
    for row in _rows(routes):
        source_color, target_color = arc_colors(row.category, row.confidence, look)
        records.append({
            "s": [round(row.origin_lon, 4), round(row.origin_lat, 4)],
            "t": [round(row.destination_lon, 4), round(row.destination_lat, 4)],
            "sc": source_color,
            "tc": target_color,
            "w": row.width,
            "h": row.bend,
        })
    return records


def route_records(routes: pd.DataFrame, look: RouteLook, *, for_html: bool) -> list[dict]:
    """One compact record per arc with its tooltip."""
    records = []
    day_text = functools.lru_cache(maxsize=None)(lambda day: f"{day:%d %b %Y}")  # a window has few days
    quantified = routes["quantity"].notna().tolist()
    for row, arc, has_quantity in zip(_rows(routes), arc_records(routes, look), quantified):
        origin = _place(row.origin_name, row.origin_lat, row.origin_lon)
        destination = _place(row.destination_name, row.destination_lat, row.destination_lon)
        dates = day_text(row.first) + ("" if row.last == row.first else f" – {day_text(row.last)}")
        quantity = f" · quantity {int(row.quantity):,}" if has_quantity else ""
        movements = "" if row.count == 1 else f" · {row.count:,} movements"
        distance = distance_text(row.km, row.modes)
        records.append({
            **arc,
            **fields(f"{origin} → {destination}",
                     f"{row.category} by {row.modes}{movements}{quantity}" + (f" · {distance}" if distance else ""),
                     f"{dates} · {row.confidences}", " · ".join(part for part in (row.assets, row.sources) if part),
                     for_html=for_html),
        })
    return records


def routes_layer(routes: pd.DataFrame, look: RouteLook = RouteLook(), *, for_html: bool = False,
                 animated: bool = False) -> pdk.Layer:
    return pdk.Layer(
        "ArcLayer",
        id=LAYER_ID,
        data=arc_records(routes, look) if animated else route_records(routes, look, for_html=for_html),
        get_source_position="s",
        get_target_position="t",
        get_source_color="sc",
        get_target_color="tc",
        get_width="w",
        get_height="h",
        get_tilt=BOW_RIGHT,
        num_segments=24,
        wrap_longitude=True,  # across the antimeridian the short way, as the fan and the static map assume
        width_units=PIXELS,
        pickable=not animated,
        auto_highlight=not animated,
    )
