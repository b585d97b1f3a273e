"""The change report: areas against pyproj's Geod, small scenarios worked out by hand, the command line."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from analysis.__main__ import main as analysis_main
from analysis.changes import (MOVEMENT_DAYS, Side, SideError, area_km2, change_report, check_order, parse_side,
                              report_csv, report_json, side_on, town_points)
from geodata import load_scenario
from scenario_files import (HALF_EAST, HALF_WEST, HANDOVER_PRESENCE_CSV, square, write_scenario, zone_feature,
                            zones_geojson)

D = dt.date
GEOD = Geod(ellps="WGS84")
PERIOD = (D(2025, 1, 1), D(2025, 3, 31))


def geod_km2(ring: list) -> float:
    lons, lats = zip(*ring)
    return abs(GEOD.polygon_area_perimeter(lons, lats)[0]) / 1e6


def dense(ring: list, step: float = 0.05) -> list:
    """The ring with a point every `step` degrees, so that Geod's geodesic edges follow the straight ones."""
    points = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        count = max(1, int(np.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step)))
        points += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.arange(count) / count]
    return points + [ring[-1]]


# --- Areas --------------------------------------------------------------------------------------

@pytest.mark.parametrize("ring", [
    [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)],  # a degree square on the equator, about 12,300 km²
    [(35.5, 32), (42, 32), (42, 37.3), (35.5, 37.3), (35.5, 32)],  # Syria's box
    [(30, 60), (40, 60), (40, 70), (30, 70), (30, 60)],  # far north, where degrees shrink
    [(-10, -80), (100, -80), (100, -70), (-10, -70), (-10, -80)],  # a wide band near the pole
])
def test_areas_agree_with_geod_to_one_percent(ring):
    points = dense(ring)
    assert area_km2(shapely.Polygon(points)) == pytest.approx(geod_km2(points), rel=0.01)


def test_a_shape_across_the_antimeridian_measures_as_one():
    """Stored as GeoJSON does it, in two parts at ±180°; Geod measures it whole."""
    points = dense([(170, -20), (190, -20), (190, -10), (170, -10), (170, -20)])
    whole = shapely.Polygon(points)
    west = shapely.intersection(whole, shapely.box(0, -90, 180, 90))
    east = shapely.affinity.translate(shapely.intersection(whole, shapely.box(180, -90, 360, 90)), -360)
    split = shapely.MultiPolygon([west, east])
    assert split.bounds[0] == -180 and split.bounds[2] == 180
    assert area_km2(split) == pytest.approx(geod_km2(points), rel=0.01)
    assert area_km2(split) == pytest.approx(2 * area_km2(shapely.Polygon(dense(
        [(170, -20), (180, -20), (180, -10), (170, -10), (170, -20)]))), rel=0.01)


def test_an_empty_shape_has_no_area():
    assert area_km2(shapely.Polygon()) == 0.0


# --- Days and windows ---------------------------------------------------------------------------

def test_a_day_stands_for_the_month_of_movements_up_to_it_cut_at_the_start():
    assert side_on(D(2025, 3, 15), PERIOD) == Side(D(2025, 3, 15) - dt.timedelta(days=MOVEMENT_DAYS - 1),
                                                   D(2025, 3, 15), single=True)
    assert side_on(D(2025, 1, 10), PERIOD).first == D(2025, 1, 1)
    assert parse_side("2025-02-01/2025-02-10", PERIOD) == Side(D(2025, 2, 1), D(2025, 2, 10))
    assert parse_side("2025-02-10", PERIOD).query == "2025-02-10"
    assert parse_side("2025-02-01/2025-02-10", PERIOD).query == "2025-02-01/2025-02-10"


@pytest.mark.parametrize("text, message", [
    ("2025-02-30", "not a date"), ("yesterday", "not a date"), ("2025-01-01/2025-01-02/2025-01-03", "not a date"),
    ("2024-12-31", "outside the scenario's period"), ("2025-01-10/2025-04-01", "outside the scenario's period"),
    ("2025-02-10/2025-02-01", "ends before it starts"),
])
def test_bad_days_and_windows_are_refused_in_one_line(text, message):
    with pytest.raises(SideError, match=message):
        parse_side(text, PERIOD)


def test_b_may_not_come_before_a():
    check_order(side_on(D(2025, 2, 1), PERIOD), side_on(D(2025, 2, 1), PERIOD))
    with pytest.raises(SideError, match="is before A"):
        check_order(side_on(D(2025, 2, 2), PERIOD), side_on(D(2025, 2, 1), PERIOD))


# --- A small scenario, worked out by hand --------------------------------------------------------
#
# The handover of scenario_files.py; East town lies in the half that changed hands, West town in the other.

TOWNS = pd.DataFrame({"name": ["West town", "East town"], "lat": [34.5, 34.5], "lon": [36.2, 36.8]})


