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
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from geodata.model import MovementFilter
from geodata.movements import place_table, places_of, prepare_movements, route_km
from geodata.postgis_days import KINDS, PLACE_SLOTS, SEEN_BITS, DayFolds, Fold, merge, restricted
from geodata.presence import bases_of
from geodata.problems import Problems
from geodata.schema import CATEGORIES, CONFIDENCES, MOVEMENT_COLUMNS
from geodata.store_postgis import DAY_COUNTS, END_COUNTS, PostgisStore, read_table
from geodata.validate import validate_table

TABLE = "movements"
WINDOW_DAYS = 120  # longer windows are folded by the database alone: a process keeps at most CACHED_DAYS days
COLUMNS = [column.name for column in MOVEMENT_COLUMNS]
# The first time a movement appears in date order: its day, then its place in the table.
FIRST_SEEN = sql.SQL("((date - DATE '1970-01-01')::bigint * 1099511627776 + fid)")
# Rows of a route: NULL ends compared as equal, written so that the planner can hash them.
SAME_ROUTE = sql.SQL(" AND ").join(
    sql.SQL("coalesce(w.{c}::text, '') = coalesce(top.{c}::text, '')").format(c=sql.Identifier(column))
    for column in ("origin", "olat", "olon", "destination", "dlat", "dlon", "category"))
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
        self.days = DayFolds(store, bases)
        # Every session of a process that shows a window shares its answer, as the in-memory path's caches do.
        self.window = functools.lru_cache(maxsize=64)(self._window)
        self.figures = functools.lru_cache(maxsize=64)(self._figures)
        self._day_fold = functools.lru_cache(maxsize=8)(self._merged_days)  # a window's arcs and tables share it
        self.busiest_bases = functools.lru_cache(maxsize=8)(self._busiest_bases)
        self._fold_places: pd.DataFrame = place_table([], bases)

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

    def rows(self, start: dt.date, end: dt.date, keep: MovementFilter, at: str | None = None) -> pd.DataFrame:
        """Every movement of the window (`at`: to or from that base), prepared, in date order (for downloads,
        exports, stories)."""
        where, params = self._where(start, end, keep)
        if at:
            where += sql.SQL(" AND (origin = %s OR destination = %s)")
            params = [*params, at, at]
        return self._prepared(self._text_rows(where, params))[0]

    def _text_rows(self, where: sql.Composed, params: list) -> pd.DataFrame:
        """Many rows as text, the way a file gives them: one COPY, parsed by Arrow."""
        query = sql.SQL("COPY (SELECT {} FROM {}").format(sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
                                                          self._table)
        query += where + sql.SQL(" ORDER BY date, fid) TO STDOUT (FORMAT csv)")
        with self.store.reading() as conn, conn.cursor().copy(query, params) as copy:
            data = b"".join(bytes(block) for block in copy)
        if not data:
            return pd.DataFrame(columns=COLUMNS, dtype=object)
        table = pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=COLUMNS),
                               convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in COLUMNS}))
        return table.to_pandas().astype(object)

    def _window(self, start: dt.date, end: dt.date, keep: MovementFilter, most: int, summarise: bool) -> Window:
        """The window's rows if it holds at most `most` movements, else its busiest `most` routes."""
        where, params = self._where(start, end, keep)
        folded = self._day_fold(start, end, keep)
        if folded is not None and folded.count.sum() > most:
            return self._drawn(folded, most, summarise)
        rows = self._rows(where, params, limit=most + 1)
        if len(rows) > most:
            return self._folded(where, params, most, summarise)
        prepared, places = self._prepared(rows)
        categories = tuple(sorted(set(prepared["category"].astype(str))))
        return Window(prepared, None, places, 0, len(prepared), categories)

    def prefetch(self, start: dt.date, end: dt.date, keep: MovementFilter) -> None:
        """Fetch, in the background, the days a week's step either way would add to a window folded from
        days. Called once the page has done its work, so the fetch takes turns with the browser's drawing,
        not with the step's own queries."""
        if _foldable(start, end, keep):
            self.days.prefetch(start, end)

    # A window from its days' folds ----------------------------------------------------------------------------

    def _merged_days(self, start: dt.date, end: dt.date, keep: MovementFilter) -> Fold | None:
        """The window folded from its days' folds, filtered; None where only SQL can answer: a filter on
        mode or confidence (folds are by route), or a window longer than the days a process keeps."""
        if not _foldable(start, end, keep):
            return None
        folds = self.days.get(start, end)
        if self.longest.days:  # movements started before the window and still under way on its first day
            where = sql.SQL(" WHERE date < %s AND date >= %s AND coalesce(end_date, date) >= %s")
            carried = self._carried(where, [start, start - self.longest, start])
            folds = [*folds, carried]
        merged = merge(folds)
        return restricted(merged, self._kept(merged.routes, start, end, keep))

    def _kept(self, keys: np.ndarray, start: dt.date, end: dt.date, keep: MovementFilter) -> np.ndarray:
        """Which route keys the filter keeps (by category, and by an end at the bases asked for)."""
        kept = np.ones(len(keys), dtype=bool)
        if keep.categories:
            kept &= np.isin(keys % len(CATEGORIES), [CATEGORIES.index(c) for c in keep.categories])
        codes = self.days.places.codes
        for bases in ([bases_of(self.presence, keep.operators, start, end)] if keep.operators else []) + \
                     ([keep.bases] if keep.bases else []):
            wanted = np.array([codes[base] for base in bases if base in codes], dtype=np.int64)
            pair = keys // len(CATEGORIES)
            kept &= np.isin(pair // PLACE_SLOTS, wanted) | np.isin(pair % PLACE_SLOTS, wanted)
        return kept

    def _carried(self, where: sql.Composed, params: list) -> Fold:
        return self.days.rows_fold(self.days.rows_where(where, params))

    def _place_frame(self) -> pd.DataFrame:
        """Every place the folds name, by code. Codes only grow, so the table is rebuilt only when a
        fold has added places, not at every step (it holds every point that is not a base)."""
        places, texts = self._fold_places, self.days.places.texts
        if len(places) != len(texts):  # a local: another session's thread may be replacing it meanwhile
            places = self._fold_places = place_table(list(texts), self.bases)
        return places

    def _drawn(self, folded: Fold, most: int, summarise: bool) -> Window:
        """The busiest `most` routes of a folded window, in the order and with the words `layers.routes` gives."""
        order = np.lexsort((folded.seen, -folded.last, -folded.count))[:most]
        keys = folded.routes[order]
        places = self._place_frame()
        pair, category = keys // len(CATEGORIES), keys % len(CATEGORIES)
        origin, destination = pair // PLACE_SLOTS, pair % PLACE_SLOTS
        counts = folded.confidence[order]
        arcs = pd.DataFrame({
            "route": (origin * len(places) + destination) * len(CATEGORIES) + category,
            "count": folded.count[order],
            "quantity": np.where(folded.quantified[order] > 0, folded.quantity[order], np.nan),
            "first": (folded.seen[order] >> SEEN_BITS).astype("datetime64[D]").astype("datetime64[ns]"),
            "last": folded.last[order].astype("datetime64[D]").astype("datetime64[ns]"),
            "confidence_rank": np.argmax(counts > 0, axis=1),
        })
        arcs["km"] = route_km(arcs["route"].to_numpy(), places)
        if summarise:
            for kind in KINDS:
                arcs[kind] = self._values_of(folded, kind, keys)
            arcs["confidences"] = [", ".join(f"{n} {word}" for n, word in zip(row, CONFIDENCES) if n)
                                   for row in counts.tolist()]
        categories = tuple(sorted({CATEGORIES[c] for c in np.unique(folded.routes % len(CATEGORIES))}))
        return Window(None, arcs, places, len(folded.routes), int(folded.count.sum()), categories)

    def _values_of(self, folded: Fold, kind: str, keys: np.ndarray, limit: int = 3) -> list[str]:
        """Per route of `keys`: its first few distinct values of `kind`, in order of first appearance."""
        routes, codes, seen = folded.values[kind]
        position = {key: n for n, key in enumerate(keys.tolist())}
        # A search among the few hundred drawn keys (never none: a window drawn as routes has some), not
        # np.isin, which sorts every route's values.
        ordered = np.sort(keys)
        drawn = ordered[np.minimum(np.searchsorted(ordered, routes), len(ordered) - 1)] == routes
        routes, codes, seen = routes[drawn], codes[drawn], seen[drawn]
        order = np.lexsort((seen, codes, routes))  # each (route, value) at its first appearance first
        routes, codes, seen = routes[order], codes[order], seen[order]
        first = np.ones(len(routes), dtype=bool)
        first[1:] = (routes[1:] != routes[:-1]) | (codes[1:] != codes[:-1])
        routes, codes, seen = routes[first], codes[first], seen[first]
        order = np.lexsort((seen, routes))
        texts = self.days.values[kind].texts
        found: dict[int, list[str]] = {}
        for route, code in zip(routes[order].tolist(), codes[order].tolist()):
            found.setdefault(position[route], []).append(texts[code])
        return [_joined(found.get(n, []), limit) for n in range(len(keys))]

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
        arcs["km"] = route_km(arcs["route"].to_numpy(), places)
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
            FROM w JOIN top ON {same_route}
            CROSS JOIN LATERAL (VALUES ('assets', w.asset), ('sources', w.source), ('modes', w.mode))
                 AS s(kind, value)
            WHERE s.value IS NOT NULL
            GROUP BY top.number, s.kind, s.value""").format(same_route=SAME_ROUTE)
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

    def _figures(self, start: dt.date, end: dt.date, keep: MovementFilter, newest: int, sources: int
                 ) -> WindowFigures:
        """The newest rows, the counts by category and by destination, and the first sources of a window."""
        where, params = self._where(start, end, keep)
        folded = self._day_fold(start, end, keep)
        if folded is not None:
            return self._figures_of(folded, where, params, newest, sources)
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

    def _figures_of(self, folded: Fold, where: sql.Composed, params: list, newest: int, sources: int
                    ) -> WindowFigures:
        category = _summed(folded.routes % len(CATEGORIES), folded, len(CATEGORIES))
        by_category = category.assign(category=list(CATEGORIES))[category["movements"] > 0][
            ["category", "movements", "quantity"]]
        # Summed by place code, then by name (points that are not bases share one): A–Z, as pandas groups.
        places = self._place_frame()
        destination = _summed((folded.routes // len(CATEGORIES)) % PLACE_SLOTS, folded, len(places))
        destination["destination"] = places["name"].replace("", "(not a base)")
        by_destination = (destination[destination["movements"] > 0]
                          .groupby("destination", as_index=False)[["movements", "quantity"]].sum())
        routes, codes, seen = folded.values["sources"]
        first = pd.Series(seen).groupby(codes).min().sort_values(kind="stable")
        texts = self.days.values["sources"].texts
        return WindowFigures(
            newest=self._prepared(self._rows(where, params, limit=newest, newest=True))[0],
            total=int(folded.count.sum()),
            by_category=_counts(by_category),
            by_destination=_counts(by_destination),
            sources=[texts[code] for code in first.index[:sources]],
        )

    def started_by_category(self, start: dt.date, end: dt.date, keep: MovementFilter) -> pd.DataFrame:
        """As analysis.counts.started_by_category: summed from the window's days where it is folded from
        them (they are the movements that started in it), else counted by the database over the date index."""
        if _foldable(start, end, keep):
            return self._started_in_days(start, end, keep)
        where, params = self._where(start, end, keep)
        query = (sql.SQL("SELECT category, count(*), coalesce(sum(quantity), 0)::bigint, "
                         "count(*) FILTER (WHERE quantity IS NULL) FROM {}").format(self._table)
                 + where + sql.SQL(" AND date >= %s GROUP BY category"))
        with self.store.reading() as conn:
            rows = conn.execute(query, [*params, start]).fetchall()
        return pd.DataFrame(rows, columns=["category", "movements", "quantity", "unnumbered"])

    def _started_in_days(self, start: dt.date, end: dt.date, keep: MovementFilter) -> pd.DataFrame:
        days = self.days.get(start, end)
        keys = np.concatenate([day.routes for day in days])
        kept = self._kept(keys, start, end, keep)
        category = keys[kept] % len(CATEGORIES)
        movements, quantity, quantified = (
            np.bincount(category, weights=np.concatenate([getattr(day, name) for day in days])[kept],
                        minlength=len(CATEGORIES)).round().astype(np.int64)
            for name in ("count", "quantity", "quantified"))
        present = movements > 0  # as GROUP BY gives them: the categories that have movements
        return pd.DataFrame({"category": np.array(CATEGORIES)[present], "movements": movements[present],
                             "quantity": quantity[present], "unnumbered": (movements - quantified)[present]})

    def weekly_counts(self, start: dt.date, end: dt.date, keep: MovementFilter) -> pd.DataFrame:
        """Movements per week (starting Monday) and category: from the day counts the database keeps, and
        the movements still under way from before `start`; a filter on bases counts the movements themselves."""
        if keep.operators or keep.bases:
            where, params = self._where(start, end, keep)
            query = (sql.SQL("SELECT date_trunc('week', date)::date AS week, category, count(*) FROM {}")
                     .format(self._table) + where + sql.SQL(" GROUP BY 1, 2"))
        else:
            conditions, params = [sql.SQL("day BETWEEN %s AND %s")], [start, end]
            for column, wanted in (("category", keep.categories), ("mode", keep.modes),
                                   ("confidence", keep.confidences)):
                if wanted:
                    conditions.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
                    params.append(sorted(wanted))
            where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions)
            query = (sql.SQL("SELECT date_trunc('week', day)::date AS week, category, sum(movements)::bigint FROM {}")
                     .format(self.store.table(DAY_COUNTS)) + where + sql.SQL(" GROUP BY 1, 2"))
            if self.longest.days:
                early, early_params = self._where(start, start - dt.timedelta(days=1), keep)
                query += (sql.SQL(" UNION ALL SELECT date_trunc('week', date)::date, category, count(*) FROM {}")
                          .format(self._table) + early + sql.SQL(" GROUP BY 1, 2"))
                params += early_params
            query = sql.SQL("SELECT week, category, sum(count)::bigint FROM ({}) AS c(week, category, count) "
                            "GROUP BY 1, 2").format(query)
        with self.store.reading() as conn:
            rows = pd.DataFrame(conn.execute(query, params).fetchall(), columns=["week", "category", "movements"])
        rows["week"] = pd.to_datetime(rows["week"])
        rows["category"] = pd.Categorical(rows["category"], categories=CATEGORIES)
        return rows.sort_values(["week", "category"]).reset_index(drop=True)

    def _busiest_bases(self, count: int) -> list[str]:
        query = sql.SQL("SELECT base FROM {} ORDER BY movements DESC, base LIMIT %s").format(
            self.store.table(END_COUNTS))
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


def _foldable(start: dt.date, end: dt.date, keep: MovementFilter) -> bool:
    """Whether a window is folded from its days' folds: folds are by route, so not with a filter on mode or
    confidence, and a process keeps only so many days."""
    return not keep.modes and not keep.confidences and (end - start).days + 1 <= WINDOW_DAYS


def _nullable(values: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in values]


def _joined(items: list[str], limit: int) -> str:
    """'a; b; c; +2 more', as `layers.routes` summarises a route's values."""
    return "; ".join(items[:limit]) + (f"; +{len(items) - limit} more" if len(items) > limit else "")


def _summed(codes: np.ndarray, folded: Fold, size: int) -> pd.DataFrame:
    """Movements and quantity of the folded routes summed by a code of each route (0 ≤ code < size)."""
    return pd.DataFrame({"movements": np.bincount(codes, weights=folded.count, minlength=size).astype(np.int64),
                         "quantity": np.bincount(codes, weights=folded.quantity, minlength=size)})


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Movements and summed quantity per value, busiest first, as `ui.tables.breakdown` sorts them."""
    frame = frame.assign(movements=frame["movements"].astype("int64"),
                         quantity=frame["quantity"].fillna(0).astype("Int64"))
    return frame.sort_values("movements", ascending=False).reset_index(drop=True)
