"""A workspace: one GeoPackage of scenario tables that analysts change record by record.

Each change is worked out against the file as it is now, re-read under the
lock, so changes from two browser sessions both land; a change is refused when
a record it edits differs from what the editor was shown. Every change goes
into the `history` layer with its records before and after, enough to undo it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from shapely.geometry import mapping, shape

from geodata.loader import BUNDLED, read_folder, read_geopackage, check_scenario
from geodata.problems import Problems
from geodata.workspace_store import (
    Workspace,
    WorkspaceError,
    empty_history,
    empty_table,
    from_raw,
    locked,
    read,
    save,
)

NEW_CAVEAT = "Analysts' own data: check each record's source and confidence before sharing."
_ID_PREFIX = {"actors": "a", "bases": "b", "zones": "z", "movements": "m"}
_SLUGGED = {"actors", "bases"}  # ids that movements and zones refer to read better as words


class ConflictError(WorkspaceError):
    """A change made against a record that someone else changed first."""


@dataclass(frozen=True)
class RecordChange:
    """One record's state before and after a change; None before: new, None after: deleted."""

    table: str
    record_id: str
    before: dict | None
    after: dict | None


def open_workspace(path: Path) -> Workspace:
    return read(Path(path))


def create_workspace(path: Path, from_scenario: Path | None = BUNDLED, title: str = "") -> None:
    """A new workspace at `path`, holding a copy of `from_scenario` or nothing (None)."""
    path = Path(path)
    if path.exists():
        raise WorkspaceError([f"{path.name}: -: already exists; open it instead"])
    tables = _copy_of(Path(from_scenario)) if from_scenario else empty_tables(title or path.stem)
    with locked(path):
        save(path, Workspace(tables, empty_history()))


def _copy_of(source: Path) -> dict[str, pd.DataFrame]:
    scenario, problems = check_scenario(source)
    if scenario is None:
        raise WorkspaceError(problems.lines())
    raw, _ = read_folder(source, Problems()) if source.is_dir() else read_geopackage(source, Problems())
    return from_raw(raw)


def empty_tables(title: str, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    day = (today or dt.date.today()).isoformat()
    tables = {table: empty_table(table) for table in ("actors", "bases", "zones", "movements")}
    meta = {"id": "scenario", "title": title, "caveat": NEW_CAVEAT, "start": day, "end": day,
            "latitude": "", "longitude": "", "zoom": ""}
    tables["scenario"] = pd.DataFrame([meta], dtype=object)
    return tables


def id_maker(workspace: Workspace, table: str) -> Callable[[str], str]:
    """A function giving fresh ids for `table`: a slug of the name where that reads well, else m001-style."""
    taken = workspace.ids(table)
    prefix = _ID_PREFIX[table]
    numbers = [int(match.group(1)) for match in map(re.compile(rf"^{prefix}(\d+)$").match, taken) if match]
    counter = [max(numbers, default=0)]

    def fresh(name: str = "") -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] if table in _SLUGGED else ""
        candidate, suffix = slug, 1
        while not candidate or candidate in taken:
            if slug:
                suffix += 1
                candidate = f"{slug}_{suffix}"
            else:
                counter[0] += 1
                candidate = f"{prefix}{counter[0]:03d}"
        taken.add(candidate)
        return candidate

    return fresh


def same_record(first: dict | None, second: dict | None) -> bool:
    """Equal records, reading a missing column as empty and comparing shapes, not vertex lists."""
    if first is None or second is None:
        return first is second
    for key in first.keys() | second.keys():
        if key == "geometry":
            a, b = first.get(key), second.get(key)
            if (a is None) != (b is None) or (a is not None and not a.equals(b)):
                return False
        elif str(first.get(key, "") or "") != str(second.get(key, "") or ""):
            return False
    return True


def applied(workspace: Workspace, changes: list[RecordChange]) -> Workspace:
    """`workspace` with `changes` made, in memory; ConflictError when a record is not as `before` says."""
    tables = dict(workspace.tables)
    for table in {change.table for change in changes}:
        frame = tables[table].copy()
        position = {record_id: number for number, record_id in enumerate(frame["id"])}
        added, deleted = [], set()
        for change in (c for c in changes if c.table == table):
            current = workspace.record(table, change.record_id)
            if not same_record(current, change.before):
                raise ConflictError([_conflict(workspace, change, current)])
            if change.after is None:
                deleted.add(position[change.record_id])
            elif current is None:
                added.append({**change.after, "id": change.record_id})
            else:
                for key, value in change.after.items():
                    if key in frame.columns:
                        frame.iat[position[change.record_id], frame.columns.get_loc(key)] = value
        frame = frame.drop(index=frame.index[sorted(deleted)])
        if added:
            # Only the table's own columns are kept; a column the new rows lack is empty for them.
            new = pd.DataFrame(added).reindex(columns=frame.columns, fill_value="")
            frame = pd.concat([frame, new], ignore_index=True)
            frame = frame.set_geometry("geometry", crs=tables[table].crs) if table == "zones" else frame
        tables[table] = frame.reset_index(drop=True)
    return Workspace(tables, workspace.history)


