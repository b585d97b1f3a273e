"""A camera that shows every given point and shape, across the antimeridian when that is shorter.

Web Mercator as deck.gl draws it: the world is 512 pixels wide at zoom 0 and doubles with
each zoom step. The longitudes covered are the shortest arc that holds them all (the
complement of the widest empty gap round the globe), so bases from Kamchatka to Alaska
give a view over the Bering Sea, not one round the rest of the world.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import shapely

from layers.antimeridian import normalize
from layers.mercator import TILE, Camera, world_lonlat, world_pixels

PADDING: Final = 64  # pixels kept free round the extent: room for markers and the start of their names
MAX_ZOOM: Final = 6.0  # a single base, or bases a few kilometres apart, open at a theatre's zoom
MIN_ZOOM: Final = 0.0


def longitude_span(longitudes: Sequence[float]) -> tuple[float, float]:
    """(west, east) of the shortest arc holding every longitude; east may pass 180."""
    lons = np.sort(np.asarray([normalize(lon) for lon in longitudes], dtype=float))
    if lons.size == 0:
        raise ValueError("longitude_span: no longitudes")
    gaps = np.diff(np.append(lons, lons[0] + 360.0))
    widest = int(np.argmax(gaps))  # the arc starts after the widest empty gap
    west, east = lons[(widest + 1) % lons.size], lons[widest]
    return float(west), float(east + 360.0 if east < west else east)


def _mercator_y(latitude: float) -> float:
    """0 at the north edge of the world, 1 at the south edge."""
    return float(world_pixels(np.zeros(1), np.array([latitude]), 0)[1][0]) / TILE


def _latitude(mercator_y: float) -> float:
    return float(world_lonlat(np.zeros(1), np.array([mercator_y * TILE]), 0)[1][0])


def fit_camera(points: Iterable[tuple[float, float]], width: float, height: float, *,
               shapes: Iterable[shapely.Geometry] = (), padding: float = PADDING,
               max_zoom: float = MAX_ZOOM, min_zoom: float = MIN_ZOOM) -> Camera:
    """The camera whose `width` × `height` pixel map shows every (lon, lat) point and every
    shape (zones: each part counts by its outline), `padding` pixels in from the edges.

    The camera's longitude is in [-180, 180); a view across the antimeridian is centred
    near 180°, and the map must draw the world on both sides of it (deck.gl's
    `MapView(repeat=True)`, or layers.antimeridian for the data).
    """
    lonlat = [(float(lon), float(lat)) for lon, lat in points]
    for shape in shapes:
        for part in shapely.get_parts(shape):
            if not part.is_empty:
                lonlat += [tuple(xy) for xy in shapely.get_coordinates(shapely.convex_hull(part))]
    if not lonlat:
        raise ValueError("fit_camera: nothing to fit")
    west, east = longitude_span([lon for lon, _ in lonlat])
    ys = [_mercator_y(lat) for _, lat in lonlat]
    north, south = min(ys), max(ys)
    room_x, room_y = max(1.0, width - 2 * padding), max(1.0, height - 2 * padding)
    zooms = [max_zoom]
    if east > west:
        zooms.append(math.log2(room_x / ((east - west) / 360 * TILE)))
    if south > north:
        zooms.append(math.log2(room_y / ((south - north) * TILE)))
    zoom = max(min_zoom, min(zooms))
    return Camera(latitude=round(_latitude((north + south) / 2), 4),
                  longitude=round(normalize((west + east) / 2), 4), zoom=round(zoom, 2))
