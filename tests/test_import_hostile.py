"""Hostile and broken files: each gets a clear message, changes nothing saved, and is refused quickly."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from geodata import load_scenario
from geodata.__main__ import main
from geodata.downloads import movements_csv
from geodata.imports import sources
from geodata.imports.sources import read_bytes
from geodata.problems import Problems


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(workspace: Path, name: str, data: bytes | None, capsys, *extra: str) -> str:
    """Import a file made of `data` (None: `name` is used as given); assert it is refused, changing nothing."""
    before = digest(workspace)
    file = str(workspace.parent / name) if data is not None else name
    if data is not None:
        Path(file).write_bytes(data)
    code = main(["import", str(file), "--into", str(workspace), "--confidence", "reported", *extra])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "refused: nothing was written" in out
    assert digest(workspace) == before
    return out


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bomb_stops_at_the_unpacked_cap(workspace: Path, capsys) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("places.shp", "w", force_zip64=True) as member:
        for _ in range((sources.MAX_UNPACKED_BYTES >> 20) + 8):
            member.write(bytes(1 << 20))
    assert len(buffer.getvalue()) < 2 << 20  # highly compressible: small on disk, huge unpacked
    assert "(a zip bomb?)" in refused(workspace, "bomb.zip", buffer.getvalue(), capsys)


def test_zip_with_too_many_members(workspace: Path, capsys) -> None:
    data = zipped({f"f{n}.txt": b"x" for n in range(sources.MAX_MEMBERS + 1)})
    assert f"at most {sources.MAX_MEMBERS} are accepted" in refused(workspace, "many.zip", data, capsys)


@pytest.mark.parametrize("member", ["inner.zip", "inner.shp"])
def test_nested_archives(workspace: Path, capsys, member: str) -> None:
    data = zipped({member: zipped({"a.shp": b"x"})})  # caught by name or by content
    assert "archives inside archives are refused" in refused(workspace, "nested.zip", data, capsys)


def test_nested_archive_in_a_kmz(workspace: Path, capsys) -> None:
    data = zipped({"doc.kml": b"<kml/>", "more.kmz": zipped({"doc.kml": b"<kml/>"})})
    assert "archives inside archives are refused" in refused(workspace, "nested.kmz", data, capsys)


VRT = b"""<OGRVRTDataSource><OGRVRTLayer name="x">
<SrcDataSource>/vsicurl/http://127.0.0.1:9/secret.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"""


@pytest.mark.parametrize("name", ["zones.geojson", "zones.kml", "zones.csv", "zones.gpkg", "zones.zip"])
def test_vrt_disguised_as_another_format(workspace: Path, capsys, name: str) -> None:
    out = refused(workspace, name, VRT, capsys)
    assert "XML" in out or "not a" in out


def test_shapefile_zip_hands_gdal_only_the_shapefile(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(1, 2)], crs=4326)
    pyogrio.write_dataframe(frame, tmp_path / "a.shp")
    members = {f"a{suffix}": (tmp_path / f"a{suffix}").read_bytes() for suffix in (".shp", ".shx", ".dbf", ".prj")}
    members["b.vrt"] = VRT
    problems = Problems()
    parts = read_bytes("a.zip", zipped(members), problems)
    assert [part.label for part in parts] == ["a.zip"] and not problems.errors


@pytest.mark.parametrize("name", ["/vsicurl/http://127.0.0.1:9/x.geojson", "http://127.0.0.1:9/x.csv",
                                  "/vsizip//tmp/x.zip/a.shp"])
def test_a_url_or_gdal_path_as_the_file(workspace: Path, capsys, name: str) -> None:
    assert "is not a local file" in refused(workspace, name, None, capsys)


def test_a_gdal_path_inside_a_file_stays_text(workspace: Path, capsys) -> None:
    data = (b"date,origin,destination,mode,category,source,notes\n"
            b"2025-02-06,alpha,bravo,land,armour,/vsicurl/http://127.0.0.1:9/x,http://127.0.0.1:9/y\n")
    file = workspace.parent / "paths.csv"
    file.write_bytes(data)
    assert main(["import", str(file), "--into", str(workspace), "--confidence", "reported"]) == 0
    movements = load_scenario(workspace).movements
    row = movements[movements["source"] == "/vsicurl/http://127.0.0.1:9/x"].iloc[0]
    assert row["notes"] == "http://127.0.0.1:9/y"


def test_a_gdal_path_as_a_geojson_crs(workspace: Path, capsys) -> None:
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "/vsicurl/http://x/crs"}},
           "features": []}
    assert "unsupported CRS" in refused(workspace, "crs.geojson", json.dumps(doc).encode(), capsys)


def test_network_link_in_kml(workspace: Path, capsys) -> None:
    kml = b'<kml><NetworkLink><Link><href>http://127.0.0.1:9/x.kml</href></Link></NetworkLink></kml>'
    assert "NetworkLink" in refused(workspace, "link.kml", kml, capsys)


