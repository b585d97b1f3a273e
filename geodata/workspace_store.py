"""Where a workspace lives, behind one interface: a GeoPackage file or a PostgreSQL schema.

Both hold the scenario's tables with every attribute as text in memory, exactly
as entered, plus a `history` of changes. A store reads the workspace and opens
a write: one writer at a time, working on the workspace as it is then, saving a
change and its history row all or nothing. `geodata.workspace` works out the
changes; the stores only keep them (`store_gpkg.py`, `store_postgis.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd

from geodata.dburl import is_database_url
from geodata.readers import WGS84
from geodata.schema import COLUMNS, FILES, OPTIONAL_TABLES, SCENARIO_KEYS, VIEW_KEYS

TABLES = tuple(FILES)  # scenario first, then every table of the format
REQUIRED_TABLES = tuple(table for table in TABLES if table not in OPTIONAL_TABLES)
AREA_TABLES = frozenset(table for table, name in FILES.items() if name.endswith(".geojson"))  # polygons
POINT_TABLES = frozenset(table for table, specs in COLUMNS.items()
                         if {"lat", "lon"} <= {spec.name for spec in specs})  # a point made from lat/lon
SCENARIO_FIELDS = (*SCENARIO_KEYS, *VIEW_KEYS)
HISTORY_FIELDS = ("change", "at", "author", "summary", "undoes", "records")
LOCK_TIMEOUT_SECONDS = 30.0
NEW_CAVEAT = "Analysts' own data: check each record's source and confidence before sharing."


class WorkspaceError(Exception):
    """A workspace that cannot be read or a change that would break it; `lines` say why."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def columns(table: str) -> list[str]:
    """The columns a workspace table holds, in file order; tables whose records have no id get one first."""
    if table == "scenario":
        return ["id", *SCENARIO_FIELDS]
    names = [column.name for column in COLUMNS[table]]
    return names if "id" in names else ["id", *names]


def id_prefix(table: str) -> str:
    """Ids made up for a record without a name start with the table's initial: m001, z001, p001."""
    return table[0]


def empty_table(table: str) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in columns(table)})
    if table in AREA_TABLES:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84))
    return frame


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="int64" if name == "change" else object) for name in HISTORY_FIELDS})


