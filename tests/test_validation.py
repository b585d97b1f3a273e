"""Every validation rule of `python -m geodata check`, each on a small bad file made here."""

import json
import socket
import subprocess
import sys

import pytest

from geodata import check_scenario
from geodata.__main__ import main
from scenario_files import (ACTORS_CSV, BASES_CSV, MOVEMENTS_CSV, SCENARIO_TOML, square, write_scenario,
                            zone_feature, zones_geojson)


def problems_of(folder):
    scenario, problems = check_scenario(folder)
    return scenario, problems.lines()


def only_problem(folder):
    scenario, lines = problems_of(folder)
    assert scenario is None, "a bad scenario must not load"
    return lines


def test_a_good_scenario_has_no_problems(scenario_dir):
    scenario, lines = problems_of(scenario_dir)
    assert scenario is not None and lines == []


@pytest.mark.parametrize("name", ["scenario.toml", "actors.csv", "bases.csv", "movements.csv", "zones.geojson"])
def test_missing_file(tmp_path, name):
    folder = write_scenario(tmp_path / "s")
    (folder / name).unlink()
    assert f"{name}: -: missing file" in only_problem(folder)


def test_movements_parquet_stands_in_for_csv(tmp_path):
    folder = write_scenario(tmp_path / "s")
    scenario = check_scenario(folder)[0]
    (folder / "movements.csv").unlink()
    import pandas as pd
    pd.read_csv(pd.io.common.StringIO(MOVEMENTS_CSV), dtype=str, keep_default_na=False).to_parquet(
        folder / "movements.parquet")
    from_parquet, lines = problems_of(folder)
    assert lines == [] and len(from_parquet.movements) == len(scenario.movements)


def test_missing_column(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace(",confidence", ",certainty", 1))
    assert "bases.csv:1: confidence: missing column" in only_problem(folder)


def test_unparseable_date(tmp_path):
    folder = write_scenario(tmp_path / "s", movements_csv=MOVEMENTS_CSV.replace("2025-02-10", "10/02/2025"))
    assert "movements.csv:4: date: '10/02/2025' is not a date (YYYY-MM-DD)" in only_problem(folder)


def test_end_before_start_in_movements_zones_and_scenario(tmp_path):
    folder = write_scenario(
        tmp_path / "s",
        movements_csv=MOVEMENTS_CSV.replace("2025-01-22", "2025-01-02"),
        zones_geojson=zones_geojson([zone_feature("red", "2025-02-01", "2025-01-15", square(36, 34))]),
    )
    lines = only_problem(folder)
    assert "movements.csv:3: end_date: 2025-01-02 is before date 2025-01-20" in lines
    assert "zones.geojson:1: valid_to: 2025-01-15 is before valid_from 2025-02-01" in lines
    toml = SCENARIO_TOML.replace('end = "2025-03-31"', 'end = "2024-03-31"')
    assert "scenario.toml: end: end 2024-03-31 is before start 2025-01-01" in only_problem(
        write_scenario(tmp_path / "t", scenario_toml=toml))


def test_latitude_and_longitude_out_of_range(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("35.41,35.95", "95.41,-185.5"))
    lines = only_problem(folder)
    assert "bases.csv:2: lat: 95.41 is out of range for a latitude (±90)" in lines
    assert "bases.csv:2: lon: -185.5 is out of range for a longitude (±180)" in lines


def test_unknown_base_and_actor_ids(tmp_path):
    folder = write_scenario(tmp_path / "s",
                            movements_csv=MOVEMENTS_CSV.replace("bravo,charlie", "bravo,zulu"),
                            bases_csv=BASES_CSV.replace(",blue,", ",green,"),
                            zones_geojson=zones_geojson([zone_feature("purple", "2025-01-01", "", square(36, 34))]))
    lines = only_problem(folder)
    assert "movements.csv:4: destination: unknown base id 'zulu'" in lines
    assert "bases.csv:4: operator: unknown actor id 'green'" in lines
    assert "zones.geojson:1: actor: unknown actor id 'purple'" in lines


