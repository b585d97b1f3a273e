"""Check raw scenario tables column by column and turn them into typed frames.

Checks are vectorised so that a million-row movements table validates in
seconds; each bad cell still becomes one `file:row: field: message` line.
The index of every frame is its row number in the file (header = 1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geodata.problems import Problems
from geodata.readers import WGS84, is_polygonal, repair_polygon
from geodata.schema import COLUMNS, MAY_BE_EMPTY, SCENARIO_KEYS, VIEW_KEYS, Column

_COLOR = r"^#[0-9a-fA-F]{6}$"


@dataclass(frozen=True)
class View:
    latitude: float
    longitude: float
    zoom: float


@dataclass(frozen=True)
class ScenarioMeta:
    title: str
    caveat: str
    start: dt.date
    end: dt.date
    view: View | None

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def validate_meta(doc: dict, file: str, problems: Problems) -> ScenarioMeta | None:
    before = len(problems.errors)
    for key in SCENARIO_KEYS:
        if str(doc.get(key, "")).strip() == "":
            problems.error(file, None, key, "missing")
    start, end = _parse_date(doc.get("start", "")), _parse_date(doc.get("end", ""))
    for key, value in (("start", start), ("end", end)):
        if value is None and str(doc.get(key, "")).strip():
            problems.error(file, None, key, f"{_shown(doc[key])} is not a date (YYYY-MM-DD)")
    if start and end and end < start:
        problems.error(file, None, "end", f"end {end} is before start {start}")
    view = None
    if "view" in doc:
        raw = doc["view"] if isinstance(doc["view"], dict) else {}
        try:
            view = View(*(float(raw[key]) for key in VIEW_KEYS))
        except (KeyError, TypeError, ValueError):
            problems.error(file, None, "view", "needs numeric latitude, longitude and zoom")
        if view and not (-90 <= view.latitude <= 90 and -180 <= view.longitude <= 180):
            problems.error(file, None, "view", "latitude/longitude out of range")
    if len(problems.errors) > before:
        return None
    return ScenarioMeta(str(doc["title"]).strip(), str(doc["caveat"]).strip(), start, end, view)


def _report(problems: Problems, file: str, column: str, bad: pd.Series, message) -> None:
    """One problem line per row flagged in the boolean series `bad`."""
    for row in bad.index[bad.fillna(False).to_numpy(dtype=bool)]:
        problems.error(file, int(row), column, message(row))


def _check_column(frame: pd.DataFrame, spec: Column, table: str, file: str, problems: Problems) -> pd.Series:
    """Parse one text column into its typed form, reporting bad cells."""
    text = frame[spec.name]
    empty = text == ""
    if spec.required and spec.name not in MAY_BE_EMPTY.get(table, set()):
        _report(problems, file, spec.name, empty, lambda row: "is empty")
    if spec.kind == "date":
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        _report(problems, file, spec.name, ~empty & parsed.isna(),
                lambda row: f"{_shown(text[row])} is not a date (YYYY-MM-DD)")
        return parsed
    if spec.kind in ("latitude", "longitude"):
        limit = 90 if spec.kind == "latitude" else 180
        number = pd.to_numeric(text, errors="coerce")
        _report(problems, file, spec.name, ~empty & number.isna(), lambda row: f"{_shown(text[row])} is not a number")
        _report(problems, file, spec.name, number.abs() > limit,
                lambda row: f"{text[row]} is out of range for a {spec.kind} (±{limit})")
        return number
    if spec.kind == "distance":
        number = pd.to_numeric(text, errors="coerce")
        bad = ~empty & (number.isna() | (number <= 0))
        _report(problems, file, spec.name, bad, lambda row: f"{_shown(text[row])} is not a positive number of km")
        return number.where(~bad)
    if spec.kind == "count":
        number = pd.to_numeric(text, errors="coerce")
        bad = ~empty & (number.isna() | (number < 0) | (number != number.round()))
        _report(problems, file, spec.name, bad, lambda row: f"{_shown(text[row])} is not a whole number")
        return number.where(~bad).astype("Int64")
    if spec.kind == "word":
        words = text.str.lower()
        bad = ~empty & ~words.isin(spec.vocabulary)
        allowed = ", ".join(spec.vocabulary)
        _report(problems, file, spec.name, bad, lambda row: f"{_shown(text[row])} is not one of: {allowed}")
        return words
    if spec.kind == "color":
        _report(problems, file, spec.name, ~empty & ~text.str.match(_COLOR),
                lambda row: f"{_shown(text[row])} is not a colour like #1f77b4")
    if spec.kind == "id":
        repeated = text.duplicated(keep="first") & ~empty
        if repeated.any():
            first_row = text[~text.duplicated(keep="first")]
            first_row = pd.Series(first_row.index, index=first_row.to_numpy())
            _report(problems, file, spec.name, repeated,
                    lambda row: f"duplicate id {_shown(text[row])} (first at row {first_row[text[row]]})")
    return text


def validate_table(frame: pd.DataFrame, table: str, file: str, problems: Problems) -> pd.DataFrame | None:
    """Typed copy of a raw table, or None when required columns are missing."""
    specs = COLUMNS[table]
    missing = [spec.name for spec in specs if spec.required and spec.name not in frame.columns]
    for name in missing:
        problems.error(file, 1, name, "missing column")
    if missing:
        return None
    typed = frame.copy()
    for spec in specs:
        if spec.name in frame.columns:
            typed[spec.name] = _check_column(frame, spec, table, file, problems)
        elif spec.kind in ("latitude", "longitude"):
            typed[spec.name] = float("nan")
        elif spec.kind == "date":
            typed[spec.name] = pd.NaT
        else:
            typed[spec.name] = ""
    return typed


def check_references(column: pd.Series, known: set[str], what: str, file: str, problems: Problems) -> None:
    unknown = (column != "") & ~column.isin(known)
    _report(problems, file, column.name, unknown, lambda row: f"unknown {what} id {_shown(column[row])}")


def check_countries(column: pd.Series, countries: set[str], file: str, problems: Problems) -> None:
    """A country named by another table must be spelled as some base's `country` in bases.csv."""
    unknown = (column != "") & ~column.isin(countries)
    _report(problems, file, column.name, unknown,
            lambda row: f"{_shown(column[row])} is not the country of any base in bases.csv")


