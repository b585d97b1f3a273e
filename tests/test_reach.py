"""The air bridge: route finding on a small scenario worked out by hand, closed airspace, and the command line.

The test bases sit on the equator 10° apart, where the geodesic is the equator
itself: 10° is 6378.137 km × π/18 = 1,113.2 km. The test aircraft flies 1,200 km,
so it goes one base at a time.
"""

import datetime as dt
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from analysis.airspace import Airspace, closures_on, geodesic_paths
from analysis.reach import ReachError, ReachQuery, find_routes, route_text, with_and_without
from analysis.reach_command import main
from geodata import check_scenario, load_scenario
from geodata.downloads import movements_csv, movements_geojson
from scenario_files import SCENARIO_TOML, square, write_scenario

GEOD = Geod(ellps="WGS84")
TEN_DEGREES = 6378.137 * math.pi / 18  # km along the equator
D = dt.date

BASES = """id,name,country,kind,lat,lon,operator,description,source,confidence
a,A field,Aland,air base,0,0,red,,Src,confirmed
b,B field,Bland,airport,0,10,red,,Src,confirmed
c,C field,Cland,air base,0,20,blue,,Src,confirmed
d,D field,Dland,airport,0,30,blue,,Src,confirmed
f,F field,Bland,airport,1,10,blue,,Src,confirmed
g,G camp,Cland,garrison,0.2,20,red,,Src,confirmed
"""
# Red is at C from February only: in January only its camp G, where no aircraft lands, is near 20°E.
PRESENCE = """base,actor,role,from,to,confidence,source,notes
c,blue,holds,2025-01-01,,confirmed,Src,
c,red,present,2025-02-01,,confirmed,Src,
"""
SYSTEMS = """id,name,kind,range_km,notes,source,confidence
lift,Lifter,aircraft,1200,,Src,reported
far,Far lifter,aircraft,2300,,Src,reported
nothing,No figure,aircraft,,no public range,Src,reported
"""
PERIOD = SCENARIO_TOML.replace('end = "2025-03-31"', 'end = "2025-06-30"')
MOVEMENTS = """id,date,origin,destination,mode,category,asset,quantity,confidence,source,notes
m1,2025-02-05,a,b,air,cargo,Lifter,1,confirmed,Src,
"""


def airspace(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": coordinates},
         "properties": {"name": name, "closed_to": "red", "valid_from": first, "valid_to": last,
                        "source": "Src", "confidence": "confirmed", "only_legs_to_from": only}}
        for name, coordinates, first, last, only in features]})