def test_duplicate_id(tmp_path):
    folder = write_scenario(tmp_path / "s", actors_csv=ACTORS_CSV + "red,Red again,#000000\n")
    assert "actors.csv:4: id: duplicate id 'red' (first at row 2)" in only_problem(folder)


def test_unknown_vocabulary_words(tmp_path):
    folder = write_scenario(tmp_path / "s", movements_csv=MOVEMENTS_CSV.replace(",sea,naval,", ",rail,navy,"),
                            bases_csv=BASES_CSV.replace("naval base", "port"))
    lines = only_problem(folder)
    assert "movements.csv:4: mode: 'rail' is not one of: air, sea, land" in lines
    assert any(line.startswith("movements.csv:4: category: 'navy' is not one of:") for line in lines)
    assert any(line.startswith("bases.csv:3: kind: 'port' is not one of:") for line in lines)


def test_a_movement_end_needs_a_base_or_a_point(tmp_path):
    folder = write_scenario(tmp_path / "s", movements_csv=MOVEMENTS_CSV.replace("m3,2025-02-10,bravo,", "m3,2025-02-10,,"))
    assert "movements.csv:4: origin: needs a base id or origin_lat/origin_lon" in only_problem(folder)


def test_empty_geometry(tmp_path):
    feature = zone_feature("red", "2025-01-01", "", square(36, 34))
    feature["geometry"] = {"type": "Polygon", "coordinates": []}
    folder = write_scenario(tmp_path / "s", zones_geojson=zones_geojson([feature]))
    assert "zones.geojson:1: geometry: empty geometry" in only_problem(folder)


def test_self_intersecting_polygon_is_repaired_with_a_warning(tmp_path):
    bowtie = [[[36, 34], [37, 35], [37, 34], [36, 35], [36, 34]]]
    folder = write_scenario(tmp_path / "s", zones_geojson=zones_geojson([zone_feature("red", "2025-01-01", "", bowtie)]))
    scenario, lines = problems_of(folder)
    assert scenario is not None and scenario.zones.geometry.iloc[0].is_valid
    assert lines == ["zones.geojson:1: geometry: warning: self-intersecting polygon, repaired"]


def test_non_wgs84_crs_is_reprojected_with_a_warning(tmp_path):
    mercator = [[[3_900_000, 4_000_000], [4_000_000, 4_000_000], [4_000_000, 4_100_000], [3_900_000, 4_000_000]]]
    doc = json.loads(zones_geojson([zone_feature("red", "2025-01-01", "", mercator)]))
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    folder = write_scenario(tmp_path / "s", zones_geojson=json.dumps(doc))
    scenario, lines = problems_of(folder)
    assert lines == ["zones.geojson: crs: warning: EPSG:3857 reprojected to WGS84 (EPSG:4326)"]
    minx, miny, maxx, maxy = scenario.zones.total_bounds
    assert 35 < minx < maxx < 36 and 33 < miny < maxy < 35


def test_projected_coordinates_without_a_crs_are_refused(tmp_path):
    mercator = [[[3_900_000, 4_000_000], [4_000_000, 4_000_000], [4_000_000, 4_100_000], [3_900_000, 4_000_000]]]
    folder = write_scenario(tmp_path / "s", zones_geojson=zones_geojson([zone_feature("red", "2025-01-01", "", mercator)]))
    assert any("not longitude/latitude degrees" in line for line in only_problem(folder))


def test_a_crs_that_names_a_file_is_not_opened(tmp_path):
    doc = json.loads(zones_geojson())
    doc["crs"] = {"type": "name", "properties": {"name": "/etc/passwd"}}
    folder = write_scenario(tmp_path / "s", zones_geojson=json.dumps(doc))
    assert "zones.geojson: crs: unsupported CRS '/etc/passwd'; use EPSG codes or WGS84" in only_problem(folder)


