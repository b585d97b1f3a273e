"""Movements as CSV and GeoJSON for download, in the scenario format.

Cells that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+`, `-`,
`@`) are prefixed with a quote, so data downloaded again stays inert.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from geodata.geodesy import nautical_miles
from geodata.schema import MOVEMENT_COLUMNS

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
URL = re.compile(r"https?://[^\s<>\"';,)]+")


def inert(value: object) -> object:
    if isinstance(value, str) and _FORMULA_START.match(value):
        # A leading minus is a formula to a spreadsheet only when it is not a number.
        if value[0] == "-" and re.fullmatch(r"-\d+(\.\d+)?", value):
            return value
        return "'" + value
    return value


# Geodesic length on WGS84, and in nautical miles for air and sea (empty by land).
DISTANCE_COLUMNS = ("distance_km", "distance_nm")


def _format_columns(movements: pd.DataFrame) -> pd.DataFrame:
    """The scenario format's columns, the movement's geodesic length, then any extra columns of the data."""
    names = [c.name for c in MOVEMENT_COLUMNS]
    extras = [c for c in movements.columns if c not in names and c not in _DERIVED and c not in DISTANCE_COLUMNS]
    frame = movements[names].copy()
    frame["distance_km"] = movements["distance_km"].round(1)
    flown_or_sailed = movements["mode"].astype(str).isin(["air", "sea"])
    frame["distance_nm"] = pd.Series(nautical_miles(movements["distance_km"]), index=movements.index).round(1).where(
        flown_or_sailed)
    frame[extras] = movements[extras]
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
    for column in ("date", "end_date"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d").fillna("")
    return frame


# Columns the loader adds; they are not part of the scenario format.
_DERIVED = {"until", "origin_name", "destination_name", "origin_code", "destination_code"}


def movements_csv(movements: pd.DataFrame) -> bytes:
    frame = _format_columns(movements)
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].map(inert)
    return frame.to_csv(index=False).encode("utf-8")


def movements_geojson(movements: pd.DataFrame) -> bytes:
    frame = _format_columns(movements)
    features = []
    for row in frame.to_dict("records"):
        coordinates = [[row["origin_lon"], row["origin_lat"]], [row["destination_lon"], row["destination_lat"]]]
        properties = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": {"type": "LineString", "coordinates": coordinates}})
    return json.dumps({"type": "FeatureCollection", "features": features}, default=str).encode("utf-8")
