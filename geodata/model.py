"""The typed scenario and the questions the dashboard asks of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.presence import bases_of, sites_on
from geodata.problems import Problem
from geodata.validate import ScenarioMeta

if TYPE_CHECKING:
    from geodata.postgis_movements import MovementDatabase


@dataclass(frozen=True)
class MovementFilter:
    """Which movements to keep; an empty set keeps everything for that field."""

    categories: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()
    confidences: frozenset[str] = frozenset()
    operators: frozenset[str] = frozenset()  # actor ids holding or present at either end during the window
    bases: frozenset[str] = frozenset()  # base ids at either end


def _day(value: dt.date | str | pd.Timestamp) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "ns")


@dataclass(frozen=True, eq=False)
class Scenario:
    name: str
    meta: ScenarioMeta
    actors: pd.DataFrame  # indexed by actor id
    bases: pd.DataFrame  # indexed by base id
    zones: gpd.GeoDataFrame
    movements: pd.DataFrame  # sorted by date; both ends coded into `places`
    places: pd.DataFrame  # every base or point a movement starts or ends at
    presence: pd.DataFrame  # dated holders and presences of every base (geodata.presence)
    systems: pd.DataFrame  # indexed by system id; may be empty
    airspace: gpd.GeoDataFrame  # airspace closed to an actor, dated; may be empty
    warnings: tuple[Problem, ...] = ()
    # Set when the movements stay in a database (geodata.postgis_movements): `movements` is then empty and
    # window questions go to SQL, so a process's memory does not grow with the table.
    database: MovementDatabase | None = None
    _dates: np.ndarray = field(init=False, repr=False)
    _longest: np.timedelta64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Sorted start dates and the longest duration bound a window query to a binary search.
        object.__setattr__(self, "_dates", self.movements["date"].to_numpy())
        span = (self.movements["until"] - self.movements["date"]).max() if len(self.movements) else None
        object.__setattr__(self, "_longest", np.timedelta64(0, "ns") if pd.isna(span) else span.to_timedelta64())

    def zones_on(self, day: dt.date) -> gpd.GeoDataFrame:
        """Zones in force on `day` (valid_to is the last day a shape holds)."""
        when = _day(day)
        zones = self.zones
        holds = (zones["valid_from"] <= when) & (zones["valid_to"].isna() | (zones["valid_to"] >= when))
        return zones[holds]

    def zone_change_dates(self) -> list[dt.date]:
        """Days on which the map of zones changes."""
        starts = self.zones["valid_from"].dropna()
        ends = self.zones["valid_to"].dropna() + pd.Timedelta(days=1)
        days = sorted({d.date() for d in pd.concat([starts, ends])})
        return [d for d in days if self.meta.start <= d <= self.meta.end]

    def movements_in(self, start: dt.date, end: dt.date, keep: MovementFilter = MovementFilter(),
                     at: str | None = None) -> pd.DataFrame:
        """Movements under way at any time between `start` and `end`, both included; `at`: only those to or
        from that base."""
        if self.database is not None:
            return self.database.rows(start, end, keep, at)
        # Search with the column's own unit: a mismatch would convert the whole column per call.
        unit = self._dates.dtype
        first = np.searchsorted(self._dates, (_day(start) - self._longest).astype(unit), side="left")
        last = np.searchsorted(self._dates, _day(end).astype(unit), side="right")
        window = self.movements.iloc[first:last]
        window = window[window["until"].to_numpy() >= _day(start)]
        for column, wanted in (("category", keep.categories), ("mode", keep.modes), ("confidence", keep.confidences)):
            if wanted:
                window = window[window[column].isin(wanted)]
        if keep.operators:
            theirs = list(bases_of(self.presence, keep.operators, start, end))
            window = window[window["origin"].isin(theirs) | window["destination"].isin(theirs)]
        for bases in (keep.bases, {at} if at else ()):
            if bases:
                window = window[window["origin"].isin(bases) | window["destination"].isin(bases)]
        return window

    def movements_at(self, base_id: str) -> pd.DataFrame:
        """Every movement to or from a base over the whole period (id, date, ends, source at least)."""
        if self.database is not None:
            return self.database.at_base(base_id)
        return self.movements[(self.movements["origin"] == base_id) | (self.movements["destination"] == base_id)]

    def busiest_bases(self, count: int) -> list[str]:
        """The bases that most movements start or end at, busiest first."""
        if self.database is not None:
            return self.database.busiest_bases(count)
        ends = pd.concat([self.movements["origin"], self.movements["destination"]])
        return list(ends[ends != ""].value_counts().head(count).index)

    def bases_shown(self, keep: MovementFilter, start: dt.date, end: dt.date) -> pd.DataFrame:
        """The bases the filter keeps: with an operator filter, those its actors hold or are at in the window."""
        if not keep.operators:
            return self.bases
        return self.bases[self.bases.index.isin(bases_of(self.presence, keep.operators, start, end))]

    def sites_on(self, day: dt.date) -> pd.DataFrame:
        """Per base: who holds it on `day` ('' for nobody) and which other actors are present."""
        return sites_on(self.presence, day, self.bases.index)

    def actor_name(self, actor_id: str) -> str:
        return str(self.actors["name"].get(actor_id, actor_id))