# P1 (1° square) lies across A–B in February; in March P2 lies across C–D and P3 across B–C, both only for legs to or from
# Dland, so B–C stays open and C–D is closed.
AIRSPACE = airspace(
    ("P1", square(4, -0.5), "2025-02-01", "2025-02-28", ""),
    ("P2", square(24, -0.5), "2025-03-01", "2025-03-31", "Dland"),
    ("P3", square(14, -0.5), "2025-03-01", "2025-03-31", "Dland"),
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = write_scenario(tmp_path_factory.mktemp("reach") / "s", bases_csv=BASES, presence_csv=PRESENCE,
                            systems_csv=SYSTEMS, airspace_geojson=AIRSPACE, movements_csv=MOVEMENTS, scenario_toml=PERIOD)
    return load_scenario(folder)


def route(scenario, day, destination="d", **options):
    query = ReachQuery(options.pop("system", "lift"), options.pop("origins", ("a",)), (destination,), **options)
    return find_routes(scenario, query, day).routes[0]


def legs(found) -> list[tuple[str, str, float]]:
    return [(leg.start, leg.end, round(leg.km, 1)) for leg in found.legs]


# --- Routes worked out by hand -----------------------------------------------------------------

def test_two_stopovers_carry_the_lifter_one_base_at_a_time(scenario):
    found = route(scenario, D(2025, 4, 1))
    assert legs(found) == [("a", "b", 1113.2), ("b", "c", 1113.2), ("c", "d", 1113.2)]
    assert found.km == round(3 * TEN_DEGREES, 1) == 3339.6
    assert found.stopovers == ("b", "c")


def test_an_aircraft_stops_only_at_airfields_the_actor_holds_or_uses_that_day(scenario):
    january = route(scenario, D(2025, 1, 15))
    assert not january.reachable, "in January red is not at C, and its camp G near by is no airfield"
    assert route(scenario, D(2025, 1, 15), destination="c").reachable, "a destination needs no one's presence"


def test_the_stops_limit_and_the_shortest_last_leg_when_out_of_reach(scenario):
    short = route(scenario, D(2025, 4, 1), stops=1)
    assert not short.reachable and short.legs == () and short.km is None
    assert (short.blocked.start, short.blocked.end, round(short.blocked.km, 1)) == ("b", "d", 2226.4)
    assert route_text(short) == ("d: unreachable; shortest last leg b → d 2,226.4 km is longer than the range "
                                 "(1,200 km)")
    direct = route(scenario, D(2025, 4, 1), stops=0)
    assert (direct.blocked.start, round(direct.blocked.km, 1)) == ("a", 3339.6)


def test_without_removes_a_base_and_allow_adds_a_friendly_one(scenario):
    april = D(2025, 4, 1)
    lost = route(scenario, april, without=frozenset({"b"}))
    assert not lost.reachable and (lost.blocked.start, round(lost.blocked.km, 1)) == ("a", 3339.6)
    friendly = route(scenario, april, without=frozenset({"b"}), allow=frozenset({"f"}))
    assert [leg.end for leg in friendly.legs] == ["f", "c", "d"]
    _, _, a_f = GEOD.inv(0, 0, 10, 1)
    _, _, f_c = GEOD.inv(10, 1, 20, 0)
    assert friendly.km == pytest.approx((a_f + f_c) / 1000 + TEN_DEGREES, abs=0.1)
    every, without = with_and_without(scenario, ReachQuery("lift", ("a",), ("d",), without=frozenset({"b"})), april)
    assert every.routes[0].reachable and not without.routes[0].reachable
    gone = route(scenario, april, destination="b", without=frozenset({"b"}))
    assert not gone.reachable and route_text(gone) == "b: unreachable (taken away: a 'without' base)"


def test_a_longer_range_needs_fewer_stopovers_and_an_origin_is_its_own_destination(scenario):
    found = route(scenario, D(2025, 4, 1), system="far")
    assert len(found.legs) == 2 and found.km == 3339.6, "a 2,226.4 km leg is within 2,300: one stopover"
    itself = route(scenario, D(2025, 4, 1), destination="a")
    assert itself.reachable and itself.legs == () and itself.km == 0


def test_the_actor_defaults_to_who_holds_the_first_origin(scenario):
    assert find_routes(scenario, ReachQuery("lift", ("a",), ("d",)), D(2025, 4, 1)).actor == "red"
    # Blue holds C, D and F, and is bound by no closure: from D it reaches C, then F, then A.
    blue = find_routes(scenario, ReachQuery("lift", ("d",), ("a",)), D(2025, 2, 10))
    assert blue.actor == "blue" and [leg.end for leg in blue.routes[0].legs] == ["c", "f", "a"]


# --- Closed airspace ---------------------------------------------------------------------------

def test_a_closure_blocks_its_legs_only_on_its_days(scenario):
    assert route(scenario, D(2025, 1, 31), destination="b").reachable
    closed = route(scenario, D(2025, 2, 1), destination="b")
    assert not closed.reachable and closed.blocked.reason == "crosses closed airspace: P1"
    assert route(scenario, D(2025, 2, 28), destination="b").blocked is not None, "valid_to is the last day"
    assert route(scenario, D(2025, 3, 1), destination="b").reachable


def test_only_legs_to_from_binds_only_legs_that_land_or_take_off_in_that_country(scenario):
    march = D(2025, 3, 15)
    assert route(scenario, march, destination="c").reachable, "B–C crosses P3, but neither end is in Dland"
    to_d = route(scenario, march)
    assert not to_d.reachable
    assert (to_d.blocked.start, to_d.blocked.reason) == ("c", "crosses closed airspace: P2")


def test_a_detour_bends_round_the_closure_and_counts_its_length(scenario):
    february = D(2025, 2, 10)
    found = route(scenario, february, destination="b", detour=True)
    assert found.reachable and len(found.legs) == 1 and found.legs[0].turns
    # Hand bounds: no shorter than round P1's own corners, no longer than round points half a degree out.
    hugging = sum(GEOD.inv(*p, *q)[2] for p, q in [((0, 0), (4, 0.5)), ((4, 0.5), (5, 0.5)), ((5, 0.5), (10, 0))])
    wide = sum(GEOD.inv(*p, *q)[2] for p, q in [((0, 0), (3.5, 1)), ((3.5, 1), (5.5, 1)), ((5.5, 1), (10, 0))])
    assert hugging / 1000 < found.km < wide / 1000
    path = np.array([(0, 0), *found.legs[0].turns, (10, 0)], float)
    points, owner = geodesic_paths(path[:-1], path[1:])
    p1 = shapely.Polygon(square(4, -0.5)[0])
    assert not shapely.intersects(shapely.linestrings(points, indices=owner), p1).any(), "the path keeps out of P1"
    turn = found.legs[0].turns[0]
    assert f"via {abs(turn[1]):.2f}°{'N' if turn[1] > 0 else 'S'} {turn[0]:.2f}°E" in route_text(found)
    # The leg is walked back the other way with the same turns reversed.
    back = route(scenario, february, destination="a", origins=("b",), detour=True)
    assert back.legs[0].turns == tuple(reversed(found.legs[0].turns))
    # Round P1 and on to D: the detour plus two equator legs.
    onward = route(scenario, february, detour=True)
    assert onward.km == pytest.approx(found.km + 2 * TEN_DEGREES, abs=0.1)


def test_no_detour_out_of_a_closed_area_or_beyond_the_range(scenario):
    closures = closures_on(scenario.airspace, "red", D(2025, 2, 10))
    space = Airspace(closures)
    key = space.binding(("Aland", "Bland"))
    assert space.detour((5.0, 0.0), (10.0, 0.0), key, 5000) is None, "a start inside the closure cannot leave it"
    assert space.detour((0.0, 0.0), (10.0, 0.0), key, TEN_DEGREES + 1) is None, "the way round is longer"


def test_geodesic_paths_keep_longitudes_continuous_across_the_antimeridian():
    points, owner = geodesic_paths(np.array([[179.0, 10.0]]), np.array([[-179.0, 12.0]]))
    assert (owner == 0).all() and np.all(np.diff(points[:, 0]) > 0)
    assert points[-1, 0] == pytest.approx(181.0) and points[0, 0] == 179.0


# --- Errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [
    (ReachQuery("nothing", ("a",), ("d",)), "system"),
    (ReachQuery("nope", ("a",), ("d",)), "system"),
    (ReachQuery("lift", ("zz",), ("d",)), "origins"),
    (ReachQuery("lift", ("a",), ("zz",)), "destinations"),
    (ReachQuery("lift", ("a",), ("d",), without=frozenset({"zz"})), "without"),
    (ReachQuery("lift", ("a",), ("d",), actor="purple"), "actor"),
    (ReachQuery("lift", ("a",), ("d",), stops=-1), "stops"),
])
def test_bad_queries_name_what_is_wrong(scenario, query, field):
    with pytest.raises(ReachError) as error:
        find_routes(scenario, query, D(2025, 2, 1))
    assert error.value.field == field