def _last_change_of(workspace: Workspace, table: str, record_id: str) -> pd.Series | None:
    for _, row in workspace.history.iloc[::-1].iterrows():
        if any((r["table"], r["id"]) == (table, record_id) for r in json.loads(row["records"])):
            return row
    return None


def _conflict(workspace: Workspace, change: RecordChange, current: dict | None) -> str:
    what = f"{change.table} {change.record_id}"
    if change.before is None:
        return f"{what}: -: already exists; give the new record another id"
    if current is None:
        return f"{what}: -: was deleted since you opened it"
    last = _last_change_of(workspace, change.table, change.record_id)
    by = f" (change #{last['change']} by {last['author']} at {last['at']})" if last is not None else ""
    return f"{what}: -: was changed since you opened it{by}; reload it and try again"


def _encode(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {key: (mapping(value) if key == "geometry" and value is not None else value)
            for key, value in record.items()}


def _decode(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {key: (shape(value) if key == "geometry" and value is not None else value) for key, value in record.items()}


def update(path: Path, author: str, summary: str, plan: Callable[[Workspace], list[RecordChange]],
           create: bool = False, undoes: int | None = None) -> int | None:
    """Apply the changes `plan` works out from the current workspace; the new change number, or None.

    `create`: start an empty workspace when there is none yet.
    """
    path = Path(path)
    if not author.strip():
        raise WorkspaceError(["-: author: type your name before changing the workspace"])
    with locked(path):
        if path.exists():
            workspace = read(path)
        elif create:
            workspace = Workspace(empty_tables(path.stem), empty_history())
        else:
            raise WorkspaceError([f"{path.name}: -: no such workspace"])
        changes = plan(workspace)
        if not changes:
            return None
        history = workspace.history
        number = int(history["change"].max()) + 1 if len(history) else 1
        records = [{"table": c.table, "id": c.record_id, "before": _encode(c.before), "after": _encode(c.after)}
                   for c in changes]
        row = {"change": number, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "author": author.strip(), "summary": summary, "undoes": "" if undoes is None else str(undoes),
               "records": json.dumps(records, ensure_ascii=False, default=str)}
        history = pd.concat([history, pd.DataFrame([row])], ignore_index=True).astype({"change": "int64"})
        save(path, Workspace(applied(workspace, changes).tables, history))
        return number


def add_record(path: Path, table: str, values: dict, author: str) -> tuple[int, str]:
    """Add one record; an empty id gets a fresh one. The change number and the record's id."""
    made: list[str] = []

    def plan(workspace: Workspace) -> list[RecordChange]:
        record_id = str(values.get("id", "")).strip() or id_maker(workspace, table)(str(values.get("name", "")))
        made.append(record_id)
        return [RecordChange(table, record_id, None, {**values, "id": record_id})]

    number = update(path, author, f"add {table[:-1]}", plan)
    return number, made[0]


def add_zone_change(path: Path, zone: dict, author: str, end_current: bool = True) -> tuple[int, str]:
    """Add a zone shape; with `end_current`, the actor's shapes in force on its first day end the day before."""
    made: list[str] = []

    def plan(workspace: Workspace) -> list[RecordChange]:
        zone_id = id_maker(workspace, "zones")()
        made.append(zone_id)
        changes = [RecordChange("zones", zone_id, None, {**zone, "id": zone_id})]
        start = str(zone["valid_from"])
        if end_current and is_day(start):
            day_before = (dt.date.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
            for record in workspace.tables["zones"].to_dict("records"):
                if record["actor"] == zone["actor"] and record["valid_from"] < start and \
                        (record["valid_to"] == "" or record["valid_to"] >= start):
                    changes.append(RecordChange("zones", record["id"], record, {**record, "valid_to": day_before}))
        return changes

    number = update(path, author, f"zone change for {zone['actor']}", plan)
    return number, made[0]


def is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def edit_record(path: Path, table: str, before: dict, after: dict, author: str) -> int:
    """Change one record from `before` (as the editor saw it) to `after`."""
    record_id = str(before["id"])
    change = RecordChange(table, record_id, before, {**after, "id": record_id})
    return update(path, author, f"edit {table[:-1]} {record_id}", lambda _: [change])


def delete_record(path: Path, table: str, before: dict, author: str) -> int:
    record_id = str(before["id"])
    change = RecordChange(table, record_id, before, None)
    return update(path, author, f"delete {table[:-1]} {record_id}", lambda _: [change])


def changes_of(workspace: Workspace, number: int) -> list[RecordChange]:
    rows = workspace.history[workspace.history["change"] == number]
    if not len(rows):
        raise WorkspaceError([f"-: change: there is no change #{number}"])
    return [RecordChange(r["table"], r["id"], _decode(r["before"]), _decode(r["after"]))
            for r in json.loads(rows.iloc[0]["records"])]


def undo(path: Path, number: int, author: str) -> int:
    """Put back what change `number` changed; refused when its records were changed since."""
    def plan(workspace: Workspace) -> list[RecordChange]:
        return [RecordChange(c.table, c.record_id, c.after, c.before) for c in reversed(changes_of(workspace, number))]

    try:
        return update(path, author, f"undo change #{number}", plan, undoes=number)
    except ConflictError as err:
        raise ConflictError([f"cannot undo change #{number}: {line}" for line in err.lines]) from err
