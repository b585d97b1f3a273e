"""A database workspace's movements a day at a time: each day selected once, folded by route, kept; a
window is then the merge of its days' folds, so a week step costs seven days, not thirty.

Folding a thirty-day window of ten million movements anew at each step means aggregating some
400,000 rows; the routes of a day are a few thousand. A day's movements are selected over the
date index (one COPY for a run of missing days) and folded by route right away: per route its
count, summed quantity, first appearance, last day under way and confidence counts, and the
distinct assets, sources and modes with their first appearance. Only the folds are kept, the
most recently used `CACHED_DAYS` of them, so a process holds what the windows on screen need,
whatever the size of the table. The merge gives exactly what `layers.routes` gives for rows
(the tests check it against the in-memory path). Movements that started before a window and are
still under way come straight from SQL, folded the same way.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import logging
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from geodata.movements import point_key
from geodata.schema import CATEGORIES, CONFIDENCES

log = logging.getLogger(__name__)

CACHED_DAYS = 200
# The days a step will add are fetched this long after a page has run: a browser on the same machine (a single
# analyst's set-up) first draws the step it was sent, and the analyst looks at it for longer than this.
PREFETCH_DELAY = 1.0
SEEN_BITS = 40  # a first appearance is (day << SEEN_BITS) + the row's place in the table
PLACE_SLOTS = 1 << 22  # route keys: (origin * PLACE_SLOTS + destination) * len(CATEGORIES) + category
KINDS = ("assets", "sources", "modes")
_COLUMNS = {"asset": "assets", "source": "sources", "mode": "modes"}
FIELDS = ("day", "fid", "until", "origin", "olat", "olon", "destination", "dlat", "dlon", "category", "quantity",
          "confidence", "mode", "asset", "source")
# Texts come as dictionaries: a week's hundred thousand rows name a few hundred places and values.
_TYPES = {"day": pa.date32(), "fid": pa.int64(), "until": pa.date32(), "olat": pa.float64(), "olon": pa.float64(),
          "dlat": pa.float64(), "dlon": pa.float64(), "quantity": pa.float64(),
          **{name: pa.dictionary(pa.int32(), pa.string())
             for name in ("origin", "destination", "category", "confidence", "mode", "asset", "source")}}
# The coordinates of an end only where it is not a base, rounded as the loader rounds them.
_SELECTED = sql.SQL(
    "date, fid, coalesce(end_date, date), origin, "
    "CASE WHEN origin IS NULL THEN round(origin_lat::numeric, 3) END, "
    "CASE WHEN origin IS NULL THEN round(origin_lon::numeric, 3) END, destination, "
    "CASE WHEN destination IS NULL THEN round(destination_lat::numeric, 3) END, "
    "CASE WHEN destination IS NULL THEN round(destination_lon::numeric, 3) END, "
    "category, quantity, confidence, mode, asset, source")


@dataclass(frozen=True)
class Fold:
    """Movements folded by route: one entry per route (keys ascending), and per route each distinct value."""

    routes: np.ndarray  # int64 route keys
    count: np.ndarray  # int64
    quantity: np.ndarray  # float64, summed over the movements that give one
    quantified: np.ndarray  # int64, how many give one
    seen: np.ndarray  # int64 first appearance
    last: np.ndarray  # int64 last day under way (days since 1970)
    confidence: np.ndarray  # int64 (routes × CONFIDENCES) counts
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # kind → (route key, value code, first seen)


def _days(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[D]").astype(np.int64)


class Dictionary:
    """Codes for texts, growing as new ones appear; shared by every day of one revision."""

    def __init__(self, known: list[str] = ()):
        self.texts: list[str] = list(known)
        self.codes: dict[str, int] = {text: code for code, text in enumerate(self.texts)}

    def encode(self, values: pd.Series) -> np.ndarray:
        """Codes of `values` (-1 for a missing one); a text not seen before gets the next code.
        A categorical is factorized by its codes: its texts are looked up once each."""
        codes, uniques = pd.factorize(values)
        mapped = np.empty(len(uniques), dtype=np.int64)
        for number, text in enumerate(uniques):
            code = self.codes.get(text)
            if code is None:
                code = self.codes[text] = len(self.texts)
                self.texts.append(text)
            mapped[number] = code
        return np.where(codes < 0, -1, mapped[np.maximum(codes, 0)]) if len(mapped) else np.full(len(codes), -1)


def fold(rows: pd.DataFrame, places: Dictionary, values: dict[str, Dictionary]) -> Fold:
    """Rows (FIELDS, in order of first appearance) folded by route."""
    ends = {}
    for end, lat, lon in (("origin", "olat", "olon"), ("destination", "dlat", "dlon")):
        ends[end] = places.encode(rows[end])
        bare = ends[end] < 0
        if bare.any():  # a point that is not a base is named as the loader names it
            ends[end][bare] = places.encode(point_key(rows[lat][bare], rows[lon][bare]))
    category = pd.Categorical(rows["category"], categories=CATEGORIES).codes.astype(np.int64)
    keys = (ends["origin"] * PLACE_SLOTS + ends["destination"]) * len(CATEGORIES) + category
    routes, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    seen = (_days(rows["day"]) << SEEN_BITS) + rows["fid"].to_numpy(np.int64)
    until = _days(rows["until"])
    last = np.full(len(routes), np.iinfo(np.int64).min)
    np.maximum.at(last, inverse, until)
    quantity = rows["quantity"].to_numpy(float)
    given = ~np.isnan(quantity)
    confidence = pd.Categorical(rows["confidence"], categories=CONFIDENCES).codes.astype(np.int64)
    counts = np.bincount(inverse * len(CONFIDENCES) + confidence,
                         minlength=len(routes) * len(CONFIDENCES)).reshape(len(routes), len(CONFIDENCES))
    kept = {}
    for column, kind in _COLUMNS.items():
        codes = values[kind].encode(rows[column])
        present = codes >= 0
        pairs, where = np.unique(inverse[present] * (1 << 31) + codes[present], return_index=True)
        kept[kind] = (routes[pairs >> 31], pairs & ((1 << 31) - 1), seen[present][where])
    return Fold(routes, np.bincount(inverse, minlength=len(routes)),
                np.bincount(inverse, weights=np.where(given, quantity, 0.0), minlength=len(routes)),
                np.bincount(inverse, weights=given, minlength=len(routes)).astype(np.int64),
                seen[first], last, counts, kept)


def merge(folds: list[Fold]) -> Fold:
    """One fold from the folds of parts of a window (days, and the movements carried in)."""
    routes, inverse = np.unique(np.concatenate([f.routes for f in folds]), return_inverse=True)
    seen = np.full(len(routes), np.iinfo(np.int64).max)
    np.minimum.at(seen, inverse, np.concatenate([f.seen for f in folds]))
    last = np.full(len(routes), np.iinfo(np.int64).min)
    np.maximum.at(last, inverse, np.concatenate([f.last for f in folds]))

    def summed(name: str) -> np.ndarray:
        return np.bincount(inverse, weights=np.concatenate([getattr(f, name) for f in folds]),
                           minlength=len(routes))

    confidence = np.stack([np.bincount(inverse, weights=np.concatenate([f.confidence[:, n] for f in folds]),
                                       minlength=len(routes)) for n in range(len(CONFIDENCES))], axis=1)
    values = {kind: tuple(np.concatenate([f.values[kind][n] for f in folds]) for n in range(3)) for kind in KINDS}
    return Fold(routes, summed("count").astype(np.int64), summed("quantity"), summed("quantified").astype(np.int64),
                seen, last, confidence.astype(np.int64), values)


def restricted(folded: Fold, kept: np.ndarray) -> Fold:
    """The routes of `folded` that `kept` marks, with their values."""
    if kept.all():
        return folded
    values = {}
    for kind, (routes, codes, seen) in folded.values.items():
        mask = np.isin(routes, folded.routes[kept])
        values[kind] = (routes[mask], codes[mask], seen[mask])
    return Fold(folded.routes[kept], folded.count[kept], folded.quantity[kept], folded.quantified[kept],
                folded.seen[kept], folded.last[kept], folded.confidence[kept], values)


class DayFolds:
    """The folds of the days asked for, fetched from the database when missing; the last CACHED_DAYS kept.

    Fetching runs outside the lock, so a session never waits for days it does not need; a session
    that needs a day already on its way waits for that fetch instead of starting another.
    """

    def __init__(self, store, bases: pd.DataFrame):
        self.store = store
        self.places = Dictionary(list(bases.index))
        self.values = {kind: Dictionary() for kind in KINDS}
        self._folds: collections.OrderedDict[int, Fold] = collections.OrderedDict()
        self._coming: dict[int, threading.Event] = {}
        self._scheduled: set[int] = set()  # days a delayed prefetch will fetch: not scheduled twice
        self._lock = threading.Lock()

    def get(self, first: dt.date, last: dt.date) -> list[Fold]:
        wanted = list(range(_day_number(first), _day_number(last) + 1))
        self._fetch_days(wanted)
        with self._lock:
            for day in wanted:
                self._folds.move_to_end(day)
            while len(self._folds) > max(CACHED_DAYS, len(wanted)):
                self._folds.popitem(last=False)
            return [self._folds[day] for day in wanted]

    def prefetch(self, first: dt.date, last: dt.date, step: int = 7) -> None:
        """Fetch, in the background, the days a step either way from the window would add: stepping and
        playing move by a week, and the next window is then folded from days already here."""
        days = [*range(_day_number(last) + 1, _day_number(last) + step + 1),
                *range(_day_number(first) - step, _day_number(first))]
        with self._lock:
            wanted = [day for day in days
                      if day not in self._folds and day not in self._coming and day not in self._scheduled]
            self._scheduled.update(wanted)
        if wanted:
            fetch = threading.Timer(PREFETCH_DELAY, self._prefetch, args=(wanted,))
            fetch.daemon, fetch.name = True, "footprint-prefetch"
            fetch.start()

    def _prefetch(self, days: list[int]) -> None:
        try:
            self._fetch_days(days)
        except Exception:  # only a head start: the window that needs these days fetches them itself
            log.warning("prefetching days failed", exc_info=True)
        finally:
            with self._lock:
                self._scheduled.difference_update(days)

    def _fetch_days(self, days: list[int]) -> None:
        while True:
            with self._lock:
                mine = [day for day in days if day not in self._folds and day not in self._coming]
                theirs = [self._coming[day] for day in days if day in self._coming]
                done = threading.Event()
                for day in mine:
                    self._coming[day] = done
            try:
                for start, end in _runs(mine):
                    rows = self.rows_where(sql.SQL(" WHERE date BETWEEN %s AND %s"), [_date(start), _date(end)])
                    with self._lock:  # the dictionaries grow as days are folded: one fold at a time
                        days_of = _days(rows["day"]) if len(rows) else np.empty(0, dtype=np.int64)
                        for day in range(start, end + 1):
                            first, last = np.searchsorted(days_of, [day, day + 1])
                            self._folds[day] = fold(rows.iloc[first:last], self.places, self.values)
            finally:
                with self._lock:
                    for day in mine:
                        self._coming.pop(day, None)
                done.set()
            for event in theirs:
                event.wait()
            with self._lock:
                if all(day in self._folds for day in days):
                    return

    def rows_where(self, where: sql.Composable, params: list) -> pd.DataFrame:
        """Movements as a fold reads them (FIELDS; texts as categoricals), in order of first appearance."""
        query = sql.SQL("COPY (SELECT {} FROM {}").format(_SELECTED, self.store.table("movements"))
        query += where + sql.SQL(" ORDER BY date, fid) TO STDOUT (FORMAT csv)")
        with self.store.reading() as conn, conn.cursor().copy(query, params) as copy:
            data = b"".join(bytes(block) for block in copy)
        if not data:
            return pa.table({name: pa.array([], type=_TYPES[name]) for name in FIELDS}).to_pandas(
                date_as_object=False)
        # On this thread alone: days are fetched in the background, and a background thread still inside
        # Arrow's thread pool when the process exits holds up the pool's shutdown, and the exit, for good.
        table = pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=list(FIELDS),
                                                                                use_threads=False),
                               convert_options=pacsv.ConvertOptions(column_types=_TYPES, strings_can_be_null=True))
        return table.to_pandas(date_as_object=False, use_threads=False)

    def rows_fold(self, rows: pd.DataFrame) -> Fold:
        """Rows from elsewhere (the movements carried into a window) folded as a day is."""
        with self._lock:
            return fold(rows, self.places, self.values)


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _date(number: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(number))


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive days as (first, last) runs: one query per run."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and day == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
