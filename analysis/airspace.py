"""Airspace closed to an actor on a day, and the legs that cross it or bend round it.

A leg is a geodesic on the WGS84 ellipsoid. It is tested as a polyline of
points `SAMPLE_KM` apart with continuous longitudes (across the antimeridian
too), against the closed polygons and their copies a world east and west; the
polyline strays from the geodesic by metres, against closures drawn to ~5 km.

A closure with `only_legs_to_from` set (a country as spelled in bases.csv)
binds only a leg that takes off or lands in that country.

A detour bends a leg round the closures without landing: the shortest chain of
geodesics through turn points just outside the closed polygons, found by A* on
a visibility graph built as it is searched. Turn points are the convex corners of
each polygon's outline simplified by `TURN_TOLERANCE` and widened by that and
`TURN_CLEARANCE`, so they lie outside it; the path is tested against the
polygons themselves.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from geodata.geodesy import WGS84_GEOD

SAMPLE_KM: Final = 25.0
TURN_TOLERANCE: Final = 0.2  # degrees: outlines simplified this much give the turn points
TURN_CLEARANCE: Final = 0.05  # degrees beyond that, so a path through a turn point does not graze the outline
DETOUR_BATCH: Final = 48  # steps tested together: one vectorised test instead of many small ones

Point = tuple[float, float]  # lon, lat


def _wrap(degrees: np.ndarray) -> np.ndarray:
    return (degrees + 180.0) % 360.0 - 180.0


def geodesic_paths(starts: np.ndarray, ends: np.ndarray, step_km: float = SAMPLE_KM) -> tuple[np.ndarray, np.ndarray]:
    """Points along each geodesic from `starts[i]` to `ends[i]` (arrays of lon, lat), both ends included,
    at most `step_km` apart, with longitudes continuous from the start's.

    Returns the points (n × 2) and, for each point, the index of its geodesic.
    """
    starts, ends = np.atleast_2d(np.asarray(starts, float)), np.atleast_2d(np.asarray(ends, float))
    azimuth, _, metres = WGS84_GEOD.inv(starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1])
    pieces = np.maximum(1, np.ceil(np.asarray(metres) / (step_km * 1000))).astype(int)
    owner = np.repeat(np.arange(len(starts)), pieces + 1)
    first = np.concatenate([[0], np.cumsum(pieces + 1)[:-1]])
    share = (np.arange(len(owner)) - first[owner]) / pieces[owner]
    lon, lat, _ = WGS84_GEOD.fwd(starts[owner, 0], starts[owner, 1], np.asarray(azimuth)[owner],
                                 np.asarray(metres)[owner] * share)
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    ends_at = first + pieces
    lon[ends_at], lat[ends_at] = ends[:, 0], ends[:, 1]  # exactly the end, not fwd's rounding of it
    # Continuous longitudes: each step the short way round, summed from the start.
    steps = _wrap(np.diff(lon, prepend=lon[0]))
    steps[first] = 0.0
    total = np.cumsum(steps)
    lon = starts[owner, 0] + total - total[first][owner]
    return np.column_stack([lon, lat]), owner


def geodesic_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.atleast_2d(np.asarray(a, float)), np.atleast_2d(np.asarray(b, float))
    _, _, metres = WGS84_GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.asarray(metres, float) / 1000


def path_km(points: list[Point]) -> float:
    """The length of a chain of geodesics through `points`."""
    array = np.asarray(points, float)
    return float(geodesic_km(array[:-1], array[1:]).sum()) if len(array) > 1 else 0.0


def _world_copies(geometry):
    """The geometry and its copies a world east and west, so lines with longitudes beyond ±180 meet it."""
    parts = shapely.get_parts(geometry)
    return shapely.multipolygons([*parts, *(affinity.translate(part, shift) for shift in (360, -360) for part in parts)])


@dataclass(frozen=True)
class Closure:
    name: str
    geometry: object  # shapely Polygon or MultiPolygon, lon/lat
    only_country: str  # '' = every leg


class _Shape:
    """A closed area prepared for many line tests: a line through its eroded core is blocked without
    testing every vertex of the outline; lines beyond ±180° meet its copies a world east and west."""

    EROSION: Final = 0.1  # degrees

    def __init__(self, geometry) -> None:
        core = shapely.simplify(geometry.buffer(-self.EROSION), self.EROSION / 2)  # still inside the outline
        self._outline, self._core = (geometry, _world_copies(geometry)), (core, _world_copies(core))
        for shape in (*self._outline, *self._core):
            shapely.prepare(shape)

    def contains(self, points: np.ndarray) -> np.ndarray:
        return shapely.contains_xy(self._outline[0], points[:, 0], points[:, 1])

    def meets(self, points: np.ndarray, owner: np.ndarray) -> np.ndarray:
        """Which of the polylines (points grouped by `owner`) touch the area."""
        lines = shapely.linestrings(points, indices=owner)
        wide = int(np.abs(points[:, 0]).max(initial=0) > 180)
        hits = shapely.intersects(lines, self._core[wide])
        rest = np.flatnonzero(~hits)
        hits[rest] = shapely.intersects(lines[rest], self._outline[wide])
        return hits


@dataclass
class _Obstacle:
    """The closures binding one kind of leg, with their turn points and what is known of them."""

    shapes: list[_Shape]
    turns: np.ndarray  # n × 2 lon/lat
    seen: dict[tuple[int, int], bool] = field(default_factory=dict)  # turn-to-turn visibility found so far

    def contains(self, points: np.ndarray) -> np.ndarray:
        return np.logical_or.reduce([shape.contains(points) for shape in self.shapes])

    def meets(self, points: np.ndarray, owner: np.ndarray) -> np.ndarray:
        hits = np.zeros(owner[-1] + 1, bool)
        for shape in self.shapes:
            rest = np.flatnonzero(~hits)
            if not len(rest):
                break
            inside = np.isin(owner, rest)
            hits[rest] = shape.meets(points[inside], np.searchsorted(rest, owner[inside]))
        return hits


def closures_on(airspace: gpd.GeoDataFrame, actor: str, day: dt.date) -> tuple[Closure, ...]:
    """The closures in force for `actor` on `day` (valid_to is the last day)."""
    when = pd.Timestamp(day)
    rows = airspace[(airspace["closed_to"] == actor) & (airspace["valid_from"] <= when)
                    & (airspace["valid_to"].isna() | (airspace["valid_to"] >= when))]
    return tuple(Closure(str(row["name"]), row.geometry, str(row["only_legs_to_from"] or "").strip())
                 for _, row in rows.iterrows())


def _turn_points(geometry) -> np.ndarray:
    """Corners of the outline simplified and widened, outside the polygons; only the convex ones of outer rings."""
    points = []
    for part in getattr(geometry, "geoms", [geometry]):
        widened = part.simplify(TURN_TOLERANCE).buffer(TURN_TOLERANCE + TURN_CLEARANCE, join_style="mitre",
                                                       mitre_limit=2.0)
        for polygon in getattr(widened, "geoms", [widened]):
            ring = np.asarray(shapely.orient_polygons(polygon).exterior.coords)[:-1]
            before, after = np.roll(ring, 1, axis=0), np.roll(ring, -1, axis=0)
            incoming, outgoing = ring - before, after - ring
            turn = incoming[:, 0] * outgoing[:, 1] - incoming[:, 1] * outgoing[:, 0]  # > 0: a left turn (convex)
            points.append(ring[turn > 0])
            points += [np.asarray(hole.coords)[:-1] for hole in polygon.interiors]
    return np.concatenate(points) if points else np.empty((0, 2))


class Airspace:
    """What one actor may fly through on one day."""

    def __init__(self, closures: tuple[Closure, ...]) -> None:
        self.closures = closures
        self._obstacles: dict[tuple[int, ...], _Obstacle] = {}
        self._detours: dict[tuple, tuple[float, tuple[Point, ...]] | None] = {}  # kept: a day's search serves the next
        self._shapes = [_Shape(c.geometry) for c in closures]
        self._turns = [_turn_points(c.geometry) for c in closures]

    def binding(self, countries: tuple[str, str]) -> tuple[int, ...]:
        """The closures that bind a leg between bases of these two countries."""
        return tuple(i for i, c in enumerate(self.closures) if not c.only_country or c.only_country in countries)

    def crossed(self, starts: np.ndarray, ends: np.ndarray, binding: list[tuple[int, ...]]) -> list[tuple[str, ...]]:
        """For each leg, the names of the binding closures its geodesic crosses."""
        found: list[list[str]] = [[] for _ in range(len(starts))]
        if not len(starts) or not self.closures:
            return [()] * len(starts)
        for index, (closure, shape) in enumerate(zip(self.closures, self._shapes)):
            concerned = np.flatnonzero([index in keys for keys in binding])
            if len(concerned):
                points, owner = geodesic_paths(starts[concerned], ends[concerned])
                for leg in concerned[shape.meets(points, owner)]:
                    found[leg].append(closure.name)
        return [tuple(names) for names in found]

    def _obstacle(self, key: tuple[int, ...]) -> _Obstacle:
        if key not in self._obstacles:
            obstacle = _Obstacle([self._shapes[i] for i in key], np.empty((0, 2)))
            turns = np.concatenate([self._turns[i] for i in key])
            turns = turns[np.abs(turns[:, 1]) < 89.5]  # a turn at a pole has no direction
            obstacle.turns = turns[~obstacle.contains(turns)]
            self._obstacles[key] = obstacle
        return self._obstacles[key]

    def _clear(self, obstacle: _Obstacle, coords: np.ndarray, ids: np.ndarray, steps: list[tuple[int, int]],
               tested: dict[tuple[int, int], bool]) -> None:
        """Test the geodesic of each step (from node, to node) not tested yet, in one batch; steps between two
        turn points are kept on the obstacle for the next leg."""
        pairs = {step: (int(min(ids[step[0]], ids[step[1]])), int(max(ids[step[0]], ids[step[1]])))
                 for step in steps if step not in tested}
        for step, pair in list(pairs.items()):
            if pair[0] >= 0 and pair in obstacle.seen:
                tested[step] = obstacle.seen[pair]
                del pairs[step]
        if not pairs:
            return
        todo = list(pairs)
        starts, ends = coords[[a for a, _ in todo]], coords[[b for _, b in todo]]
        clear = ~obstacle.meets(*geodesic_paths(starts, ends))
        for step, answer in zip(todo, clear.tolist()):
            tested[step] = answer
            if pairs[step][0] >= 0:
                obstacle.seen[pairs[step]] = answer

    def detour(self, start: Point, end: Point, key: tuple[int, ...], limit_km: float) -> tuple[float, tuple[Point, ...]] | None:
        """The shortest way from `start` to `end` round the closures `key`, if one is at most `limit_km` long:
        its length and the turn points between the ends."""
        found = self._detours.get((start, end, key, limit_km), False)
        if found is False:
            found = self._detours[(start, end, key, limit_km)] = self._search(start, end, key, limit_km)
        return found

    def _search(self, start: Point, end: Point, key: tuple[int, ...], limit_km: float) -> tuple[float, tuple[Point, ...]] | None:
        """The detour search.

        A* with lazy edges: a step to a node is queued untested, and the most promising steps are tested
        together when they come off the queue, so a search tests a few hundred lines, not every pair.
        """
        obstacle = self._obstacle(key)
        ends = np.array([start, end], float)
        if obstacle.contains(ends).any():
            return None
        turns = obstacle.turns
        to_end = geodesic_km(turns, np.repeat(ends[1:], len(turns), axis=0))
        from_start = geodesic_km(np.repeat(ends[:1], len(turns), axis=0), turns)
        near = np.flatnonzero(from_start + to_end <= limit_km)  # no turn point off this ellipse can help
        # Nodes: 0 the start, 1 the end, then the turn points that can help.
        coords = np.concatenate([ends, turns[near]])
        ids = np.concatenate([[-1, -1], near])  # each node's turn point, for the visibility kept between legs
        heuristic = np.concatenate([geodesic_km(ends[:1], ends[1:]), [0.0], to_end[near]])
        queue = [(float(heuristic[0]), 0.0, 0, -1)]
        parent: dict[int, int] = {}
        tested: dict[tuple[int, int], bool] = {}
        while queue:
            batch = []
            while queue and len(batch) < DETOUR_BATCH:
                entry = heapq.heappop(queue)
                if entry[2] not in parent:
                    batch.append(entry)
            self._clear(obstacle, coords, ids, [(came_from, node) for _, _, node, came_from in batch if came_from >= 0],
                        tested)
            for position, (f, cost, node, came_from) in enumerate(batch):
                if node in parent:
                    continue
                if queue and queue[0][0] < f:  # a step queued meanwhile comes first
                    for entry in batch[position:]:
                        heapq.heappush(queue, entry)
                    break
                if came_from >= 0 and not tested[(came_from, node)]:
                    continue
                parent[node] = came_from
                if node == 1:
                    path, step = [], parent[1]
                    while step > 0:
                        path.append((float(coords[step, 0]), float(coords[step, 1])))
                        step = parent[step]
                    return cost, tuple(reversed(path))
                others = np.array([n for n in range(len(coords)) if n not in parent], int)
                km = geodesic_km(np.repeat(coords[node:node + 1], len(others), axis=0), coords[others])
                keep = cost + km + heuristic[others] <= limit_km
                for other, length in zip(others[keep].tolist(), km[keep].tolist()):
                    heapq.heappush(queue, (cost + length + float(heuristic[other]), cost + length, other, node))
        return None
