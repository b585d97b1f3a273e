"""Turn the bytes of a file to import into raw text tables, refusing what is hostile or too big.

GDAL only ever sees bytes checked here: never a path typed by a user, and a
path or URL written inside a file is just text. Archives are unpacked in
memory, counting bytes as they come out, so a zip bomb stops at the cap.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import shapely

from geodata.imports.mapping import TARGETS
from geodata.problems import Problems
from geodata.readers import WGS84, as_text, read_csv, read_geojson, sniff

MAX_FILE_BYTES: Final = 64 << 20
MAX_UNPACKED_BYTES: Final = 256 << 20
MAX_MEMBERS: Final = 200  # a spreadsheet holds ~20 files, a zipped shapefile ~6
MAX_RECORDS: Final = 100_000  # rows, features or polygons in one file
SUFFIXES: Final = (".csv", ".xlsx", ".geojson", ".json", ".gpkg", ".kml", ".kmz", ".zip")

_ARCHIVE_SUFFIXES = (".zip", ".kmz", ".xlsx", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_WORKSPACE_ONLY_LAYERS = {"scenario", "actors", "history"}
_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_KML_ROOT = re.compile(rb"^(?:<\?xml[^>]*\?>|<!--.*?-->|\s)*<(?:\w+:)?kml[\s>]", re.DOTALL)
_NETWORK_LINK = re.compile(rb"<(?:\w+:)?NetworkLink[\s>]")

# Defence in depth: should a path ever reach GDAL, it still fetches nothing from a network.
pyogrio.set_gdal_config_options({
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".footprint-never",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
})


@dataclass(frozen=True)
class Part:
    """One table of a file: text cells (a GeoDataFrame where the format has geometry).

    The index is the row number used in problem lines: spreadsheet rows (header
    = 1) or feature numbers. `table` is set when the layer's own name says it.
    """

    label: str
    frame: pd.DataFrame
    table: str = ""


def read_path(name: str, problems: Problems) -> list[Part]:
    """The parts of a local file named on the command line; Python reads it, GDAL gets only its bytes."""
    if "://" in name or name.startswith("/vsi"):
        problems.error(name, None, "-", "is not a local file; download it first and import the copy")
        return []
    path = Path(name)
    if not path.is_file():
        problems.error(name, None, "-", "missing file")
        return []
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.error(path.name, None, "-", f"larger than the {MAX_FILE_BYTES >> 20} MB import limit")
        return []
    return read_bytes(path.name, path.read_bytes(), problems)


def read_bytes(name: str, data: bytes, problems: Problems) -> list[Part]:
    """The parts of a file called `name` (only its suffix is used) holding `data`."""
    name = PurePosixPath(name.replace("\\", "/")).name
    if len(data) > MAX_FILE_BYTES:
        problems.error(name, None, "-", f"larger than the {MAX_FILE_BYTES >> 20} MB import limit")
        return []
    suffix = PurePosixPath(name.lower()).suffix
    readers = {".csv": _csv, ".geojson": _geojson, ".json": _geojson, ".gpkg": _gpkg, ".kml": _kml,
               ".kmz": _kmz, ".xlsx": _xlsx, ".zip": _shapefiles}
    if suffix not in readers:
        problems.error(name, None, "-", f"cannot import {suffix or 'files without a suffix'}; use "
                       + ", ".join(SUFFIXES) + " (a zipped shapefile)")
        return []
    return readers[suffix](name, data, problems)


def _too_many(count: int, what: str, label: str, problems: Problems) -> bool:
    if count > MAX_RECORDS:
        problems.error(label, None, "-", f"holds more than {MAX_RECORDS:,} {what}; split or simplify it")
        return True
    return False


def _csv(name: str, data: bytes, problems: Problems) -> list[Part]:
    if _too_many(data.count(b"\n") - 1, "rows", name, problems):
        return []
    frame = read_csv(data, name, problems)
    if frame is None:
        return []
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # row 1 is the header
    return [Part(name, frame)]


def _geojson(name: str, data: bytes, problems: Problems) -> list[Part]:
    # Counted on the raw text, so a file of a million tiny polygons is refused before it is parsed.
    if _too_many(data.count(b'"Feature"'), "features", name, problems) or \
            _too_many(data.count(b"[[["), "polygons", name, problems):
        return []
    frame = read_geojson(data, name, problems)
    frame = _in_degrees(frame, name, problems) if frame is not None else None
    return [] if frame is None else [Part(name, frame)]


def _xml_is_safe(data: bytes, label: str, problems: Problems) -> bool:
    """Refuse XML that declares entities (a billion-laughs bomb) or is not UTF-8 text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:1024]:
        problems.error(label, None, "-", "XML that is not UTF-8; save it as UTF-8")
        return False
    if _DECLARATIONS.search(data):
        problems.error(label, None, "-", "XML with a DOCTYPE or ENTITY declaration is refused (entity expansion)")
        return False
    return True


