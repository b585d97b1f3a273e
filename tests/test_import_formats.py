"""One import per format, each from a small file made here, into a workspace made from the test scenario."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, Polygon

from geodata import load_scenario
from geodata.__main__ import main
from geodata.imports.apply import import_into
from geodata.imports.infer import infer_table
from geodata.imports.mapping import propose
from geodata.imports.preview import Source
from geodata.imports.sources import read_bytes
from geodata.problems import Problems
from geodata.workspace import create_workspace

ZONE = Polygon([(36, 34), (37, 34), (37, 35), (36, 35)])


@pytest.fixture
def workspace(tmp_path: Path, scenario_dir: Path) -> Path:
    path = tmp_path / "work.gpkg"
    create_workspace(path, from_scenario=scenario_dir)
    return path


def import_file(workspace: Path, name: str, data: bytes, confidence: str = "reported") -> int:
    file = workspace.parent / name
    file.write_bytes(data)
    return main(["import", str(file), "--into", str(workspace), "--confidence", confidence, "--author", "test"])


def shapefile_zip(tmp_path: Path, frame: gpd.GeoDataFrame, keep=(".shp", ".shx", ".dbf", ".prj", ".cpg")) -> bytes:
    folder = tmp_path / "shape"
    folder.mkdir()
    pyogrio.write_dataframe(frame, folder / "places.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in folder.iterdir():
            if file.suffix in keep:
                archive.write(file, f"data/{file.name}")
    return buffer.getvalue()


def test_csv_movements_with_kepler_columns(workspace: Path) -> None:
    data = b"date,source_lat,source_lng,target_lat,target_lng,mode,category,asset,quantity\n" \
           b"2025-02-03,35.41,35.95,32.05,21.18,air,cargo,Il-76,2\n"
    assert import_file(workspace, "flights.csv", data) == 0
    movements = load_scenario(workspace).movements
    new = movements[movements["source"].str.startswith("flights.csv, imported ")]
    assert len(new) == 1 and new.iloc[0]["origin_lat"] == pytest.approx(35.41)
    assert new.iloc[0]["confidence"] == "reported"


def test_csv_of_base_names_resolves_them_to_ids(workspace: Path) -> None:
    data = b"date,origin,destination,mode,category,source\n2025-02-04,Alpha air base,charlie,air,cargo,Test\n"
    assert import_file(workspace, "named.csv", data) == 0
    movements = load_scenario(workspace).movements
    assert movements[movements["date"] == "2025-02-04"].iloc[0]["origin"] == "alpha"


def test_xlsx_bases(workspace: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Latitude", "Longitude", "Country", "Type", "Operator", "Opened"])
    sheet.append(["Delta field", 33.5, 36.3, "Syria", "Airport", "Red force", dt.datetime(2025, 1, 2)])
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_file(workspace, "bases.xlsx", buffer.getvalue()) == 0
    bases = load_scenario(workspace).bases
    delta = bases[bases["name"] == "Delta field"].iloc[0]
    assert (delta["kind"], delta["operator"], delta["active_from"]) == ("airport", "red", pd.Timestamp("2025-01-02"))


def test_geojson_zones(workspace: Path) -> None:
    data = gpd.GeoDataFrame({"controlled_by": ["Blue force"], "from": ["2025-02-01"], "to": [""]},
                            geometry=[ZONE], crs=4326).to_json().encode()
    assert import_file(workspace, "front.geojson", data) == 0
    zones = load_scenario(workspace).zones
    assert len(zones) == 4 and (zones["actor"] == "blue").sum() == 2


def test_gpkg_bases_and_zones(workspace: Path, tmp_path: Path) -> None:
    source = tmp_path / "theirs.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["Echo port"], "country": ["Libya"], "kind": ["naval base"],
                                              "operator": ["blue"], "description": [""], "source": ["S"]},
                                             geometry=[Point(20.1, 32.1)], crs=4326), source, layer="ports")
    pyogrio.write_dataframe(gpd.GeoDataFrame({"actor": ["red"], "valid_from": ["2025-03-01"], "valid_to": [""]},
                                             geometry=[ZONE], crs=4326), source, layer="fronts")
    assert import_file(workspace, "theirs.gpkg", source.read_bytes()) == 0
    scenario = load_scenario(workspace)
    assert "echo_port" in scenario.bases.index and len(scenario.zones) == 4


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>Foxtrot garrison</name><description>Seen on imagery.</description>
<ExtendedData><Data name="country"><value>Syria</value></Data><Data name="kind"><value>garrison</value></Data>
<Data name="operator"><value>red</value></Data></ExtendedData>
<Point><coordinates>38.1,35.9,0</coordinates></Point></Placemark>
</Document></kml>"""


