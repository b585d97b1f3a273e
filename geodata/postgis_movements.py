"""The movements of a database workspace, asked window by window: the database selects and folds them.

A dashboard on ten million movements must not hold them. Here every question
about movements is one SQL query over the date index: a window's movements are
folded into routes (origin, destination, category) by the database, which sends
back only the routes that are drawn, the totals, the tables' figures and the
sources; rows themselves come back only where a few are shown (a sparse window,
the newest in the table) or asked for (a download, an export, a base's story).

The answers have the shapes the in-memory path gives (`Scenario.movements_in`,
`layers.routes`), so the drawing code is the same for both.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from psycopg import sql

from geodata.model import MovementFilter
from geodata.movements import prepare_movements
from geodata.presence import bases_of
from geodata.problems import Problems
from geodata.schema import CATEGORIES, CONFIDENCES, MOVEMENT_COLUMNS
from geodata.store_postgis import PostgisStore, read_table
from geodata.validate import validate_table

TABLE = "movements"
COLUMNS = [column.name for column in MOVEMENT_COLUMNS]
# The first time a movement appears in date order: its day, then its place in the table.
FIRST_SEEN = sql.SQL("((date - DATE '1970-01-01')::bigint * 1099511627776 + fid)")


@dataclass(frozen=True)
class Window:
    """A window as the map draws it. With at most `most` movements, the rows themselves, prepared as the
    in-memory path prepares them (`rows`); else the busiest routes, folded by the database (`arcs`, with
    the columns `layers.routes` builds from rows: route, count, quantity, first, last, confidence_rank
    and, when summarised, assets, sources, modes, confidences). Route codes index `places`."""

    rows: pd.DataFrame | None
    arcs: pd.DataFrame | None
    places: pd.DataFrame
    total_routes: int
    total_movements: int
    categories: tuple[str, ...]  # of every movement in the window, drawn or not


@dataclass(frozen=True)
class WindowFigures:
    """What the tables under the map show for a window, in the shapes `ui.tables` builds from rows."""

    newest: pd.DataFrame  # the newest rows, prepared
    total: int
    by_category: pd.DataFrame  # category, movements, quantity
    by_destination: pd.DataFrame  # destination, movements, quantity
    sources: list[str]  # distinct sources in order of first appearance


class MovementDatabase:
    """Window questions about one revision of a database workspace's movements."""

    def __init__(self, store: PostgisStore, bases: pd.DataFrame, presence: pd.DataFrame):
        self.store, self.bases, self.presence = store, bases, presence
        with store.reading() as conn:
            longest = conn.execute(sql.SQL("SELECT max(end_date - date) FROM {} WHERE end_date IS NOT NULL")
                                   .format(self._table)).fetchone()[0]
        self.longest = dt.timedelta(days=int(longest or 0))
        # Every session of a process that shows a window shares its answer, as the in-memory path's caches do.
        self.window = functools.lru_cache(maxsize=64)(self._window)
        self.busiest_bases = functools.lru_cache(maxsize=8)(self._busiest_bases)

    @property
    def _table(self) -> sql.Identifier:
        return self.store.table(TABLE)

    # Building blocks ----------------------------------------------------------------------------------------

    def _where(self, start: dt.date, end: dt.date, keep: MovementFilter) -> tuple[sql.Composed, list]:
        """Movements under way on some day of the window (a search of the date index), filtered."""
        conditions = [sql.SQL("date <= %s AND date >= %s AND coalesce(end_date, date) >= %s")]
        params: list = [end, start - self.longest, start]
        for column, wanted in (("category", keep.categories), ("mode", keep.modes),
                               ("confidence", keep.confidences)):
            if wanted:
                conditions.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
                params.append(sorted(wanted))
        for bases in ([bases_of(self.presence, keep.operators, start, end)] if keep.operators else []) + \
                     ([keep.bases] if keep.bases else []):
            conditions.append(sql.SQL("(origin = ANY(%s) OR destination = ANY(%s))"))
            params += [sorted(bases), sorted(bases)]
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions), params

    def _prepared(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Text rows typed and prepared exactly as the loader prepares a file's movements."""
        frame = rows.drop(columns=["_version"], errors="ignore").reindex(columns=COLUMNS, fill_value="")
        frame.index = pd.RangeIndex(2, len(frame) + 2)
        typed = validate_table(frame, TABLE, self.store.label, Problems())
        return prepare_movements(typed, self.bases)

    def _rows(self, where: sql.Composed, params: list, limit: int | None = None, newest: bool = False
              ) -> pd.DataFrame:
        with self.store.reading() as conn:
            return read_table(conn, self.store, TABLE, where, params, limit=limit,
                              order="date DESC, fid DESC" if newest else "date, fid")

    # Questions ----------------------------------------------------------------------------------------------

    def rows(self, start: dt.date, end: dt.date, keep: MovementFilter) -> pd.DataFrame:
        """Every movement of the window, prepared, in date order (for downloads, exports, stories)."""
        where, params = self._where(start, end, keep)
        return self._prepared(self._rows(where, params))[0]

    def _window(self, start: dt.date, end: dt.date, keep: MovementFilter, most: int, summarise: bool) -> Window:
        """The window's rows if it holds at most `most` movements, else its busiest `most` routes."""
        where, params = self._where(start, end, keep)
        rows = self._rows(where, params, limit=most + 1)
        if len(rows) <= most:
            prepared, places = self._prepared(rows)
            categories = tuple(sorted(set(prepared["category"].astype(str))))
            return Window(prepared, None, places, 0, len(prepared), categories)
        return self._folded(where, params, most, summarise)

    def _folded(self, where: sql.Composed, params: list, most: int, summarise: bool) -> Window:
        """The busiest `most` routes of the window, folded by the database, with the totals."""
    def _places(self, routes: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The places the routes' ends name, as `prepare_movements` makes them, and each end's code."""
        keys = {}
        for end, lat, lon in (("origin", "olat", "olon"), ("destination", "dlat", "dlon")):
            point = routes[lat].astype(float).astype(str) + "," + routes[lon].astype(float).astype(str)
            keys[end] = routes[end].where(routes[end].notna(), point)
        codes, uniques = pd.factorize(pd.concat([keys["origin"], keys["destination"]], ignore_index=True))
        places = pd.DataFrame({"key": np.asarray(uniques, dtype=object)})
        is_base = places["key"].isin(self.bases.index)
        base = self.bases.reindex(places["key"].where(is_base))
        lat_lon = places["key"].where(~is_base, "").str.split(",", expand=True).reindex(columns=[0, 1])
        places["lat"] = base["lat"].to_numpy(dtype=float, na_value=np.nan)
        places["lon"] = base["lon"].to_numpy(dtype=float, na_value=np.nan)
        places.loc[~is_base, "lat"] = pd.to_numeric(lat_lon[0], errors="coerce")[~is_base]
        places.loc[~is_base, "lon"] = pd.to_numeric(lat_lon[1], errors="coerce")[~is_base]
        places["name"] = base["name"].fillna("").to_numpy()
        half = len(routes)
        return places, {"origin": codes[:half].astype(np.int64), "destination": codes[half:].astype(np.int64)}

    def _summaries(self, where: sql.Composed, params: list, routes: pd.DataFrame, limit: int = 3) -> dict:
        """Per drawn route: its first few distinct assets, sources and modes in order of first appearance."""
        query = sql.SQL("""
            WITH top AS (
              SELECT * FROM unnest(%s::int[], %s::text[], %s::numeric[], %s::numeric[], %s::text[],
                                   %s::numeric[], %s::numeric[], %s::text[])
                AS t(number, origin, olat, olon, destination, dlat, dlon, category)
            ), w AS (
              SELECT {first_seen} AS seen, origin, destination, category, asset, source, mode,
                     CASE WHEN origin IS NULL THEN round(origin_lat::numeric, 3) END AS olat,
                     CASE WHEN origin IS NULL THEN round(origin_lon::numeric, 3) END AS olon,
                     CASE WHEN destination IS NULL THEN round(destination_lat::numeric, 3) END AS dlat,
                     CASE WHEN destination IS NULL THEN round(destination_lon::numeric, 3) END AS dlon
              FROM {table}""").format(first_seen=FIRST_SEEN, table=self._table) + where + sql.SQL("""
            )
            SELECT top.number, s.kind, s.value, min(w.seen) AS seen
            FROM w JOIN top ON w.origin IS NOT DISTINCT FROM top.origin AND w.olat IS NOT DISTINCT FROM top.olat
                 AND w.olon IS NOT DISTINCT FROM top.olon AND w.destination IS NOT DISTINCT FROM top.destination
                 AND w.dlat IS NOT DISTINCT FROM top.dlat AND w.dlon IS NOT DISTINCT FROM top.dlon
                 AND w.category = top.category
            CROSS JOIN LATERAL (VALUES ('assets', w.asset), ('sources', w.source), ('modes', w.mode))
                 AS s(kind, value)
            WHERE s.value IS NOT NULL
            GROUP BY top.number, s.kind, s.value""")
        arrays = [list(range(len(routes))), *(_nullable(routes[column]) for column in
                                              ("origin", "olat", "olon", "destination", "dlat", "dlon", "category"))]
        with self.store.reading() as conn:
            found = pd.DataFrame(conn.execute(query, [*arrays, *params]).fetchall(),
                                 columns=["number", "kind", "value", "seen"])
        texts = {}
        for kind in ("assets", "sources", "modes"):
            values = found[found["kind"] == kind].sort_values(["number", "seen"], kind="stable")
            grouped = values.groupby("number")["value"].agg(list)
            texts[kind] = [_joined(grouped.get(number, []), limit) for number in range(len(routes))]
        return texts

    def figures(self, start: dt.date, end: dt.date, keep: MovementFilter, newest: int, sources: int
                ) -> WindowFigures:
        """The newest rows, the counts by category and by destination, and the first sources of a window."""
        where, params = self._where(start, end, keep)
        query = sql.SQL("""
            WITH w AS (SELECT fid, date, category, quantity, source, destination,
                              CASE WHEN destination IS NULL THEN 1 END AS bare FROM {table}""").format(
            table=self._table) + where + sql.SQL("""
            )
            SELECT GROUPING(category), GROUPING(destination, bare), GROUPING(source),
                   category, destination, source, count(*), sum(quantity), min({first_seen})
            FROM w GROUP BY GROUPING SETS ((category), (destination, bare), (source))""").format(
            first_seen=FIRST_SEEN)
        with self.store.reading() as conn:
            rows = pd.DataFrame(conn.execute(query, params).fetchall(),
                                columns=["no_category", "no_destination", "no_source", "category", "destination",
                                         "source", "movements", "quantity", "seen"])
        by_category = rows[rows["no_category"] == 0].sort_values("movements", ascending=False, kind="stable")
        names = self.bases["name"]
        destinations = rows[rows["no_destination"] == 0].assign(
            destination=lambda f: f["destination"].map(names).fillna("(not a base)").where(f["destination"].notna(),
                                                                                             "(not a base)"))
        by_destination = destinations.groupby("destination", as_index=False)[["movements", "quantity"]].sum()
        source_rows = rows[rows["no_source"] == 0].sort_values("seen")
        return WindowFigures(
            newest=self._prepared(self._rows(where, params, limit=newest, newest=True))[0],
            total=int(by_category["movements"].sum()),
            by_category=_counts(by_category[["category", "movements", "quantity"]]),
            by_destination=_counts(by_destination.sort_values("movements", ascending=False, kind="stable")),
            sources=[str(s) for s in source_rows["source"].head(sources) if s],
        )

    def weekly_counts(self, start: dt.date, end: dt.date, keep: MovementFilter) -> pd.DataFrame:
        """Movements per week (starting Monday) and category."""
        where, params = self._where(start, end, keep)
        query = (sql.SQL("SELECT date_trunc('week', date)::date AS week, category, count(*) FROM {}")
                 .format(self._table) + where + sql.SQL(" GROUP BY 1, 2 ORDER BY 1, 2"))
        with self.store.reading() as conn:
            rows = pd.DataFrame(conn.execute(query, params).fetchall(), columns=["week", "category", "movements"])
        rows["week"] = pd.to_datetime(rows["week"])
        rows["category"] = pd.Categorical(rows["category"], categories=CATEGORIES)
        return rows

    def _busiest_bases(self, count: int) -> list[str]:
        query = sql.SQL("""SELECT base FROM (SELECT origin AS base FROM {table} UNION ALL
                           SELECT destination FROM {table}) ends WHERE base IS NOT NULL
                           GROUP BY base ORDER BY count(*) DESC, base LIMIT %s""").format(table=self._table)
        with self.store.reading() as conn:
            return [row[0] for row in conn.execute(query, (count,))]

    def at_base(self, base_id: str) -> pd.DataFrame:
        """Every movement to or from `base_id`: id, date, ends and source (what a base's story reads)."""
        query = sql.SQL("SELECT id, date, coalesce(origin, ''), coalesce(destination, ''), coalesce(source, '') "
                        "FROM {} WHERE origin = %s OR destination = %s ORDER BY date, fid").format(self._table)
        with self.store.reading() as conn:
            rows = conn.execute(query, (base_id, base_id)).fetchall()
        frame = pd.DataFrame(rows, columns=["id", "date", "origin", "destination", "source"])
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def extent(self) -> tuple[int, pd.Timestamp | None, pd.Timestamp | None]:
        """How many movements, the first day and the last day under way."""
        with self.store.reading() as conn:
            count, first, last = conn.execute(sql.SQL("SELECT count(*), min(date), max(coalesce(end_date, date)) "
                                                      "FROM {}").format(self._table)).fetchone()
        return int(count), (pd.Timestamp(first) if first else None), (pd.Timestamp(last) if last else None)


def _nullable(values: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in values]


def _joined(items: list[str], limit: int) -> str:
    """'a; b; c; +2 more', as `layers.routes` summarises a route's values."""
    return "; ".join(items[:limit]) + (f"; +{len(items) - limit} more" if len(items) > limit else "")


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame["movements"] = frame["movements"].astype("int64")
    frame["quantity"] = frame["quantity"].astype("Int64")
    return frame
