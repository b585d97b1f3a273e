"""Imports that need no flags: each value filled in is a warning in the preview, and what cannot be told refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyproj import Transformer

from geodata import load_scenario
from geodata.__main__ import main
from geodata.countries import country_at

# The two holdout files analysts bring: a plain KML of placemarks, and a GeoJSON of points in EPSG:3857.
PLACEMARKS_KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Pacific fleet</name>
<Placemark><name>Vladivostok naval base</name><Point><coordinates>131.89,43.11,0</coordinates></Point></Placemark>
<Placemark><name>Rybachiy submarine base</name><description>Across Avacha Bay from Petropavlovsk.</description>
<Point><coordinates>158.51,52.92,0</coordinates></Point></Placemark>
<Placemark><name>Anadyr airfield</name><Point><coordinates>177.74,64.73,0</coordinates></Point></Placemark>
</Document></kml>"""
TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def mercator_points(places: dict[str, tuple[float, float]]) -> str:
    features = [{"type": "Feature", "properties": {"name": name},
                 "geometry": {"type": "Point", "coordinates": list(TO_MERCATOR.transform(lon, lat))}}
                for name, (lon, lat) in places.items()]
    return json.dumps({"type": "FeatureCollection", "features": features,
                       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}})


def run(workspace: Path, name: str, text: str, capsys, *flags: str) -> tuple[int, str]:
    file = workspace.parent / name
    file.write_text(text, encoding="utf-8")
    code = main(["import", str(file), "--into", str(workspace), "--author", "test", *flags])
    return code, capsys.readouterr().out


def test_a_plain_kml_of_placemarks_imports_with_nothing_but_into(workspace: Path, capsys) -> None:
    code, out = run(workspace, "fleet.kml", PLACEMARKS_KML, capsys)
    assert code == 0, out
    assert "fleet.kml: bases: 3 to add" in out
    assert "fleet.kml: country: warning: row 1, 2, 3" not in out  # rows are named in the plural
    assert "fleet.kml: country: warning: rows 1, 2, 3: none given, set to 'Russia' from the position" in out
    assert "fleet.kml: kind: warning: rows 1, 2, 3: none given, set to 'other'" in out
    assert "fleet.kml: operator: warning: rows 1, 2, 3: none given, set to 'unknown'" in out
    assert "fleet.kml: confidence: warning: rows 1, 2, 3: none given, set to 'claimed'" in out
    assert "actor 'unknown' is not in the workspace; created as 'unknown', named 'Unknown'" in out
    scenario = load_scenario(workspace)
    bases = scenario.bases.set_index("name")
    assert set(bases.loc[["Vladivostok naval base", "Anadyr airfield"], "country"]) == {"Russia"}
    assert set(bases["kind"].loc[["Vladivostok naval base"]]) == {"other"}
    assert bases.loc["Rybachiy submarine base", "description"] == "Across Avacha Bay from Petropavlovsk."
    assert scenario.actors.loc["unknown", "name"] == "Unknown"


def test_a_geojson_of_points_in_web_mercator_imports_with_nothing_but_into(tmp_path: Path, capsys) -> None:
    places = {"Havana": (-82.38, 23.13), "Caracas": (-66.90, 10.49), "Cam Ranh": (109.22, 11.99)}
    target = tmp_path / "new.gpkg"
    code, out = run(target, "points.geojson", mercator_points(places), capsys)
    assert code == 0, out
    assert "points.geojson: crs: warning: EPSG:3857 reprojected to WGS84" in out
    bases = load_scenario(target).bases.set_index("name")
    assert bases.loc["Havana", ["lat", "lon"]].tolist() == pytest.approx([23.13, -82.38], abs=1e-6)
    assert bases["country"].to_dict() == {"Havana": "Cuba", "Caracas": "Venezuela", "Cam Ranh": "Vietnam"}


def test_a_csv_of_names_and_coordinates_imports_with_nothing_but_into(workspace: Path, capsys) -> None:
    code, out = run(workspace, "sites.csv", "name,latitude,longitude\nKhmeimim,35.41,35.95\nBenina,32.10,20.27\n",
                    capsys)
    assert code == 0, out
    bases = load_scenario(workspace).bases.set_index("name")
    assert bases.loc["Khmeimim", "country"] == "Syria" and bases.loc["Benina", "country"] == "Libya"
    assert "sites.csv: country: warning: row 2: none given, set to 'Syria'" in out
    assert "sites.csv: country: warning: row 3: none given, set to 'Libya'" in out