def empty_tables(title: str, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The tables of a workspace with no records yet; its period is today until data widens it."""
    day = (today or dt.date.today()).isoformat()
    tables = {table: empty_table(table) for table in TABLES[1:]}
    meta = {"id": "scenario", "title": title, "caveat": NEW_CAVEAT, "start": day, "end": day,
            "latitude": "", "longitude": "", "zoom": ""}
    return {"scenario": pd.DataFrame([meta], dtype=object), **tables}


def _with_ids(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Zones, presences and closures have no id in the scenario format; the workspace needs one to edit them."""
    if "id" not in frame.columns:
        frame = frame.copy()
        frame.insert(0, "id", [f"{id_prefix(table)}{number:03d}" for number in range(1, len(frame) + 1)])
    return frame.reset_index(drop=True)


def from_raw(raw: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Workspace tables from the raw text tables a reader returns (the scenario as a dict)."""
    meta = raw["scenario"]
    view = meta.get("view") or {}
    row = {key: str(meta.get(key, "")) for key in SCENARIO_KEYS} | {key: str(view.get(key, "")) for key in VIEW_KEYS}
    tables = {"scenario": pd.DataFrame([{"id": "scenario", **row}], dtype=object)}
    for table in TABLES[1:]:
        if not isinstance(raw.get(table), pd.DataFrame):
            tables[table] = empty_table(table)
            continue
        frame = _with_ids(raw[table], table)
        extras = [name for name in frame.columns if name not in columns(table) and name != "geometry"]
        # Optional columns a file left out are added empty, so every workspace has the same shape.
        shaped = frame.reindex(columns=[*columns(table), *extras], fill_value="")
        tables[table] = (gpd.GeoDataFrame(shaped, geometry=frame.geometry.values, crs=frame.crs or WGS84)
                         if table in AREA_TABLES else shaped)
    return tables


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every attribute as text ('' where empty); geometry kept as shapes."""
    frame = pd.DataFrame(frame).copy()
    for name in frame.columns:
        if name != "geometry":
            frame[name] = frame[name].fillna("").astype(str)
    return frame


class Tables(Mapping):
    """A workspace's tables by name, each read when first asked for, with changed ones laid over."""

    def __init__(self, read: Callable[[str], pd.DataFrame], changed: Mapping[str, pd.DataFrame] | None = None):
        self._read = read
        self._frames: dict[str, pd.DataFrame] = dict(changed or {})

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in TABLES:
            raise KeyError(table)
        if table not in self._frames:
            self._frames[table] = self._read(table)
        return self._frames[table]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def with_changed(self, changed: Mapping[str, pd.DataFrame]) -> Tables:
        return Tables(self.__getitem__, changed)


class Workspace:
    """The tables of a workspace as text frames (zones and airspace also hold shapes) and its history.

    This one holds everything in memory; a database workspace answers the same
    questions with queries, so a large table is never read whole to answer them.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame], history: pd.DataFrame):
        self.tables = tables if isinstance(tables, Tables) else Tables(dict(tables).__getitem__)
        self._history = history

    @property
    def history(self) -> pd.DataFrame:
        return self._history

    def record(self, table: str, record_id: str) -> dict | None:
        frame = self.tables[table]
        rows = frame[frame["id"] == record_id]
        return rows.iloc[0].to_dict() if len(rows) else None

    def ids(self, table: str) -> set[str]:
        return set(self.tables[table]["id"])

    def taken(self, table: str, candidates: list[str]) -> set[str]:
        """Which of `candidates` are ids in `table` already."""
        return self.ids(table) & set(candidates)

    def highest_number(self, table: str, prefix: str) -> int:
        """The highest N among ids like m001 (prefix 'm'), or 0."""
        pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
        return max((int(match.group(1)) for match in map(pattern.match, self.ids(table)) if match), default=0)

    def size(self, table: str) -> int:
        return len(self.tables[table])

    def newest(self, table: str, limit: int) -> pd.DataFrame:
        """The last `limit` records of `table` in its order (the most recently added last)."""
        return self.tables[table].tail(limit)

    def last_change(self, table: str, record_id: str) -> dict | None:
        """The history row of the last change to a record (change, author, at), or None."""
        for _, row in self.history.iloc[::-1].iterrows():
            if any((r["table"], r["id"]) == (table, record_id) for r in json.loads(row["records"])):
                return row.to_dict()
        return None

    def history_rows(self, number: int | None = None) -> pd.DataFrame:
        """The history, or the row of change `number`."""
        history = self.history
        return history if number is None else history[history["change"] == number]

    def recent_changes(self, limit: int) -> pd.DataFrame:
        """The last `limit` changes, newest first, without their records; `undone_by` names a later undo."""
        history = self.history
        undone_by = {int(undoes): int(change) for change, undoes in zip(history["change"], history["undoes"])
                     if undoes}
        recent = history.iloc[::-1].head(limit).drop(columns="records")
        return recent.assign(undone_by=[undone_by.get(int(n)) for n in recent["change"]])


class Writer(Protocol):
    """One write in progress: the workspace as it is now, and the call that keeps a change."""

    workspace: Workspace

    def commit(self, changes: list, author: str, summary: str, undoes: int | None) -> int:
        """Check `changes` against the stored records, keep them with their history row; the change number."""


class Store(Protocol):
    label: str  # how messages name it; a database address is shown with its password masked

    def exists(self) -> bool: ...

    def read(self) -> Workspace: ...

    def create(self, workspace: Workspace) -> None:
        """Write `workspace` (its tables and history) where there is none yet."""

    def writing(self, create: bool = False, timeout: float = LOCK_TIMEOUT_SECONDS) -> contextlib.AbstractContextManager[Writer]:
        """Hold the write lock; `create` starts an empty workspace when there is none."""

    def revision(self) -> tuple:
        """Changes whenever the stored workspace does; cheap enough to ask on every rerun."""


def store_for(target: Path | str) -> Store:
    """The store at `target`: a postgresql:// address or the path of a .gpkg file."""
    if is_database_url(str(target)):
        from geodata.store_postgis import PostgisStore

        return PostgisStore(str(target))
    from geodata.store_gpkg import GpkgStore

    return GpkgStore(Path(target))
