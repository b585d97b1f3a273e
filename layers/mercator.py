"""Web Mercator as deck.gl draws it: a 512-pixel world at zoom 0, metres per pixel, scale bars.

The one place the projection is written; labels, exports and camera checks all use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

TILE: Final = 512  # deck.gl's world size at zoom 0, in pixels: one 512-pixel tile
EARTH_CIRCUMFERENCE_M: Final = 40_075_016.686
MAX_LATITUDE: Final = 85.051129  # where Web Mercator's square world ends
ZOOMS: Final = (1.0, 12.0)  # the map's zoom range, from the whole world to a town


@dataclass(frozen=True)
class Camera:
    """A north-up view: centre and deck.gl zoom."""

    latitude: float
    longitude: float
    zoom: float

    def in_range(self) -> bool:
        return (abs(self.latitude) <= MAX_LATITUDE and -180 <= self.longitude <= 180
                and ZOOMS[0] <= self.zoom <= ZOOMS[1])

    def clamped(self) -> Camera:
        """The nearest camera the map can show: latitude and zoom in range, longitude wrapped."""
        return Camera(clamp_latitude(self.latitude), (self.longitude + 180) % 360 - 180,
                      min(ZOOMS[1], max(ZOOMS[0], self.zoom)))
NICE_STEPS: Final = (1, 2, 5)


def metres_per_pixel(latitude: float, zoom: float) -> float:
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(latitude)) / (TILE * 2**zoom)


def world_pixels(lon: np.ndarray, lat: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates in the whole world's square at `zoom` (y grows southwards)."""
    size = TILE * 2**zoom
    lat = np.radians(np.clip(lat, -MAX_LATITUDE, MAX_LATITUDE))
    x = (np.asarray(lon) + 180.0) / 360.0 * size
    y = (1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / math.pi) / 2 * size
    return x, y


def world_lonlat(x: np.ndarray, y: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of `world_pixels`."""
    size = TILE * 2**zoom
    lon = np.asarray(x, dtype=float) / size * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * np.asarray(y, dtype=float) / size))))
    return lon, lat


def clamp_latitude(latitude: float) -> float:
    return max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))


def to_screen(lon, lat, camera: Camera, width: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    """Map-box pixel coordinates of lon/lat points for a north-up camera centred in the box."""
    x, y = world_pixels(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), camera.zoom)
    cx, cy = world_pixels(np.array([camera.longitude]), np.array([camera.latitude]), camera.zoom)
    size = TILE * 2**camera.zoom
    dx = (x - cx[0] + size / 2) % size - size / 2  # the copy of the world nearest the centre, as deck.gl wraps
    return dx + width / 2, y - cy[0] + height / 2


def to_screen_whole(lon, lat, anchor: tuple[float, float], camera: Camera, width: float,
                    height: float) -> tuple[np.ndarray, np.ndarray]:
    """`to_screen` for a mark drawn whole: every vertex takes the one shift that brings its anchor
    to the world copy nearest the centre (a ring at 179°E runs on to 185°, a cap once round the world)."""
    x, y = world_pixels(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), camera.zoom)
    cx, cy = world_pixels(np.array([camera.longitude]), np.array([camera.latitude]), camera.zoom)
    ax, _ = world_pixels(np.array([anchor[0]]), np.array([anchor[1]]), camera.zoom)
    size = TILE * 2**camera.zoom
    shift = (ax[0] - cx[0] + size / 2) % size - size / 2 - (ax[0] - cx[0])
    return x - cx[0] + shift + width / 2, y - cy[0] + height / 2


@dataclass(frozen=True)
class Viewport:
    """A camera on a map box of known size in CSS pixels: what the analyst sees."""

    camera: Camera
    width: float
    height: float

    def to_screen(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return to_screen(lon, lat, self.camera, self.width, self.height)

    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north in degrees; east < west when the view crosses the antimeridian."""
        cx, cy = world_pixels(np.array([self.camera.longitude]), np.array([self.camera.latitude]), self.camera.zoom)
        size = TILE * 2**self.camera.zoom
        if self.width >= size:
            west, east = -180.0, 180.0
        else:
            west, east = (float(v) for v in world_lonlat(cx + np.array([-1, 1]) * self.width / 2, cy, self.camera.zoom)[0])
            west, east = (west + 180) % 360 - 180, (east + 180) % 360 - 180
        top, bottom = np.clip(cy[0] + np.array([-1, 1]) * self.height / 2, 0, size)
        north, south = (float(v) for v in world_lonlat(np.zeros(2), np.array([top, bottom]), self.camera.zoom)[1])
        return west, south, east, north

    def contains(self, lon, lat) -> np.ndarray:
        """Which points fall inside the map box."""
        x, y = self.to_screen(lon, lat)
        return (x >= 0) & (x <= self.width) & (y >= 0) & (y <= self.height)


def fit_zoom(camera: Camera, map_height: float, reference_height: float) -> Camera:
    """The same camera, zoomed so that `map_height` pixels span what `reference_height` pixels did."""
    return Camera(camera.latitude, camera.longitude, round(camera.zoom + math.log2(map_height / reference_height), 3))


@dataclass(frozen=True)
class ScaleBar:
    pixels: float
    label: str


def scale_bar(latitude: float, zoom: float, max_pixels: float) -> ScaleBar:
    """The longest round distance (1, 2 or 5 × 10ⁿ km or m) that fits in `max_pixels`."""
    per_pixel = metres_per_pixel(latitude, zoom)
    longest = per_pixel * max_pixels
    magnitude = 10 ** math.floor(math.log10(longest))
    metres = max(step * magnitude for step in NICE_STEPS if step * magnitude <= longest)
    label = f"{metres / 1000:,.0f} km" if metres >= 1000 else f"{metres:,.0f} m"
    return ScaleBar(metres / per_pixel, label)
