"""Moving a date window through a period by days, weeks or calendar months."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Final

STEP_UNITS: Final = ("day", "week", "month")


def shift_date(day: dt.date, unit: str, count: int) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def shift_window(window: tuple[dt.date, dt.date], unit: str, count: int,
                 period: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """The window moved by `count` units, kept inside `period` at the same width."""
    start, end = window
    width = end - start
    new_start = shift_date(start, unit, count)
    first, last = period
    new_start = max(first, min(new_start, last - width))
    return new_start, min(last, new_start + width)


def at_end(window: tuple[dt.date, dt.date], period: tuple[dt.date, dt.date]) -> bool:
    return window[1] >= period[1]
