"""What changed between two dates: land, bases, towns, presences and movements.

A side of the comparison (A or B) is a day or a window of days. Zones and
holders are read as of its last day, as the map draws them; its movements are
those under way in the window. A single day stands for the `MOVEMENT_DAYS`
days up to and including it, cut at the scenario's start: a month of
movements, like the window the dashboard opens on.

Areas are km² on the WGS84 ellipsoid: each shape is projected with a Lambert
azimuthal equal-area projection centred on it, after its edges are cut into
pieces short enough to stay where the data draws them (straight in degrees).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from analysis.counts import plural
from briefing.table import short_place
from geodata import MovementFilter, Scenario
from geodata.downloads import inert
from geodata.presence import NO_HOLDER
from geodata.windows import shift_date
from layers.bases import short_name

MOVEMENT_DAYS: Final = 30
MAX_EDGE_DEGREES: Final = 0.25  # longer edges are cut before projecting, so they keep their course
MAX_ROUTES: Final = 10  # routes listed in the text report
MIN_CHANGE_KM2: Final = 1.0  # smaller pieces are slivers between two drawings of one border, not changes
NOBODY: Final = NO_HOLDER
STARTED, ENDED = "started", "ended"


class SideError(ValueError):
    """A date or window that cannot be compared; the message is one line."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: zones and holders as of `last`, movements from `first` to `last`."""

    first: dt.date
    last: dt.date
    single: bool = False  # given as one day: its movements are the MOVEMENT_DAYS up to it

    @property
    def query(self) -> str:
        """As written in a link or on the command line: '2026-02-12' or '2026-01-14/2026-02-12'."""
        return self.last.isoformat() if self.single else f"{self.first.isoformat()}/{self.last.isoformat()}"

    @property
    def label(self) -> str:
        return f"{self.last:%-d %b %Y}" if self.single else span_text(self.first, self.last)

    @property
    def movements_label(self) -> str:
        return f"movements {span_text(self.first, self.last)}"


def span_text(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first:%-d %b %Y}"
    if first.year == last.year:
        return f"{first:%-d %b} – {last:%-d %b %Y}"
    return f"{first:%-d %b %Y} – {last:%-d %b %Y}"


def side_on(day: dt.date, period: tuple[dt.date, dt.date]) -> Side:
    """A single day, with the movements of the MOVEMENT_DAYS up to it (from the period's start at most)."""
    return Side(max(period[0], day - dt.timedelta(days=MOVEMENT_DAYS - 1)), day, single=True)


def parse_side(text: str, period: tuple[dt.date, dt.date]) -> Side:
    """'YYYY-MM-DD' (a day) or 'YYYY-MM-DD/YYYY-MM-DD' (a window) inside `period`; raises SideError."""
    parts = [part.strip() for part in str(text).split("/")]
    try:
        days = [dt.date.fromisoformat(part) for part in parts]
    except ValueError:
        days = []
    if not 1 <= len(days) <= 2 or len(days) != len(parts):
        raise SideError(f"{text!r}: not a date (YYYY-MM-DD) or a window (YYYY-MM-DD/YYYY-MM-DD)")
    for day in days:
        if not period[0] <= day <= period[1]:
            raise SideError(f"{day}: outside the scenario's period {period[0]} to {period[1]}")
    if len(days) == 1:
        return side_on(days[0], period)
    if days[1] < days[0]:
        raise SideError(f"{text}: the window ends before it starts")
    return Side(days[0], days[1])


def default_sides(period: tuple[dt.date, dt.date], day: dt.date) -> tuple[Side, Side]:
    """A month ago and `day`: the delta of a monthly briefing."""
    return side_on(max(period[0], shift_date(day, "month", -1)), period), side_on(day, period)


def check_order(a: Side, b: Side) -> None:
    """B is the later side: its day may not come before A's."""
    if b.last < a.last:
        raise SideError(f"B ({b.query}) is before A ({a.query})")


# --- Areas ------------------------------------------------------------------------------------

def _centre(geometry) -> tuple[float, float]:
    """Longitude and latitude of the mean of the shape's vertices on the sphere: right across the antimeridian."""
    lon, lat = np.radians(shapely.get_coordinates(geometry)).T
    x, y, z = (np.cos(lat) * np.cos(lon)).mean(), (np.cos(lat) * np.sin(lon)).mean(), np.sin(lat).mean()
    return float(np.degrees(np.arctan2(y, x))), float(np.degrees(np.arctan2(z, np.hypot(x, y))))


