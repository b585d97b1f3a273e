"""A workspace: the scenario's tables that analysts change record by record, in a GeoPackage or a database.

Each change is worked out against the workspace as it is now, read while
holding the write lock, so changes from two browser sessions both land; a change
is refused when a record it edits differs from what the editor was shown. Every
change goes into the history with its records before and after, enough to undo
it. Where the tables are kept is the store's business (`workspace_store.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geodata.changes import ConflictError, RecordChange, applied, changes_in, same_record
from geodata.dburl import is_database_url
from geodata.loader import BUNDLED, check_scenario, read_folder, read_geopackage
from geodata.problems import Problems
from geodata.workspace_store import (
    LOCK_TIMEOUT_SECONDS,
    NEW_CAVEAT,
    Workspace,
    WorkspaceError,
    empty_history,
    empty_tables,
    from_raw,
    id_prefix,
    store_for,
)

__all__ = ["ConflictError", "NEW_CAVEAT", "RecordChange", "Workspace", "WorkspaceError", "add_record",
           "add_zone_change", "applied", "changes_of", "create_workspace", "delete_record", "describe",
           "edit_record", "empty_tables", "id_maker", "is_day", "open_workspace", "same_record", "undo", "update"]

Target = Path | str  # a .gpkg path or a postgresql:// address
_SLUGGED = {"actors", "bases", "systems"}  # ids that other records refer to read better as words
# What names a record in a history line or a list, after its id.
_NAMED_BY = {"movements": ("date", "asset"), "bases": ("name",), "zones": ("actor", "valid_from"),
             "actors": ("name",), "presence": ("actor", "role", "base", "from"), "systems": ("name",),
             "airspace": ("name", "valid_from"), "scenario": ("title",)}


def target_of(target: Target) -> Target:
    """A database address stays text (a Path would fold its '//'); anything else is a path."""
    return str(target).strip() if is_database_url(str(target)) else Path(target)


def open_workspace(target: Target) -> Workspace:
    return store_for(target_of(target)).read()


def workspace_exists(target: Target) -> bool:
    return store_for(target_of(target)).exists()


def workspace_name(target: Target) -> str:
    """The title a new workspace gets: the file's name, or the database schema's."""
    target = target_of(target)
    return target.stem if isinstance(target, Path) else store_for(target).schema


def singular(table: str) -> str:
    return table[:-1] if table.endswith("s") else table


def describe(table: str, record: dict) -> str:
    """A record in a few words: 'm005 · 2025-02-01 · Il-76 · alpha → charlie'."""
    words = [str(record.get(name, "")) for name in _NAMED_BY.get(table, ())]
    if table == "movements":
        words.append(" → ".join(_end(record, end) for end in ("origin", "destination")))
    return " · ".join([str(record.get("id", "")), *(word for word in words if word)])


def _end(record: dict, end: str) -> str:
    return str(record.get(end) or f"{record.get(f'{end}_lat', '')}, {record.get(f'{end}_lon', '')}")


def scenario_tables(source: Path) -> dict[str, pd.DataFrame]:
    """A scenario folder's or GeoPackage's tables as a workspace holds them; WorkspaceError when it does not check."""
    scenario, problems = check_scenario(source)
    if scenario is None:
        raise WorkspaceError(problems.lines())
    raw, _ = read_folder(source, Problems()) if source.is_dir() else read_geopackage(source, Problems())
    return from_raw(raw)


def create_workspace(target: Target, from_scenario: Path | None = BUNDLED, title: str = "") -> None:
    """A new workspace at `target`, holding a copy of `from_scenario` or nothing (None)."""
    target = target_of(target)
    tables = scenario_tables(Path(from_scenario)) if from_scenario else empty_tables(title or workspace_name(target))
    if isinstance(target, Path) and target.exists():
        raise WorkspaceError([f"{target.name}: -: already exists; open it instead"])
    store_for(target).create(Workspace(tables, empty_history()))


def id_maker(workspace: Workspace, table: str) -> Callable[[str], str]:
    """A function giving fresh ids for `table`: a slug of the name where that reads well, else m001-style."""
    prefix = id_prefix(table)
    counter = [workspace.highest_number(table, prefix)]
    made: set[str] = set()

    def fresh(name: str = "") -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] if table in _SLUGGED else ""
        if slug:
            candidate, suffix = slug, 1
            while candidate in made or workspace.taken(table, [candidate]):
                suffix += 1
                candidate = f"{slug}_{suffix}"
        else:
            counter[0] += 1  # above the highest number in use, so never taken
            candidate = f"{prefix}{counter[0]:03d}"
        made.add(candidate)
        return candidate

    return fresh


def update(target: Target, author: str, summary: str | Callable[[list[RecordChange]], str],
           plan: Callable[[Workspace], list[RecordChange]], create: bool = False, undoes: int | None = None,
           timeout: float = LOCK_TIMEOUT_SECONDS) -> int | None:
    """Apply the changes `plan` works out from the current workspace; the new change number, or None.

    `create`: start an empty workspace when there is none yet. `summary` may be worked out from the changes.
    """
    if not author.strip():
        raise WorkspaceError(["-: author: type your name before changing the workspace"])
    with store_for(target_of(target)).writing(create, timeout) as writer:
        changes = plan(writer.workspace)
        if not changes:
            return None
        text = summary(changes) if callable(summary) else summary
        return writer.commit(changes, author.strip(), text, undoes)


def add_record(target: Target, table: str, values: dict, author: str) -> tuple[int, str]:
    """Add one record; an empty id gets a fresh one. The change number and the record's id."""
    made: list[str] = []

    def plan(workspace: Workspace) -> list[RecordChange]:
        record_id = str(values.get("id", "")).strip() or id_maker(workspace, table)(str(values.get("name", "")))
        made.append(record_id)
        return [RecordChange(table, record_id, None, {**values, "id": record_id})]

    number = update(target, author, lambda changes: f"add {singular(table)} {describe(table, changes[0].after)}",
                    plan)
    return number, made[-1]


