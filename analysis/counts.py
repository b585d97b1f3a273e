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


def window_counts(movements: pd.DataFrame, start: dt.date) -> WindowCounts:
    """The counts of a window's movements (those under way in it); `start` is the window's first day."""
    started = movements[movements["date"] >= pd.Timestamp(start)]
    quantity = started["quantity"].fillna(0).astype("int64")
    people = started["category"].isin(PEOPLE_CATEGORIES)
    by_category = quantity[~people].groupby(started["category"][~people].astype(str)).sum()
    return WindowCounts(
        under_way=len(movements),
        started=len(started),
        people=int(quantity[people].sum()),
        people_unnumbered=int((people & started["quantity"].isna()).sum()),
        equipment={category: int(n) for category, n in by_category.sort_values(ascending=False).items() if n > 0},
    )
