"""Range rings: geodesic geometry checked against pyproj's Geod, rings at 179°E and round a pole, the
ring grammar, which rings are drawn for the side, and what the map, the legend and the exports carry."""

import datetime as dt
import io
import json

import numpy as np
import pytest
import shapely
from PIL import Image
from pyproj import Geod

from briefing.cli import main as export_main
from geodata import load_scenario
from layers.mercator import MAX_LATITUDE
from layers.rings import (FILL_LAYER_ID, LABEL_LAYER_ID, LAYER_ID, MAX_RINGS, RingSpec, parse_rings, ring_shape,
                          rings_text)
from layers.view import MapView, compose
from scenario_files import BASES_CSV, write_scenario

GEOD = Geod(ellps="WGS84")
D = dt.date
SYSTEMS = """id,name,kind,range_km,notes,source,confidence
sam,Test SAM (long missile),air-defence,400,,Src,reported
lift,Test lifter,aircraft,4000,,Src,reported
blank,No figure,aircraft,,none found,Src,reported
"""
FAR_BASES = BASES_CSV + ("fiji,Date-line field,Fiji,airport,-17.75,179.0,blue,,Src,confirmed\n"
                         "polar,Polar station,Norway,airport,80.0,20.0,red,,Src,confirmed\n")


def distances_km(lon0, lat0, points) -> np.ndarray:
    points = np.asarray(points, float)
    _, _, metres = GEOD.inv(np.full(len(points), lon0), np.full(len(points), lat0), points[:, 0], points[:, 1])
    return np.asarray(metres) / 1000


def mercator_middles(path: np.ndarray) -> np.ndarray:
    """The middle of each straight piece as a Web Mercator map draws it, back in lon/lat."""
    y = np.log(np.tan(np.pi / 4 + np.radians(path[:, 1]) / 2))
    middle_y = (y[:-1] + y[1:]) / 2
    return np.column_stack([(path[:-1, 0] + path[1:, 0]) / 2, np.degrees(2 * np.arctan(np.exp(middle_y)) - np.pi / 2)])


CASES = [(35.945, 35.4117, 400), (35.945, 35.4117, 4000), (35.945, 35.4117, 10_000), (20.0, 60.0, 300),
         (179.0, -17.75, 1000), (20.0, 80.0, 1500), (20.0, -80.0, 1500), (0.0, 0.0, 15_000), (38.06, 55.88, 8500)]


@pytest.mark.parametrize("lon0, lat0, km", CASES)
def test_ring_vertices_and_the_pieces_between_them_lie_within_half_a_percent(lon0, lat0, km):
    shape = ring_shape(lon0, lat0, km)
    for path in shape.paths:
        inside = np.abs(path[:, 1]) < MAX_LATITUDE - 1e-9  # vertices beyond the map's edge are drawn along it
        assert np.abs(distances_km(lon0, lat0, path[inside]) - km).max() / km < 0.005
        both = inside[:-1] & inside[1:]
        middles = mercator_middles(path)[both]
        assert np.abs(distances_km(lon0, lat0, middles) - km).max() / km < 0.005
        assert np.abs(np.diff(path[:, 0])).max() < 20, "longitudes run on: no jump across the map"


def test_a_ring_at_179_east_is_one_ring_that_runs_past_the_antimeridian():
    shape = ring_shape(179.0, -17.75, 1000)
    (path,) = shape.paths
    assert 169 < path[:, 0].min() < 179 < 180 < path[:, 0].max() < 189, "175..185-style, not a band round the world"
    assert np.allclose(path[0], path[-1]), "closed"
    assert shape.area.contains(shapely.Point(179.0, -17.75))
    assert shape.area.bounds[2] - shape.area.bounds[0] < 20


