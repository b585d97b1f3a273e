"""A workspace in a schema of a PostgreSQL database with PostGIS: the GeoPackage's tables, typed, changed row by row.

Each table of the format is a table of the schema with the same columns: dates
as `date`, coordinates and distances as `double precision`, counts as `bigint`,
the rest as text, an empty value as NULL; bases carry a Point and zones and
closed airspace a MultiPolygon, all in EPSG:4326 with spatial indexes, so QGIS
reads and edits them as they are. Every record keeps in `fp_change` the change
that last wrote it: its row version.

A change is one transaction: writers queue on an advisory lock of the schema,
lock the rows they change, refuse a record whose version or values are not what
the editor was shown, check the result as `geodata check` would (a large table
only by the rows that change, and by what refers to removed ids), then write the
rows and the history row together. A writer that dies leaves nothing behind: the
database rolls its transaction back. Readers never wait.

Strings only ever travel as query parameters; names of tables and columns are
quoted identifiers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from geodata.changes import VERSION, ConflictError, RecordChange, applied, conflict_line, history_row, same_record
from geodata.dburl import DatabaseAddress, mask_text, parse
from geodata.problems import Problem, Problems
from geodata.readers import WGS84
from geodata.schema import COLUMNS, OPTIONAL_TABLES, VIEW_KEYS
from geodata.workspace_store import (
    AREA_TABLES,
    HISTORY_FIELDS,
    LOCK_TIMEOUT_SECONDS,
    POINT_TABLES,
    TABLES,
    Tables,
    Workspace,
    WorkspaceError,
    columns,
    empty_history,
    empty_table,
    empty_tables,
    text_frame,
)

SQL_TYPES = {"date": "date", "latitude": "double precision", "longitude": "double precision",
             "distance": "double precision", "count": "bigint"}
LARGE_TABLES = frozenset({"movements"})  # may hold millions of rows: a change never reads them whole
REVISION = "footprint_revision"  # one row, counted up by every statement that changes a table
HISTORY = "history"
COPY_ROWS = 200_000  # rows per COPY block when writing a whole table
# A window's fold is one query of a few hundred milliseconds at most: compiling it (JIT) costs more than it
# saves, and its hash of routes should stay in memory rather than spill to disk.
READ_SETTINGS = "-c jit=off -c work_mem=64MB"
CLUSTER_ROWS = 100_000  # a copy of more movements is laid out on disk in date order


def column_kinds(table: str) -> dict[str, str]:
    """Each column's kind in the format ('id' and extras are text)."""
    if table == "scenario":
        return {name: "text" for name in columns(table)}
    return {"id": "id", **{spec.name: spec.kind for spec in COLUMNS[table]}}


def to_db(kind: str, text: object) -> object:
    """A text value as the database keeps it; '' is NULL."""
    text = "" if text is None else str(text).strip() if kind in SQL_TYPES else str(text)
    if text == "":
        return None
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "count":
        return int(float(text))
    if kind in SQL_TYPES:
        return float(text)
    return text


def to_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def canonical(table: str, record: dict | None) -> dict | None:
    """`record` with its values as they come back from the database ('35.950' → '35.95'); a value that is
    not of its kind is left for the check to name."""
    if record is None:
        return None
    kinds = column_kinds(table)

    def stored(key: str, value: object) -> object:
        if kinds.get(key) not in SQL_TYPES:
            return value
        try:
            return to_text(to_db(kinds[key], value))
        except (ValueError, OverflowError):
            return value

    return {key: stored(key, value) for key, value in record.items()}


def said(err: Exception, address: DatabaseAddress) -> str:
    """A database error in one line, with any password masked."""
    return mask_text(" ".join(str(err).split()), address.url)


def _lines_of(err: Exception, address: DatabaseAddress) -> list[str]:
    return [f"{address}: -: {said(err, address)}"]


