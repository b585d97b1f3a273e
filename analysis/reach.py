"""The air bridge: which destinations a system reaches from some bases on a day, by which stopovers.

For each destination, the shortest route from any origin whose every leg is
within the system's range and clear of the airspace closed to the actor that
day, with at most `stops` stopovers. An aircraft stops only at air bases and
airports that the actor holds or is present at that day, or that the query
allows (a friendly state's airport); `without` removes bases, for the "what if
we lose Hmeimim" question.

Strict by default: a leg is the geodesic between two bases, and one that
crosses a binding closure cannot be flown. With `detour`, a leg may bend round
closed airspace without landing, through turn points, and counts that length.

Pure: scenario and query in, routes out. The command line, the dashboard's
Reach panel and the exports all call `find_routes`.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd

from analysis.airspace import Airspace, Closure, Point, closures_on, geodesic_km
from geodata import Scenario

DEFAULT_STOPS: Final = 2
MAX_STOPS: Final = 6
AIRFIELDS: Final = frozenset({"air base", "airport"})  # where an aircraft can stop over


class ReachError(ValueError):
    """A query the scenario cannot answer: unknown id, a system without a range. One line.

    `field` names the ReachQuery field (or 'day') it is about, so each caller can name its own control.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReachQuery:
    system: str
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    actor: str = ""  # '' = who holds the first origin that day (its operator if nobody does)
    allow: frozenset[str] = frozenset()
    without: frozenset[str] = frozenset()
    stops: int = DEFAULT_STOPS
    detour: bool = False


@dataclass(frozen=True)
class Leg:
    start: str
    end: str
    km: float
    turns: tuple[Point, ...] = ()  # lon, lat of each turn point of a detour, in order


@dataclass(frozen=True)
class Blocked:
    """Why the nearest last leg to an unreachable destination cannot be flown."""

    start: str
    end: str
    km: float  # the geodesic's length
    reason: str  # "longer than the range", "crosses closed airspace: …", "removed", …


@dataclass(frozen=True)
class Route:
    destination: str
    reachable: bool
    legs: tuple[Leg, ...] = ()
    blocked: Blocked | None = None

    @property
    def km(self) -> float | None:
        return round(sum(leg.km for leg in self.legs), 1) if self.reachable else None

    @property
    def stopovers(self) -> tuple[str, ...]:
        return tuple(leg.end for leg in self.legs[:-1])


@dataclass(frozen=True)
class Reach:
    query: ReachQuery
    day: dt.date
    actor: str
    range_km: float
    routes: tuple[Route, ...]

    def as_json(self) -> dict:
        """{"routes": [{"destination", "reachable", "legs": [[FROM, TO, KM], ...], "km"}]}, km to 0.1."""
        return {"routes": [{"destination": route.destination, "reachable": route.reachable,
                            "legs": [[leg.start, leg.end, round(leg.km, 1)] for leg in route.legs],
                            "km": route.km} for route in self.routes]}


def point_text(point: Point) -> str:
    lon, lat = point
    lon = (lon + 180) % 360 - 180
    return f"{abs(lat):.2f}°{'N' if lat >= 0 else 'S'} {abs(lon):.2f}°{'E' if lon >= 0 else 'W'}"


def leg_text(leg: Leg) -> str:
    via = f" via {', '.join(point_text(p) for p in leg.turns)}" if leg.turns else ""
    return f"{leg.start} → {leg.end} {leg.km:,.1f} km{via}"


def route_text(route: Route) -> str:
    """One line: the legs and the total, or why the destination is out of reach."""
    if route.reachable:
        if not route.legs:
            return f"{route.destination}: is an origin, 0.0 km"
        legs = "; ".join(leg_text(leg) for leg in route.legs)
        return f"{route.destination}: {legs}; total {route.km:,.1f} km"
    blocked = route.blocked
    if blocked is None or not blocked.start:
        return f"{route.destination}: unreachable ({blocked.reason if blocked else 'no origin left'})"
    return (f"{route.destination}: unreachable; shortest last leg {blocked.start} → {blocked.end} "
            f"{blocked.km:,.1f} km {blocked.reason}")


def side_of(scenario: Scenario, base: str, day: dt.date) -> str:
    """Who holds `base` on `day`, or its operator in bases.csv when nobody does."""
    holder = scenario.sites_on(day).at[base, "holder"]
    return holder or str(scenario.bases.at[base, "operator"])


def usable_bases(scenario: Scenario, actor: str, day: dt.date) -> frozenset[str]:
    """The bases `actor` holds or is present at on `day`."""
    sites = scenario.sites_on(day)
    uses = (sites["holder"] == actor) | sites["present"].map(lambda present: actor in present)
    return frozenset(sites.index[uses])