def test_a_ring_round_the_north_pole_is_a_cap_up_to_the_edge_of_the_map():
    shape = ring_shape(20.0, 80.0, 1500)  # the pole is 1,117 km away
    (path,) = shape.paths
    assert path[0, 0] in (200.0, -160.0) and abs(path[-1, 0] - path[0, 0]) == 360, "once round, seam at 20 ± 180"
    assert np.all(np.abs(np.diff(path[:, 0])) < 10), "no zigzag: each step moves a little round the pole"
    assert path[:, 1].max() <= MAX_LATITUDE and path[:, 1].min() > 66
    # The area is the ground within 1,500 km up to the map's edge: check a grid against Geod, a little clear
    # of the ring itself.
    lon, lat = np.meshgrid(np.arange(-160, 200, 7.5), np.arange(60, 85, 1.0))
    km = distances_km(20.0, 80.0, np.column_stack([lon.ravel(), lat.ravel()]))
    clear = np.abs(km - 1500) > 30
    inside = shapely.contains_xy(shape.area, lon.ravel(), lat.ravel())
    assert (inside[clear] == (km[clear] < 1500)).all()
    assert inside[(lat.ravel() == 84) & clear].sum() > 20, "the cap covers the top of the map on the base's side"
    assert shape.label_at[1] == pytest.approx(80 - 1500 / 111.7, abs=0.3), "the label sits on the side facing the equator"
    inside = ring_shape(20.0, 80.0, 500)  # short of the pole: an ordinary ring
    assert np.ptp(inside.paths[0][:, 0]) < 90 and inside.area.contains(shapely.Point(20, 80))


def test_a_ring_round_the_south_pole_and_one_round_both():
    south = ring_shape(20.0, -80.0, 1500)
    assert south.area.contains(shapely.Point(-100, -84.9)) and south.paths[0][:, 1].min() >= -MAX_LATITUDE
    both = ring_shape(0.0, 0.0, 15_000)  # beyond both poles: all but a hole round the antipode
    assert both.area.contains(shapely.Point(0, 0)) and both.area.contains(shapely.Point(90, 80))
    assert not both.area.contains(shapely.Point(179.9, 0)) and not both.area.contains(shapely.Point(-179.9, 0))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = write_scenario(tmp_path_factory.mktemp("rings") / "s", systems_csv=SYSTEMS, bases_csv=FAR_BASES)
    return load_scenario(folder)


def test_the_ring_grammar_reads_systems_distances_and_min_max_pairs(scenario):
    rings, problems = parse_rings("alpha:sam,alpha:500|100-400, bravo:lift,alpha:sam", scenario)
    assert problems == []
    assert rings == (RingSpec("alpha", system="sam"), RingSpec("alpha", km=(500.0,)),
                     RingSpec("alpha", km=(100.0, 400.0)), RingSpec("bravo", system="lift"))
    assert rings_text(rings) == "alpha:sam,alpha:500,alpha:100-400,bravo:lift"
    assert parse_rings(rings_text(rings), scenario)[0] == rings


@pytest.mark.parametrize("text, message", [
    ("nowhere:sam", "unknown base 'nowhere'"),
    ("alpha", "give BASE:SYSTEM, BASE:KM or BASE:MIN-MAX"),
    ("alpha:tank", "'tank' is neither a system id nor km"),
    ("alpha:0", "distances from 0 to 20,000 km"),
    ("alpha:25000", "distances from 0 to 20,000 km"),
    ("alpha:400-100", "the minimum comes first"),
])
def test_bad_rings_are_left_out_with_a_message(scenario, text, message):
    rings, problems = parse_rings(f"bravo:sam,{text}", scenario)
    assert rings == (RingSpec("bravo", system="sam"),)
    assert len(problems) == 1 and message in problems[0]


def test_at_most_so_many_rings(scenario):
    rings, problems = parse_rings(",".join(f"alpha:{km}" for km in range(100, 100 + MAX_RINGS + 3)), scenario)
    assert len(rings) == MAX_RINGS and problems == [f"at most {MAX_RINGS} rings: the rest are left out"]


def deck_layers(composed) -> dict[str, dict]:
    return {layer["id"]: layer for layer in json.loads(composed.deck.to_json())["layers"]}


