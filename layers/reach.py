"""The air bridge on the map: the routes `analysis.reach` finds, as dashed geodesics, and where they end.

`reach_marks` is the one description of what is drawn; the map's layers and the
static export renderer draw its records as they are. deck.gl's dashed-line
extension is not in the bundled deck.gl, so the dashes are geometry: pieces of
each leg's geodesic, `dash` pixels long with `gap` pixels between at the map's
zoom. With bases taken away, legs flown either way are drawn in ink, legs only
the full set of bases allows in orange, and legs of the way round in blue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pydeck as pdk

from analysis.airspace import geodesic_km, geodesic_paths
from analysis.reach import Leg, Reach, point_text
from geodata import Scenario
from geodata.geodesy import distance_text
from layers.bases import short_name
from layers.mercator import metres_per_pixel
from layers.style import FONT_FAMILY, PIXELS, RGB, Theme, literal
from layers.tooltip import fields

LEG_LAYER_ID: Final = "reach-legs"
END_LAYER_ID: Final = "reach-ends"
LABEL_LAYER_ID: Final = "reach-labels"
ONLY_WITH: Final[RGB] = (230, 97, 1)  # legs and destinations lost without the bases taken away
ONLY_WITHOUT: Final[RGB] = (33, 113, 181)  # the way round once they are gone
REACHED: Final[RGB] = (26, 152, 80)
UNREACHABLE: Final[RGB] = (215, 48, 39)
DASH_LATITUDE: Final = 30.0  # dashes are sized in km for this latitude: the theatre's middle


@dataclass(frozen=True)
class ReachLook:
    width: float = 3.0
    dash: float = 12.0  # pixels at the map's zoom
    gap: float = 7.0
    marker_radius: float = 16.0
    marker_width: float = 3.0
    label_size: float = 12.0
    label_halo: float = 2.5


@dataclass(frozen=True)
class ReachMarks:
    every: Reach  # with every base
    without: Reach | None  # without the bases the query takes away, when it takes any
    legs: tuple[dict, ...]  # one record per dash
    ends: tuple[dict, ...]  # one record per destination
    kinds: tuple[tuple[str, RGB, str], ...]  # (label, colour, swatch) of what is drawn, for the legend
    note: str


def _name(scenario: Scenario, base: str) -> str:
    return short_name(str(scenario.bases.at[base, "name"]))


def _names(scenario: Scenario, bases) -> str:
    return ", ".join(_name(scenario, base) for base in sorted(bases))


def leg_path(scenario: Scenario, leg: Leg, step_km: float) -> np.ndarray:
    """The leg on the ground: geodesics through its turn points, longitudes continuous from its start."""
    bases = scenario.bases
    corners = np.array([(bases.at[leg.start, "lon"], bases.at[leg.start, "lat"]), *leg.turns,
                        (bases.at[leg.end, "lon"], bases.at[leg.end, "lat"])], float)
    points, _ = geodesic_paths(corners[:-1], corners[1:], step_km)
    points[:, 0] = points[0, 0] + np.concatenate([[0.0], np.cumsum((np.diff(points[:, 0]) + 180) % 360 - 180)])
    return points


def dashes(path: np.ndarray, dash_km: float, gap_km: float) -> list[np.ndarray]:
    """Pieces of `path` `dash_km` long, `gap_km` apart, measured along the ground."""
    along = np.concatenate([[0.0], np.cumsum(geodesic_km(path[:-1], path[1:]))])
    period = dash_km + gap_km
    pieces = []
    for start in np.arange(0.0, along[-1], period):
        inside = (along >= start) & (along <= min(start + dash_km, along[-1]))
        if inside.sum() >= 2:
            pieces.append(path[inside])
    return pieces


def _leg_kinds(every: Reach, without: Reach | None) -> dict[Leg, str]:
    """Each leg drawn: 'both' (flown with and without the bases), 'with' (only with them), 'without'."""
    flown = {leg for route in every.routes for leg in route.legs}
    if without is None:
        return {leg: "both" for leg in flown}
    after = {leg for route in without.routes for leg in route.legs}
    return {**{leg: "without" for leg in after - flown}, **{leg: "with" for leg in flown - after},
            **{leg: "both" for leg in flown & after}}


def reach_marks(scenario: Scenario, every: Reach, without: Reach | None, theme: Theme, zoom: float, *,
                look: ReachLook = ReachLook(), for_html: bool) -> ReachMarks:
    query = (without or every).query
    system = scenario.systems.loc[query.system]
    km_per_pixel = metres_per_pixel(DASH_LATITUDE, zoom) / 1000
    dash_km, gap_km = look.dash * km_per_pixel, look.gap * km_per_pixel
    gone = _names(scenario, query.without) if without is not None else ""
    colors = {"both": theme.text, "with": ONLY_WITH, "without": ONLY_WITHOUT}
    kind_words = {"both": f"flown with and without {gone}" if gone else "within range, airspace open",
                  "with": f"only with {gone}", "without": f"without {gone}"}
    source = f"{system['name']}, {every.range_km:,.0f} km · {system['confidence']} · {system['source']}"
    destinations_of: dict[Leg, list[str]] = {}
    for reach in (every, without) if without is not None else (every,):
        for route in reach.routes:
            for leg in route.legs:
                destinations_of.setdefault(leg, [])
                if route.destination not in destinations_of[leg]:
                    destinations_of[leg].append(route.destination)

    legs = []
    kinds = _leg_kinds(every, without)
    for leg, kind in sorted(kinds.items(), key=lambda item: (item[1] != "both", item[0].start, item[0].end)):
        turns = f" · round closed airspace via {', '.join(point_text(p) for p in leg.turns)}" if leg.turns else ""
        tooltip = fields(f"{_name(scenario, leg.start)} → {_name(scenario, leg.end)}",
                         f"{distance_text(leg.km, 'air')} · {kind_words[kind]}{turns}",
                         f"on the way to {_names(scenario, destinations_of[leg])} · {every.day:%-d %b %Y}",
                         source, for_html=for_html)
        for piece in dashes(leg_path(scenario, leg, dash_km / 4), dash_km, gap_km):
            legs.append({"path": [[round(x, 4), round(y, 4)] for x, y in piece], "color": [*colors[kind], 235],
                         **tooltip})

    ends = []
    lost = {route.destination for route in without.routes if not route.reachable} if without is not None else set()
    for route in every.routes:
        base = scenario.bases.loc[route.destination]
        status = ("lost" if route.reachable and route.destination in lost else
                  "reached" if route.reachable else "unreachable")
        color = {"reached": REACHED, "lost": ONLY_WITH, "unreachable": UNREACHABLE}[status]
        after = next((r for r in without.routes if r.destination == route.destination), None) if without else None
        words = [f"{route.km:,.0f} km, {len(route.stopovers)} stopover{'s' * (len(route.stopovers) != 1)}"
                 if route.reachable else "unreachable"]
        if after is not None:
            words.append(f"without {gone}: " + (f"{after.km:,.0f} km" if after.reachable else "unreachable"))
        stops = len(route.stopovers)
        label = f"{route.km:,.0f} km · {stops} stop{'s' * (stops != 1)}" if route.reachable else "unreachable"
        if status == "lost":
            label += f" · lost without {gone}"
        ends.append({
            "position": [round(float(base["lon"]), 4), round(float(base["lat"]), 4)],
            "color": [*color, 255],
            "status": status,
            "label": label,
            **fields(_name(scenario, route.destination), " · ".join(words),
                     _route_detail(scenario, route), source, for_html=for_html),
        })
    shown = []
    for kind in ("both", "with", "without"):
        if kind in kinds.values():
            shown.append((f"leg {kind_words[kind]}" if kind != "both" or gone else "leg: within range, airspace open",
                          colors[kind], "line"))
    for status, label, color in (("reached", "destination reached", REACHED),
                                 ("lost", f"reached only with {gone}", ONLY_WITH),
                                 ("unreachable", "destination out of reach", UNREACHABLE)):
        if any(end["status"] == status for end in ends):
            shown.append((label, color, "area"))
    return ReachMarks(every, without, tuple(legs), tuple(ends), tuple(shown), reach_note(scenario, every, without))


def _route_detail(scenario: Scenario, route) -> str:
    if route.reachable:
        return " → ".join([_name(scenario, leg.start) for leg in route.legs] + [_name(scenario, route.destination)])
    blocked = route.blocked
    if blocked is None or not blocked.start:
        return blocked.reason if blocked else ""
    return f"nearest last leg {_name(scenario, blocked.start)} → {_name(scenario, blocked.end)}, " \
           f"{blocked.km:,.0f} km, {blocked.reason}"


def reach_note(scenario: Scenario, every: Reach, without: Reach | None) -> str:
    """What the routes assume, in one line: system, origins, day, stopovers, legs."""
    query = (without or every).query
    system = short_name(str(scenario.systems.at[query.system, "name"]))
    legs = "legs may bend round closed airspace" if query.detour else "straight legs"
    allowed = f" (+ {_names(scenario, query.allow)})" if query.allow else ""
    return (f"{system}, {every.range_km:,.0f} km, from {_names(scenario, query.origins)} on {every.day:%-d %b %Y}; "
            f"≤ {query.stops} stopovers{allowed}; {legs}")


def reach_layers(marks: ReachMarks, theme: Theme, look: ReachLook = ReachLook()) -> list[pdk.Layer]:
    labels = [{"position": end["position"], "text": end["label"], "color": end["color"]} for end in marks.ends]
    return [
        pdk.Layer("PathLayer", id=LEG_LAYER_ID, data=list(marks.legs), get_path="path", get_color="color",
                  get_width=look.width, width_units=PIXELS, cap_rounded=True, pickable=True, auto_highlight=True),
        pdk.Layer("ScatterplotLayer", id=END_LAYER_ID, data=list(marks.ends), get_position="position",
                  get_line_color="color", get_radius=look.marker_radius, radius_units=PIXELS, stroked=True,
                  filled=False, line_width_units=PIXELS, get_line_width=look.marker_width, pickable=True),
        pdk.Layer("TextLayer", id=LABEL_LAYER_ID, data=labels, get_position="position", get_text="text",
                  get_color="color", get_size=look.label_size, size_units=PIXELS, font_family=FONT_FAMILY,
                  font_weight=literal("bold"), get_text_anchor=literal("middle"),
                  get_alignment_baseline=literal("top"), get_pixel_offset=[0, look.marker_radius + 2],
                  character_set=literal("auto"), font_settings={"sdf": True}, outline_width=look.label_halo,
                  outline_color=[*theme.halo, 230]),
    ]
