"""The short table of movements on a pack slide: what moved in the slide's window, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from layers.bases import short_name

MAX_ROWS: Final = 9


@dataclass(frozen=True)
class Row:
    date: str
    route: str
    what: str
    confidence: str


@dataclass(frozen=True)
class MovementTable:
    rows: tuple[Row, ...]
    earlier: int  # movements of the window left out, the oldest ones


def short_place(name: str, lat: float, lon: float) -> str:
    """A base's short name, or the point as 35.0°N 35.8°E."""
    if name:
        return short_name(name)
    return f"{abs(lat):.1f}°{'N' if lat >= 0 else 'S'} {abs(lon):.1f}°{'E' if lon >= 0 else 'W'}"


def movement_table(movements: pd.DataFrame, max_rows: int = MAX_ROWS) -> MovementTable:
    latest = movements.sort_values("date", kind="stable").tail(max_rows)
    rows = []
    for m in latest.itertuples(index=False):
        quantity = "" if pd.isna(m.quantity) else f" ×{int(m.quantity):,}"
        rows.append(Row(
            date=f"{m.date:%d %b}",
            route=f"{short_place(m.origin_name, m.origin_lat, m.origin_lon)} → "
                  f"{short_place(m.destination_name, m.destination_lat, m.destination_lon)}",
            what=f"{m.category}{quantity} · {m.mode}",
            confidence=str(m.confidence),
        ))
    return MovementTable(tuple(rows), len(movements) - len(latest))
