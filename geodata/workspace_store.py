"""The workspace GeoPackage on disk: read it as text tables, save it atomically, one writer at a time.

Every attribute is stored as text, exactly as entered, so nothing is rounded
or reformatted on the way through; bases also get a Point geometry and zones
keep theirs, so QGIS draws both. The loader reads the same file unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.loader import check_scenario
from geodata.problems import Problem, Problems
from geodata.readers import WGS84, read_gpkg
from geodata.schema import COLUMNS, SCENARIO_KEYS, VIEW_KEYS

TABLES = ("scenario", "actors", "bases", "zones", "movements")
SCENARIO_FIELDS = (*SCENARIO_KEYS, *VIEW_KEYS)
HISTORY_FIELDS = ("change", "at", "author", "summary", "undoes", "records")
LOCK_TIMEOUT_SECONDS = 30.0


class WorkspaceError(Exception):
    """A workspace that cannot be read or a change that would break it; `lines` say why."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Workspace:
    """The tables of a workspace as text frames in file order; zones also hold geometry."""

    tables: dict[str, pd.DataFrame]
    history: pd.DataFrame

    def record(self, table: str, record_id: str) -> dict | None:
        frame = self.tables[table]
        rows = frame[frame["id"] == record_id]
        return rows.iloc[0].to_dict() if len(rows) else None

    def ids(self, table: str) -> set[str]:
        return set(self.tables[table]["id"])


def columns(table: str) -> list[str]:
    """The columns a workspace table holds, in file order."""
    if table == "scenario":
        return ["id", *SCENARIO_FIELDS]
    names = [column.name for column in COLUMNS[table]]
    return names if table != "zones" else ["id", *names]


def empty_table(table: str) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in columns(table)})
    if table == "zones":
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84))
    return frame


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="int64" if name == "change" else object) for name in HISTORY_FIELDS})


def _with_ids(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zones have no id in the scenario format; the workspace needs one to edit and undo them."""
    if "id" not in zones.columns:
        zones.insert(0, "id", [f"z{number:03d}" for number in range(1, len(zones) + 1)])
    return zones.reset_index(drop=True)


def from_raw(raw: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Workspace tables from the raw text tables a reader returns (the scenario as a dict)."""
    meta = raw["scenario"]
    view = meta.get("view") or {}
    row = {key: str(meta.get(key, "")) for key in SCENARIO_KEYS} | {key: str(view.get(key, "")) for key in VIEW_KEYS}
    tables = {"scenario": pd.DataFrame([{"id": "scenario", **row}], dtype=object)}
    for table in ("actors", "bases", "movements", "zones"):
        frame = _with_ids(raw[table]) if table == "zones" else pd.DataFrame(raw[table]).reset_index(drop=True)
        extras = [name for name in frame.columns if name not in columns(table)]
        # Optional columns a file left out are added empty, so every workspace has the same shape.
        tables[table] = frame.reindex(columns=[*columns(table), *extras], fill_value="")
    return tables


def read(path: Path) -> Workspace:
    """The workspace at `path`, as text tables; raises WorkspaceError when it is not one."""
    data = path.read_bytes()
    problems = Problems()
    raw = read_gpkg(data, path.name, problems)
    if raw is None:
        raise WorkspaceError(problems.lines())
    missing = [table for table in TABLES if table not in raw]
    if missing:
        raise WorkspaceError([f"{path.name}[{table}]: -: missing layer" for table in missing])
    scenario = raw["scenario"]
    meta = scenario.iloc[0].to_dict() if len(scenario) else {}
    raw["scenario"] = {**meta, "view": {key: meta.get(key, "") for key in VIEW_KEYS}}
    return Workspace(from_raw(raw), _read_history(data))


def _read_history(data: bytes) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL complains of the in-memory name
        if "history" not in {str(name) for name, _ in pyogrio.list_layers(io.BytesIO(data))}:
            return empty_history()
        history = pd.DataFrame(pyogrio.read_dataframe(io.BytesIO(data), layer="history", read_geometry=False))
    history["change"] = history["change"].astype("int64")
    return history.fillna("")


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(frame).copy()
    for name in frame.columns:
        if name != "geometry":
            frame[name] = frame[name].fillna("").astype(str)
    return frame


def _write_layers(target: Path, workspace: Workspace) -> None:
    tables = workspace.tables
    pyogrio.write_dataframe(_text(tables["scenario"].drop(columns="id")), target, layer="scenario")
    pyogrio.write_dataframe(_text(tables["actors"]), target, layer="actors")
    bases = _text(tables["bases"])
    lon, lat = (pd.to_numeric(bases[axis], errors="coerce") for axis in ("lon", "lat"))
    points = gpd.points_from_xy(lon, lat, crs=WGS84)
    points[lon.isna() | lat.isna()] = None
    pyogrio.write_dataframe(gpd.GeoDataFrame(bases, geometry=points), target, layer="bases", geometry_type="Point")
    zones = gpd.GeoDataFrame(_text(tables["zones"]), geometry="geometry", crs=WGS84)
    pyogrio.write_dataframe(zones, target, layer="zones", geometry_type="MultiPolygon", promote_to_multi=True)
    pyogrio.write_dataframe(_text(tables["movements"]), target, layer="movements")
    pyogrio.write_dataframe(workspace.history, target, layer="history")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _temp_name(path: Path) -> str:
    return f".{path.name}.{os.getpid()}.tmp.gpkg"


def _relabel(problems: Problems, temp: str, path: Path, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Problem lines about the temporary file, told as the workspace and the record id."""
    lines = []
    for problem in problems.errors:
        table = problem.file.removeprefix(temp).strip("[]")
        where = f"{path.name}[{table}]" if table else path.name
        if problem.row is not None and table in tables:
            first = 1 if table == "zones" else 2  # feature numbers start at 1, rows after the header
            position = problem.row - first
            if 0 <= position < len(tables[table]):
                where += f" id {tables[table]['id'].iloc[position]}"
        lines.append(str(Problem(where, None, problem.field, problem.message)))
    return lines


def save(path: Path, workspace: Workspace) -> None:
    """Replace the workspace file with `workspace`, all or nothing.

    The new file is written beside the old one, flushed to disk and checked
    with the loader before it replaces the old one in a single rename, so a
    crash at any point leaves either the old file or the new one, never a mix.
    """
    temp = path.with_name(_temp_name(path))
    try:
        _write_layers(temp, workspace)
        _fsync(temp)
        scenario, problems = check_scenario(temp)
        if scenario is None:
            raise WorkspaceError(_relabel(problems, temp.name, path, workspace.tables))
        os.replace(temp, path)
        _fsync(path.parent)  # makes the rename itself durable
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the workspace's lock file: other writers wait, readers never do."""
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    busy = f"{path.name}: -: busy: another save has held it for {timeout:.0f} s"
                    raise WorkspaceError([busy]) from None
                time.sleep(0.05)
        try:
            for stale in path.parent.glob(f".{path.name}.*.tmp.gpkg"):
                stale.unlink(missing_ok=True)  # left by a writer that died; we hold the lock, so none is live
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
