"""A scenario read from a database workspace: every table but the movements in memory, the movements queried.

The dashboard asks for the scenario on every rerun; the database's revision
counter (one cheap query) says whether anything changed since, in which case
the small tables are read again. So a change saved in any session, any process,
or in QGIS shows on the next rerun.
"""

from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import psycopg

from geodata.model import Scenario
from geodata.postgis_movements import COLUMNS as MOVEMENT_COLUMNS
from geodata.postgis_movements import MovementDatabase
from geodata.problems import Problems, ScenarioError
from geodata.schema import OPTIONAL_TABLES
from geodata.store_postgis import (LARGE_TABLES, PostgisStore, by_id, movement_blocks, raw_tables, read_table, said,
                                   table_columns)
from geodata.validate import check_movement_ends, check_order, check_references, validate_table
from geodata.workspace_store import TABLES, WorkspaceError

CHECK_ROWS = 200_000  # movements checked at a time by `geodata check`


def _small_tables(store: PostgisStore) -> dict[str, pd.DataFrame]:
    """Every table but the large ones, read in one snapshot; a large table as its header only."""
    with store.reading() as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        tables = {}
        for table in TABLES:
            if table in LARGE_TABLES:
                tables[table] = pd.DataFrame(columns=MOVEMENT_COLUMNS if table == "movements" else [])
            elif table in OPTIONAL_TABLES and not table_columns(conn, store, table):
                continue
            else:
                tables[table] = read_table(conn, store, table)
    return tables


def _unreadable(store: PostgisStore, err: Exception) -> Problems:
    """Why the workspace cannot be read: no connection, no such workspace, or the database's own words."""
    problems = Problems()
    if isinstance(err, psycopg.errors.UndefinedTable):
        err = store.missing()
    if isinstance(err, WorkspaceError):
        message = err.lines[0].split(": -: ", 1)[-1]
    else:
        message = said(err, store.address)
    problems.error(str(store.address), None, "-", message)
    return problems


def _checked(store: PostgisStore) -> tuple[Scenario | None, Problems, dict[str, pd.DataFrame]]:
    from geodata.loader import check_tables

    try:
        if not store.exists():
            raise store.missing()
        tables = _small_tables(store)
    except (WorkspaceError, psycopg.Error) as err:
        return None, _unreadable(store, err), {}
    labels = {table: f"{store.label}[{table}]" for table in TABLES}
    raw = raw_tables({t: f for t, f in tables.items() if t not in OPTIONAL_TABLES or len(f)})
    scenario, problems = check_tables(raw, labels, store.label)
    return scenario, problems, tables


@functools.lru_cache(maxsize=4)
def _load(url: str, revision: tuple) -> Scenario:
    store = PostgisStore(url)
    scenario, problems, tables = _checked(store)
    if scenario is None:
        raise ScenarioError(by_id(problems, store.label, tables))
    return dataclasses.replace(scenario, database=MovementDatabase(store, scenario.bases, scenario.presence))


def load_database(url: str, revision: tuple | None = None) -> Scenario:
    """The scenario in the database workspace at `url`, as of `revision` (read here when not given: the
    dashboard has just read it); raises ScenarioError."""
    store = PostgisStore(url)
    if revision is None:
        try:
            revision = store.revision()
        except (WorkspaceError, psycopg.Error) as err:
            raise ScenarioError(_unreadable(store, err)) from None
    return _load(url, revision)


def check_database(url: str) -> tuple[Scenario | None, Problems]:
    """`geodata check` of a database workspace: every table, the movements a chunk at a time."""
    store = PostgisStore(url)
    scenario, problems, tables = _checked(store)
    if scenario is None:
        return None, by_id(problems, store.label, tables)
    label = f"{store.label}[movements]"
    base_ids = set(scenario.bases.index)
    for chunk in movement_blocks(store, CHECK_ROWS):
        found = Problems()
        # Numbered from 2 in each block: problems are told by record id, found by position in the block.
        typed = validate_table(chunk.set_axis(pd.RangeIndex(2, len(chunk) + 2)), "movements", label, found)
        if typed is not None:
            for end in ("origin", "destination"):
                check_references(typed[end], base_ids, "base", label, found)
            check_order(typed["date"], typed["end_date"], label, found)
            check_movement_ends(typed, label, found)
        for problem in by_id(found, store.label, {"movements": chunk}).items:
            problems.add(problem)
    if problems.errors:
        return None, problems
    return dataclasses.replace(scenario, database=MovementDatabase(store, scenario.bases, scenario.presence)), problems