def test_kml_bases(workspace: Path) -> None:
    assert import_file(workspace, "places.kml", KML.encode()) == 0
    bases = load_scenario(workspace).bases
    fox = bases.loc["foxtrot_garrison"]
    assert (fox["lat"], fox["lon"], fox["description"]) == (35.9, 38.1, "Seen on imagery.")


def test_kmz_bases(workspace: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", KML)
    assert import_file(workspace, "places.kmz", buffer.getvalue()) == 0
    assert "foxtrot_garrison" in load_scenario(workspace).bases.index


def test_zipped_shapefile_in_another_crs(workspace: Path, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"actor": ["blue"], "valid_from": ["2025-03-01"]}, geometry=[ZONE], crs=4326)
    data = shapefile_zip(tmp_path, frame.to_crs(3857))
    assert import_file(workspace, "fronts.zip", data) == 0
    zones = load_scenario(workspace).zones
    added = zones[zones["valid_from"] == pd.Timestamp("2025-03-01")]
    assert added.geometry.iloc[0].equals_exact(ZONE, 1e-6) or added.geometry.iloc[0].buffer(0).symmetric_difference(
        ZONE).area < 1e-9


def test_inference_from_geometry_and_columns() -> None:
    problems = Problems()
    points = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(1, 2)], crs=4326).to_json().encode()
    assert infer_table(read_bytes("p.geojson", points, problems)[0]) == "bases"
    polygons = gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZONE], crs=4326).to_json().encode()
    assert infer_table(read_bytes("z.geojson", polygons, problems)[0]) == "zones"
    ends = b"date,origin,destination\n2025-01-01,a,b\n"
    assert infer_table(read_bytes("m.csv", ends, problems)[0]) == "movements"
    acled = b"event_date,latitude,longitude,actor1,source,notes\n05 December 2024,35.4,35.9,X,Y,Z\n"
    assert infer_table(read_bytes("a.csv", acled, problems)[0]) == "bases"
    assert infer_table(read_bytes("n.csv", b"a,b\n1,2\n", problems)[0]) is None
    assert not problems.errors


def test_reimport_adds_nothing_and_one_change_undoes_an_import(workspace: Path) -> None:
    from geodata.workspace import open_workspace, undo
    data = b"date,origin,destination,mode,category,source\n2025-02-05,alpha,bravo,land,armour,Test\n"
    original = len(load_scenario(workspace).movements)
    assert import_file(workspace, "again.csv", data) == 0
    assert len(load_scenario(workspace).movements) == original + 1
    before = workspace.read_bytes()
    assert import_file(workspace, "again.csv", data) == 0
    assert workspace.read_bytes() == before  # all duplicates: nothing written
    imported = int(open_workspace(workspace).history["change"].max())
    undo(workspace, imported, "analyst")
    assert len(load_scenario(workspace).movements) == original, "one undo takes the whole import back"


def test_import_api_creates_the_workspace_and_the_actors(tmp_path: Path) -> None:
    problems = Problems()
    data = gpd.GeoDataFrame({"name": ["Golf"], "country": ["Libya"], "kind": ["other"], "operator": ["Green"]},
                            geometry=[Point(15, 27)], crs=4326).to_json().encode()
    part = read_bytes("g.geojson", data, problems)[0]
    mapping = propose("bases", list(part.frame.columns))
    mapping = type(mapping)("bases", mapping.columns, {"confidence": "claimed"})
    number, plan = import_into(tmp_path / "new.gpkg", [Source(part, mapping)], "analyst")
    scenario = load_scenario(tmp_path / "new.gpkg")
    assert number == 1 and list(scenario.actors.index) == ["green"]
    assert scenario.bases.loc["golf", "source"].startswith("g.geojson, imported ")
    assert any("created as 'green'" in p.message for p in plan.previews[0].problems.warnings)