class PostgisStore:
    def __init__(self, url: str):
        self.address = parse(url)
        self.label = self.address.label
        self.schema = self.address.schema

    # Names --------------------------------------------------------------------------------------------------

    def table(self, name: str) -> sql.Identifier:
        return sql.Identifier(self.schema, name)

    @property
    def lock_key(self) -> str:
        return f"footprint:{self.schema}"

    # Connections --------------------------------------------------------------------------------------------

    def connect(self, **options) -> psycopg.Connection:
        try:
            return psycopg.connect(**self.address.connection, application_name="footprint", **options)
        except psycopg.Error as err:
            raise WorkspaceError(_lines_of(err, self.address)) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[psycopg.Connection]:
        """A connection from this process's pool, for reads."""
        try:
            pool = pool_for(self.address)
        except psycopg.OperationalError as err:
            raise WorkspaceError(_lines_of(err, self.address)) from None
        with pool.connection() as conn:
            yield conn

    # Questions ----------------------------------------------------------------------------------------------

    def exists(self) -> bool:
        with self.reading() as conn:
            return _exists(conn, self)

    def missing(self) -> WorkspaceError:
        """What reading or writing a schema that holds no workspace raises."""
        return WorkspaceError([f"{self.address}: -: no workspace in schema {self.schema!r}"])

    def revision(self) -> tuple:
        try:
            with self.reading() as conn:
                row = conn.execute(sql.SQL("SELECT n FROM {}").format(self.table(REVISION))).fetchone()
        except psycopg.errors.UndefinedTable:
            raise self.missing() from None
        except psycopg.Error as err:
            raise WorkspaceError(_lines_of(err, self.address)) from None
        return (row[0],)

    def read(self) -> DatabaseWorkspace:
        if not self.exists():
            raise self.missing()
        return DatabaseWorkspace(self, self.reading)

    # Writing ------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, create: bool = False, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[PostgisWriter]:
        with self.connect() as conn:
            try:
                with conn.transaction():
                    self._lock(conn, timeout)
                    if not _exists(conn, self):
                        if not create:
                            raise self.missing()
                        _create_tables(conn, self, Workspace(empty_tables(self.schema), empty_history()))
                    yield PostgisWriter(self, conn)
            except psycopg.errors.LockNotAvailable:
                raise WorkspaceError([f"{self.label}: -: busy: another save has held it for {timeout:.0f} s"]) from None
            except psycopg.errors.UniqueViolation as err:
                raise ConflictError(_lines_of(err, self.address)) from None
            except psycopg.Error as err:
                raise WorkspaceError(_lines_of(err, self.address)) from None

    def _lock(self, conn: psycopg.Connection, timeout: float) -> None:
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{max(1, int(timeout * 1000))}ms",))
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.lock_key,))

    def create(self, workspace: Workspace, movement_chunks: Iterable[pd.DataFrame] = ()) -> None:
        """Write `workspace` into a new schema (or an empty one), all or nothing; movements may come in chunks."""
        with self.connect() as conn:
            try:
                with conn.transaction():
                    self._lock(conn, LOCK_TIMEOUT_SECONDS)
                    if _exists(conn, self):
                        raise WorkspaceError([f"{self.address}: -: schema {self.schema!r} already holds a workspace; "
                                              "copy into another schema"])
                    _create_tables(conn, self, workspace, movement_chunks)
            except psycopg.errors.UniqueViolation as err:
                raise WorkspaceError(_lines_of(err, self.address)) from None
            except psycopg.Error as err:
                raise WorkspaceError(_lines_of(err, self.address)) from None


_POOLS: dict[str, object] = {}
_POOLS_LOCK = threading.Lock()


def pool_for(address: DatabaseAddress):
    """One small pool of connections per database and process: Streamlit serves each session in a thread."""
    from psycopg_pool import ConnectionPool

    with _POOLS_LOCK:
        pool = _POOLS.get(address.url)
        if pool is None:
            # One connection first, so a wrong password or an unreachable server is said at once, not after
            # the pool has retried for a minute.
            psycopg.connect(**address.connection, application_name="footprint", connect_timeout=10).close()
            options = " ".join(filter(None, [address.connection.get("options", ""), READ_SETTINGS]))
            pool = ConnectionPool(kwargs={**address.connection, "application_name": "footprint", "options": options},
                                  min_size=1, max_size=6, open=True, name="footprint", timeout=60)
            _POOLS[address.url] = pool
    return pool


