"""A camera that fits bases and zones, across the antimeridian when that is shorter."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from layers.mercator import to_screen
from layers.antimeridian import near
from layers.extent import PADDING, fit_camera, longitude_span

BUNDLED_BASES = Path(__file__).resolve().parent.parent / "geodata" / "scenarios" / "syria-libya" / "bases.csv"
MAP = (1000, 640)  # the dashboard's map, in pixels
VLADIVOSTOK, PETROPAVLOVSK, ANADYR, NOME = (131.89, 43.12), (158.65, 53.02), (177.51, 64.73), (-165.41, 64.50)
HAVANA, CARACAS = (-82.38, 23.13), (-66.90, 10.49)


def on_screen(camera, points, width=MAP[0], height=MAP[1]):
    """Pixel positions of (lon, lat) points, each taken on the world copy nearest the camera."""
    lons = [near(lon, camera.longitude) for lon, _ in points]
    x, y = to_screen(np.array(lons), np.array([lat for _, lat in points]), camera, width, height)
    return x, y


def assert_fits_snugly(camera, points, width=MAP[0], height=MAP[1]):
    x, y = on_screen(camera, points, width, height)
    assert x.min() >= PADDING - 1 and x.max() <= width - PADDING + 1, x
    assert y.min() >= PADDING - 1 and y.max() <= height - PADDING + 1, y
    # snug: the extent reaches the padding on one axis (zoom is rounded to 0.01)
    assert x.max() - x.min() >= 0.98 * (width - 2 * PADDING) or y.max() - y.min() >= 0.98 * (height - 2 * PADDING)


def test_the_bundled_bases_fill_the_map():
    bases = pd.read_csv(BUNDLED_BASES)
    points = list(zip(bases["lon"], bases["lat"]))
    camera = fit_camera(points, *MAP)
    assert_fits_snugly(camera, points)
    assert bases["lon"].min() < camera.longitude < bases["lon"].max() and 2.5 < camera.zoom < 4  # Mali to Moscow


def test_far_east_bases_are_framed_across_the_antimeridian():
    points = [VLADIVOSTOK, PETROPAVLOVSK, ANADYR, NOME]
    camera = fit_camera(points, *MAP)
    assert_fits_snugly(camera, points)
    assert 150 < camera.longitude < 175  # over the Sea of Okhotsk and Chukotka, not over Europe
    assert camera.zoom > 2.5  # about 63° of longitude, not 297°
    assert longitude_span([lon for lon, _ in points]) == pytest.approx((131.89, 360 - 165.41))


def test_kamchatka_to_alaska_is_centred_near_180():
    camera = fit_camera([PETROPAVLOVSK, NOME], *MAP)
    assert abs(near(camera.longitude, 180) - 180) < 10
    assert_fits_snugly(camera, [PETROPAVLOVSK, NOME])


def test_havana_and_caracas():
    camera = fit_camera([HAVANA, CARACAS], *MAP)
    assert_fits_snugly(camera, [HAVANA, CARACAS])
    assert -80 < camera.longitude < -70 and 10 < camera.latitude < 23


def test_a_single_base_opens_at_a_theatre_zoom():
    camera = fit_camera([HAVANA], *MAP)
    assert (camera.latitude, camera.longitude, camera.zoom) == pytest.approx((23.13, -82.38, 6.0), abs=1e-3)


def test_zones_count_with_the_bases():
    zone = shapely.box(40, 30, 50, 40)
    camera = fit_camera([HAVANA], *MAP, shapes=[zone])
    assert_fits_snugly(camera, [HAVANA, (40, 30), (50, 40)])


def test_a_zone_cut_at_the_antimeridian_counts_by_its_parts():
    chukotka = shapely.MultiPolygon([shapely.box(170, 64, 180, 68), shapely.box(-180, 64, -172, 68)])
    camera = fit_camera([], *MAP, shapes=[chukotka])
    assert abs(near(camera.longitude, 180) - 179) < 1 and camera.zoom > 3


def test_nothing_to_fit_is_an_error():
    with pytest.raises(ValueError, match="nothing to fit"):
        fit_camera([], *MAP)
