"""The basemap's Natural Earth 1:10m country outlines: the line the map draws, and the country of a point.

The outlines are simplified by about 500 m (geodata/basemap/countries.geojson.gz), finer
than a pixel at the basemap's most detailed level, so they are the border the map shows:
the zones are cut to them, and a point within that of a border may be given the
neighbour (the import preview says which country each imported base was given).
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import shapely
from pyproj import Geod

COUNTRIES_FILE: Final = Path(__file__).resolve().parent / "basemap" / "countries.geojson.gz"
NEAREST_WITHIN_KM: Final = 50.0  # a point at sea takes the nearest country this close (a port's anchorage, an island)
_GEOD: Final = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Country:
    name: str  # Natural Earth's short name ("Syria", "Central African Rep."); "" when none is near
    distance_km: float  # 0 inside the outline; how far offshore otherwise


def country_outlines() -> dict[str, shapely.Geometry]:
    """Every country's outline by Natural Earth short name."""
    names, shapes, _ = _outlines()
    return dict(zip(names.tolist(), shapes))


@functools.lru_cache(maxsize=1)
def _outlines() -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
    features = json.loads(gzip.decompress(COUNTRIES_FILE.read_bytes()))["features"]
    names = np.array([feature["properties"]["name"] for feature in features])
    shapes = np.array([shapely.from_geojson(json.dumps(feature["geometry"])) for feature in features])
    shapely.prepare(shapes)
    return names, shapes, shapely.STRtree(shapes)


def country_at(lon: float, lat: float) -> Country:
    """The country whose outline holds the point, else the nearest within NEAREST_WITHIN_KM."""
    names, shapes, tree = _outlines()
    point = shapely.Point(lon, lat)
    inside = tree.query(point, predicate="intersects")
    if len(inside):
        return Country(str(names[inside.min()]), 0.0)
    # Candidates in a box a little wider than NEAREST_WITHIN_KM; then geodesic distances decide.
    dlat = NEAREST_WITHIN_KM / 110.0
    dlon = min(180.0, dlat / max(np.cos(np.radians(lat)), 0.01))
    near = tree.query(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    lengths = [_GEOD.geometry_length(shapely.shortest_line(point, shapes[i])) / 1000 for i in near]
    if not lengths or min(lengths) > NEAREST_WITHIN_KM:
        return Country("", min(lengths, default=float("inf")))
    best = int(np.argmin(lengths))
    return Country(str(names[near[best]]), lengths[best])