@pytest.fixture
def handmade(tmp_path):
    zones = zones_geojson([
        zone_feature("red", "2025-01-01", "2025-01-31", square(36, 34)),
        zone_feature("red", "2025-02-01", "", HALF_WEST),
        zone_feature("blue", "2025-02-01", "", HALF_EAST, source="Blue map 2025-02-01"),
        zone_feature("blue", "2025-01-01", "", square(20, 31)),
    ])
    return load_scenario(write_scenario(tmp_path / "s", zones_geojson=zones, presence_csv=HANDOVER_PRESENCE_CSV))


def report_of(scenario, a: str, b: str, points=TOWNS):
    return change_report(scenario, parse_side(a, PERIOD), parse_side(b, PERIOD), points)


def test_land_held_gained_and_lost(handmade):
    report = report_of(handmade, "2025-01-15", "2025-03-01")
    square_km2 = geod_km2(dense([tuple(p) for p in square(36, 34)[0]]))
    half_km2 = geod_km2(dense([tuple(p) for p in HALF_EAST[0]]))
    libya_km2 = geod_km2(dense([tuple(p) for p in square(20, 31)[0]]))
    land = {a.actor: a for a in report.actors}
    assert land["red"].km2_a == pytest.approx(square_km2, rel=0.01)
    assert land["red"].km2_b == pytest.approx(square_km2 - half_km2, rel=0.01)
    assert land["red"].lost == pytest.approx(half_km2, rel=0.01) and land["red"].gained == 0
    assert land["blue"].km2_a == pytest.approx(libya_km2, rel=0.01)
    assert land["blue"].gained == pytest.approx(half_km2, rel=0.01) and land["blue"].lost == 0
    [change] = report.land
    assert (change.old, change.new) == ("red", "blue") and change.km2 == pytest.approx(half_km2, rel=0.01)
    assert change.source == "Blue map 2025-02-01"
    # By hand: half a degree of longitude at 34.5°N is 0.5 × 111.32 km × cos 34.5° = 45.9 km; a degree of latitude
    # there is 110.9 km.
    assert change.km2 == pytest.approx(0.5 * 111.32 * np.cos(np.radians(34.5)) * 110.9, rel=0.01)


def test_bases_that_changed_hands_or_presences(handmade):
    report = report_of(handmade, "2025-01-15", "2025-03-01")
    bases = {c.base: c for c in report.bases}
    assert set(bases) == {"alpha", "bravo"}, "Charlie (blue all along) did not change"
    alpha = bases["alpha"]
    assert (alpha.holder_a, alpha.holder_b) == ("red", "blue")
    [step] = alpha.steps
    assert (step.date, step.old, step.new, step.source) == (D(2025, 2, 10), "red", "blue", "Wire report 2025-02-10")
    bravo = bases["bravo"]
    assert (bravo.holder_a, bravo.present_a, bravo.holder_b, bravo.present_b) == ("red", ("blue",), "red", ())
    assert not bravo.changed_hands
    [event] = report.presences
    assert (event.base, event.actor, event.change, event.date) == ("bravo", "blue", "ended", D(2025, 2, 20))


def test_a_presence_that_came_and_went_between_the_days_is_listed_but_changes_no_base(handmade):
    report = report_of(handmade, "2025-01-05", "2025-03-01")
    assert [(e.actor, e.change, e.date) for e in report.presences] == [
        ("blue", "started", D(2025, 1, 10)), ("blue", "ended", D(2025, 2, 20))]
    assert "bravo" not in {c.base for c in report.bases}


def test_towns_that_changed_hands_with_the_day_and_the_zone_that_shows_it(handmade):
    report = report_of(handmade, "2025-01-15", "2025-03-01")
    [town] = report.towns
    assert (town.name, town.holder_a, town.holder_b, town.date) == ("East town", "red", "blue", D(2025, 2, 1))
    assert town.source == "Blue map 2025-02-01" and town.zone == "blue zone"
    assert report_of(handmade, "2025-02-05", "2025-03-01").towns == (), "nothing changed after 1 Feb"


def test_movements_by_category_and_routes_in_each_window(handmade):
    # A = 15 Jan: 1–15 Jan (cut at the start) holds m1 (alpha → charlie, cargo).
    # B = 1 Mar: 31 Jan – 1 Mar holds m3 (bravo → charlie, naval) and m4 (alpha → bravo, armour).
    report = report_of(handmade, "2025-01-15", "2025-03-01")
    assert report.categories == {"armour": (0, 1), "cargo": (1, 0), "naval": (0, 1)}
    routes = {(r.origin, r.destination): (r.a, r.b) for r in report.routes}
    assert routes == {("alpha", "charlie"): (1, 0), ("bravo", "charlie"): (0, 1), ("alpha", "bravo"): (0, 1)}


