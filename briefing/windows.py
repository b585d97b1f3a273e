"""The date windows of a pack or a timelapse: one per slide, each starting the day after the last ended."""

from __future__ import annotations

import datetime as dt
from typing import Final

from ui.window import shift_date

STEPS: Final = ("week", "month")
ONE_DAY: Final = dt.timedelta(days=1)

Window = tuple[dt.date, dt.date]


def dated_windows(dates: list[dt.date], start: dt.date) -> list[Window]:
    """A slide per date: what happened since the previous date (since `start` for the first)."""
    windows, first = [], start
    for day in dates:
        windows.append((first, day))
        first = day + ONE_DAY
    return windows


def stepped_windows(start: dt.date, end: dt.date, step: str) -> list[Window]:
    """Consecutive weeks or calendar-aligned months from `start`, the last one cut at `end`."""
    windows, count, first = [], 1, start
    while first <= end:
        last = min(end, shift_date(start, step, count) - ONE_DAY)
        windows.append((first, last))
        first, count = last + ONE_DAY, count + 1
    return windows