@pytest.mark.parametrize("name, content, found", [
    ("bases.csv", b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
    ("zones.geojson", b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/http://127.0.0.1:9/x'
                      b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>", "XML/HTML document"),
    ("movements.csv", b"SQLite format 3\x00" + b"\x00" * 40, "SQLite/GeoPackage database"),
    ("scenario.toml", b"%PDF-1.4 ...", "PDF document"),
])
def test_a_file_that_is_not_what_its_name_says(tmp_path, name, content, found):
    folder = write_scenario(tmp_path / "s", **{name: content})
    lines = only_problem(folder)
    assert any(line.startswith(f"{name}: -: is a {found}") for line in lines), lines


def test_text_that_is_not_utf8_names_the_row(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("Port.", "Port \xe9.").encode("latin-1"))
    assert any(line.startswith("bases.csv:3: -: not UTF-8 text") for line in only_problem(folder))


def test_urls_and_paths_inside_data_stay_text(tmp_path, monkeypatch):
    """The loader never opens a path or URL that came from inside a data file."""
    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    hostile = BASES_CSV.replace("Test source 2025-01-01,confirmed", "/vsicurl/http://127.0.0.1:9/x.csv,confirmed", 1)
    folder = write_scenario(tmp_path / "s", bases_csv=hostile)
    scenario, lines = problems_of(folder)
    assert lines == [] and scenario.bases.loc["alpha", "source"] == "/vsicurl/http://127.0.0.1:9/x.csv"


def test_many_bad_cells_are_summarised(tmp_path):
    rows = "".join(f"m{i},2025-01-{(i % 28) + 1:02d},alpha,zulu,air,cargo,x,1,reported,s,,\n" for i in range(100))
    header = MOVEMENTS_CSV.splitlines()[0] + "\n"
    lines = only_problem(write_scenario(tmp_path / "s", movements_csv=header + rows))
    assert len(lines) == 21 and lines[-1] == "movements.csv: destination: … and 80 more like this"


def test_cli_exit_codes_and_problem_lines(tmp_path, capsys):
    good = write_scenario(tmp_path / "good")
    assert main(["check", str(good)]) == 0
    assert capsys.readouterr().out.startswith("OK: Test theatre")
    bad = write_scenario(tmp_path / "bad", bases_csv=BASES_CSV.replace("35.41", "x"))
    assert main(["check", str(bad)]) == 1
    assert capsys.readouterr().out.strip() == "bases.csv:2: lat: 'x' is not a number"


def test_cli_prints_no_traceback_for_nonsense(tmp_path):
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"\x00" * 100)
    result = subprocess.run([sys.executable, "-m", "geodata", "check", str(junk)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.strip() == "junk.gpkg: -: is not a GeoPackage (SQLite) file"


def test_geopackage_scenario_round_trip(tmp_path):
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    from shapely.geometry import Point, shape
    folder = write_scenario(tmp_path / "s")
    gpkg = tmp_path / "w.gpkg"
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    meta = pd.DataFrame([{"title": "Test theatre", "caveat": "c", "start": "2025-01-01", "end": "2025-03-31",
                          "latitude": 35.0, "longitude": 37.0, "zoom": 5.0}])
    pyogrio.write_dataframe(meta, gpkg, layer="scenario", driver="GPKG")
    pyogrio.write_dataframe(read("actors.csv"), gpkg, layer="actors", driver="GPKG", append=True)
    bases = read("bases.csv")
    points = gpd.GeoDataFrame(bases, geometry=[Point(float(x), float(y)) for x, y in zip(bases.lon, bases.lat)],
                              crs=4326)
    pyogrio.write_dataframe(points, gpkg, layer="bases", driver="GPKG", append=True)
    pyogrio.write_dataframe(read("movements.csv"), gpkg, layer="movements", driver="GPKG", append=True)
    features = json.loads(zones_geojson())["features"]
    zones = gpd.GeoDataFrame([f["properties"] for f in features], geometry=[shape(f["geometry"]) for f in features],
                             crs=4326)
    pyogrio.write_dataframe(zones, gpkg, layer="zones", driver="GPKG", append=True)
    scenario, problems = check_scenario(gpkg)
    assert problems.lines() == []
    assert len(scenario.movements) == 4 and len(scenario.zones) == 3 and scenario.meta.view.zoom == 5.0
