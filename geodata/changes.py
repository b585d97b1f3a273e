"""A change to a workspace as records before and after, the rule for when two records are the same,
and the history row that keeps a change so that it can be undone. Every store uses these."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
from shapely.geometry import mapping, shape

from geodata.workspace_store import AREA_TABLES, Workspace, WorkspaceError

VERSION = "_version"  # what a database record carries besides its columns: the change that last wrote it


class ConflictError(WorkspaceError):
    """A change made against a record that someone else changed first."""


@dataclass(frozen=True)
class RecordChange:
    """One record's state before and after a change; None before: new, None after: deleted."""

    table: str
    record_id: str
    before: dict | None
    after: dict | None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _same_value(first: object, second: object) -> bool:
    a, b = str(first if first is not None else ""), str(second if second is not None else "")
    if a == b:
        return True
    # A database keeps numbers as numbers: "35.950" comes back as "35.95", and is the same value.
    x, y = _number(a), _number(b)
    return x is not None and x == y


def same_record(first: dict | None, second: dict | None) -> bool:
    """Equal records, reading a missing column as empty and comparing shapes, not vertex lists.

    When both carry a row version, a different version is a different record even if the
    values came back the same: someone wrote it in between.
    """
    if first is None or second is None:
        return first is second
    if VERSION in first and VERSION in second and first[VERSION] != second[VERSION]:
        return False
    for key in (first.keys() | second.keys()) - {VERSION}:
        if key == "geometry":
            a, b = first.get(key), second.get(key)
            if (a is None) != (b is None) or (a is not None and not a.equals(b)):
                return False
        elif not _same_value(first.get(key, "") or "", second.get(key, "") or ""):
            return False
    return True


def conflict_line(change: RecordChange, current: dict | None, last: dict | None) -> str:
    """Why `change` cannot be made, naming the change that came in between (`last`) when known."""
    what = f"{change.table} {change.record_id}"
    if change.before is None:
        return f"{what}: -: already exists; give the new record another id"
    if current is None:
        return f"{what}: -: was deleted since you opened it"
    by = f" (change #{last['change']} by {last['author']} at {last['at']})" if last else ""
    return f"{what}: -: was changed since you opened it{by}; reload it and try again"


def applied(workspace: Workspace, changes: list[RecordChange]) -> Workspace:
    """`workspace` with `changes` made, in memory; ConflictError when a record is not as `before` says."""
    changed = {}
    for table in dict.fromkeys(change.table for change in changes):
        frame = workspace.tables[table].copy()
        position = {record_id: number for number, record_id in enumerate(frame["id"])}
        added, deleted = [], set()
        for change in (c for c in changes if c.table == table):
            current = workspace.record(table, change.record_id)
            if not same_record(current, change.before):
                raise ConflictError([conflict_line(change, current, workspace.last_change(table, change.record_id))])
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
            if table in AREA_TABLES:
                frame = frame.set_geometry("geometry", crs=workspace.tables[table].crs)
        changed[table] = frame.reset_index(drop=True)
    return Workspace(workspace.tables.with_changed(changed), workspace.history)


def _encode(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {key: (mapping(value) if key == "geometry" and value is not None else value)
            for key, value in record.items() if key != VERSION}


def decode(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {key: (shape(value) if key == "geometry" and value is not None else value) for key, value in record.items()}


def history_row(number: int, changes: list[RecordChange], author: str, summary: str, undoes: int | None) -> dict:
    """The history row that keeps change `number`: who, when, what, and every record before and after."""
    records = [{"table": c.table, "id": c.record_id, "before": _encode(c.before), "after": _encode(c.after)}
               for c in changes]
    return {"change": number, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "author": author.strip(), "summary": summary, "undoes": "" if undoes is None else str(undoes),
            "records": json.dumps(records, ensure_ascii=False, default=str)}


def changes_in(records_json: str) -> list[RecordChange]:
    """The record changes a history row keeps."""
    return [RecordChange(r["table"], r["id"], decode(r["before"]), decode(r["after"]))
            for r in json.loads(records_json)]