def test_a_system_without_a_range_says_so(scenario):
    with pytest.raises(ReachError, match="no range"):
        find_routes(scenario, ReachQuery("nothing", ("a",), ("d",)), D(2025, 2, 1))


# --- The command line --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(scenario, tmp_path_factory):
    return write_scenario(tmp_path_factory.mktemp("cli") / "s", bases_csv=BASES, presence_csv=PRESENCE,
                          systems_csv=SYSTEMS, airspace_geojson=AIRSPACE, movements_csv=MOVEMENTS, scenario_toml=PERIOD)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_one_line_per_destination(folder, capsys):
    code, out, err = run(capsys, "--data", str(folder), "--system", "lift", "--from", "a", "--to", "d,c,b",
                         "--date", "2025-04-01", "--stops", "1")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines == [
        "d: unreachable; shortest last leg b → d 2,226.4 km is longer than the range (1,200 km)",
        "c: a → b 1,113.2 km; b → c 1,113.2 km; total 2,226.4 km",
        "b: a → b 1,113.2 km; total 1,113.2 km",
    ]


def test_the_command_prints_json_rounded_to_a_tenth(folder, capsys):
    code, out, _ = run(capsys, "--data", str(folder), "--system", "lift", "--from", "a", "--to", "d,b",
                       "--date", "2025-04-01", "--stops", "1", "--without", "c", "--json")
    assert code == 0
    assert json.loads(out) == {"routes": [
        {"destination": "d", "reachable": False, "legs": [], "km": None},
        {"destination": "b", "reachable": True, "legs": [["a", "b", 1113.2]], "km": 1113.2},
    ]}