def main_side(scenario: Scenario) -> str:
    """The actor that holds or is present at the most bases over the scenario's period: whose reach the map
    shows unless the analyst picks another side. Ties go to the actor listed first in actors.csv."""
    table = scenario.presence
    first, last = pd.Timestamp(scenario.meta.start), pd.Timestamp(scenario.meta.end)
    overlaps = (table["from"].isna() | (table["from"] <= last)) & (table["to"].isna() | (table["to"] >= first))
    counts = table[overlaps].groupby("actor")["base"].nunique()
    ranked = [actor for actor in scenario.actors.index if actor in counts.index]
    return max(ranked, key=lambda actor: counts[actor]) if ranked else str(scenario.actors.index[0])


def check_query(scenario: Scenario, query: ReachQuery, day: dt.date) -> float:
    """The system's range; raises ReachError naming the first unknown id or missing figure."""
    if query.system not in scenario.systems.index:
        raise ReachError("system", f"unknown system {query.system!r}")
    range_km = scenario.systems.at[query.system, "range_km"]
    if pd.isna(range_km):
        raise ReachError("system", f"{query.system!r} has no range in systems.csv: no reach to compute")
    for field, ids in (("origins", query.origins), ("destinations", query.destinations),
                       ("allow", query.allow), ("without", query.without)):
        unknown = sorted(base for base in ids if base not in scenario.bases.index)
        if unknown:
            raise ReachError(field, f"unknown base {unknown[0]!r}")
    for field, ids in (("origins", query.origins), ("destinations", query.destinations)):
        if not ids:
            raise ReachError(field, "give at least one base")
    if query.actor and query.actor not in scenario.actors.index:
        raise ReachError("actor", f"unknown actor {query.actor!r}")
    if not 0 <= query.stops <= MAX_STOPS:
        raise ReachError("stops", f"{query.stops}: from 0 to {MAX_STOPS}")
    if not scenario.meta.start <= day <= scenario.meta.end:
        raise ReachError("day", f"{day} is outside the scenario's period {scenario.meta.start} to {scenario.meta.end}")
    return float(range_km)


class _Legs:
    """Every leg the search asks about, worked out once: direct when clear, else round the closures."""

    def __init__(self, scenario: Scenario, airspace: Airspace, range_km: float, detour: bool) -> None:
        self.bases, self.airspace, self.range_km, self.detour = scenario.bases, airspace, range_km, detour
        self._known: dict[tuple[str, str], Leg | Blocked] = {}

    def _point(self, base: str) -> Point:
        return float(self.bases.at[base, "lon"]), float(self.bases.at[base, "lat"])

    def geodesic(self, start: str, ends: list[str]) -> np.ndarray:
        return geodesic_km(np.repeat([self._point(start)], len(ends), axis=0), [self._point(end) for end in ends])

    def leg(self, start: str, end: str) -> Leg | Blocked:
        pair = (min(start, end), max(start, end))  # a leg and its reverse cross the same airspace
        if pair not in self._known:
            self._known[pair] = self._work_out(*pair)
        found = self._known[pair]
        if found.start == start:
            return found
        turns = tuple(reversed(found.turns)) if isinstance(found, Leg) else ()
        return replace(found, start=start, end=end, **({"turns": turns} if isinstance(found, Leg) else {}))

    def _work_out(self, start: str, end: str) -> Leg | Blocked:
        km = float(self.geodesic(start, [end])[0])
        if km > self.range_km:
            return Blocked(start, end, km, f"is longer than the range ({self.range_km:,.0f} km)")
        countries = (str(self.bases.at[start, "country"]), str(self.bases.at[end, "country"]))
        binding = self.airspace.binding(countries)
        a, b = np.array([self._point(start)]), np.array([self._point(end)])
        crossed = self.airspace.crossed(a, b, [binding])[0] if binding else ()
        if not crossed:
            return Leg(start, end, km)
        if self.detour:
            found = self.airspace.detour(self._point(start), self._point(end), binding, self.range_km)
            if found is not None:
                return Leg(start, end, found[0], found[1])
            return Blocked(start, end, km, f"crosses closed airspace ({', '.join(crossed)}) "
                                           f"and no way round it is within the range")
        return Blocked(start, end, km, f"crosses closed airspace: {', '.join(crossed)}")


