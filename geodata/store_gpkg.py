"""A workspace in one GeoPackage file: read as text tables, saved whole and atomically, one writer at a time.

Every attribute is stored as text, exactly as entered, so nothing is rounded
or reformatted on the way through; bases also get a Point geometry and zones
and closed airspace keep theirs, so QGIS draws them. The loader reads the same
file unchanged. Writers take a lock file beside the workspace.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.changes import RecordChange, applied, history_row
from geodata.loader import check_scenario
from geodata.problems import Problem, Problems
from geodata.readers import WGS84, read_gpkg
from geodata.schema import OPTIONAL_TABLES, VIEW_KEYS
from geodata.workspace_store import (
    AREA_TABLES,
    LOCK_TIMEOUT_SECONDS,
    POINT_TABLES,
    REQUIRED_TABLES,
    TABLES,
    Workspace,
    WorkspaceError,
    empty_history,
    empty_tables,
    from_raw,
    text_frame,
)


def read(path: Path) -> Workspace:
    """The workspace at `path`, as text tables; raises WorkspaceError when it is not one."""
    data = path.read_bytes()
    problems = Problems()
    raw = read_gpkg(data, path.name, problems)
    if raw is None:
        raise WorkspaceError(problems.lines())
    missing = [table for table in REQUIRED_TABLES if table not in raw]
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


def _write_layers(target: Path, workspace: Workspace) -> None:
    tables = workspace.tables
    pyogrio.write_dataframe(text_frame(tables["scenario"].drop(columns="id")), target, layer="scenario")
    for table in TABLES[1:]:
        frame = tables[table]
        if table in OPTIONAL_TABLES and not len(frame):
            continue  # a workspace without the layer reads as having none of these records
        if table in POINT_TABLES:
            text = text_frame(frame)
            lon, lat = (pd.to_numeric(text[axis], errors="coerce") for axis in ("lon", "lat"))
            points = gpd.points_from_xy(lon, lat, crs=WGS84)
            points[lon.isna() | lat.isna()] = None
            pyogrio.write_dataframe(gpd.GeoDataFrame(text, geometry=points), target, layer=table,
                                    geometry_type="Point")
        elif table in AREA_TABLES:
            areas = gpd.GeoDataFrame(text_frame(frame), geometry="geometry", crs=WGS84)
            pyogrio.write_dataframe(areas, target, layer=table, geometry_type="MultiPolygon", promote_to_multi=True)
        else:
            pyogrio.write_dataframe(text_frame(frame), target, layer=table)
    pyogrio.write_dataframe(workspace.history, target, layer="history")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _temp_name(path: Path) -> str:
    return f".{path.name}.{os.getpid()}.tmp.gpkg"


def _relabel(problems: Problems, temp: str, path: Path, tables) -> list[str]:
    """Problem lines about the temporary file, told as the workspace and the record id."""
    lines = []
    for problem in problems.errors:
        table = problem.file.removeprefix(temp).strip("[]")
        where = f"{path.name}[{table}]" if table else path.name
        if problem.row is not None and table in TABLES:
            first = 1 if table in AREA_TABLES else 2  # feature numbers start at 1, rows after the header
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


class GpkgWriter:
    def __init__(self, path: Path, workspace: Workspace):
        self.path, self.workspace = path, workspace

    def commit(self, changes: list[RecordChange], author: str, summary: str, undoes: int | None) -> int:
        history = self.workspace.history
        number = int(history["change"].max()) + 1 if len(history) else 1
        row = history_row(number, changes, author, summary, undoes)
        history = pd.concat([history, pd.DataFrame([row])], ignore_index=True).astype({"change": "int64"})
        save(self.path, Workspace(applied(self.workspace, changes).tables, history))
        return number


class GpkgStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.label = self.path.name

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> Workspace:
        return read(self.path)

    def create(self, workspace: Workspace) -> None:
        if self.path.suffix.lower() != ".gpkg":
            raise WorkspaceError([f"{self.label}: -: a workspace file ends in .gpkg"])
        with locked(self.path):
            if self.path.exists():
                raise WorkspaceError([f"{self.label}: -: already exists; open it instead"])
            save(self.path, workspace)

    @contextlib.contextmanager
    def writing(self, create: bool = False, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[GpkgWriter]:
        with locked(self.path, timeout):
            if self.path.exists():
                workspace = read(self.path)
            elif create:
                workspace = Workspace(empty_tables(self.path.stem), empty_history())
            else:
                raise WorkspaceError([f"{self.label}: -: no such workspace"])
            yield GpkgWriter(self.path, workspace)

    def revision(self) -> tuple:
        try:
            stat = self.path.stat()
        except OSError:
            return ()
        return stat.st_mtime_ns, stat.st_size