def add_zone_change(target: Target, zone: dict, author: str, end_current: bool = True) -> tuple[int, str]:
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

    def summary(changes: list[RecordChange]) -> str:
        ended = f"; ends {', '.join(c.record_id for c in changes[1:])}" if len(changes) > 1 else ""
        return f"zone change for {zone['actor']}: {describe('zones', changes[0].after)}{ended}"

    number = update(target, author, summary, plan)
    return number, made[-1]


def is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def edit_record(target: Target, table: str, before: dict, after: dict, author: str) -> int:
    """Change one record from `before` (as the editor saw it) to `after`."""
    record_id = str(before["id"])
    change = RecordChange(table, record_id, before, {**after, "id": record_id})
    return update(target, author, f"edit {singular(table)} {describe(table, change.after)}", lambda _: [change])


def delete_record(target: Target, table: str, before: dict, author: str) -> int:
    record_id = str(before["id"])
    change = RecordChange(table, record_id, before, None)
    return update(target, author, f"delete {singular(table)} {describe(table, before)}", lambda _: [change])


def changes_of(workspace: Workspace, number: int) -> list[RecordChange]:
    rows = workspace.history_rows(number)
    if not len(rows):
        raise WorkspaceError([f"-: change: there is no change #{number}"])
    return changes_in(rows.iloc[0]["records"])


def undo(target: Target, number: int, author: str) -> int:
    """Put back what change `number` changed; refused when its records were changed since."""
    def plan(workspace: Workspace) -> list[RecordChange]:
        return [RecordChange(c.table, c.record_id, c.after, c.before) for c in reversed(changes_of(workspace, number))]

    try:
        return update(target, author, f"undo change #{number}", plan, undoes=number)
    except ConflictError as err:
        raise ConflictError([f"cannot undo change #{number}: {line}" for line in err.lines]) from err