# Schema -------------------------------------------------------------------------------------------------------


def _exists(conn: psycopg.Connection, store: PostgisStore) -> bool:
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                         (f'"{store.schema}"."scenario"', f'"{store.schema}"."{HISTORY}"')).fetchone()
    return bool(found[0])


def _geometry_type(table: str) -> str | None:
    return "Point" if table in POINT_TABLES else "MultiPolygon" if table in AREA_TABLES else None


def _table_ddl(store: PostgisStore, table: str, extras: list[str]) -> sql.Composed:
    kinds = column_kinds(table)
    fields = [sql.SQL("fid bigserial PRIMARY KEY"), sql.SQL("id text NOT NULL UNIQUE")]
    for name in [*columns(table)[1:], *extras]:
        fields.append(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(SQL_TYPES.get(kinds.get(name, ""), "text"))))
    if _geometry_type(table):
        fields.append(sql.SQL("geom geometry({}, 4326)").format(sql.SQL(_geometry_type(table))))
    fields.append(sql.SQL("fp_change bigint NOT NULL DEFAULT 0"))
    return sql.SQL("CREATE TABLE {} ({})").format(store.table(table), sql.SQL(", ").join(fields))


def _indexes(store: PostgisStore, table: str) -> list[sql.Composed]:
    statements = []
    if _geometry_type(table):
        statements.append(sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(
            sql.Identifier(f"{table}_geom"), store.table(table)))
    if table == "movements":
        for name, expression in (("date", "(date, fid)"), ("origin", "(origin)"), ("destination", "(destination)"),
                                 ("duration", "((end_date - date)) WHERE end_date IS NOT NULL")):
            statements.append(sql.SQL("CREATE INDEX {} ON {} " + expression).format(
                sql.Identifier(f"movements_{name}"), store.table(table)))
    return statements


# Counts over the whole period that the dashboard shows at once (the weekly chart, the busiest bases) are
# kept by the database as movements change, whoever changes them: a query would read every movement.
_COUNTS = """
CREATE TABLE {days} (day date, category text, mode text, confidence text, movements bigint NOT NULL,
                     PRIMARY KEY (day, category, mode, confidence));
CREATE TABLE {ends} (base text PRIMARY KEY, movements bigint NOT NULL);
CREATE FUNCTION {added}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO {days} SELECT date, category, mode, confidence, -count(*) FROM removed GROUP BY 1, 2, 3, 4
      ON CONFLICT (day, category, mode, confidence) DO UPDATE SET movements = {days}.movements + excluded.movements;
    INSERT INTO {ends} SELECT base, -count(*) FROM (SELECT origin FROM removed UNION ALL
                                                    SELECT destination FROM removed) e(base)
      WHERE base IS NOT NULL GROUP BY base
      ON CONFLICT (base) DO UPDATE SET movements = {ends}.movements + excluded.movements;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO {days} SELECT date, category, mode, confidence, count(*) FROM added GROUP BY 1, 2, 3, 4
      ON CONFLICT (day, category, mode, confidence) DO UPDATE SET movements = {days}.movements + excluded.movements;
    INSERT INTO {ends} SELECT base, count(*) FROM (SELECT origin FROM added UNION ALL
                                                   SELECT destination FROM added) e(base)
      WHERE base IS NOT NULL GROUP BY base
      ON CONFLICT (base) DO UPDATE SET movements = {ends}.movements + excluded.movements;
  END IF;
  DELETE FROM {days} WHERE movements = 0;
  DELETE FROM {ends} WHERE movements = 0;
  RETURN NULL;
END $$;
CREATE TRIGGER footprint_added AFTER INSERT ON {movements} REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION {added}();
CREATE TRIGGER footprint_removed AFTER DELETE ON {movements} REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION {added}();
CREATE TRIGGER footprint_changed AFTER UPDATE ON {movements} REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION {added}();
"""
DAY_COUNTS = "footprint_day_counts"  # movements per start day, category, mode and confidence
END_COUNTS = "footprint_end_counts"  # movements per base at either end


