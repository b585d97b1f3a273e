"""The dashboard's state in the URL query string, so a reload or a shared link shows the same view.

Parsing never fails: a bad or stale value falls back to its default and adds a
short notice naming the parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from analysis.changes import Side, SideError, check_order, default_sides, parse_side
from analysis.reach import DEFAULT_STOPS, MAX_STOPS, ReachQuery
from geodata import MovementFilter, Scenario
from geodata.schema import CATEGORIES, CONFIDENCES, MODES
from geodata.windows import default_window
from layers.mercator import Camera
from layers.rings import parse_rings, rings_text
from layers.style import THEMES
from layers.view import LAYER_TOGGLES, MapView

LIST_PARAMS = {"category": "categories", "mode": "modes", "confidence": "confidences",
               "operator": "operators", "base": "bases"}


@dataclass(frozen=True)
class ParsedQuery:
    view: MapView
    selected_base: str | None = None
    notices: list[str] = field(default_factory=list)


def _allowed(scenario: Scenario) -> dict[str, set[str]]:
    return {"category": set(CATEGORIES), "mode": set(MODES), "confidence": set(CONFIDENCES),
            "operator": set(scenario.actors.index), "base": set(scenario.bases.index)}


def parse_query(params: Mapping[str, str], scenario: Scenario) -> ParsedQuery:
    notices: list[str] = []
    meta = scenario.meta

    def date_param(name: str, default: dt.date) -> dt.date:
        if name not in params:
            return default
        try:
            value = dt.date.fromisoformat(params[name])
        except ValueError:
            notices.append(f"Ignored '{name}': not a date.")
            return default
        if not meta.start <= value <= meta.end:
            notices.append(f"Ignored '{name}': outside the scenario's period.")
            return default
        return value

    first, last = default_window(meta.period)
    start, end = date_param("from", first), date_param("to", last)
    if end < start:
        notices.append("Ignored 'from'/'to': the window ended before it started.")
        start, end = first, last

    allowed = _allowed(scenario)
    chosen = {}
    for param, attribute in LIST_PARAMS.items():
        values = [v for v in params.get(param, "").split(",") if v]
        unknown = [v for v in values if v not in allowed[param]]
        if unknown:
            notices.append(f"Ignored unknown {param} value(s): {', '.join(unknown[:3])}.")
        chosen[attribute] = frozenset(v for v in values if v in allowed[param])

    show = frozenset(LAYER_TOGGLES)
    if "layers" in params:
        wanted = {v for v in params["layers"].split(",") if v}
        if wanted - set(LAYER_TOGGLES):
            notices.append("Ignored unknown layer name(s).")
        show = frozenset(wanted & set(LAYER_TOGGLES))

    theme = params.get("theme", "light")
    if theme not in THEMES:
        notices.append("Ignored 'theme': use light or dark.")
        theme = "light"

    camera = None
    if any(k in params for k in ("lat", "lon", "zoom")):
        try:
            camera = Camera(float(params["lat"]), float(params["lon"]), float(params["zoom"]))
            if not camera.in_range():
                raise ValueError
        except (KeyError, ValueError):
            notices.append("Ignored the camera: lat, lon and zoom must be given together, in range.")
            camera = None

    base = params.get("selected")
    if base is not None and base not in scenario.bases.index:
        notices.append("Ignored 'selected': no such base in this scenario.")
        base = None

    view = MapView(start=start, end=end, keep=MovementFilter(**chosen), show=show, theme=theme, camera=camera,
                   online_tiles=params.get("tiles") == "online", **parse_reach(params, scenario, notices))
    return ParsedQuery(view, base, notices)


# Range rings and the air bridge: rings=BASE:WHAT,..., side=ACTOR, reach=SYSTEM with reach_from, reach_to,
# reach_without, reach_allow (base ids), reach_stops (0–6) and reach_detour=1.
REACH_LISTS = {"reach_from": "origins", "reach_to": "destinations", "reach_without": "without", "reach_allow": "allow"}


def parse_reach(params: Mapping[str, str], scenario: Scenario, notices: list[str]) -> dict:
    """The MapView fields `rings`, `side` and `reach`; bad values are left out with a notice."""
    rings, problems = parse_rings(params.get("rings", ""), scenario)
    notices += [f"Ignored a ring: {problem}." for problem in problems[:3]]
    side = params.get("side", "")
    if side and side not in scenario.actors.index:
        notices.append("Ignored 'side': no such actor in this scenario.")
        side = ""
    return {"rings": rings, "side": side, "reach": _reach_query(params, scenario, notices)}


def _reach_query(params: Mapping[str, str], scenario: Scenario, notices: list[str]) -> ReachQuery | None:
    system = params.get("reach")
    if system is None:
        return None
    if system not in scenario.systems.index:
        notices.append("Ignored 'reach': no such system in this scenario.")
        return None
    ids = {}
    for param, name in REACH_LISTS.items():
        values = [v for v in params.get(param, "").split(",") if v]
        unknown = [v for v in values if v not in scenario.bases.index]
        if unknown:
            notices.append(f"Ignored unknown {param} base(s): {', '.join(unknown[:3])}.")
        ids[name] = tuple(v for v in values if v in scenario.bases.index)
    try:
        stops = int(params.get("reach_stops", DEFAULT_STOPS))
        if not 0 <= stops <= MAX_STOPS:
            raise ValueError
    except ValueError:
        notices.append(f"Ignored 'reach_stops': a whole number from 0 to {MAX_STOPS}.")
        stops = DEFAULT_STOPS
    if not ids["origins"] or not ids["destinations"]:
        notices.append("Ignored 'reach': it needs reach_from and reach_to.")
        return None
    return ReachQuery(system, ids["origins"], ids["destinations"], allow=frozenset(ids["allow"]),
                      without=frozenset(ids["without"]), stops=stops, detour=params.get("reach_detour") == "1")


def reach_params(view: MapView) -> dict[str, str]:
    """The rings, side and air bridge of `view` as query parameters; only what is set."""
    params = {"rings": rings_text(view.rings)} if view.rings else {}
    if view.side:
        params["side"] = view.side
    query = view.reach
    if query is not None:
        params["reach"] = query.system
        for param, name in REACH_LISTS.items():
            values = getattr(query, name)
            if values:
                params[param] = ",".join(values if isinstance(values, tuple) else sorted(values))
        if query.stops != DEFAULT_STOPS:
            params["reach_stops"] = str(query.stops)
        if query.detour:
            params["reach_detour"] = "1"
    return params


def to_query(view: MapView, selected_base: str | None) -> dict[str, str]:
    """Only what differs from the defaults, to keep shared links short."""
    params = {"from": view.start.isoformat(), "to": view.end.isoformat()}
    for param, attribute in LIST_PARAMS.items():
        values = getattr(view.keep, attribute)
        if values:
            params[param] = ",".join(sorted(values))
    if view.show != frozenset(LAYER_TOGGLES):
        params["layers"] = ",".join(sorted(view.show))
    if view.theme != "light":
        params["theme"] = view.theme
    if view.camera is not None:
        params.update(lat=f"{view.camera.latitude:.4f}", lon=f"{view.camera.longitude:.4f}",
                      zoom=f"{view.camera.zoom:.2f}")
    if view.online_tiles:
        params["tiles"] = "online"
    if selected_base:
        params["selected"] = selected_base
    params.update(reach_params(view))
    return params


COMPARE_PARAM = "compare"


def parse_compare(params: Mapping[str, str], scenario: Scenario,
                  day: dt.date) -> tuple[tuple[Side, Side] | None, list[str]]:
    """`compare=A,B` (each a day, or a window A1/A2): the sides of the Compare mode, or None for the map.

    A bad value still opens Compare, on the default sides (a month before `day`, and `day`), with a notice.
    """
    if COMPARE_PARAM not in params:
        return None, []
    period = scenario.meta.period
    parts = params[COMPARE_PARAM].split(",")
    try:
        if len(parts) != 2:
            raise SideError("give two dates or windows, A,B")
        a, b = (parse_side(part, period) for part in parts)
        check_order(a, b)
    except SideError as err:
        return default_sides(period, day), [f"Ignored 'compare': {err}."]
    return (a, b), []


def compare_query(sides: tuple[Side, Side] | None) -> dict[str, str]:
    return {COMPARE_PARAM: f"{sides[0].query},{sides[1].query}"} if sides else {}
