"""Distances on the WGS84 ellipsoid (pyproj's Geod), never on a sphere or in a projection."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from pyproj import Geod

WGS84_GEOD: Final = Geod(ellps="WGS84")
KM_PER_NAUTICAL_MILE: Final = 1.852


def distance_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance between point pairs, in km; NaN where a coordinate is missing."""
    arrays = [np.asarray(value, dtype=float) for value in (lon1, lat1, lon2, lat2)]
    known = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    km = np.full(np.broadcast(*arrays).shape, np.nan)
    if known.any():
        _, _, metres = WGS84_GEOD.inv(*(np.broadcast_to(a, km.shape)[known] for a in arrays))
        km[known] = np.asarray(metres) / 1000
    return km


def nautical_miles(km):
    return np.asarray(km, dtype=float) / KM_PER_NAUTICAL_MILE


def distance_text(km: float, modes: str) -> str:
    """'2,987 km' by land, '2,987 km (1,613 nm)' when `modes` (e.g. 'air' or 'air; sea') include air or
    sea, where nautical miles are the working unit."""
    if km is None or not math.isfinite(km):  # math, not numpy: called once per arc of a step
        return ""
    text = f"{km:,.0f} km"
    nautical = any(mode.strip() in ("air", "sea") for mode in str(modes).split(";"))
    return f"{text} ({km / KM_PER_NAUTICAL_MILE:,.0f} nm)" if nautical else text