# Bases drawn or moved in QGIS keep lat/lon and the point in step; a change to either moves the other.
_POINT_SYNC = """
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.geom IS DISTINCT FROM OLD.geom AND NEW.geom IS NOT NULL
     AND NEW.lat IS NOT DISTINCT FROM OLD.lat AND NEW.lon IS NOT DISTINCT FROM OLD.lon THEN
    NEW.lat := ST_Y(NEW.geom); NEW.lon := ST_X(NEW.geom);
  ELSIF TG_OP = 'INSERT' AND NEW.geom IS NOT NULL AND (NEW.lat IS NULL OR NEW.lon IS NULL) THEN
    NEW.lat := ST_Y(NEW.geom); NEW.lon := ST_X(NEW.geom);
  ELSIF NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL THEN
    NEW.geom := ST_SetSRID(ST_MakePoint(NEW.lon, NEW.lat), 4326);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER footprint_point BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
"""

# Every statement that changes a table counts the revision up, QGIS edits included: dashboards poll it.
_BUMP = """
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE {revision} SET n = n + 1; RETURN NULL; END $$;
"""


def _create_tables(conn: psycopg.Connection, store: PostgisStore, workspace: Workspace,
                   movement_chunks: Iterable[pd.DataFrame] = ()) -> None:
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION postgis")
        except psycopg.errors.InsufficientPrivilege:
            raise WorkspaceError([f"{store.address}: -: PostGIS is not installed in this database; "
                                  "a superuser must run CREATE EXTENSION postgis"]) from None
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(store.schema)))
    conn.execute(sql.SQL("CREATE TABLE {} (n bigint NOT NULL)").format(store.table(REVISION)))
    conn.execute(sql.SQL("INSERT INTO {} VALUES (1)").format(store.table(REVISION)))
    bump = sql.Identifier(store.schema, "footprint_bump")
    conn.execute(sql.SQL(_BUMP).format(function=bump, revision=store.table(REVISION)))
    for table in TABLES:
        frame = workspace.tables[table]
        extras = [name for name in frame.columns if name not in columns(table) and name not in ("geometry", VERSION)]
        conn.execute(_table_ddl(store, table, extras))
        if table in POINT_TABLES:
            function = sql.Identifier(store.schema, f"footprint_{table}_point")
            conn.execute(sql.SQL(_POINT_SYNC).format(function=function, table=store.table(table)))
        if table == "movements":
            conn.execute(sql.SQL(_COUNTS).format(
                days=store.table(DAY_COUNTS), ends=store.table(END_COUNTS), movements=store.table(table),
                added=sql.Identifier(store.schema, "footprint_count")))
        chunks = movement_chunks if table == "movements" and movement_chunks else [frame]
        for chunk in chunks:
            _copy_rows(conn, store, table, chunk)
        for statement in _indexes(store, table):
            conn.execute(statement)
        if table == "movements" and _count(conn, store, table) >= CLUSTER_ROWS:
            # Windows read a run of days: keep each day's movements together on disk.
            conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            conn.execute(sql.SQL("CLUSTER {} USING movements_date").format(store.table(table)))
    conn.execute(sql.SQL("CREATE TABLE {} (change bigint PRIMARY KEY, at text NOT NULL, author text NOT NULL, "
                         "summary text NOT NULL, undoes text NOT NULL DEFAULT '', records jsonb NOT NULL)")
                 .format(store.table(HISTORY)))
    history = workspace.history
    with conn.cursor() as cursor:
        cursor.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s)").format(store.table(HISTORY)),
                           [(int(row["change"]), row["at"], row["author"], row["summary"], row["undoes"],
                             row["records"]) for row in history.to_dict("records")])
    for table in (*TABLES, HISTORY):
        conn.execute(sql.SQL("CREATE TRIGGER footprint_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
                             "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(store.table(table), bump))
    for table in TABLES:
        conn.execute(sql.SQL("ANALYZE {}").format(store.table(table)))


def _count(conn: psycopg.Connection, store: PostgisStore, table: str) -> int:
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(store.table(table))).fetchone()[0]


def _ewkb(geometry) -> str | None:
    if geometry is None or geometry.is_empty:
        return None
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return shapely.to_wkb(shapely.set_srid(geometry, 4326), hex=True, include_srid=True)


def _copy_rows(conn: psycopg.Connection, store: PostgisStore, table: str, frame: pd.DataFrame) -> None:
    """Rows of a text frame into `table` with COPY; values arrive as CSV text, empty as NULL."""
    if not len(frame):
        return
    kinds = column_kinds(table)
    names = [name for name in frame.columns if name not in ("geometry", VERSION)]
    text = text_frame(frame[names])
    for name in names:
        if kinds.get(name) == "count":  # a whole number written "2.0" is still 2
            number = pd.to_numeric(text[name], errors="coerce")
            text[name] = number.astype("Int64").astype(str).where(number.notna(), "")
    if table in AREA_TABLES:
        text["geom"] = [_ewkb(geometry) for geometry in frame.geometry]
        names = [*names, "geom"]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        store.table(table), sql.SQL(", ").join(map(sql.Identifier, names)))
    with conn.cursor().copy(statement) as copy:
        for start in range(0, len(text), COPY_ROWS):
            block = io.StringIO()
            text.iloc[start:start + COPY_ROWS].to_csv(block, header=False, index=False)
            copy.write(block.getvalue())