def _kml(name: str, data: bytes, problems: Problems) -> list[Part]:
    if not _xml_is_safe(data, name, problems):
        return []
    if not _KML_ROOT.match(data.removeprefix(b"\xef\xbb\xbf")):
        found = sniff(data) or "text file"
        problems.error(name, None, "-", f"is a {found}, not KML")
        return []
    if _NETWORK_LINK.search(data):
        problems.error(name, None, "-", "links to other files (NetworkLink); only self-contained KML is imported")
        return []
    if _too_many(data.count(b"<Placemark"), "placemarks", name, problems):
        return []
    return _gdal_layers(name, data, problems)


def _kmz(name: str, data: bytes, problems: Problems) -> list[Part]:
    members = unzip(data, name, problems)
    if members is None:
        return []
    documents = sorted((m for m in members if m.lower().endswith(".kml")), key=lambda m: m.lower() != "doc.kml")
    if not documents:
        problems.error(name, None, "-", "holds no .kml document")
        return []
    return _kml(name, members[documents[0]], problems)


def _gpkg(name: str, data: bytes, problems: Problems) -> list[Part]:
    if sniff(data) != "SQLite/GeoPackage database":
        problems.error(name, None, "-", f"is a {sniff(data) or 'text file'}, not a GeoPackage")
        return []
    return _gdal_layers(name, data, problems)


def _shapefiles(name: str, data: bytes, problems: Problems) -> list[Part]:
    if sniff(data) != "ZIP archive":
        problems.error(name, None, "-", f"is a {sniff(data) or 'text file'}, not a zip archive")
        return []
    members = unzip(data, name, problems)
    if members is None:
        return []
    by_stem: dict[str, dict[str, bytes]] = {}
    for member, content in members.items():
        path = PurePosixPath(member)
        if path.suffix.lower() in _SHAPEFILE_PARTS:
            by_stem.setdefault(str(path.with_suffix("")), {})[path.suffix.lower()] = content
    complete = {stem: files for stem, files in by_stem.items() if {".shp", ".shx", ".dbf"} <= files.keys()}
    if not complete:
        problems.error(name, None, "-", "holds no complete shapefile (.shp, .shx and .dbf)")
        return []
    parts = []
    for stem, files in sorted(complete.items()):
        # A fresh archive of just this shapefile's own members: GDAL sees nothing else from the upload.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for suffix, content in files.items():
                archive.writestr(f"layer{suffix}", content)
        label = name if len(complete) == 1 else f"{name}[{PurePosixPath(stem).name}]"
        parts += _gdal_layers(label, buffer.getvalue(), problems)
    return parts


def unzip(data: bytes, label: str, problems: Problems) -> dict[str, bytes] | None:
    """Every file in a zip archive, or None when it is broken, nested or unpacks too big."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        problems.error(label, None, "-", f"not a readable zip archive: {err}")
        return None
    entries = [entry for entry in archive.infolist() if not entry.is_dir()]
    if len(entries) > MAX_MEMBERS:
        problems.error(label, None, "-", f"holds {len(entries):,} files; at most {MAX_MEMBERS} are accepted")
        return None
    members, unpacked = {}, 0
    for entry in entries:
        if entry.filename.lower().endswith(_ARCHIVE_SUFFIXES):
            problems.error(label, None, entry.filename, "archives inside archives are refused")
            return None
        chunks = []
        try:
            with archive.open(entry) as member:
                # The sizes in the archive's directory can lie; only bytes actually unpacked count.
                while chunk := member.read(1 << 16):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED_BYTES:
                        problems.error(label, None, "-", f"unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB "
                                       "(a zip bomb?)")
                        return None
                    chunks.append(chunk)
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError) as err:
            problems.error(label, None, entry.filename, f"cannot be unpacked: {err}")  # encrypted or corrupt
            return None
        content = b"".join(chunks)
        if sniff(content) in ("ZIP archive", "gzip archive"):
            problems.error(label, None, entry.filename, "archives inside archives are refused")
            return None
        members[entry.filename] = content
    return members


def _xlsx(name: str, data: bytes, problems: Problems) -> list[Part]:
    members = unzip(data, name, problems) if sniff(data) == "ZIP archive" else None
    if members is None:
        if not problems.errors:
            problems.error(name, None, "-", f"is a {sniff(data) or 'text file'}, not an Excel workbook")
        return []
    if not all(_xml_is_safe(content, f"{name}[{member}]", problems)
               for member, content in members.items() if member.endswith((".xml", ".rels"))):
        return []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a broken workbook
        problems.error(name, None, "-", f"not a readable Excel workbook: {type(err).__name__}: {err}")
        return []
    frames = {sheet.title: _sheet_frame(sheet, name, problems) for sheet in workbook.worksheets}
    workbook.close()
    frames = {title: frame for title, frame in frames.items() if frame is not None and len(frame)}
    if not frames and not problems.errors:
        problems.error(name, None, "-", "has no sheet with a header and rows")
    return [Part(name if len(frames) == 1 else f"{name}[{title}]", frame) for title, frame in frames.items()]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_frame(sheet, label: str, problems: Problems) -> pd.DataFrame | None:
    """A sheet's rows as text under its first row; the index is the spreadsheet row number."""
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        return None
    header = [_cell_text(cell) or f"column_{number}" for number, cell in enumerate(first, start=1)]
    records, numbers = [], []
    for number, row in enumerate(rows, start=2):
        cells = [_cell_text(cell) for cell in row[: len(header)]]
        if any(cells):  # spreadsheets often end in formatted but empty rows
            if _too_many(len(records) + 1, "rows", label, problems):
                return None
            records.append(cells + [""] * (len(header) - len(cells)))
            numbers.append(number)
    return pd.DataFrame(records, columns=header, index=pd.Index(numbers), dtype=object)


