"""Date windows over a scenario's period: the opening window, steps by day, week or calendar month,
and the windows of a slide pack or timelapse. The dashboard, the exports and the analyses share them."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Final

STEP_UNITS: Final = ("day", "week", "month")
PACK_STEPS: Final = ("week", "month")
ONE_DAY: Final = dt.timedelta(days=1)

Window = tuple[dt.date, dt.date]


def default_window(period: Window) -> Window:
    """The first month of the period: where a scenario's story usually starts."""
    start, end = period
    return start, min(end, start + dt.timedelta(days=30))


def shift_date(day: dt.date, unit: str, count: int) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_calendar_month(window: Window) -> bool:
    start, end = window
    return start.day == 1 and end == month_end(start)


def shift_window(window: Window, unit: str, count: int, period: Window) -> Window:
    """The window moved by `count` units, kept inside `period` at the same width.

    A window that is one calendar month moves to the next calendar month (February
    after January), whatever the months' lengths.
    """
    start, end = window
    first, last = period
    if unit == "month" and is_calendar_month(window):
        new_start = shift_date(start, "month", count)
        if first <= new_start and month_end(new_start) <= last:
            return new_start, month_end(new_start)
    width = end - start
    new_start = max(first, min(shift_date(start, unit, count), last - width))
    return new_start, min(last, new_start + width)


def at_end(window: Window, period: Window) -> bool:
    return window[1] >= period[1]


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