# Reading ------------------------------------------------------------------------------------------------------


def table_columns(conn: psycopg.Connection, store: PostgisStore, table: str) -> list[str]:
    """The table's attribute columns in order, without the key, the geometry and the row version."""
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                        "AND table_name = %s ORDER BY ordinal_position", (store.schema, table)).fetchall()
    return [name for (name,) in rows if name not in ("fid", "geom", "fp_change")]


def movement_blocks(store: PostgisStore, block_rows: int) -> Iterator[pd.DataFrame]:
    """The movements as text, in table order, `block_rows` at a time through a server-side cursor; rows are
    numbered as in a file (the first record is row 2), so problems name them across blocks."""
    with store.connect() as conn, conn.transaction():
        names = table_columns(conn, store, "movements")
        with conn.cursor(name="footprint_movements") as cursor:
            cursor.itersize = block_rows
            cursor.execute(sql.SQL("SELECT {} FROM {} ORDER BY fid").format(
                sql.SQL(", ").join(map(sql.Identifier, names)), store.table("movements")))
            row = 2
            while rows := cursor.fetchmany(block_rows):
                frame = pd.DataFrame([[to_text(value) for value in values] for values in rows], columns=names,
                                     dtype=object, index=pd.RangeIndex(row, row + len(rows)))
                row += len(rows)
                yield frame


def read_table(conn: psycopg.Connection, store: PostgisStore, table: str, where: sql.Composable = sql.SQL(""),
               params: tuple | list = (), order: str = "fid", limit: int | None = None) -> pd.DataFrame:
    """Rows of `table` as a text frame (table order unless `order` says otherwise), each with its row version;
    areas with their shapes."""
    names = table_columns(conn, store, table)
    if not names:
        return empty_table(table)
    selected = [sql.Identifier(name) for name in names]
    if table in AREA_TABLES:
        selected.append(sql.SQL("ST_AsBinary(geom)"))
    selected.append(sql.SQL("fp_change"))
    query = (sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(selected), store.table(table)) + where
             + sql.SQL(" ORDER BY " + order))
    if limit is not None:
        query += sql.SQL(" LIMIT {}").format(sql.Literal(int(limit)))
    rows = conn.execute(query, params).fetchall()
    attributes = [[to_text(value) for value in row[:len(names)]] for row in rows]
    frame = pd.DataFrame(attributes, columns=names, dtype=object)
    frame[VERSION] = [row[-1] for row in rows]
    if table in AREA_TABLES:
        shapes = [shapely.from_wkb(row[len(names)]) if row[len(names)] is not None else None for row in rows]
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=WGS84))
    return frame