def _gdal_layers(label: str, data: bytes, problems: Problems) -> list[Part]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL complains of the in-memory name
        try:
            # By number: a KML layer may be named after the in-memory file, which differs on each read.
            names = [str(layer) for layer, _ in pyogrio.list_layers(io.BytesIO(data))]
            layers = {number: name for number, name in enumerate(names) if name not in _WORKSPACE_ONLY_LAYERS}
            if not layers:
                problems.error(label, None, "-", "holds no layer of bases, zones, movements or presence")
                return []
            counts = [pyogrio.read_info(io.BytesIO(data), layer=number, force_feature_count=True)["features"]
                      for number in layers]
            if _too_many(sum(counts), "features", label, problems):
                return []
            parts = []
            for number, name in layers.items():
                frame = pyogrio.read_dataframe(io.BytesIO(data), layer=number, force_2d=True)
                part_label = label if len(layers) == 1 else f"{label}[{name}]"
                part = _gdal_part(frame, part_label, name, problems)
                if part is not None:
                    parts.append(part)
            return parts
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
                pyogrio.errors.GeometryError) as err:
            message = re.sub(r"/vsimem/\S+", label, str(err))  # name the file, not GDAL's in-memory copy
            problems.error(label, None, "-", f"cannot be read: {message}")
            return []


def _gdal_part(frame: pd.DataFrame, label: str, layer: str, problems: Problems) -> Part | None:
    table = layer if layer in TARGETS else ""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        text = as_text(pd.DataFrame(frame).drop(columns="geometry", errors="ignore"))
        text.index = pd.RangeIndex(2, len(text) + 2)
        return Part(label, text, table)
    parts = int(shapely.get_num_geometries(frame.geometry.values).sum())
    if _too_many(parts, "polygons" if frame.geom_type.str.contains("Polygon").any() else "shapes", label, problems):
        return None
    text = as_text(pd.DataFrame(frame.drop(columns="geometry")))
    geo = gpd.GeoDataFrame(text, geometry=frame.geometry.values, crs=frame.crs)
    geo.index = pd.RangeIndex(1, len(geo) + 1)  # feature numbers
    geo = _in_degrees(geo, label, problems)
    return Part(label, geo, table) if geo is not None else None


def _in_degrees(frame: gpd.GeoDataFrame, label: str, problems: Problems) -> gpd.GeoDataFrame | None:
    """`frame` in WGS84; None when its coordinates cannot be longitude/latitude degrees."""
    if frame.crs is None:
        frame = frame.set_crs(WGS84)  # GeoJSON and KML are WGS84 by definition; a shapefile may lack its .prj
    elif not frame.crs.equals(WGS84):
        problems.warn(label, None, "crs", f"{frame.crs.to_string()[:80]} reprojected to WGS84 (EPSG:4326)")
        frame = frame.to_crs(WGS84)
    bounds = shapely.bounds(frame.geometry.dropna().values)
    if len(bounds) and (abs(bounds[:, [1, 3]]).max() > 90 or abs(bounds[:, [0, 2]]).max() > 180):
        problems.error(label, None, "geometry", "coordinates are not longitude/latitude degrees "
                       "(projected, and no CRS says so: a shapefile without its .prj?)")
        return None
    return frame