def airspace_on(scenario: Scenario, actor: str, day: dt.date) -> Airspace:
    """The airspace closed to `actor` on `day`, kept while the closures stay the same: the detours found
    for one day (or query) serve the next."""
    return _airspace(closures_on(scenario.airspace, actor, day))


@functools.lru_cache(maxsize=8)
def _airspace(closures: tuple[Closure, ...]) -> Airspace:
    return Airspace(closures)


def _stopovers(scenario: Scenario, query: ReachQuery, actor: str, day: dt.date) -> frozenset[str]:
    places = usable_bases(scenario, actor, day) | query.allow
    if scenario.systems.at[query.system, "kind"] == "aircraft":
        places = frozenset(base for base in places if scenario.bases.at[base, "kind"] in AIRFIELDS)
    return frozenset(places) - query.without


def find_routes(scenario: Scenario, query: ReachQuery, day: dt.date) -> Reach:
    """For each destination, the shortest route within range and open airspace; see the module's note."""
    range_km = check_query(scenario, query, day)
    actor = query.actor or side_of(scenario, query.origins[0], day)
    legs = _Legs(scenario, airspace_on(scenario, actor, day), range_km, query.detour)
    origins = [base for base in dict.fromkeys(query.origins) if base not in query.without]
    stopovers = _stopovers(scenario, query, actor, day)
    targets = [base for base in dict.fromkeys(query.destinations) if base not in query.without]
    places = sorted(set(origins) | stopovers | set(targets))

    # Dijkstra over (base, legs flown), legs worked out lazily: a leg is first queued at its geodesic
    # length, a lower bound, and worked out only when it comes up, so most detours are never searched.
    queue: list[tuple[float, int, str, int, tuple[Leg, ...], str, float]] = []
    for origin in sorted(origins):
        queue.append((0.0, len(queue), origin, 0, (), "", 0.0))
    heapq.heapify(queue)
    order = len(queue)  # ties go to the first queued, so answers do not depend on the set's order
    settled: dict[str, int] = {}  # base -> fewest legs flown to it so far, among its settled states
    arrived: dict[str, tuple[Leg, ...]] = {}
    while queue and len(arrived) < len(targets):
        total, _, base, flown, path, pending_from, before = heapq.heappop(queue)
        if pending_from:
            leg = legs.leg(pending_from, base)
            if isinstance(leg, Leg):
                heapq.heappush(queue, (before + leg.km, order, base, flown, (*path, leg), "", 0.0))
                order += 1
            continue
        if settled.get(base, math.inf) <= flown:
            continue  # reached before with no more legs and no more km
        settled[base] = flown
        if base in targets and base not in arrived:
            arrived[base] = path
        if flown > query.stops or (flown > 0 and base not in stopovers):
            continue  # the last leg, or a place where the aircraft cannot stop
        visited = {leg.start for leg in path}
        nexts = [other for other in places if other != base and other not in visited
                 and ((flown < query.stops and other in stopovers) or other in targets)]
        for other, km in zip(nexts, legs.geodesic(base, nexts) if nexts else []):
            if km <= range_km:
                heapq.heappush(queue, (total + float(km), order, other, flown + 1, path, base, total))
                order += 1

    departures = {base: flown for base, flown in settled.items()
                  if flown <= query.stops and (flown == 0 or base in stopovers)}
    routes = []
    for target in dict.fromkeys(query.destinations):
        if target in arrived:
            routes.append(Route(target, True, arrived[target]))
        else:
            routes.append(Route(target, False, blocked=_why(target, query, origins, departures, legs)))
    return Reach(query, day, actor, range_km, tuple(routes))


def _why(target: str, query: ReachQuery, origins: list[str], departures: dict[str, int], legs: _Legs) -> Blocked:
    """The shortest last leg into `target` from anywhere the search could fly on from, and why it fails."""
    if target in query.without:
        return Blocked("", target, math.nan, "taken away: a 'without' base")
    if not origins:
        return Blocked("", target, math.nan, "every origin is a 'without' base")
    starts = [base for base in departures if base != target]
    if not starts:
        return Blocked("", target, math.nan, "no base to fly on from")
    nearest = starts[int(np.argmin(legs.geodesic(target, starts)))]
    leg = legs.leg(nearest, target)
    assert isinstance(leg, Blocked), "the search flies on from every departure: an open last leg is found"
    return leg


def with_and_without(scenario: Scenario, query: ReachQuery, day: dt.date) -> tuple[Reach, Reach | None]:
    """The routes with every base, and without the query's `without` bases (None when it removes none)."""
    every = find_routes(scenario, replace(query, without=frozenset()), day)
    return every, (find_routes(scenario, query, day) if query.without else None)