def test_at_sea_the_nearest_country_near_enough_else_none(workspace: Path, capsys) -> None:
    sea = "name,lat,lon\nOff Tartus,34.93,35.80\nEastern Mediterranean,34.0,33.5\n"
    code, out = run(workspace, "sea.csv", sea, capsys)
    assert code == 0, out
    assert "sea.csv: country: warning: at sea, given the nearest country: 2 (Syria, " in out
    assert "sea.csv: country: warning: row 3: at sea, no country within 50 km; left empty" in out
    bases = load_scenario(workspace).bases.set_index("name")
    assert bases.loc["Off Tartus", "country"] == "Syria" and bases.loc["Eastern Mediterranean", "country"] == ""


def test_country_at_uses_the_basemaps_outlines() -> None:
    assert country_at(35.945, 35.4117).name == "Syria"  # Hmeimim
    assert country_at(41.19, 37.02).name == "Syria"  # Qamishli, a kilometre from Turkey
    assert country_at(-165.41, 64.50).name == "United States of America"  # Nome, on the shore
    assert country_at(0.0, 0.0).name == ""  # the Gulf of Guinea, far from land


def test_zones_without_dates_take_the_scenarios_period(workspace: Path, capsys) -> None:
    zone = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"actor": "red"},
            "geometry": {"type": "Polygon", "coordinates": [[[36, 34], [37, 34], [37, 35], [36, 34]]]}}]}
    code, out = run(workspace, "area.geojson", json.dumps(zone), capsys)
    assert code == 0, out
    assert "area.geojson: valid_to: warning: row 1: no dates given, set to the scenario's end, 2025-03-31" in out
    assert "area.geojson: valid_from: warning: row 1: none given, set to '2025-01-01'" in out
    added = load_scenario(workspace).zones.iloc[-1]
    assert (str(added["valid_from"].date()), str(added["valid_to"].date())) == ("2025-01-01", "2025-03-31")


def test_what_cannot_be_told_still_refuses(workspace: Path, capsys) -> None:
    before = workspace.read_bytes()
    code, out = run(workspace, "unnamed.csv", "latitude,longitude\n35.1,36.7\n", capsys)
    assert code == 1 and "unnamed.csv:1: name: missing column" in out
    code, out = run(workspace, "nowhere.csv", "name,notes\nSomewhere,no position\n", capsys)
    assert code == 1 and "nowhere.csv: -: has neither two ends" in out
    assert workspace.read_bytes() == before


def test_new_actors_get_readable_names(workspace: Path, capsys) -> None:
    with_names = "name,lat,lon,operator,operator_name\nKilo,35.1,36.7,rus_mod,Russian Ministry of Defence\n"
    code, out = run(workspace, "named.csv", with_names, capsys)
    assert code == 0, out
    assert "created as 'rus_mod', named 'Russian Ministry of Defence' from the file" in out
    assert "operator_name" not in out.split("not imported:")[-1].splitlines()[0]
    code, out = run(workspace, "ids.csv", "name,lat,lon,operator\nLima,35.2,36.8,wagner_group\n", capsys)
    assert code == 0, out
    assert "created as 'wagner_group', named 'Wagner Group' (rename it in the workspace)" in out
    actors = load_scenario(workspace).actors
    assert actors.loc["rus_mod", "name"] == "Russian Ministry of Defence"
    assert actors.loc["wagner_group", "name"] == "Wagner Group"


def test_a_what_column_is_proposed_as_the_asset(workspace: Path, capsys) -> None:
    moves = "date,origin,destination,mode,category,what,source,confidence\n" \
            "2025-02-09,alpha,bravo,air,cargo,Il-76 freighter,Test,reported\n"
    code, out = run(workspace, "moves.csv", moves, capsys)
    assert code == 0, out
    assert "what→asset" in out
    assert "Il-76 freighter" in set(load_scenario(workspace).movements["asset"])