def check_order(first: pd.Series, last: pd.Series, file: str, problems: Problems) -> None:
    bad = last.notna() & first.notna() & (last < first)
    _report(problems, file, last.name, bad,
            lambda row: f"{last[row]:%Y-%m-%d} is before {first.name} {first[row]:%Y-%m-%d}")


def check_movement_ends(movements: pd.DataFrame, file: str, problems: Problems) -> None:
    """Each end is a base id or a lat/lon pair."""
    for end in ("origin", "destination"):
        lat, lon = movements[f"{end}_lat"], movements[f"{end}_lon"]
        has_point = lat.notna() & lon.notna()
        half_point = lat.notna() != lon.notna()
        _report(problems, file, f"{end}_lat", half_point, lambda row: f"{end}_lat and {end}_lon go together")
        _report(problems, file, end, (movements[end] == "") & ~has_point & ~half_point,
                lambda row: f"needs a base id or {end}_lat/{end}_lon")


def validate_areas(zones: gpd.GeoDataFrame, table: str, file: str, problems: Problems) -> gpd.GeoDataFrame | None:
    """Polygons only (zones, closed airspace), repaired where self-intersecting, in WGS84."""
    typed = validate_table(pd.DataFrame(zones.drop(columns="geometry")), table, file, problems)
    if typed is None:
        return None
    geometries = []
    for row, geometry in zones.geometry.items():
        if geometry is None or geometry.is_empty:
            problems.error(file, int(row), "geometry", "empty geometry")
        elif not is_polygonal(geometry):
            problems.error(file, int(row), "geometry", f"{geometry.geom_type} is not a Polygon or MultiPolygon")
        elif not geometry.is_valid:
            repaired = repair_polygon(geometry)
            if repaired is None:
                problems.error(file, int(row), "geometry", "self-intersecting polygon that cannot be repaired")
            else:
                problems.warn(file, int(row), "geometry", "self-intersecting polygon, repaired")
                geometry = repaired
        geometries.append(geometry)
    result = gpd.GeoDataFrame(typed, geometry=geometries, crs=zones.crs or WGS84)
    if not result.crs.equals(WGS84):
        problems.warn(file, None, "crs", f"{result.crs.to_string()} reprojected to WGS84 (EPSG:4326)")
        result = result.to_crs(WGS84)
    bounds = shapely.bounds(result.geometry.dropna().values)
    if len(bounds) and (abs(bounds[:, [1, 3]]).max() > 90 or abs(bounds[:, [0, 2]]).max() > 180):
        problems.error(file, None, "geometry",
                       "coordinates are not longitude/latitude degrees (a projected CRS without a declaration?)")
    return result
