"""Imported presence rows checked together with the workspace's, by the rules of `geodata check`.

A row of the file can clash with a record the workspace holds (two holders of one
base at once). The import is what is at fault, so the problem is said on the file's
row, and names the workspace's record by its id.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geodata.presence import outside_period, overlap_message, overlapping_holds, unheld_message, unheld_presences
from geodata.problems import Problems
from geodata.workspace import Workspace


def _dated(records: pd.DataFrame) -> pd.DataFrame:
    """The workspace's presence records, indexed by id, with their days as Timestamps."""
    frame = records.set_index("id")
    return frame.assign(**{name: pd.to_datetime(frame[name], format="%Y-%m-%d", errors="coerce")
                           for name in ("from", "to")})


def _period(workspace: Workspace) -> tuple[dt.date, dt.date]:
    scenario = workspace.tables["scenario"].iloc[0]
    return dt.date.fromisoformat(str(scenario["start"])), dt.date.fromisoformat(str(scenario["end"]))


def check_presence_rows(typed: pd.DataFrame, workspace: Workspace, label: str, problems: Problems) -> None:
    """`typed`: the file's new rows, checked cell by cell (index = the file's row); rows with errors are left out."""
    faulty = {problem.row for problem in problems.errors if problem.file == label}
    new = typed[~typed.index.isin(faulty)]
    held = _dated(workspace.tables["presence"])
    rows = pd.concat([new, held])  # the file's rows (numbers), then the workspace's (ids)
    mine = set(new.index)
    period = _period(workspace)

    def where(row: object) -> str:
        return f"row {row}" if row in mine else f"workspace record {row}"

    for row, field, message in outside_period(new, period):
        problems.error(label, int(row), field, message)
    for earlier, later in overlapping_holds(rows):
        blamed, other = (later, earlier) if later in mine else (earlier, later)
        if blamed in mine:  # two workspace records that clash are not this import's doing
            problems.error(label, int(blamed), "from", overlap_message(rows.loc[other], where(other)))
    for row, gap in unheld_presences(rows, period):
        if row in mine:
            problems.error(label, int(row), "from", unheld_message(rows.loc[row], gap))
            continue
        # A workspace presence at a base that had no holders until this file dated them.
        base = rows.at[row, "base"]
        first = new.index[(new["base"] == base) & (new["role"] == "holds")]
        if len(first) and not ((held["base"] == base) & (held["role"] == "holds")).any():
            problems.error(label, int(first[0]), "role", f"dates {base}'s holders, which leaves {where(row)} "
                           f"unheld: {unheld_message(rows.loc[row], gap)}")
    _warn_unheld(new, held, label, problems)


def _warn_unheld(new: pd.DataFrame, held: pd.DataFrame, label: str, problems: Problems) -> None:
    """A base's first presence rows without a `holds` row: its operator in bases stops holding it, so nobody does."""
    listed = set(held["base"])
    holds = set(new.loc[new["role"] == "holds", "base"])
    for base, rows in new[~new["base"].isin(listed | holds)].groupby("base", sort=False):
        problems.warn(label, int(rows.index[0]), "role", f"{base} gets presence rows but no holds row: its operator "
                      "in bases holds it only while it has none, so nobody will hold it; add its holder")