def test_rings_are_drawn_only_at_bases_the_side_holds_or_uses_and_say_so_otherwise(scenario):
    rings, _ = parse_rings("alpha:sam,charlie:lift,alpha:blank,alpha:100-400", scenario)
    view = MapView(D(2025, 1, 1), D(2025, 1, 31), rings=rings)  # side: red, which holds alpha and bravo
    composed = compose(scenario, view)
    marks = composed.rings
    assert marks.side == "red"
    assert [record["id"] for record in marks.drawn] == ["alpha:sam", "alpha:100-400"]
    assert marks.not_drawn == ("not drawn: Charlie field not held or used by Red force on 31 Jan 2025",
                               "not drawn: blank has no range in systems.csv")
    layers = deck_layers(composed)
    assert len(layers[LAYER_ID]["data"]) == 3, "one outline, and two for the min/max pair"
    assert len(layers[FILL_LAYER_ID]["data"]) == 2
    disk, band = layers[FILL_LAYER_ID]["data"]
    assert (len(disk["polygon"]), len(band["polygon"])) == (1, 2), "the band between a min/max pair has a hole"
    assert band["fill"][3] > disk["fill"][3]
    assert [label["text"] for label in layers[LABEL_LAYER_ID]["data"]] == ["Test SAM 400 km", "100–400 km"]
    legend = next(section for section in composed.legend() if section.title == "Range rings")
    assert [entry.label for entry in legend.entries] == [
        "Test SAM 400 km: Alpha air base", "100–400 km: Alpha air base",
        "not drawn: Charlie field not held or used by Red force on 31 Jan 2025",
        "not drawn: blank has no range in systems.csv"]
    assert "Red force" in legend.note and "31 Jan 2025" in legend.note
    # Blue's side: only Charlie's ring is drawn.
    blue = compose(scenario, MapView(D(2025, 1, 1), D(2025, 1, 31), rings=rings, side="blue"))
    assert [record["id"] for record in blue.rings.drawn] == ["charlie:lift"]


def test_a_ring_tooltip_cites_the_system_and_escapes_for_html(scenario):
    rings, _ = parse_rings("alpha:sam", scenario)
    composed = compose(scenario, MapView(D(2025, 1, 1), D(2025, 1, 31), rings=rings), for_html=True)
    outline = deck_layers(composed)[LAYER_ID]["data"][0]
    assert outline["tt_title"] == "Test SAM 400 km from Alpha air base"
    assert "reported · Src" in outline["tt_source"]


@pytest.mark.parametrize("ring, camera", [("fiji:1000", "-17.75,179,4"), ("polar:1500", "78,20,2.4")])
def test_the_static_export_draws_a_ring_at_179_east_and_round_the_pole(scenario, tmp_path, monkeypatch, ring, camera):
    monkeypatch.setenv("FOOTPRINT_CHROMIUM", str(tmp_path / "none"))
    folder = write_scenario(tmp_path / "s", systems_csv=SYSTEMS, bases_csv=FAR_BASES)
    out = tmp_path / "ring.png"
    side = "blue" if ring.startswith("fiji") else "red"
    assert export_main(["export", "--data", str(folder), "--rings", ring, "--side", side, f"--camera={camera}",
                        "--layers", "bases", "--out", str(out), "--size", "800x500"]) == 0
    image = np.asarray(Image.open(io.BytesIO(out.read_bytes())).convert("RGB"), int)
    ring_color = np.array((117, 59, 167))
    drawn = np.all(np.abs(image - ring_color) < 30, axis=2)
    columns = np.flatnonzero(drawn.any(axis=0))
    assert drawn.sum() > 300, "the outline is drawn"
    if ring.startswith("fiji"):
        # One ring round the base in the middle: its outline spans a third of the map, not its whole width.
        assert 0.1 < (columns.max() - columns.min()) / image.shape[1] < 0.8
    else:
        # A cap: the outline runs right across the map, its lowest point south of the base.
        assert (columns.max() - columns.min()) / image.shape[1] > 0.6
