"""The table of movements on a pack slide: every movement of the slide's window, oldest first.

Nothing is dropped and nothing is cut: a cell's text wraps, rows are measured before they are
placed, and what does not fit on the slide continues on the pages after it. The PDF pages and the
PowerPoint slides paginate with the same `paginate`, each with its own measure of a row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from briefing.fonts import line_count
from layers.bases import short_name

COLUMNS: Final = ("Date", "Route", "What", "Confidence")
# A window with more movements than this would need dozens of pages: the table says how many it leaves out.
MAX_ROWS: Final = 300


@dataclass(frozen=True)
class Row:
    date: str
    route: str
    what: str
    confidence: str

    @property
    def cells(self) -> tuple[str, str, str, str]:
        return self.date, self.route, self.what, self.confidence


@dataclass(frozen=True)
class MovementTable:
    """The rows one page shows: part `part` of `parts` of its window's table."""

    rows: tuple[Row, ...]
    part: int = 1
    parts: int = 1
    left_out: int = 0  # movements beyond MAX_ROWS, said on the last part

    @property
    def continues(self) -> bool:
        return self.part < self.parts


@dataclass(frozen=True)
class Columns:
    """How a table is drawn: its font size, line height, cell padding and column shares of its width,
    all in one unit (design pixels for the PDF pages, points for PowerPoint)."""

    font: float
    line: float
    padding: float  # left and right of a cell's text, together
    rule: float  # a row's padding above and below and its rule, together
    shares: tuple[float, float, float, float]

    def widths(self, width: float) -> list[float]:
        return [share * width for share in self.shares]

    def row_height(self, row: Row, width: float) -> float:
        lines = max(line_count(text, self.font, column - self.padding)
                    for text, column in zip(row.cells, self.widths(width)))
        return lines * self.line + self.rule


def short_place(name: str, lat: float, lon: float) -> str:
    """A base's short name, or the point as 35.0°N 35.8°E."""
    if name:
        return short_name(name)
    return f"{abs(lat):.1f}°{'N' if lat >= 0 else 'S'} {abs(lon):.1f}°{'E' if lon >= 0 else 'W'}"


def route_text(m) -> str:
    return (f"{short_place(m.origin_name, m.origin_lat, m.origin_lon)} → "
            f"{short_place(m.destination_name, m.destination_lat, m.destination_lon)}")


def quantity_text(m) -> str:
    return "" if pd.isna(m.quantity) else f" ×{int(m.quantity):,}"


def movement_rows(movements: pd.DataFrame) -> tuple[tuple[Row, ...], int]:
    """The rows of every movement, oldest first, at most MAX_ROWS; and how many were left out."""
    ordered = movements.sort_values("date", kind="stable")
    rows = tuple(Row(date=f"{m.date:%-d %b}", route=route_text(m), what=f"{m.category}{quantity_text(m)} · {m.mode}",
                     confidence=str(m.confidence))
                 for m in ordered.head(MAX_ROWS).itertuples(index=False))
    return rows, len(ordered) - len(rows)


def paginate(rows: Sequence[Row], first: float, rest: float, first_height: Callable[[Row], float],
             rest_height: Callable[[Row], float]) -> list[tuple[Row, ...]]:
    """The rows split into pages: the first page holds rows up to `first` high, each later one up to `rest`.

    The first page may hold none (its room went to the legend); a later page holds at least one row.
    """
    pages: list[list[Row]] = [[]]
    room, height = first, first_height
    for row in rows:
        needed = height(row)
        if needed > room and (pages[-1] or len(pages) == 1):
            pages.append([])
            room, height = rest, rest_height
            needed = height(row)
        pages[-1].append(row)
        room -= needed
    return [tuple(page) for page in pages]


def table_parts(pages: list[tuple[Row, ...]], left_out: int) -> tuple[MovementTable, ...]:
    parts = len(pages)
    return tuple(MovementTable(page, index + 1, parts, left_out if index == parts - 1 else 0)
                 for index, page in enumerate(pages))


def part_note(table: MovementTable, unit: str = "page") -> str:
    """What a part of the table says under it: what it leaves out, that it continues, or which part it is."""
    if table.left_out:
        return (f"and {table.left_out:,} more movements in this window, too many to list here: "
                "the dashboard's Movements table has them all")
    if table.continues:
        return f"continued on the next {unit} ({table.part} of {table.parts})"
    return f"({table.part} of {table.parts})" if table.parts > 1 else ""


def continued_text(table: MovementTable) -> str:
    """Beside the window, on a page or slide that continues the table."""
    return f"movements, continued ({table.part} of {table.parts})"