def test_the_json_has_the_documented_shape(handmade):
    data = report_json(report_of(handmade, "2025-01-15", "2025-03-01"))
    assert list(data)[:3] == ["actors", "bases", "routes"]
    assert set(data["actors"]["red"]) == {"km2_a", "km2_b", "gained", "lost"}
    assert all(isinstance(v, int) for actor in data["actors"].values() for v in actor.values())
    alpha = next(b for b in data["bases"] if b["base"] == "alpha")
    assert alpha["a"] == {"holder": "red", "present": []} and alpha["b"] == {"holder": "blue", "present": []}
    json.dumps(data)


def test_nothing_changes_between_a_day_and_itself(handmade):
    report = report_of(handmade, "2025-02-15", "2025-02-15")
    assert report.land == () and report.bases == () and report.towns == () and report.presences == ()
    assert all(a.gained == 0 and a.lost == 0 for a in report.actors)


def test_the_csv_makes_formulas_inert(tmp_path):
    presence = HANDOVER_PRESENCE_CSV.replace("Wire report 2025-02-10", "=HYPERLINK(\"http://x\")")
    scenario = load_scenario(write_scenario(tmp_path / "s", presence_csv=presence))
    text = report_csv(report_of(scenario, "2025-01-15", "2025-03-01")).decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_town_points_come_from_the_scenarios_town_checks(tmp_path):
    checks = ("place,lat,lon,date,holder,source\n"
              "Alpha town,34.5,36.2,2025-01-01,red,x\n"
              "Alpha town,34.5,36.2,2025-02-01,red,y\n")
    folder = write_scenario(tmp_path / "s", **{"town_checks.csv": checks})
    points = town_points(folder)
    assert points.to_dict("records") == [{"name": "Alpha town", "lat": 34.5, "lon": 36.2}]
    assert town_points(tmp_path / "nowhere").empty


# --- The bundled scenario --------------------------------------------------------------------------

def test_bundled_north_east_syria_from_december_2024_to_february_2026():
    from geodata import BUNDLED
    scenario = load_scenario()
    report = change_report(scenario, parse_side("2024-12-01", scenario.meta.period),
                           parse_side("2026-02-12", scenario.meta.period), town_points(BUNDLED))
    land = {a.actor: a for a in report.actors}
    assert land["sdf"].lost > 30_000 and land["sdf"].gained == 0
    assert land["syria_gov"].gained > 100_000
    sdf_to_government = [c for c in report.land if (c.old, c.new) == ("sdf", "syria_gov")]
    assert sdf_to_government and sdf_to_government[0].km2 > 30_000
    bases = {c.base: c for c in report.bases}
    assert bases["qamishli"].holder_b == "syria_gov" and bases["qamishli"].steps[-1].date == D(2026, 2, 8)
    assert "russia" in bases["qamishli"].present_a and "russia" not in bases["qamishli"].present_b
    assert bases["tabqa"].holder_b == "syria_gov" and bases["tabqa"].steps[-1].date == D(2026, 1, 17)
    left = {e.base for e in report.presences if e.actor == "russia" and e.change == "ended"}
    assert {"qamishli", "kobani", "manbij", "ain_issa", "amuda", "tell_tamer"} <= left
    towns = {t.name: t for t in report.towns}
    assert towns["Raqqa"].holder_b == "syria_gov" and towns["Raqqa"].date == D(2026, 1, 18)


# --- The command line -----------------------------------------------------------------------------

def run(capsys, *argv):
    code = analysis_main(["changes", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_the_report_and_its_json(capsys, scenario_dir):
    code, out, err = run(capsys, "--data", str(scenario_dir), "--from", "2025-01-15", "--to", "2025-03-01")
    assert code == 0 and "Land held, km²" in out and "Routes with the largest changes" in out
    code, out, err = run(capsys, "--data", str(scenario_dir), "--from", "2025-01-15", "--to", "2025-03-01", "--json")
    data = json.loads(out)
    assert code == 0 and list(data)[:3] == ["actors", "bases", "routes"]
    assert data["actors"]["red"]["km2_b"] > data["actors"]["red"]["km2_a"], "red's square doubles in February"


@pytest.mark.parametrize("argv, message", [
    (["--from", "2025-13-01", "--to", "2025-03-01"], "--from '2025-13-01': not a date"),
    (["--from", "2025-01-15", "--to", "2026-01-01"], "--to 2026-01-01: outside the scenario's period"),
    (["--from", "2025-03-01", "--to", "2025-01-15"], "--to 2025-01-15 is before --from 2025-03-01"),
    (["--from", "2025-02-10/2025-02-01", "--to", "2025-03-01"], "ends before it starts"),
    (["--to", "2025-03-01"], "required: --from"),
])
def test_bad_options_exit_2_with_one_line(capsys, scenario_dir, argv, message):
    code, out, err = run(capsys, "--data", str(scenario_dir), *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
