"""Tell what a file holds: points are bases, polygons zones, lines or rows with two ends movements,
rows naming a base, an actor and a role presence."""

from __future__ import annotations

import geopandas as gpd

from geodata.imports.mapping import propose
from geodata.imports.sources import Part

_GEOMETRY_TABLES = (
    ("bases", {"Point", "MultiPoint"}),
    ("zones", {"Polygon", "MultiPolygon"}),
    ("movements", {"LineString", "MultiLineString"}),
)
# Asked before movements: a presence's "from" and "to" (dates) would pass for a movement's ends (places).
_PRESENCE_NAMES = {"base", "actor", "role"}


def _has_end(columns: dict[str, str], end: str) -> bool:
    return end in columns or {f"{end}_lat", f"{end}_lon"} <= columns.keys()


def infer_table(part: Part) -> str | None:
    """The table `part` belongs in, or None when it cannot be told (then the user says, with --as)."""
    if part.table:
        return part.table
    frame = part.frame
    if isinstance(frame, gpd.GeoDataFrame):
        kinds = set(frame.geometry.dropna().geom_type)
        return next((table for table, types in _GEOMETRY_TABLES if kinds and kinds <= types), None)
    headers = list(frame.columns)
    if _PRESENCE_NAMES <= propose("presence", headers).columns.keys():
        return "presence"
    movement = propose("movements", headers).columns
    # The origin must be named outright: a lone latitude/longitude pair is one place, not two ends.
    if _has_end(movement, "origin") and _has_end(movement, "destination"):
        return "movements"
    if {"lat", "lon"} <= propose("bases", headers).columns.keys():
        return "bases"
    return None


def cannot_tell(part: Part) -> str:
    """Why `part` could not be placed, as a problem message."""
    if isinstance(part.frame, gpd.GeoDataFrame):
        kinds = ", ".join(sorted(set(part.frame.geometry.dropna().geom_type))) or "no geometry"
        return f"holds {kinds}: not only points (bases), polygons (zones) or lines (movements); pass --as"
    return ("has neither two ends (origin and destination, as base ids or coordinates) nor one lat/lon "
            "point nor a base, an actor and a role (presence); pass --as and --map")