def read_history(conn: psycopg.Connection, store: PostgisStore, where: sql.Composable = sql.SQL(""),
                 params: tuple = ()) -> pd.DataFrame:
    rows = conn.execute(sql.SQL("SELECT change, at, author, summary, undoes, records::text FROM {}")
                        .format(store.table(HISTORY)) + where + sql.SQL(" ORDER BY change"), params).fetchall()
    if not rows:
        return empty_history()
    return pd.DataFrame(rows, columns=list(HISTORY_FIELDS)).astype({"change": "int64"})


class DatabaseWorkspace(Workspace):
    """A workspace answered by queries: a large table is read whole only when someone asks for all of it."""

    def __init__(self, store: PostgisStore, connection: Callable[[], contextlib.AbstractContextManager],
                 lock_rows: bool = False):
        self.store, self._connection, self._lock_rows = store, connection, lock_rows
        super().__init__(Tables(self._read), None)

    def _read(self, table: str) -> pd.DataFrame:
        with self._connection() as conn:
            return read_table(conn, self.store, table)

    @property
    def history(self) -> pd.DataFrame:
        if self._history is None:
            with self._connection() as conn:
                self._history = read_history(conn, self.store)
        return self._history

    def _where(self, table: str, where: sql.Composable, params: tuple) -> pd.DataFrame:
        with self._connection() as conn:
            return read_table(conn, self.store, table, where, params)

    def record(self, table: str, record_id: str) -> dict | None:
        rows = self._where(table, sql.SQL(" WHERE id = %s"), (record_id,))
        return rows.iloc[0].to_dict() if len(rows) else None

    def records(self, table: str, record_ids: list[str]) -> dict[str, dict]:
        """The current records of these ids, locked until the write ends when this workspace is a writer's."""
        lock = " FOR UPDATE" if self._lock_rows else ""
        with self._connection() as conn:
            if lock:
                conn.execute(sql.SQL("SELECT 1 FROM {} WHERE id = ANY(%s) ORDER BY id" + lock)
                             .format(self.store.table(table)), (record_ids,))
            rows = read_table(conn, self.store, table, sql.SQL(" WHERE id = ANY(%s)"), (record_ids,))
        return {record["id"]: record for record in rows.to_dict("records")}

    def ids(self, table: str) -> set[str]:
        with self._connection() as conn:
            return {row[0] for row in conn.execute(sql.SQL("SELECT id FROM {}").format(self.store.table(table)))}

    def taken(self, table: str, candidates: list[str]) -> set[str]:
        with self._connection() as conn:
            rows = conn.execute(sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(self.store.table(table)),
                                (list(candidates),))
            return {row[0] for row in rows}

    def highest_number(self, table: str, prefix: str) -> int:
        with self._connection() as conn:
            row = conn.execute(sql.SQL("SELECT max(substring(id FROM %s)::numeric) FROM {} WHERE id ~ %s")
                               .format(self.store.table(table)),
                               (f"^{prefix}([0-9]+)$", f"^{prefix}[0-9]+$")).fetchone()
        return int(row[0] or 0)

    def size(self, table: str) -> int:
        with self._connection() as conn:
            return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self.store.table(table))).fetchone()[0]

    def newest(self, table: str, limit: int) -> pd.DataFrame:
        with self._connection() as conn:
            newest_first = read_table(conn, self.store, table, order="fid DESC", limit=limit)
        return newest_first.iloc[::-1]

    def last_change(self, table: str, record_id: str) -> dict | None:
        """The change named by the record's row version; for a deleted record, the history's last word on it."""
        with self._connection() as conn:
            version = conn.execute(sql.SQL("SELECT fp_change FROM {} WHERE id = %s").format(self.store.table(table)),
                                   (record_id,)).fetchone()
            if version is not None:
                rows = read_history(conn, self.store, sql.SQL(" WHERE change = %s"), (version[0],))
            else:
                rows = read_history(conn, self.store, sql.SQL(" WHERE records @> %s::jsonb"),
                                    (json.dumps([{"table": table, "id": record_id}]),))
        return rows.iloc[-1].to_dict() if len(rows) else None

    def history_rows(self, number: int | None = None) -> pd.DataFrame:
        if number is None:
            return self.history
        with self._connection() as conn:
            return read_history(conn, self.store, sql.SQL(" WHERE change = %s"), (number,))

    def recent_changes(self, limit: int) -> pd.DataFrame:
        with self._connection() as conn:
            rows = conn.execute(sql.SQL(
                "SELECT h.change, h.at, h.author, h.summary, h.undoes, "
                "(SELECT min(u.change) FROM {history} u WHERE u.undoes = h.change::text) "
                "FROM {history} h ORDER BY h.change DESC LIMIT %s").format(history=self.store.table(HISTORY)),
                (limit,)).fetchall()
        recent = pd.DataFrame(rows, columns=["change", "at", "author", "summary", "undoes", "undone_by"], dtype=object)
        return recent.astype({"change": "int64"})