def test_file_over_the_size_limit(workspace: Path, capsys, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(sources.MAX_FILE_BYTES + 1)  # sparse: costs no disk or time
    assert "import limit" in refused(workspace, str(big), None, capsys)
    problems = Problems()
    assert read_bytes("big.csv", bytes(sources.MAX_FILE_BYTES + 1), problems) == []
    assert "import limit" in problems.lines()[0]


def test_a_million_tiny_polygons(workspace: Path, capsys) -> None:
    parts = ",".join(["[[[0,0],[0.001,0],[0,0.001],[0,0]]]"] * 1_000_000)
    doc = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
           '"geometry":{"type":"MultiPolygon","coordinates":[' + parts + ']}}]}')
    assert "polygons; split or simplify it" in refused(workspace, "dust.geojson", doc.encode(), capsys)


def test_too_many_features(workspace: Path, capsys) -> None:
    feature = '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}'
    doc = '{"type":"FeatureCollection","features":[' + ",".join([feature] * (sources.MAX_RECORDS + 1)) + "]}"
    assert "features; split or simplify it" in refused(workspace, "many.geojson", doc.encode(), capsys)


def test_too_many_features_in_a_geopackage(workspace: Path, capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sources, "MAX_RECORDS", 10)  # the cap is read from GDAL's count, before any feature is read
    frame = gpd.GeoDataFrame({"name": [str(n) for n in range(11)]}, geometry=[Point(n, n) for n in range(11)], crs=4326)
    pyogrio.write_dataframe(frame, tmp_path / "many.gpkg")
    assert "more than 10 features" in refused(workspace, "many.gpkg", (tmp_path / "many.gpkg").read_bytes(), capsys)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_projected_coordinates_without_prj(workspace: Path, capsys, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(500000, 4000000)])
    pyogrio.write_dataframe(frame, tmp_path / "a.shp")
    data = zipped({f"a{s}": (tmp_path / f"a{s}").read_bytes() for s in (".shp", ".shx", ".dbf")})
    assert "not longitude/latitude degrees" in refused(workspace, "utm.zip", data, capsys)


def test_coordinates_out_of_range(workspace: Path, capsys) -> None:
    data = b"name,lat,lon,country,kind,operator,description\nX,95,37,Syria,other,red,\n"
    assert "out of range for a latitude" in refused(workspace, "far.csv", data, capsys)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("latin1.csv", "date,origin\n2025-01-01,Alépo\n".encode("latin-1"), "not UTF-8"),
    ("utf16.kml", "<kml></kml>".encode("utf-16"), "not UTF-8"),
    ("bad.csv", b'date,origin,destination\n"2025-01-01,a\n', "not a readable CSV"),
    ("bad.geojson", b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
    ("bad.kml", b"<kml><Document><Placemark>", "cannot be read"),
    ("bad.xlsx", b"PK\x03\x04 truncated", "zip"),
    ("bad.gpkg", b"SQLite format 3\x00" + bytes(100), "cannot be read"),
    ("bad.kmz", b"not a zip", "not a readable zip"),
    ("data.exe", b"MZ", "cannot import .exe"),
])
def test_malformed_files(workspace: Path, capsys, name: str, data: bytes, message: str) -> None:
    assert message in refused(workspace, name, data, capsys)


def test_entity_expansion_is_refused_before_parsing(workspace: Path, capsys) -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<kml><Document><name>&c;</name></Document></kml>"""
    assert "DOCTYPE or ENTITY" in refused(workspace, "laughs.kml", laughs, capsys)
    book = zipped({"[Content_Types].xml": laughs, "xl/workbook.xml": b"<workbook/>"})
    assert "DOCTYPE or ENTITY" in refused(workspace, "laughs.xlsx", book, capsys)


def test_formula_injection_stays_inert_in_downloads(workspace: Path) -> None:
    formula = '=HYPERLINK("http://127.0.0.1:9/x","click")'
    data = ("date,origin,destination,mode,category,asset,source,notes\n"
            f'2025-02-07,alpha,bravo,land,armour,"{formula.replace(chr(34), chr(34) * 2)}",+cmd,@SUM(1)\n').encode()
    file = workspace.parent / "formulas.csv"
    file.write_bytes(data)
    assert main(["import", str(file), "--into", str(workspace), "--confidence", "reported"]) == 0
    movements = load_scenario(workspace).movements
    row = movements[movements["date"] == "2025-02-07"].iloc[0]
    assert row["asset"] == formula  # kept exactly as written
    downloaded = movements_csv(movements).decode()
    assert f"'{formula}".replace('"', '""') in downloaded
    assert "'+cmd" in downloaded and "'@SUM(1)" in downloaded
