"""Figures an analyst can quote about a window: what each counts is part of its name.

A movement under way across several windows is counted in each as under way,
but its quantity only in the window it started in; people come only from
movements of troops, and equipment is counted by what it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import pandas as pd

PEOPLE_CATEGORIES: Final = frozenset({"troops"})


@dataclass(frozen=True)
class WindowCounts:
    under_way: int  # movements under way on some day of the window
    started: int  # of which started in the window
    people: int  # troops moved by movements that started in the window, where the source gives a number
    people_unnumbered: int  # movements of troops that started in the window with no number given
    equipment: dict[str, int]  # quantity by category, other than troops, of movements that started in it


def plural(count: int, noun: str) -> str:
    """'1 movement', '2 movements', '1,204 movements'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def started_by_category(movements: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """Per category, of the movements that started on or after `start`: how many, their summed
    quantity, and how many give no quantity."""
    started = movements[movements["date"] >= pd.Timestamp(start)]
    return pd.DataFrame({
        "category": started["category"].astype(str),
        "movements": 1,
        "quantity": started["quantity"].fillna(0).astype("int64"),
        "unnumbered": started["quantity"].isna().astype("int64"),
    }).groupby("category", as_index=False).sum()


def counts_of(under_way: int, started: pd.DataFrame) -> WindowCounts:
    """The window's counts from how many movements are under way in it and `started_by_category`
    (a database computes the same table itself)."""
    people = started["category"].isin(PEOPLE_CATEGORIES)
    equipment = started[~people & (started["quantity"] > 0)].sort_values("quantity", ascending=False, kind="stable")
    return WindowCounts(
        under_way=under_way,
        started=int(started["movements"].sum()),
        people=int(started.loc[people, "quantity"].sum()),
        people_unnumbered=int(started.loc[people, "unnumbered"].sum()),
        equipment=dict(zip(equipment["category"], (int(n) for n in equipment["quantity"]))),
    )


def window_counts(movements: pd.DataFrame, start: dt.date) -> WindowCounts:
    """The counts of a window's movements (those under way in it); `start` is the window's first day."""
    return counts_of(len(movements), started_by_category(movements, start))
