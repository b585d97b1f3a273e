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
from geodata.movements import places_of, prepare_movements
from geodata.presence import bases_of
from geodata.problems import Problems
from geodata.schema import CATEGORIES, CONFIDENCES, MOVEMENT_COLUMNS
from geodata.store_postgis import PostgisStore, read_table
from geodata.validate import validate_table

TABLE = "movements"
COLUMNS = [column.name for column in MOVEMENT_COLUMNS]
# The first time a movement appears in date order: its day, then its place in the table.
FIRST_SEEN = sql.SQL("((date - DATE '1970-01-01')::bigint * 1099511627776 + fid)")
# A route: its two ends (a base id, or a point that is not a base, rounded as the loader rounds it) and category.
ROUTE_KEY = ("origin", "olat", "olon", "destination", "dlat", "dlon", "category")
BARE_ENDS = sql.SQL(", ").join(
    sql.SQL("CASE WHEN {end} IS NULL THEN round({column}::numeric, 3) END AS {name}").format(
        end=sql.Identifier(end), column=sql.Identifier(f"{end}_{axis}"), name=sql.Identifier(name))
    for end, axis, name in (("origin", "lat", "olat"), ("origin", "lon", "olon"),
                            ("destination", "lat", "dlat"), ("destination", "lon", "dlon")))


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
        confidence_counts = sql.SQL(", ").join(
            sql.SQL("count(*) FILTER (WHERE confidence = {})").format(sql.Literal(word)) for word in CONFIDENCES)
        query = sql.SQL("""
            WITH w AS (
              SELECT fid, date, coalesce(end_date, date) AS until, origin, destination, category, quantity,
                     confidence, {ends}
              FROM {table}""").format(ends=BARE_ENDS, table=self._table) + where + sql.SQL("""
            ), r AS (
              SELECT origin, olat, olon, destination, dlat, dlon, category, count(*) AS n, sum(quantity) AS q,
                     min(date) AS first, max(until) AS last, min({first_seen}) AS seen, {confidences}
              FROM w GROUP BY origin, olat, olon, destination, dlat, dlon, category
            )
            SELECT *, count(*) OVER () AS routes, sum(n) OVER () AS movements,
                   (SELECT array_agg(DISTINCT category) FROM r) AS categories
            FROM r ORDER BY n DESC, last DESC, seen LIMIT {most}""").format(
            first_seen=FIRST_SEEN, confidences=confidence_counts, most=sql.Literal(most))
        with self.store.reading() as conn:
            rows = conn.execute(query, params).fetchall()
        routes = pd.DataFrame(rows, columns=[*ROUTE_KEY, "count", "quantity", "first", "last", "seen", *CONFIDENCES,
                                             "routes", "movements", "categories"])
        places, codes = self._places(routes)
        arcs = pd.DataFrame({
            "route": ((codes["origin"].astype(np.int64) * len(places) + codes["destination"]) * len(CATEGORIES)
                      + routes["category"].map(CATEGORIES.index).to_numpy(np.int64)),
            "count": routes["count"].to_numpy(np.int64),
            "quantity": routes["quantity"].astype(float).to_numpy(),
            "first": pd.to_datetime(routes["first"]).to_numpy(),
            "last": pd.to_datetime(routes["last"]).to_numpy(),
            "confidence_rank": np.argmax(routes[list(CONFIDENCES)].to_numpy() > 0, axis=1),
        })
        if summarise:
            arcs = arcs.assign(**self._summaries(where, params, routes),
                               confidences=[", ".join(f"{n} {word}" for n, word in zip(counts, CONFIDENCES) if n)
                                            for counts in routes[list(CONFIDENCES)].to_numpy().tolist()])
        total_routes, total = (int(routes[name].iloc[0]) for name in ("routes", "movements"))
        return Window(None, arcs, places, total_routes, total, tuple(sorted(routes["categories"].iloc[0])))

    def _places(self, routes: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The places the routes' ends name and each end's code, made as the loader makes them for movements."""
        ends = pd.DataFrame({
            "origin": routes["origin"].fillna(""), "destination": routes["destination"].fillna(""),
            **{f"{end}_{axis}": pd.to_numeric(routes[column]).astype(float)
               for end, axis, column in (("origin", "lat", "olat"), ("origin", "lon", "olon"),
                                         ("destination", "lat", "dlat"), ("destination", "lon", "dlon"))}})
        return places_of(ends, self.bases)

    def _summaries(self, where: sql.Composed, params: list, routes: pd.DataFrame, limit: int = 3) -> dict:
        """Per drawn route: its first few distinct assets, sources and modes in order of first appearance."""
        query = sql.SQL("""
            WITH top AS (
              SELECT * FROM unnest(%s::int[], %s::text[], %s::numeric[], %s::numeric[], %s::text[],
                                   %s::numeric[], %s::numeric[], %s::text[])
                AS t(number, origin, olat, olon, destination, dlat, dlon, category)
            ), w AS (
              SELECT {first_seen} AS seen, origin, destination, category, asset, source, mode, {ends}
              FROM {table}""").format(first_seen=FIRST_SEEN, ends=BARE_ENDS, table=self._table) + where + sql.SQL("""
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
        arrays = [list(range(len(routes))), *(_nullable(routes[column]) for column in ROUTE_KEY)]
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
        # Grouped in the order pandas groups them (category order, names A–Z), so that ties then sort alike.
        by_category = rows[rows["no_category"] == 0].sort_values("category", key=lambda c: c.map(CATEGORIES.index))
        names = self.bases["name"]
        destinations = rows[rows["no_destination"] == 0].assign(
            destination=lambda f: f["destination"].map(names).where(f["destination"].notna()).fillna("(not a base)"))
        by_destination = destinations.groupby("destination", as_index=False)[["movements", "quantity"]].sum()
        source_rows = rows[rows["no_source"] == 0].sort_values("seen")
        return WindowFigures(
            newest=self._prepared(self._rows(where, params, limit=newest, newest=True))[0],
            total=int(by_category["movements"].sum()),
            by_category=_counts(by_category[["category", "movements", "quantity"]]),
            by_destination=_counts(by_destination),
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
        return rows.sort_values(["week", "category"]).reset_index(drop=True)

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
    """Movements and summed quantity per value, busiest first, as `ui.tables.breakdown` sorts them."""
    frame = frame.assign(movements=frame["movements"].astype("int64"),
                         quantity=frame["quantity"].fillna(0).astype("Int64"))
    return frame.sort_values("movements", ascending=False).reset_index(drop=True)
