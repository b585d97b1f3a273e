"""Range rings: what a system at a base reaches, drawn as true geodesic circles on the WGS84 ellipsoid.

`ring_marks` is the one description of the rings on the map: their outlines,
fills and labels, in lon/lat, with colours and tooltips; the map's layers and
the static export renderer draw these records as they are.

A ring is written `BASE:WHAT`, where WHAT is a system id of systems.csv (its
range), a distance in km (`500`), or a min/max pair in km (`100-400`, ArcGIS's
"min/max rings": the band between is filled). `|` gives several for one base
(`hmeimim:s400_40n6|300`); items are comma-separated and a base may come back.

Geometry: vertices from pyproj's `Geod.fwd` round 360°, added where a straight
piece on the Web Mercator map would stray more than `MAX_STRAY` of the distance
from the centre. Longitudes stay continuous round the base (a ring at 179°E
runs 175..185, one ring). A ring round a pole becomes a cap up to Web
Mercator's edge (`MAX_LATITUDE`); a ring round both poles (longer than the way
to either) fills the world but the hole round the base's antipode.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pydeck as pdk
import shapely

from geodata import Scenario
from geodata.geodesy import WGS84_GEOD
from layers.bases import short_name
from layers.antimeridian import normalize
from layers.mercator import MAX_LATITUDE, Viewport, world_lonlat, world_pixels
from layers.style import FONT_FAMILY, PIXELS, RGB, Theme, literal
from layers.tooltip import fields

FILL_LAYER_ID: Final = "range-rings-fill"
LAYER_ID: Final = "range-rings"
LABEL_LAYER_ID: Final = "range-ring-labels"
MAX_KM: Final = 20_000.0  # about half the Earth's circumference: beyond it a ring shrinks again
MAX_RINGS: Final = 24
MAX_STRAY: Final = 0.004  # a drawn piece strays at most 0.4% of the distance from it (tests allow 0.5%)
FIRST_VERTICES: Final = 180
MAX_VERTICES: Final = 8192
# Colour-blind-safe hues apart from the movement categories; one per kind of ring, in order of first use.
RING_COLORS: Final[tuple[RGB, ...]] = ((117, 59, 167), (166, 86, 40), (27, 120, 55), (197, 27, 125),
                                       (33, 102, 172), (140, 81, 10))
_NUMBER = r"\d+(?:\.\d+)?"


class RingError(ValueError):
    """A ring item that cannot be drawn; the message names it."""


@dataclass(frozen=True)
class RingSpec:
    base: str
    system: str = ""  # a system id, or '' for a distance given in km
    km: tuple[float, ...] = ()  # a distance, or a min/max pair, when there is no system

    def text(self) -> str:
        what = self.system or "-".join(f"{km:.10g}" for km in self.km)
        return f"{self.base}:{what}"


def rings_text(rings: tuple[RingSpec, ...]) -> str:
    """The rings as written in the URL and on the command line."""
    return ",".join(ring.text() for ring in rings)


def _what(base: str, what: str, scenario: Scenario) -> RingSpec:
    if what in scenario.systems.index:
        return RingSpec(base, system=what)
    if not re.fullmatch(rf"{_NUMBER}(?:-{_NUMBER})?", what):
        raise RingError(f"{base}:{what}: {what!r} is neither a system id nor km (500) nor a min-max pair (100-400)")
    km = tuple(float(part) for part in what.split("-"))
    if not all(0 < value <= MAX_KM for value in km):
        raise RingError(f"{base}:{what}: distances from 0 to {MAX_KM:,.0f} km")
    if len(km) == 2 and km[0] >= km[1]:
        raise RingError(f"{base}:{what}: the minimum comes first and is less than the maximum")
    return RingSpec(base, km=km)


def parse_rings(text: str, scenario: Scenario) -> tuple[tuple[RingSpec, ...], list[str]]:
    """The rings of `text` (see the module's note) and a message for each item left out."""
    rings, problems = [], []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        base, _, whats = item.partition(":")
        if base not in scenario.bases.index:
            problems.append(f"{item}: unknown base {base!r}")
            continue
        if not whats:
            problems.append(f"{item}: give BASE:SYSTEM, BASE:KM or BASE:MIN-MAX")
            continue
        for what in whats.split("|"):
            try:
                rings.append(_what(base, what.strip(), scenario))
            except RingError as err:
                problems.append(str(err))
    rings = list(dict.fromkeys(rings))
    if len(rings) > MAX_RINGS:
        problems.append(f"at most {MAX_RINGS} rings: the rest are left out")
    return tuple(rings[:MAX_RINGS]), problems


def ring_km(ring: RingSpec, scenario: Scenario) -> tuple[float, ...]:
    """The ring's distance or min/max pair; () for a system without a range."""
    if not ring.system:
        return ring.km
    km = scenario.systems.at[ring.system, "range_km"]
    return () if math.isnan(km) else (float(km),)


# --- Geometry ----------------------------------------------------------------------------------

def _strays(lon0: float, lat0: float, km: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """For each piece between consecutive vertices: how far its middle on the Mercator map is from `km`, as a share."""
    nxt = np.roll(np.arange(len(lon)), -1)
    mid_lon = lon + normalize(lon[nxt] - lon) / 2
    _, y = world_pixels(lon, lat, 0)
    _, mid_lat = world_lonlat(np.zeros(len(lon)), (y + y[nxt]) / 2, 0)
    _, _, metres = WGS84_GEOD.inv(np.full(len(lon), lon0), np.full(len(lon), lat0), normalize(mid_lon), mid_lat)
    stray = np.abs(np.asarray(metres) / 1000 - km) / km
    # Pieces beyond Web Mercator's edge are drawn along it, as a cap: no straight piece to check there.
    stray[(np.abs(lat) > MAX_LATITUDE) | (np.abs(lat[nxt]) > MAX_LATITUDE)] = 0
    return stray


def ring_vertices(lon0: float, lat0: float, km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuths (degrees from north) and the vertices at `km` on them, dense enough for the Mercator map."""
    azimuths = np.linspace(0, 360, FIRST_VERTICES, endpoint=False)
    while True:
        lon, lat, _ = WGS84_GEOD.fwd(np.full(len(azimuths), lon0), np.full(len(azimuths), lat0), azimuths,
                                     np.full(len(azimuths), km * 1000))
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        far = np.flatnonzero(_strays(lon0, lat0, km, lon, lat) > MAX_STRAY)
        if not len(far) or len(azimuths) + len(far) > MAX_VERTICES:
            return azimuths, lon, lat
        following = np.append(azimuths[1:], 360.0)
        azimuths = np.sort(np.concatenate([azimuths, (azimuths[far] + following[far]) / 2]))


@dataclass(frozen=True)
class RingShape:
    """A ring on the map, lon/lat with continuous longitudes round its base."""

    paths: tuple[np.ndarray, ...]  # the outline: one path, or pieces where it meets the map's edge
    area: object  # shapely (Multi)Polygon: the ground within reach, capped at the map's edge
    label_at: tuple[float, float]


def _poles_within(lon0: float, lat0: float, km: float) -> tuple[bool, bool]:
    _, _, north = WGS84_GEOD.inv(lon0, lat0, lon0, 90.0)
    _, _, south = WGS84_GEOD.inv(lon0, lat0, lon0, -90.0)
    return km * 1000 > north, km * 1000 > south


def _round_one_pole(lon0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The outline of a ring round one pole as a path whose longitudes run once round the world, from the
    base's antimeridian (lon0 ± 180) back to it, with a vertex exactly there at each end."""
    offset = normalize(lon - lon0 - 180)  # signed degrees from the antimeridian
    following = np.roll(np.arange(len(lon)), -1)
    crossing = np.flatnonzero((np.sign(offset) != np.sign(offset[following]))
                              & (np.abs(offset) + np.abs(offset[following]) < 180))[0]
    after = following[crossing]
    share = offset[crossing] / (offset[crossing] - offset[after])
    lat_there = lat[crossing] + share * (lat[after] - lat[crossing])
    order = np.roll(np.arange(len(lon)), -int(after))  # from just after the crossing round to it
    steps = normalize(np.diff(np.concatenate([[lon0 + 180], lon[order], [lon0 + 180]])))
    start = lon0 + 180 if steps.sum() < 0 else lon0 - 180  # westward from the east edge, or eastward from the west
    path_lon = start + np.concatenate([[0.0], np.cumsum(steps)])
    path_lon[-1] = start - 360 if start > lon0 else start + 360  # exactly once round, whatever the rounding
    path_lat = np.concatenate([[lat_there], lat[order], [lat_there]])
    return np.column_stack([path_lon, path_lat])


@functools.lru_cache(maxsize=256)
def ring_shape(lon0: float, lat0: float, km: float) -> RingShape:
    """The ring of `km` round (lon0, lat0); kept, since a ring stays put while the window moves. Read only."""
    azimuths, lon, lat = ring_vertices(lon0, lat0, km)
    north, south = _poles_within(lon0, lat0, km)
    lat = np.clip(lat, -MAX_LATITUDE, MAX_LATITUDE)
    if north != south:
        # A cap: the outline runs once round the world and the area closes along the map's edge.
        path = _round_one_pole(lon0, lon, lat)
        edge = MAX_LATITUDE if north else -MAX_LATITUDE
        # Vertices beyond the edge are drawn along it, on the closing side too: mend that overlap.
        area = shapely.make_valid(shapely.Polygon([*path, (path[-1, 0], edge), (path[0, 0], edge)]))
        area = shapely.union_all([part for part in shapely.get_parts(area) if part.geom_type == "Polygon"])
        label = int(azimuths.searchsorted(180.0 if north else 0.0)) % len(lon)  # on the side facing the equator
        return RingShape((path,), area, (float(lon0 + normalize(lon[label] - lon0)), float(lat[label])))
    if not north:
        lon = lon0 + normalize(lon - lon0)  # round neither pole: the ring never reaches the base's antimeridian
        path = np.vstack([np.column_stack([lon, lat]), [[lon[0], lat[0]]]])
        return RingShape((path,), shapely.Polygon(path), (float(lon[0]), float(lat[0])))
    # Round both poles: the ground out of reach is a hole round the antipode; cut it at the frame's edges.
    frame = shapely.box(lon0 - 180, -MAX_LATITUDE, lon0 + 180, MAX_LATITUDE)
    lon = lon0 + 180 + normalize(lon - lon0 - 180)
    loop = np.vstack([np.column_stack([lon, lat]), [[lon[0], lat[0]]]])
    hole = shapely.union_all([shapely.Polygon(loop + [shift, 0]) for shift in (-360, 0, 360)])
    outline = shapely.intersection(shapely.MultiLineString([loop + [shift, 0] for shift in (-360, 0, 360)]), frame)
    paths = tuple(np.asarray(part.coords) for part in getattr(outline, "geoms", [outline]) if not part.is_empty)
    return RingShape(paths, frame.difference(hole), (float(lon0 + normalize(lon[0] - lon0)), float(lat[0])))


# --- Marks and layers --------------------------------------------------------------------------

@dataclass(frozen=True)
class RingLook:
    width: float = 2.0
    fill_alpha: int = 22  # faint: zones and arcs stay readable under several rings
    band_alpha: int = 45  # the band of a min/max pair
    label_size: float = 12.0
    label_halo: float = 2.5


@dataclass(frozen=True)
class RingMarks:
    side: str  # the actor whose bases carry the rings
    day: dt.date
    drawn: tuple[dict, ...]
    not_drawn: tuple[str, ...]  # "not drawn: Hmeimim not held or used by Russian Armed Forces on 1 Jun 2025"
    colors: tuple[tuple[str, RGB], ...]  # each kind of ring (system or distance) and its colour, as listed


def _polygons(area) -> list[list[list[list[float]]]]:
    """deck.gl polygons: each an outer ring and its holes."""
    polygons = []
    for part in shapely.get_parts(area):
        if part.geom_type == "Polygon" and not part.is_empty:
            polygons.append([[[round(x, 4), round(y, 4)] for x, y in ring.coords]
                             for ring in (part.exterior, *part.interiors)])
    return polygons


def _kind_label(ring: RingSpec, km: tuple[float, ...], scenario: Scenario) -> str:
    """'Ilyushin Il-76MD 4,000 km', '500 km', '100–400 km'."""
    distance = "–".join(f"{value:,.0f}" for value in km) + " km"
    return f"{short_name(str(scenario.systems.at[ring.system, 'name']))} {distance}" if ring.system else distance


def ring_marks(scenario: Scenario, rings: tuple[RingSpec, ...], side: str, day: dt.date, usable: frozenset[str],
               theme: Theme, *, look: RingLook = RingLook(), for_html: bool) -> RingMarks:
    """The rings whose base `side` holds or uses on `day` (`usable`), with a line for each that is not drawn."""
    drawn, not_drawn, colors = [], [], {}
    side_name, day_text = scenario.actor_name(side), f"{day:%-d %b %Y}"
    for ring in rings:
        base = scenario.bases.loc[ring.base]
        km = ring_km(ring, scenario)
        base_name = short_name(str(base["name"]))
        if not km:
            not_drawn.append(f"not drawn: {ring.system} has no range in systems.csv")
            continue
        if ring.base not in usable:
            not_drawn.append(f"not drawn: {base_name} not held or used by {side_name} on {day_text}")
            continue
        label = _kind_label(ring, km, scenario)
        color = colors.setdefault(label, RING_COLORS[len(colors) % len(RING_COLORS)])
        shapes = [ring_shape(float(base["lon"]), float(base["lat"]), value) for value in km]
        area = shapes[-1].area.difference(shapes[0].area) if len(shapes) == 2 else shapes[0].area
        system = scenario.systems.loc[ring.system] if ring.system else None
        detail = (f"{system['notes']}" if system is not None else "a distance given by the analyst")
        source = f"{system['confidence']} · {system['source']}" if system is not None else ""
        drawn.append({
            "id": ring.text(),
            "base": ring.base,
            "base_name": base_name,
            "label": f"{label}",
            "km": list(km),
            "position": [round(float(base["lon"]), 4), round(float(base["lat"]), 4)],
            "paths": [[[round(x, 4), round(y, 4)] for x, y in path] for shape in shapes for path in shape.paths],
            "polygons": _polygons(area),
            "label_at": [round(v, 4) for v in shapes[-1].label_at],
            "color": [*color, 230],
            "fill": [*color, look.band_alpha if len(km) == 2 else look.fill_alpha],
            **fields(f"{label} from {base_name}",
                     f"geodesic range ring · {'min/max band' if len(km) == 2 else 'reach'} · "
                     f"{side_name} at the base on {day_text}", detail, source, for_html=for_html),
        })
    return RingMarks(side, day, tuple(drawn), tuple(dict.fromkeys(not_drawn)), tuple(colors.items()))


def in_view(record: dict, viewport: Viewport) -> bool:
    """Whether a drawn ring shows inside the map box: an outline vertex there, or the box's centre within reach."""
    for path in record["paths"]:
        points = np.asarray(path, float)
        if viewport.contains(points[:, 0], points[:, 1]).any():
            return True
    camera = viewport.camera
    _, _, metres = WGS84_GEOD.inv(record["position"][0], record["position"][1], camera.longitude, camera.latitude)
    nearest, farthest = record["km"] if len(record["km"]) == 2 else (0.0, record["km"][0])
    return nearest <= metres / 1000 <= farthest


def rings_layers(marks: RingMarks, theme: Theme, look: RingLook = RingLook()) -> list[pdk.Layer]:
    """Fills under outlines, and a label on each ring; only the outlines answer a hover, so zones still do."""
    fills = [{"polygon": polygon, "fill": record["fill"]} for record in marks.drawn for polygon in record["polygons"]]
    outlines = [{"path": path, "color": record["color"],
                 **{key: value for key, value in record.items() if key.startswith("tt_")}}
                for record in marks.drawn for path in record["paths"]]
    labels = [{"position": record["label_at"], "text": record["label"], "color": record["color"]}
              for record in marks.drawn]
    return [
        pdk.Layer("SolidPolygonLayer", id=FILL_LAYER_ID, data=fills, get_polygon="polygon", get_fill_color="fill"),
        pdk.Layer("PathLayer", id=LAYER_ID, data=outlines, get_path="path", get_color="color", get_width=look.width,
                  width_units=PIXELS, pickable=True, auto_highlight=True),
        pdk.Layer("TextLayer", id=LABEL_LAYER_ID, data=labels, get_position="position", get_text="text",
                  get_color="color", get_size=look.label_size, size_units=PIXELS, font_family=FONT_FAMILY,
                  get_text_anchor=literal("middle"), get_alignment_baseline=literal("bottom"),
                  character_set=literal("auto"), font_settings={"sdf": True}, outline_width=look.label_halo,
                  outline_color=[*theme.halo, 230]),
    ]