@pytest.mark.parametrize("argv, message", [
    (["--system", "nope"], "--system unknown system 'nope'"),
    (["--system", "nothing"], "--system 'nothing' has no range in systems.csv"),
    (["--from", "zz"], "--from unknown base 'zz'"),
    (["--to", "a,zz"], "--to unknown base 'zz'"),
    (["--allow", "zz"], "--allow unknown base 'zz'"),
    (["--actor", "purple"], "--actor unknown actor 'purple'"),
    (["--date", "2025-02-30"], "--date '2025-02-30': not a date"),
    (["--date", "2030-01-01"], "--date 2030-01-01 is outside the scenario's period"),
    (["--stops", "9"], "--stops 9: from 0 to 6"),
])
def test_bad_ids_and_dates_exit_2_with_one_line(folder, capsys, argv, message):
    options = {"--system": "lift", "--from": "a", "--to": "d", "--date": "2025-04-01"}
    for option, value in zip(argv[::2], argv[1::2]):
        options[option] = value
    code, out, err = run(capsys, "--data", str(folder), *[part for pair in options.items() for part in pair])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_the_bundled_air_bridge_answers_and_hmeimim_changes_nothing_on_1_june_2025(capsys):
    """The README's answer: strict legs on 2025-06-01, from Chkalovsky, with and without Hmeimim."""
    destinations = "bamako,niamey,ouagadougou,port_sudan,benina"
    answers = []
    for without in ([], ["--without", "hmeimim"]):
        code, out, _ = run(capsys, "--system", "il76md", "--from", "chkalovsky", "--to", destinations,
                           "--date", "2025-06-01", "--json", *without)
        assert code == 0
        answers.append(json.loads(out))
    assert answers[0] == answers[1]
    routes = {route["destination"]: route for route in answers[0]["routes"]}
    assert all(route["reachable"] for route in routes.values())
    assert routes["port_sudan"]["legs"][0][:2] == ["chkalovsky", "makhachkala"], "Ukraine bars the direct leg"
    assert all("hmeimim" not in leg[:2] for route in routes.values() for leg in route["legs"])


# --- Distances ---------------------------------------------------------------------------------

def test_movement_distances_agree_with_geod_to_a_tenth_of_a_km():
    scenario = load_scenario()
    moves = scenario.movements
    _, _, metres = GEOD.inv(moves["origin_lon"].to_numpy(float), moves["origin_lat"].to_numpy(float),
                            moves["destination_lon"].to_numpy(float), moves["destination_lat"].to_numpy(float))
    assert len(moves) > 20
    assert np.abs(moves["distance_km"].to_numpy(float) - np.asarray(metres) / 1000).max() <= 0.1


def test_downloads_give_km_and_nautical_miles_for_air_and_sea(scenario_dir):
    scenario = load_scenario(scenario_dir)
    frame = pd.read_csv(io.BytesIO(movements_csv(scenario.movements)), dtype=str, keep_default_na=False)
    by_id = frame.set_index("id")
    _, _, alpha_charlie = GEOD.inv(35.95, 35.41, 21.18, 32.05)
    assert float(by_id.at["m1", "distance_km"]) == pytest.approx(alpha_charlie / 1000, abs=0.1)
    assert float(by_id.at["m1", "distance_nm"]) == pytest.approx(alpha_charlie / 1852, abs=0.1)  # by air
    assert by_id.at["m4", "mode"] == "land" and by_id.at["m4", "distance_nm"] == ""
    assert by_id.at["m3", "mode"] == "sea" and float(by_id.at["m3", "distance_nm"]) > 0
    lines = {f["properties"]["id"]: f["properties"] for f in json.loads(movements_geojson(scenario.movements))["features"]}
    assert lines["m1"]["distance_km"] == float(by_id.at["m1", "distance_km"])
    assert lines["m1"]["distance_nm"] == float(by_id.at["m1", "distance_nm"]) and lines["m4"]["distance_nm"] is None


def test_a_country_in_only_legs_to_from_must_be_some_base_s_country(tmp_path):
    bad = airspace(("P", square(4, -0.5), "2025-02-01", "", "Narnia"))
    scenario, problems = check_scenario(write_scenario(tmp_path / "s", bases_csv=BASES, airspace_geojson=bad,
                                                       movements_csv=MOVEMENTS))
    assert scenario is None
    assert "airspace.geojson:1: only_legs_to_from: 'Narnia' is not the country of any base in bases.csv" in \
        problems.lines()
