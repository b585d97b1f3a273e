"""Shapes across the antimeridian: continuous longitudes, copies and cuts."""

import numpy as np
import pytest
import shapely
from pyproj import Geod

from layers.antimeridian import (
    MAX_LATITUDE, near, normalize, shift, split_at_antimeridian, unwrap, unwrap_geometry, unwrap_ring, world_copies)

GEOD = Geod(ellps="WGS84")
# A square 2° wide around 179°E... written as a file would: from 178°E to 180 and on to 178°W.
AROUND_179E = shapely.Polygon([(178, -17), (-178, -17), (-178, -15), (178, -15)])
# Kamchatka to Alaska: Petropavlovsk, Anadyr, Nome, Dutch Harbor.
KAMCHATKA_ALASKA = shapely.Polygon([(158.65, 53.02), (177.51, 64.73), (-165.41, 64.50), (-166.54, 53.89)])


def test_normalize_and_near_move_by_whole_turns():
    assert normalize(190) == -170 and normalize(-180) == -180 and normalize(540) == -180
    assert near(-178, 179) == 182 and near(178, -179) == -182 and near(10, 0) == 10


def test_unwrap_takes_the_short_way_between_neighbours():
    assert unwrap([178, -178, -175, 179]).tolist() == [178, 182, 185, 179]
    assert unwrap([-10, 10, 30]).tolist() == [-10, 10, 30]  # nothing to do away from the seam


def test_a_polygon_around_179e_becomes_two_degrees_wide():
    assert AROUND_179E.bounds[2] - AROUND_179E.bounds[0] == 356  # as written: round the world
    unwrapped = unwrap_geometry(AROUND_179E)
    west, south, east, north = unwrapped.bounds
    assert (west, east) == (178, 182) and (south, north) == (-17, -15)
    assert unwrapped.area == pytest.approx(8)
    # Its geodesic area is that of the small square, not of a band round the world (the cut
    # adds a vertex at 180° on two edges, which moves the geodesic edges a little).
    area, _ = GEOD.geometry_area_perimeter(split_at_antimeridian(unwrapped))
    assert abs(area) == pytest.approx(abs(GEOD.polygon_area_perimeter([0, 4, 4, 0], [-17, -17, -15, -15])[0]),
                                      rel=1e-3)


def test_a_polygon_from_kamchatka_to_alaska_spans_the_bering_sea_the_short_way():
    unwrapped = unwrap_geometry(KAMCHATKA_ALASKA)
    west, _, east, _ = unwrapped.bounds
    assert west == pytest.approx(158.65) and east == pytest.approx(360 - 165.41)
    assert east - west < 40
    copies = world_copies(unwrapped)
    assert len(copies) == 2 and copies[1].bounds[2] < -160  # the copy west of 180°W ends at Nome
    assert copies[1].equals(shift(unwrapped, -360))
    pieces = split_at_antimeridian(unwrapped)
    assert len(pieces.geoms) == 2
    assert all(-180 <= x <= 180 for x in shapely.get_coordinates(pieces)[:, 0])
    assert pieces.area == pytest.approx(unwrapped.area)
    west_piece, east_piece = sorted(pieces.geoms, key=lambda p: p.bounds[0])
    assert west_piece.bounds[0] == -180 and east_piece.bounds[2] == 180


def test_a_path_across_the_seam_is_one_continuous_line_and_cuts_into_two():
    line = shapely.LineString([(170, 60), (179, 61), (-179, 62), (-170, 63)])
    unwrapped = unwrap_geometry(line)
    assert np.diff(shapely.get_coordinates(unwrapped)[:, 0]).max() <= 9
    assert len(split_at_antimeridian(unwrapped).geoms) == 2


def test_parts_of_a_shape_cut_at_the_seam_are_put_back_together():
    chukotka = shapely.MultiPolygon([shapely.box(170, 64, 180, 68), shapely.box(-180, 64, -172, 68)])
    joined = unwrap_geometry(chukotka)
    assert joined.geom_type == "Polygon" and joined.bounds == (170, 64, 188, 68)


def test_a_ring_round_the_pole_is_closed_along_the_edge_of_the_map():
    # A 2,500 km ring round Murmansk (2,330 km from the pole) goes round it.
    lons, lats, _ = GEOD.fwd(np.full(73, 33.08), np.full(73, 68.97), np.linspace(0, 360, 73), np.full(73, 2.5e6))
    ring = unwrap_ring(np.c_[lons, lats])
    assert abs(ring[:, 0].max() - ring[:, 0].min() - 360) < 6  # one turn, not a jump
    assert np.array_equal(ring[0], ring[-1])
    cap = shapely.Polygon(ring)
    assert cap.is_valid and cap.bounds[3] >= MAX_LATITUDE
    # Below the map's edge, the cap holds what lies within 2,500 km, wherever its turn starts.
    middle = (cap.bounds[0] + cap.bounds[2]) / 2
    for lon in range(-180, 180, 15):
        for lat in (45, 60, 70, 80, 84):
            inside = GEOD.inv(33.08, 68.97, lon, lat)[2] < 2.5e6
            assert cap.contains(shapely.Point(near(lon, middle), lat)) == inside, (lon, lat)


def test_a_shape_inside_the_world_is_left_alone():
    box = shapely.box(30, 30, 40, 40)
    assert unwrap_geometry(box).equals(box)
    assert world_copies(box) == [box]
    assert split_at_antimeridian(box).equals(box)
