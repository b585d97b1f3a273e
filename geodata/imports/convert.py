"""Rewrite a file's rows in the scenario format, as text, following a confirmed mapping.

Nothing is checked here: values are only moved, trimmed and put in the
format's spelling (ISO dates, lowercase words), so that the validator can
name each bad cell by its row in the file.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geodata.imports.mapping import Mapping
from geodata.imports.sources import Part
from geodata.problems import Problems
from geodata.readers import WGS84
from geodata.schema import COLUMNS
from geodata.workspace_store import columns

# Unambiguous spellings seen in exports; ACLED writes '05 December 2024'. Day/month order is never guessed.
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%Y/%m/%d")


def _dates(text: pd.Series) -> pd.Series:
    """YYYY-MM-DD where the text is a recognisable date; anything else is left for the validator."""
    day = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", expand=False).fillna(text)
    for spelling in _DATE_FORMATS:
        parsed = pd.to_datetime(day, format=spelling, errors="coerce")
        day = day.where(parsed.isna(), parsed.dt.strftime("%Y-%m-%d"))
    return day


def _degrees(values) -> list[str]:
    return ["" if pd.isna(value) else f"{value:.6f}".rstrip("0").rstrip(".") for value in values]


def _from_geometry(records: pd.DataFrame, frame: gpd.GeoDataFrame, mapping: Mapping, label: str,
                   problems: Problems) -> None:
    """Fill coordinates the mapping leaves empty from each feature's geometry."""
    geometry = frame.geometry
    if mapping.table == "bases" and not {"lat", "lon"} & mapping.columns.keys():
        points = geometry.where(geometry.geom_type == "Point")
        for row in geometry.index[geometry.notna() & points.isna()]:
            problems.error(label, int(row), "geometry", f"{geometry[row].geom_type} is not a point")
        records["lat"], records["lon"] = _degrees(shapely.get_y(points.values)), _degrees(shapely.get_x(points.values))
    if mapping.table == "movements":
        ends = [shapely.get_coordinates(g) if g is not None else None for g in geometry]
        for end, index in (("origin", 0), ("destination", -1)):
            if not {f"{end}_lat", f"{end}_lon"} & mapping.columns.keys():
                records[f"{end}_lat"] = _degrees([c[index][1] if c is not None and len(c) else None for c in ends])
                records[f"{end}_lon"] = _degrees([c[index][0] if c is not None and len(c) else None for c in ends])


def to_records(part: Part, mapping: Mapping, default_source: str, problems: Problems) -> pd.DataFrame:
    """The part's rows in the format of `mapping.table` (a GeoDataFrame for zones), same index."""
    frame = part.frame
    records = pd.DataFrame(index=frame.index)
    for ours in columns(mapping.table):
        theirs = mapping.columns.get(ours)
        records[ours] = frame[theirs].astype(str).str.strip() if theirs in frame.columns else ""
    if isinstance(frame, gpd.GeoDataFrame):
        _from_geometry(records, frame, mapping, part.label, problems)
    for ours, value in mapping.defaults.items():
        records[ours] = records[ours].where(records[ours] != "", value.strip())
    # A record that arrives without a source is sourced to the file it came in.
    records["source"] = records["source"].where(records["source"] != "", default_source)
    for spec in COLUMNS[mapping.table]:
        if spec.kind == "date":
            records[spec.name] = _dates(records[spec.name])
        elif spec.kind == "word":
            records[spec.name] = records[spec.name].str.lower()
    if mapping.table == "zones":
        return gpd.GeoDataFrame(records, geometry=frame.geometry.values, crs=WGS84)
    return records