@functools.lru_cache(maxsize=256)
def _equal_area(lon: float, lat: float) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m",
                                always_xy=True)


def area_km2(geometry) -> float:
    """The area of a lon/lat shape on the WGS84 ellipsoid, in km²."""
    if geometry is None or geometry.is_empty:
        return 0.0
    lon, lat = _centre(geometry)
    transformer = _equal_area(round(lon, 2), round(lat, 2))
    dense = shapely.segmentize(geometry, MAX_EDGE_DEGREES)
    projected = shapely.transform(dense, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    return float(projected.area) / 1e6


# --- The report -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorLand:
    actor: str
    km2_a: float
    km2_b: float
    gained: float
    lost: float


@dataclass(frozen=True)
class LandChange:
    """Land that `old` held at A and `new` holds at B ('' = nobody)."""

    old: str
    new: str
    km2: float
    geometry: object  # shapely, lon/lat
    source: str  # of the zones that show the land in its new hands (in its old ones, when nobody holds it now)


@dataclass(frozen=True)
class Step:
    """One change of hands: `new` holds from `date` (its first day)."""

    date: dt.date
    old: str
    new: str
    confidence: str
    source: str


@dataclass(frozen=True)
class BaseChange:
    base: str
    name: str
    lon: float
    lat: float
    holder_a: str
    holder_b: str
    present_a: tuple[str, ...]
    present_b: tuple[str, ...]
    steps: tuple[Step, ...]  # the changes of holder between A and B, oldest first

    @property
    def changed_hands(self) -> bool:
        return self.holder_a != self.holder_b


@dataclass(frozen=True)
class PresenceEvent:
    """An actor's forces arriving at a base (`date` = first day) or leaving it (`date` = last day)."""

    base: str
    name: str
    actor: str
    change: str  # STARTED or ENDED
    date: dt.date
    confidence: str
    source: str


@dataclass(frozen=True)
class TownChange:
    name: str
    lon: float
    lat: float
    holder_a: str
    holder_b: str
    date: dt.date  # first day of the zone that shows B's holder there
    zone: str  # that zone's label
    confidence: str
    source: str


@dataclass(frozen=True)
class RouteChange:
    origin: str  # place key: a base id, or 'lat,lon' for a point that is not a base
    destination: str
    origin_name: str
    destination_name: str
    origin_position: tuple[float, float]  # lon, lat
    destination_position: tuple[float, float]
    a: int  # movements under way in A's window
    b: int
    sources: str = ""  # of those movements, the first few

    @property
    def change(self) -> int:
        return self.b - self.a


@dataclass(frozen=True, eq=False)  # one report per computation: hashed by identity, for caches
class ChangeReport:
    a: Side
    b: Side
    names: dict[str, str]  # actor id -> name, for every actor named here
    actors: tuple[ActorLand, ...]  # largest net change first
    land: tuple[LandChange, ...]  # largest first
    bases: tuple[BaseChange, ...]
    presences: tuple[PresenceEvent, ...]  # oldest first
    towns: tuple[TownChange, ...]  # oldest change first
    categories: dict[str, tuple[int, int]]  # movements under way, in A's window and B's
    routes: tuple[RouteChange, ...]  # largest change first
    sources: tuple[str, ...] = field(default=())  # the records the changes rest on

    def name(self, actor: str) -> str:
        return self.names.get(actor, actor) if actor else "nobody"


def _holdings(zones) -> dict[str, object]:
    """Per actor, the union of its zones."""
    return {actor: shapely.union_all(shapely.make_valid(group.geometry.values))
            for actor, group in zones.groupby("actor", sort=True)}


def _land(scenario: Scenario, a: Side, b: Side) -> tuple[list[ActorLand], list[LandChange]]:
    zones_a, zones_b = scenario.zones_on(a.last), scenario.zones_on(b.last)
    held_a, held_b = _holdings(zones_a), _holdings(zones_b)
    empty = shapely.Polygon()
    actors, lost, gained = [], {}, {}
    for actor in sorted(set(held_a) | set(held_b)):
        before, after = held_a.get(actor, empty), held_b.get(actor, empty)
        lost[actor], gained[actor] = shapely.difference(before, after), shapely.difference(after, before)
        actors.append(ActorLand(actor, area_km2(before), area_km2(after), area_km2(gained[actor]),
                                area_km2(lost[actor])))
    all_a, all_b = shapely.union_all(list(held_a.values())), shapely.union_all(list(held_b.values()))
    pieces = [(old, new, shapely.intersection(lost[old], gained[new]))
              for old in lost for new in gained if old != new]
    pieces += [(NOBODY, new, shapely.difference(gained[new], all_a)) for new in gained]
    pieces += [(old, NOBODY, shapely.difference(lost[old], all_b)) for old in lost]
    changes = []
    for old, new, piece in pieces:
        piece = _without_slivers(piece)
        km2 = area_km2(piece)
        if km2 >= MIN_CHANGE_KM2:
            zones = zones_b[zones_b["actor"] == new] if new else zones_a[zones_a["actor"] == old]
            sources = zones["source"][shapely.intersects(zones.geometry.values, piece)]
            changes.append(LandChange(old, new, km2, piece, " ; ".join(dict.fromkeys(sources))))
    actors.sort(key=lambda land: (-abs(land.km2_b - land.km2_a), land.actor))
    return actors, sorted(changes, key=lambda change: -change.km2)


def _without_slivers(geometry):
    """The polygons of `geometry` of at least MIN_CHANGE_KM2; lines and points dropped."""
    parts = [part for part in shapely.get_parts(geometry)
             if part.geom_type == "Polygon" and area_km2(part) >= MIN_CHANGE_KM2]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _base_steps(holds: list[dict], a: Side, b: Side) -> list[Step]:
    """The changes of holder of one base between A's day and B's, from its `holds` rows."""
    first, last, day_before = pd.Timestamp(a.last), pd.Timestamp(b.last), pd.Timedelta(days=1)
    starts = {row["from"] for row in holds if pd.notna(row["from"]) and first < row["from"] <= last}
    ends = {row["to"] + day_before for row in holds if pd.notna(row["to"]) and first <= row["to"] < last}
    steps = []
    for day in sorted(starts | ends):
        old, new = _holder(holds, day - day_before), _holder(holds, day)
        if old == new:
            continue
        starting = [row for row in holds if row["from"] == day and row["actor"] == new]
        record = (starting or [row for row in holds if row["to"] == day - day_before])[0]
        steps.append(Step(day.date(), old, new, str(record["confidence"]), str(record["source"])))
    return steps


def _holder(holds: list[dict], day: pd.Timestamp) -> str:
    now = [row["actor"] for row in holds
           if (pd.isna(row["from"]) or row["from"] <= day) and (pd.isna(row["to"]) or row["to"] >= day)]
    return str(now[-1]) if now else NOBODY


def _bases(scenario: Scenario, a: Side, b: Side) -> tuple[list[BaseChange], list[PresenceEvent]]:
    sites_a, sites_b = scenario.sites_on(a.last), scenario.sites_on(b.last)
    presence, bases = scenario.presence, scenario.bases
    holds_of: dict[str, list[dict]] = {}
    for row in presence[presence["role"] == "holds"].to_dict("records"):
        holds_of.setdefault(row["base"], []).append(row)
    changes = []
    for base in bases.index:
        before, after = sites_a.loc[base], sites_b.loc[base]
        if before["holder"] == after["holder"] and tuple(before["present"]) == tuple(after["present"]):
            continue
        steps = _base_steps(holds_of.get(base, []), a, b)
        changes.append(BaseChange(base, str(bases.at[base, "name"]), float(bases.at[base, "lon"]),
                                  float(bases.at[base, "lat"]), before["holder"], after["holder"],
                                  tuple(before["present"]), tuple(after["present"]), tuple(steps)))
    first, last = pd.Timestamp(a.last), pd.Timestamp(b.last)
    present = presence[presence["role"] == "present"]
    events = []
    for change, days, inside in ((STARTED, present["from"], (present["from"] > first) & (present["from"] <= last)),
                                 (ENDED, present["to"], (present["to"] >= first) & (present["to"] < last))):
        for (_, row), day in zip(present[inside].iterrows(), days[inside]):
            events.append(PresenceEvent(row["base"], str(bases.at[row["base"], "name"]), row["actor"], change,
                                        day.date(), str(row["confidence"]), str(row["source"])))
    changes.sort(key=lambda c: (not c.changed_hands, c.steps[-1].date if c.steps else dt.date.max, c.base))
    return changes, sorted(events, key=lambda e: (e.date, e.base, e.actor))


def _point_holders(inside: pd.DataFrame, zone_rows) -> tuple[np.ndarray, np.ndarray]:
    """Per point, the actor of the zone of `zone_rows` that holds it ('' for none) and that zone's row.

    `inside` says which zone (row) contains which point (column), with the zones' actors and sizes.
    Where zones overlap, the smaller one (the more specific claim) wins.
    """
    zones = inside.loc[list(zone_rows)].sort_values("size", ascending=False)
    holders = np.full(inside.shape[1] - 2, NOBODY, dtype=object)
    rows = np.full(len(holders), None, dtype=object)
    for row, zone in zones.iterrows():
        contained = zone.iloc[2:].to_numpy(bool)
        holders[contained], rows[contained] = zone["actor"], row
    return holders, rows


def _towns(scenario: Scenario, points: pd.DataFrame, a: Side, b: Side) -> list[TownChange]:
    if points.empty:
        return []
    lon, lat = points["lon"].to_numpy(float), points["lat"].to_numpy(float)
    zones = scenario.zones
    geometries = zones.geometry.values
    inside = pd.DataFrame(np.array([shapely.contains_xy(g, lon, lat) for g in geometries]).reshape(len(zones), -1),
                          index=zones.index)
    inside.insert(0, "size", shapely.area(geometries))
    inside.insert(0, "actor", zones["actor"].to_numpy())
    start, _ = _point_holders(inside, scenario.zones_on(a.last).index)
    holders = start.copy()
    since = np.full(len(points), None, dtype=object)  # the day each point's holder at B took it, and the zone
    since_row = np.full(len(points), None, dtype=object)
    for day in [d for d in scenario.zone_change_dates() if a.last < d <= b.last]:
        now, rows = _point_holders(inside, scenario.zones_on(day).index)
        moved = now != holders
        since[moved], since_row[moved], holders[moved] = day, rows[moved], now[moved]
    changes = []
    for index in np.flatnonzero(holders != start):
        zone = zones.loc[since_row[index]] if since_row[index] is not None else None
        changes.append(TownChange(
            str(points["name"].iloc[index]), float(lon[index]), float(lat[index]), start[index], holders[index],
            since[index], str(zone["label"]) if zone is not None else "no zone drawn there",
            str(zone["confidence"]) if zone is not None else "",
            str(zone["source"]) if zone is not None else _ended_zone_source(scenario, since[index], start[index])))
    return sorted(changes, key=lambda town: (town.date, town.name))


def _ended_zone_source(scenario: Scenario, day: dt.date, actor: str) -> str:
    """Where a point fell out of every zone: the source of the zone of its former holder that ended."""
    zones = scenario.zones
    ended = zones[(zones["actor"] == actor) & (zones["valid_to"] == pd.Timestamp(day - dt.timedelta(days=1)))]
    return str(ended["source"].iloc[0]) if len(ended) else ""


def _route_counts(movements: pd.DataFrame) -> pd.Series:
    return movements.groupby(["origin_code", "destination_code"]).size()


MAX_ROUTE_SOURCES: Final = 3


def _route_sources(movements: pd.DataFrame) -> dict[tuple[int, int], str]:
    grouped = movements.groupby(["origin_code", "destination_code"])["source"]
    return {route: " ; ".join(list(dict.fromkeys(map(str, sources)))[:MAX_ROUTE_SOURCES])
            for route, sources in grouped}


def _movements(scenario: Scenario, a: Side, b: Side,
               keep: MovementFilter) -> tuple[dict[str, tuple[int, int]], list[RouteChange], list[str]]:
    moved_a, moved_b = scenario.movements_in(a.first, a.last, keep), scenario.movements_in(b.first, b.last, keep)
    by_a = moved_a["category"].astype(str).value_counts()
    by_b = moved_b["category"].astype(str).value_counts()
    categories = {category: (int(by_a.get(category, 0)), int(by_b.get(category, 0)))
                  for category in sorted(set(by_a.index) | set(by_b.index))}
    counts = pd.concat([_route_counts(moved_a).rename("a"), _route_counts(moved_b).rename("b")], axis=1)
    counts = counts.fillna(0).astype(int)
    places, sources = scenario.places, _route_sources(pd.concat([moved_a, moved_b]))
    routes = []
    for (origin, destination), row in counts.iterrows():
        if row["a"] == row["b"]:
            continue
        start, end = places.iloc[origin], places.iloc[destination]
        routes.append(RouteChange(str(start["key"]), str(end["key"]), str(start["name"]), str(end["name"]),
                                  (float(start["lon"]), float(start["lat"])), (float(end["lon"]), float(end["lat"])),
                                  int(row["a"]), int(row["b"]), sources.get((origin, destination), "")))
    routes.sort(key=lambda r: (-abs(r.change), -r.b, r.origin_name, r.destination_name))
    return categories, routes, [*moved_a["source"].astype(str), *moved_b["source"].astype(str)]


def change_report(scenario: Scenario, a: Side, b: Side, points: pd.DataFrame | None = None,
                  keep: MovementFilter = MovementFilter()) -> ChangeReport:
    """What changed from A to B. `points` are named places (name, lat, lon) whose holder is compared;
    `keep` filters the movements, as on the map."""
    check_order(a, b)
    actors, land = _land(scenario, a, b)
    bases, presences = _bases(scenario, a, b)
    towns = _towns(scenario, points if points is not None else pd.DataFrame(columns=["name", "lat", "lon"]), a, b)
    categories, routes, movement_sources = _movements(scenario, a, b, keep)
    named = {actor.actor for actor in actors} | {c.old for c in land} | {c.new for c in land}
    named |= {actor for c in bases for actor in (c.holder_a, c.holder_b, *c.present_a, *c.present_b)}
    named |= {e.actor for e in presences} | {t.holder_a for t in towns} | {t.holder_b for t in towns}
    names = {actor: scenario.actor_name(actor) for actor in sorted(named - {NOBODY})}
    sources = [step.source for c in bases for step in c.steps] + [e.source for e in presences]
    sources += [t.source for t in towns] + [change.source for change in land] + movement_sources
    return ChangeReport(a, b, names, tuple(actors), tuple(land), tuple(bases), tuple(presences), tuple(towns),
                        categories, tuple(routes), tuple(dict.fromkeys(s for s in sources if s)))


# --- Reading and writing it -------------------------------------------------------------------

def town_points(folder: Path | None) -> pd.DataFrame:
    """The distinct places of a scenario folder's `town_checks.csv` (name, lat, lon), or none.

    A stand-in until the basemap carries place names.
    """
    path = folder / "town_checks.csv" if folder is not None and folder.is_dir() else None
    if path is None or not path.is_file():
        return pd.DataFrame(columns=["name", "lat", "lon"])
    checks = pd.read_csv(path, usecols=["place", "lat", "lon"], dtype={"place": str})
    return checks.drop_duplicates("place").rename(columns={"place": "name"}).reset_index(drop=True)


def _site(holder: str, present: tuple[str, ...]) -> dict:
    return {"holder": holder or None, "present": list(present)}


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def report_json(report: ChangeReport) -> dict:
    """The report as JSON: `actors`, `bases` and `routes` first (km² rounded to whole numbers), then the rest."""
    return {
        "actors": {land.actor: {"km2_a": round(land.km2_a), "km2_b": round(land.km2_b), "gained": round(land.gained),
                                "lost": round(land.lost)} for land in report.actors},
        "bases": [{"base": c.base, "a": _site(c.holder_a, c.present_a), "b": _site(c.holder_b, c.present_b),
                   "name": c.name,
                   "changes": [{"date": _day(s.date), "from": s.old or None, "to": s.new or None,
                                "confidence": s.confidence, "source": s.source} for s in c.steps]}
                  for c in report.bases],
        "routes": [{"origin": r.origin, "destination": r.destination, "a": r.a, "b": r.b,
                    "origin_name": r.origin_name, "destination_name": r.destination_name} for r in report.routes],
        "a": {"day": report.a.last.isoformat(), "movements": [report.a.first.isoformat(), report.a.last.isoformat()]},
        "b": {"day": report.b.last.isoformat(), "movements": [report.b.first.isoformat(), report.b.last.isoformat()]},
        "land": [{"from": c.old or None, "to": c.new or None, "km2": round(c.km2)} for c in report.land],
        "towns": [{"name": t.name, "lat": t.lat, "lon": t.lon, "a": t.holder_a or None, "b": t.holder_b or None,
                   "date": _day(t.date), "zone": t.zone, "confidence": t.confidence, "source": t.source}
                  for t in report.towns],
        "presences": [{"base": e.base, "actor": e.actor, "change": e.change, "date": _day(e.date),
                       "confidence": e.confidence, "source": e.source} for e in report.presences],
        "categories": {category: {"a": a, "b": b} for category, (a, b) in report.categories.items()},
    }


def presence_text(event: PresenceEvent, report: ChangeReport) -> str:
    """'Russian Armed Forces left Qamishli (last day 27 Jan 2026)'."""
    place = short_name(event.name)
    if event.change == STARTED:
        return f"{report.name(event.actor)} arrived at {place} ({event.date:%-d %b %Y})"
    return f"{report.name(event.actor)} left {place} (last day {event.date:%-d %b %Y})"


def holders_text(old: str, new: str, report: ChangeReport) -> str:
    return f"{report.name(old)} → {report.name(new)}"


def _event_day(report: ChangeReport, base: str, actor: str, change: str) -> str:
    days = [e.date for e in report.presences if (e.base, e.actor, e.change) == (base, actor, change)]
    if not days:
        return ""
    return f" ({'last day ' if change == ENDED else 'from '}{days[-1]:%-d %b %Y})"


def base_text(change: BaseChange, report: ChangeReport) -> str:
    """What changed at a base, in a line: its holders in turn, then whose forces left or came.

    'Assad government → SDF / AANES (7 Dec 2024) → Syrian transitional government (8 Feb 2026);
    Russian Armed Forces left (last day 27 Jan 2026)'.
    """
    parts = []
    if change.changed_hands:
        chain = [f"{report.name(step.new)} ({step.date:%-d %b %Y})" for step in change.steps]
        parts.append(" → ".join([report.name(change.holder_a), *(chain or [report.name(change.holder_b)])]))
    parts += [f"{report.name(actor)} left{_event_day(report, change.base, actor, ENDED)}"
              for actor in change.present_a if actor not in change.present_b and actor != change.holder_b]
    parts += [f"{report.name(actor)} present{_event_day(report, change.base, actor, STARTED)}"
              for actor in change.present_b if actor not in change.present_a and actor != change.holder_a]
    return "; ".join(parts)


def headline(report: ChangeReport) -> list[tuple[str, str]]:
    """The report's figures in a few words each: (figure, what it counts)."""
    moved = sum(1 for c in report.bases if c.present_a != c.present_b)
    changed = sum(c.changed_hands for c in report.bases)

    def nouns(count: int, noun: str) -> str:
        return noun if count == 1 else f"{noun}s"

    return [(f"{sum(c.km2 for c in report.land):,.0f} km²", "changed hands"),
            (f"{changed:,}", f"{nouns(changed, 'base')} changed hands"),
            (f"{moved:,}", f"{nouns(moved, 'base')} where forces left or arrived"),
            (f"{len(report.towns):,}", f"{nouns(len(report.towns), 'town')} changed hands")]


def _km2(value: float) -> str:
    return f"{round(value):,}"


def report_text(report: ChangeReport) -> list[str]:
    """The report as text, section by section."""
    a, b = report.a, report.b
    lines = [f"What changed from A ({a.label}) to B ({b.label})",
             f"Zones and holders as of each day; A's {a.movements_label}, B's {b.movements_label}.", ""]
    if report.actors:
        width = max(len(report.name(land.actor)) for land in report.actors)
        lines.append(f"{'Land held, km²':{width}}  {'A':>10}  {'B':>10}  {'gained':>10}  {'lost':>10}")
        lines += [f"{report.name(land.actor):{width}}  {_km2(land.km2_a):>10}  {_km2(land.km2_b):>10}  "
                  f"{_km2(land.gained):>10}  {_km2(land.lost):>10}" for land in report.actors]
        lines.append("")
    sections = [
        ("Land that changed hands", [f"{holders_text(c.old, c.new, report)}: {_km2(c.km2)} km²" for c in report.land]),
        ("Bases whose holder or presences changed", [f"{c.name}: {base_text(c, report)}" for c in report.bases]),
        ("Towns that changed hands", [f"{t.name}: {holders_text(t.holder_a, t.holder_b, report)} from "
                                      f"{t.date:%-d %b %Y} ({t.confidence}; {t.source})" for t in report.towns]),
        ("Presences started and ended", [f"{presence_text(e, report)} ({e.confidence}; {e.source})"
                                         for e in report.presences]),
        ("Movements under way, by category (A, B)", [f"{category}: {n_a}, {n_b}"
                                                     for category, (n_a, n_b) in report.categories.items()]),
        ("Routes with the largest changes (movements under way in A, B)",
         [f"{route_name(r)}: {r.a}, {r.b}" for r in report.routes[:MAX_ROUTES]]
         + ([f"… and {plural(len(report.routes) - MAX_ROUTES, 'more route')}"]
            if len(report.routes) > MAX_ROUTES else [])),
    ]
    for title, items in sections:
        lines += [title, *(f"  {item}" for item in items or ["none"]), ""]
    return lines


def base_sources(change: BaseChange, report: ChangeReport) -> str:
    """The sources of a base's last change of holder, or of the presences that started or ended there."""
    sources = [change.steps[-1].source] if change.steps else [e.source for e in report.presences
                                                               if e.base == change.base]
    return " ; ".join(dict.fromkeys(sources))


def report_rows(report: ChangeReport) -> pd.DataFrame:
    """The whole report as one long table, one change a row, for the CSV download."""
    rows = []

    def add(section, item, a="", b="", change="", date=None, confidence="", source=""):
        rows.append({"section": section, "item": item, "a": a, "b": b, "change": change,
                     "date": _day(date) or "", "confidence": confidence, "source": source})

    for land in report.actors:
        add("land held (km²)", report.name(land.actor), round(land.km2_a), round(land.km2_b),
            f"+{round(land.gained):,} / -{round(land.lost):,}")
    for change in report.land:
        add("land that changed hands (km²)", holders_text(change.old, change.new, report), "", "", round(change.km2))
    for change in report.bases:
        step = change.steps[-1] if change.steps else None
        add("base", change.name, _site_text(change.holder_a, change.present_a, report),
            _site_text(change.holder_b, change.present_b, report), base_text(change, report),
            step.date if step else None, step.confidence if step else "", base_sources(change, report))
    for town in report.towns:
        add("town", town.name, report.name(town.holder_a), report.name(town.holder_b),
            holders_text(town.holder_a, town.holder_b, report), town.date, town.confidence, town.source)
    for event in report.presences:
        add("presence", event.name, "", "", presence_text(event, report), event.date, event.confidence, event.source)
    for category, (a, b) in report.categories.items():
        add("movements under way", category, a, b, f"{b - a:+d}")
    for route in report.routes:
        add("route (movements under way)", f"{route_name(route)}", route.a, route.b, f"{route.change:+d}")
    return pd.DataFrame(rows, columns=["section", "item", "a", "b", "change", "date", "confidence", "source"])


def report_csv(report: ChangeReport) -> bytes:
    """The report's table as CSV; text that a spreadsheet would run as a formula is made inert."""
    rows = report_rows(report)
    return rows.map(inert).to_csv(index=False).encode("utf-8")


def _site_text(holder: str, present: tuple[str, ...], report: ChangeReport) -> str:
    held = f"held by {report.name(holder)}" if holder else "nobody holds it"
    return "; ".join([held, *(f"{report.name(a)} present" for a in present)])


def route_name(route: RouteChange) -> str:
    """'Qamishli International Airport → Hmeimim Air Base', short names as on the map."""
    (origin_lon, origin_lat), (destination_lon, destination_lat) = route.origin_position, route.destination_position
    return (f"{short_place(route.origin_name, origin_lat, origin_lon)} → "
            f"{short_place(route.destination_name, destination_lat, destination_lon)}")
