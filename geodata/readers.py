"""Turn the bytes of scenario files into raw tables, reporting what cannot be read.

Everything here works on bytes already read: GDAL is never handed a path or URL
that came from a user or from inside a file. Text columns come back as strings
so that validation can name the exact bad value.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
import warnings

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry import shape

from geodata.problems import Problems
from geodata.schema import FILES

# Leading bytes of formats that are sometimes given the wrong name.
_MAGIC = {
    b"PK\x03\x04": "ZIP archive",
    b"SQLite format 3\x00": "SQLite/GeoPackage database",
    b"\x1f\x8b": "gzip archive",
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"PAR1": "Parquet file",
    b"\xff\xd8\xff": "JPEG image",
}
_EPSG = re.compile(r"^(?:urn:ogc:def:crs:)?EPSG:{1,2}(?:[\d.]*:)?(\d{4,5})$", re.IGNORECASE)
_OGC_WGS84 = re.compile(r"^urn:ogc:def:crs:OGC:(?:1\.3:)?CRS84$", re.IGNORECASE)
WGS84 = CRS.from_epsg(4326)


def sniff(data: bytes) -> str | None:
    """Name the binary or markup format `data` is in, or None for plain text."""
    for magic, name in _MAGIC.items():
        if data.startswith(magic):
            return name
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "XML/HTML document (a GDAL VRT, KML or web page?)"
    if b"\x00" in data[:4096]:
        return "binary file"
    return None


def _decode(data: bytes, file: str, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.error(file, line, "-", f"not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8")
        return None


def _text(data: bytes, file: str, expected: str, problems: Problems) -> str | None:
    """The file as text, or None (with a problem) when it is another format or not UTF-8."""
    found = sniff(data)
    if found is not None:
        problems.error(file, None, "-", f"is a {found}, not {expected}")
        return None
    return _decode(data, file, problems)


def read_toml(data: bytes, file: str, problems: Problems) -> dict | None:
    text = _text(data, file, "TOML text", problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        problems.error(file, getattr(err, "lineno", None), "-", f"not valid TOML: {err}")
        return None


def read_csv(data: bytes, file: str, problems: Problems) -> pd.DataFrame | None:
    """A CSV file as a frame of stripped strings ('' where empty)."""
    if _text(data, file, "CSV text", problems) is None:
        return None
    try:
        # pyarrow's parser is several times faster on the million-row tables analysts bring.
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, engine="pyarrow",
                            encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, pa.ArrowInvalid) as err:
        problems.error(file, None, "-", f"not a readable CSV table: {err}")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda column: column.str.strip())


def read_parquet(data: bytes, file: str, problems: Problems) -> pd.DataFrame | None:
    if sniff(data) != "Parquet file":
        problems.error(file, None, "-", "is not a Parquet file")
        return None
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception as err:  # pyarrow raises many types for corrupt files
        problems.error(file, None, "-", f"not a readable Parquet file: {err}")
        return None


def _crs_from_geojson(doc: dict, file: str, problems: Problems) -> CRS | None:
    """The legacy GeoJSON `crs` member, accepted only as an EPSG code or CRS84."""
    name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    if name is None:
        return WGS84
    name = str(name).strip()
    if _OGC_WGS84.match(name):
        return WGS84
    match = _EPSG.match(name)
    if not match:
        problems.error(file, None, "crs", f"unsupported CRS {name[:80]!r}; use EPSG codes or WGS84")
        return None
    try:
        return CRS.from_epsg(int(match.group(1)))
    except Exception:
        problems.error(file, None, "crs", f"unknown EPSG code {match.group(1)}")
        return None


def read_geojson(data: bytes, file: str, problems: Problems) -> gpd.GeoDataFrame | None:
    """Polygon features of a GeoJSON FeatureCollection, parsed without GDAL."""
    text = _text(data, file, "GeoJSON", problems)
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        problems.error(file, err.lineno, "-", f"not valid JSON: {err.msg}")
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.error(file, None, "-", "is not a GeoJSON FeatureCollection")
        return None
    crs = _crs_from_geojson(doc, file, problems)
    if crs is None:
        return None
    rows, geometries = [], []
    for number, feature in enumerate(doc.get("features") or [], start=1):
        if not isinstance(feature, dict):
            problems.error(file, number, "-", "feature is not a JSON object")
            continue
        try:
            geometry = shape(feature["geometry"]) if feature.get("geometry") else None
        except Exception:
            problems.error(file, number, "geometry", "not a valid GeoJSON geometry")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            problems.error(file, number, "properties", "is not a JSON object")
            continue
        rows.append({key: "" if value is None else str(value).strip() for key, value in properties.items()})
        geometries.append(geometry)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, dtype=str).fillna(""), geometry=geometries, crs=crs)
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # feature numbers, as in problem lines
    return frame


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """GeoPackage columns come typed; validation works on the text form."""
    def column_text(column: pd.Series) -> pd.Series:
        if pd.api.types.is_datetime64_any_dtype(column):
            text = column.dt.strftime("%Y-%m-%d")
        else:
            text = column.astype("string")
            if pd.api.types.is_float_dtype(column):
                whole = column.dropna() == column.dropna().round()
                if whole.all() and column.name not in {"lat", "lon"} and not str(column.name).endswith(("_lat", "_lon")):
                    text = column.astype("Int64").astype("string")
        return text.fillna("").str.strip().astype(object)

    return frame.apply(column_text)


def read_gpkg(data: bytes, file: str, problems: Problems) -> dict[str, object] | None:
    """The scenario tables stored as layers of one GeoPackage."""
    if sniff(data) != "SQLite/GeoPackage database":
        problems.error(file, None, "-", "is not a GeoPackage (SQLite) file")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL complains of the in-memory name
        try:
            layers = {str(name) for name, _ in pyogrio.list_layers(io.BytesIO(data))}
            tables: dict[str, object] = {}
            for name in (name for name in FILES if name in layers):
                if FILES[name].endswith(".geojson"):  # polygons: zones, closed airspace
                    areas = pyogrio.read_dataframe(io.BytesIO(data), layer=name)
                    text = as_text(pd.DataFrame(areas.drop(columns="geometry")))
                    tables[name] = gpd.GeoDataFrame(text, geometry=areas.geometry.values, crs=areas.crs or WGS84)
                    tables[name].index = pd.RangeIndex(1, len(areas) + 1)
                else:
                    frame = pyogrio.read_dataframe(io.BytesIO(data), layer=name, read_geometry=False)
                    tables[name] = as_text(pd.DataFrame(frame))
        except pyogrio.errors.DataSourceError as err:
            problems.error(file, None, "-", f"not a readable GeoPackage: {err}")
            return None
    return tables


def is_polygonal(geometry) -> bool:
    return geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon")


def repair_polygon(geometry):
    """A valid polygonal version of `geometry`, or None when nothing of area is left."""
    fixed = shapely.make_valid(geometry)
    if fixed.geom_type == "GeometryCollection":
        parts = [g for g in fixed.geoms if is_polygonal(g)]
        fixed = shapely.union_all(parts) if parts else None
    if fixed is None or fixed.is_empty or not is_polygonal(fixed):
        return None
    return fixed
