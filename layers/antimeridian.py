"""Longitudes across the antimeridian: shapes that cross 180° drawn the short way, once.

A ring from 179°E to 179°W is 2° wide, but its coordinates jump by 358°, so a renderer
that joins them draws it the long way round the world. Web Mercator has no seam, so
deck.gl draws a ring whose longitudes are continuous (179 → 181) the short way; on a map
that repeats the world (deck.gl's `MapView(repeat=True)`) it shows on both sides of the
antimeridian, and without repetition `world_copies` gives the copy shifted by 360° that
the other side needs. GeoJSON files and renderers that keep to [-180, 180] take
`split_at_antimeridian`.

Pure functions of coordinates; no drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from layers.mercator import MAX_LATITUDE  # Web Mercator's edge: a ring round a pole is closed along it


def normalize(longitude: float) -> float:
    """The same meridian in [-180, 180); also for an array of longitudes."""
    return (longitude + 180.0) % 360.0 - 180.0


def near(longitude: float, reference: float) -> float:
    """`longitude` shifted by whole turns to lie within 180° of `reference`."""
    return reference + normalize(longitude - reference)


def unwrap(longitudes: Sequence[float]) -> np.ndarray:
    """Longitudes made continuous: each step between neighbours becomes the shorter way
    round, so a path crossing the antimeridian runs past ±180 instead of jumping back."""
    lons = np.asarray(longitudes, dtype=float)
    if lons.size == 0:
        return lons
    steps = (np.diff(lons) + 180.0) % 360.0 - 180.0
    return np.concatenate([lons[:1], lons[0] + np.cumsum(steps)])


def unwrap_ring(coords: Sequence[Sequence[float]]) -> np.ndarray:
    """A closed (lon, lat) ring with continuous longitudes.

    A ring that goes once round a pole (a wide range ring from Murmansk, say) ends a full
    turn from where it started; it is closed along the pole's edge of the map (±MAX_LATITUDE,
    or its own highest latitude beyond that), so that it fills the cap it encloses.
    """
    ring = np.asarray(coords, dtype=float)[:, :2].copy()
    ring[:, 0] = unwrap(ring[:, 0])
    turn = ring[-1, 0] - ring[0, 0]
    if abs(turn) > 180.0:  # it went round a pole
        edge = max(MAX_LATITUDE, np.abs(ring[:, 1]).max()) * np.sign(ring[:, 1].mean())
        ring = np.vstack([ring, [[ring[-1, 0], edge], [ring[0, 0], edge]], ring[:1]])
    elif not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    return ring


def unwrap_geometry(geometry: shapely.Geometry) -> shapely.Geometry:
    """A (Multi)Polygon or (Multi)LineString with continuous longitudes in every ring and
    line; holes and later parts are moved by whole turns next to the first part."""
    parts = shapely.get_parts(geometry)
    if len(parts) > 1:
        first = unwrap_geometry(parts[0])
        reference = shapely.get_coordinates(first)[0, 0]
        moved = [first, *(_shift_near(unwrap_geometry(part), reference) for part in parts[1:])]
        return shapely.union_all(moved) if first.geom_type == "Polygon" else shapely.MultiLineString(moved)
    part = parts[0]
    if part.geom_type == "LineString":
        xy = shapely.get_coordinates(part)
        return shapely.LineString(np.c_[unwrap(xy[:, 0]), xy[:, 1]])
    if part.geom_type != "Polygon":
        raise ValueError(f"unwrap_geometry: cannot unwrap a {part.geom_type}")
    shell = unwrap_ring(part.exterior.coords)
    holes = [_ring_near(unwrap_ring(hole.coords), shell[0, 0]) for hole in part.interiors]
    return shapely.Polygon(shell, holes)


def _ring_near(ring: np.ndarray, reference: float) -> np.ndarray:
    shifted = ring.copy()
    shifted[:, 0] += near(ring[0, 0], reference) - ring[0, 0]
    return shifted


def _shift_near(geometry: shapely.Geometry, reference: float) -> shapely.Geometry:
    start = shapely.get_coordinates(geometry)[0, 0]
    return shift(geometry, near(start, reference) - start)


def shift(geometry: shapely.Geometry, degrees: float) -> shapely.Geometry:
    """The geometry moved east by `degrees` of longitude."""
    return shapely.transform(geometry, lambda xy: xy + [degrees, 0.0])


def world_copies(geometry: shapely.Geometry) -> list[shapely.Geometry]:
    """The geometry, plus its copy one turn west or east when it passes ±180.

    Drawn together on a map that does not repeat the world, they show the shape on
    whichever side of the antimeridian the camera looks at; each copy is drawn once.
    """
    west, _, east, _ = geometry.bounds
    copies = [geometry]
    if east > 180.0:
        copies.append(shift(geometry, -360.0))
    if west < -180.0:
        copies.append(shift(geometry, 360.0))
    return copies


def split_at_antimeridian(geometry: shapely.Geometry) -> shapely.Geometry:
    """The geometry (continuous longitudes, e.g. from `unwrap_geometry`) cut at ±180 and its
    pieces moved back into [-180, 180], as RFC 7946 asks of GeoJSON."""
    pieces = []
    west, _, east, _ = geometry.bounds
    for turn in range(int(np.floor((west + 180.0) / 360.0)), int(np.floor((east + 180.0) / 360.0)) + 1):
        low = -180.0 + 360.0 * turn
        piece = shapely.clip_by_rect(geometry, low, -90.0, low + 360.0, 90.0)
        if not piece.is_empty:
            pieces.append(shift(piece, -360.0 * turn))
    kept = [part for piece in pieces for part in shapely.get_parts(piece)
            if part.geom_type in ("Polygon", "LineString") and not part.is_empty]
    if not kept:
        return geometry
    if kept[0].geom_type == "Polygon":
        return shapely.MultiPolygon([p for p in kept if p.geom_type == "Polygon"])
    return shapely.MultiLineString([p for p in kept if p.geom_type == "LineString"])