# Writing ------------------------------------------------------------------------------------------------------


def scenario_meta(frame: pd.DataFrame) -> dict:
    """The scenario row as the loader's metadata; a view only when one is given."""
    meta = frame.drop(columns=["id", VERSION], errors="ignore").iloc[0].to_dict() if len(frame) else {}
    if meta.get("zoom", "") != "":
        meta["view"] = {key: meta.get(key) for key in VIEW_KEYS}
    return meta


def raw_tables(tables: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Workspace tables as the loader's raw tables: the scenario as metadata, rows numbered as in a file."""
    raw: dict[str, object] = {"scenario": scenario_meta(tables["scenario"])}
    for table, frame in tables.items():
        if table == "scenario":
            continue
        frame = frame.drop(columns=[VERSION], errors="ignore")
        if table in AREA_TABLES:
            frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
            frame.index = pd.RangeIndex(1, len(frame) + 1)  # feature numbers
        raw[table] = frame
    return raw


def by_id(problems: Problems, label: str, tables: dict[str, pd.DataFrame]) -> Problems:
    """`problems` told as the workspace, the table and the record id rather than a row number."""
    told = Problems()
    for problem in problems.items:
        table = problem.file.removeprefix(label).strip("[]")
        where, row = problem.file, problem.row
        if row is not None and table in tables:
            position = row - (1 if table in AREA_TABLES else 2)
            if 0 <= position < len(tables[table]):
                where, row = f"{where} id {tables[table]['id'].iloc[position]}", None
        told.add(Problem(where, row, problem.field, problem.message, problem.severity))
    return told


class PostgisWriter:
    def __init__(self, store: PostgisStore, conn: psycopg.Connection):
        self.store, self.conn = store, conn
        self.workspace = DatabaseWorkspace(store, self._same_connection, lock_rows=True)

    @contextlib.contextmanager
    def _same_connection(self) -> Iterator[psycopg.Connection]:
        yield self.conn

    def commit(self, changes: list[RecordChange], author: str, summary: str, undoes: int | None) -> int:
        store, conn = self.store, self.conn
        changes = [RecordChange(c.table, c.record_id, c.before, canonical(c.table, c.after)) for c in changes]
        current = {table: self.workspace.records(table, [c.record_id for c in changes if c.table == table])
                   for table in dict.fromkeys(c.table for c in changes)}
        for change in changes:
            found = current[change.table].get(change.record_id)
            if not same_record(found, change.before):
                last = self.workspace.last_change(change.table, change.record_id)
                raise ConflictError([conflict_line(change, found, last)])
        self._check(changes, current)
        number = conn.execute(sql.SQL("SELECT coalesce(max(change), 0) + 1 FROM {}")
                              .format(store.table(HISTORY))).fetchone()[0]
        for table in dict.fromkeys(c.table for c in changes):
            self._write(table, [c for c in changes if c.table == table], number)
        row = history_row(number, changes, author, summary, undoes)
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s)").format(store.table(HISTORY)),
                     (row["change"], row["at"], row["author"], row["summary"], row["undoes"], row["records"]))
        return number

    def _check(self, changes: list[RecordChange], current: dict[str, dict[str, dict]]) -> None:
        """The workspace after `changes`, checked as `geodata check` would; a large table by its changed rows."""
        from geodata.loader import check_tables

        tables = {table: (self.workspace.tables[table] if table not in LARGE_TABLES
                          else pd.DataFrame(list(current.get(table, {}).values()),
                                            columns=[*columns(table), VERSION]))
                  for table in TABLES}
        tables = {table: frame.reset_index(drop=True) for table, frame in tables.items()}
        after = applied(Workspace(tables, empty_history()), changes).tables
        after = {table: after[table] for table in TABLES}
        label = self.store.label
        labels = {table: f"{label}[{table}]" for table in TABLES}
        raw = raw_tables({t: f for t, f in after.items() if t not in OPTIONAL_TABLES or len(f)})
        scenario, problems = check_tables(raw, labels, label)
        lines = [str(problem) for problem in by_id(problems, label, after).errors] if scenario is None else []
        lines += self._orphans(changes, tables, after)
        if lines:
            raise WorkspaceError(lines)

    def _orphans(self, changes: list[RecordChange], before: dict, after: dict) -> list[str]:
        """Rows of a large table, not part of this change, that name an id this change removes."""
        lines = []
        changed = {(c.table, c.record_id) for c in changes}
        for table in LARGE_TABLES:
            for spec in (spec for spec in COLUMNS[table] if spec.refers_to):
                gone = sorted(set(before[spec.refers_to]["id"]) - set(after[spec.refers_to]["id"]))
                if not gone:
                    continue
                rows = self.conn.execute(sql.SQL("SELECT id, {column} FROM {table} WHERE {column} = ANY(%s) "
                                                 "ORDER BY fid LIMIT 20").format(
                    column=sql.Identifier(spec.name), table=self.store.table(table)), (gone,)).fetchall()
                what = spec.refers_to[:-1]
                lines += [f"{self.store.label}[{table}] id {record_id}: {spec.name}: unknown {what} id {value!r}"
                          for record_id, value in rows if (table, record_id) not in changed]
        return lines

    def _write(self, table: str, changes: list[RecordChange], number: int) -> None:
        store, conn = self.store, self.conn
        kinds = column_kinds(table)
        names = table_columns(conn, store, table)
        target = store.table(table)
        with conn.cursor() as cursor:
            deleted = [c.record_id for c in changes if c.after is None]
            if deleted:
                cursor.execute(sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(target), (deleted,))
            for change in (c for c in changes if c.after is not None):
                record = {**change.after, "id": change.record_id}
                values = [to_db(kinds.get(name, "text"), record.get(name, "")) for name in names]
                fields = [sql.Identifier(name) for name in names]
                if table in AREA_TABLES:
                    fields.append(sql.Identifier("geom"))
                    values.append(_ewkb(record.get("geometry")))
                fields.append(sql.Identifier("fp_change"))
                values.append(number)
                if change.before is None:
                    cursor.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        target, sql.SQL(", ").join(fields), sql.SQL(", ").join(sql.Placeholder() * len(values))),
                        values)
                else:
                    assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(field) for field in fields)
                    cursor.execute(sql.SQL("UPDATE {} SET {} WHERE id = %s").format(target, assignments),
                                   [*values, change.record_id])
