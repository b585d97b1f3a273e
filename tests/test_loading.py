"""The bundled scenario and the questions the dashboard asks of a scenario."""

import datetime as dt
import os

import pandas as pd
import shapely
from shapely.geometry import Point

from geodata import BUNDLED, MovementFilter, load_scenario
from geodata.schema import BASE_KINDS, CATEGORIES, CONFIDENCES, MODES

HEADLINE = {"hmeimim", "tartus", "qamishli", "al_khadim"}


def test_bundled_scenario_loads_with_what_the_format_promises():
    scenario = load_scenario()
    assert HEADLINE <= set(scenario.bases.index)
    assert len(scenario.bases) >= 16
    assert len(scenario.movements) >= 40
    assert set(scenario.bases["kind"]) <= set(BASE_KINDS)
    assert set(scenario.movements["mode"]) <= set(MODES)
    assert set(scenario.movements["category"]) <= set(CATEGORIES)
    assert set(scenario.movements["confidence"]) <= set(CONFIDENCES)
    for table in (scenario.bases, scenario.movements, scenario.zones):
        assert (table["source"].str.strip() != "").all(), "every record names its source"


def test_bundled_zones_cover_the_required_actors_in_dated_states():
    scenario = load_scenario()
    actors = set(scenario.zones["actor"])
    assert {"syria_gov", "sdf", "sna", "israel", "us_coalition", "suwayda"} <= actors
    assert len(scenario.zone_change_dates()) >= 3
    # Manbij (36.5281 N, 37.9547 E) went from the SDF to the Turkish-backed SNA in December 2024.
    manbij = Point(37.9547, 36.5281)

    def holders(day):
        zones = scenario.zones_on(day)
        return set(zones[zones.contains(manbij)]["actor"])

    assert holders(dt.date(2024, 12, 5)) == {"sdf"}
    assert holders(dt.date(2024, 12, 20)) == {"sna"}


def test_loading_is_cached_and_reloads_when_a_file_changes(scenario_dir):
    first = load_scenario(scenario_dir)
    assert load_scenario(scenario_dir) is first
    movements = scenario_dir / "movements.csv"
    movements.write_text(movements.read_text() + "m5,2025-03-05,bravo,alpha,sea,naval,Ship,1,reported,Test,,\n")
    os.utime(movements, ns=(1, 1_000_000_000_000))
    second = load_scenario(scenario_dir)
    assert second is not first and len(second.movements) == len(first.movements) + 1


def test_zones_on_a_date_follow_valid_from_and_inclusive_valid_to(scenario_dir):
    scenario = load_scenario(scenario_dir)
    assert len(scenario.zones_on(dt.date(2025, 1, 31))) == 2
    feb = scenario.zones_on(dt.date(2025, 2, 1))
    assert len(feb) == 2 and shapely.area(feb.geometry.values).max() == 4.0  # the grown red zone replaced the small one
    assert scenario.zone_change_dates() == [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]


def test_movements_in_a_window_include_those_under_way(scenario_dir):
    scenario = load_scenario(scenario_dir)
    ids = lambda frame: sorted(frame["id"])
    assert ids(scenario.movements_in(dt.date(2025, 1, 21), dt.date(2025, 1, 25))) == ["m2"]  # m2 runs 20-22 Jan
    assert ids(scenario.movements_in(dt.date(2025, 1, 1), dt.date(2025, 3, 31))) == ["m1", "m2", "m3", "m4"]
    assert ids(scenario.movements_in(dt.date(2025, 1, 23), dt.date(2025, 2, 9))) == []


def test_movement_filters_combine(scenario_dir):
    scenario = load_scenario(scenario_dir)
    period = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    ids = lambda keep: sorted(scenario.movements_in(*period, keep)["id"])
    assert ids(MovementFilter(modes=frozenset({"sea"}))) == ["m3"]
    assert ids(MovementFilter(confidences=frozenset({"confirmed", "reported"}))) == ["m1", "m2", "m4"]
    assert ids(MovementFilter(bases=frozenset({"bravo"}))) == ["m3", "m4"]
    assert ids(MovementFilter(operators=frozenset({"blue"}))) == ["m1", "m2", "m3"]
    assert ids(MovementFilter(categories=frozenset({"cargo"}), confidences=frozenset({"claimed"}))) == []


def test_ends_that_are_not_bases_keep_their_coordinates(scenario_dir):
    (scenario_dir / "movements.csv").write_text(
        "id,date,origin,destination,mode,category,asset,quantity,confidence,source,notes,"
        "destination_lat,destination_lon\n"
        "m1,2025-01-05,alpha,,sea,naval,Frigate,1,reported,Test,anchorage,35.0,35.7\n")
    movement = load_scenario(scenario_dir).movements.iloc[0]
    assert (movement["origin_lat"], movement["destination_lat"], movement["destination_lon"]) == (35.41, 35.0, 35.7)


def test_extra_columns_are_kept(scenario_dir):
    bases = scenario_dir / "bases.csv"
    lines = bases.read_text().splitlines()
    bases.write_text("\n".join([lines[0] + ",icao"] + [line + ",OSLK" for line in lines[1:]]) + "\n")
    assert (load_scenario(scenario_dir).bases["icao"] == "OSLK").all()


def test_bundled_path_is_inside_the_package():
    assert BUNDLED.is_dir() and pd.api.types.is_datetime64_any_dtype(load_scenario().movements["date"])


def test_large_scenarios_open_from_the_parquet_cache_and_any_edit_misses_it(scenario_dir, tmp_path, monkeypatch):
    from geodata import cache
    from geodata.loader import _fingerprint, check_scenario

    monkeypatch.setenv("FOOTPRINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "MIN_MOVEMENTS", 1)
    first = load_scenario(scenario_dir)
    written = sorted(p.name.split(".", 1)[1] for p in (tmp_path / "cache").iterdir())
    assert written == ["movements.parquet", "places.parquet"]
    prepared = cache.read(scenario_dir.resolve(), _fingerprint(scenario_dir.resolve()))
    assert prepared is not None
    scenario, problems = check_scenario(scenario_dir, prepared)
    assert scenario is not None and list(scenario.movements["id"]) == list(first.movements["id"])
    assert scenario.movements["distance_km"].equals(first.movements["distance_km"])
    (scenario_dir / "movements.csv").write_text((scenario_dir / "movements.csv").read_text() + "\n")
    assert cache.read(scenario_dir.resolve(), _fingerprint(scenario_dir.resolve())) is None, "an edit misses the cache"
