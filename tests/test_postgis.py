"""PostGIS workspaces: addresses and passwords, the tables QGIS sees, the revision other sessions follow,
`copy`/`check`/`import` with a database, and the SQL window path against the in-memory one."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.synth import make_scenario
from geodata import MovementFilter, load_scenario
from geodata.dburl import masked, parse
from geodata.workspace import add_record, create_workspace, open_workspace
from geodata.workspace_store import store_for
from layers.routes import RouteLook
from layers.view import window_arcs
from bench.postgres import PASSWORD
from scenario_files import write_scenario
from ui.charts import weekly_counts
from ui.tables import window_tables

ROOT = Path(__file__).resolve().parent.parent


def geodata_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geodata", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)


# Addresses and passwords --------------------------------------------------------------------------------------


def test_an_address_names_its_schema_and_is_shown_without_its_password(tmp_path: Path) -> None:
    address = parse("postgresql://ann:pa%40ss@db.example.org:6432/osint?schema=team_a&sslmode=require",
                    secrets_files=())
    assert address.schema == "team_a" and address.label == "osint.team_a"
    assert address.connection == {"host": "db.example.org", "port": "6432", "dbname": "osint", "user": "ann",
                                  "password": "pa@ss", "sslmode": "require"}
    assert str(address) == "postgresql://ann:***@db.example.org:6432/osint?schema=team_a&sslmode=require"
    assert masked("postgresql://ann@db/osint?password=x") == "postgresql://ann@db/osint?password=***"
    assert parse("postgres://db/osint", secrets_files=()).schema == "public"


def test_a_password_comes_from_streamlit_secrets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.other]\nhost = "elsewhere"\npassword = "no"\n\n'
                       '[connections.team]\ndialect = "postgresql"\nhost = "db.example.org"\nport = 5432\n'
                       'database = "osint"\nusername = "ann"\npassword = "from-secrets"\n')
    address = parse("postgresql://ann@db.example.org:5432/osint?schema=t", secrets_files=(secrets,))
    assert address.connection["password"] == "from-secrets"
    assert "from-secrets" not in str(address)
    assert "password" not in parse("postgresql://bob@db.example.org:5432/osint", secrets_files=(secrets,)).connection


def test_the_analyst_connects_with_pgpassword_or_secrets_and_fails_without(postgres, tmp_path: Path,
                                                                           monkeypatch, scenario_dir: Path) -> None:
    url = postgres.fresh_url(user="analyst")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    refused = geodata_command("check", url, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                                 "PYTHONPATH": str(ROOT), "PGPASSFILE": str(tmp_path / "none")})
    assert refused.returncode == 1 and "password" in refused.stdout.lower()
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    create_workspace(url, from_scenario=scenario_dir)
    monkeypatch.delenv("PGPASSWORD")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[connections.footprint]\nurl = "{postgres.url("x", "analyst")}"\npassword = "{PASSWORD}"\n')
    result = geodata_command("check", url, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                                "PYTHONPATH": str(ROOT), "PGPASSFILE": str(tmp_path / "none")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_a_password_in_the_address_is_masked_in_every_line(postgres) -> None:
    url = postgres.url("no_such_schema").replace("postgres@", "postgres:hunter2@")
    result = geodata_command("check", url)
    assert result.returncode == 1 and "no workspace in schema 'no_such_schema'" in result.stdout
    copy = geodata_command("copy", url, postgres.fresh_url())
    assert copy.returncode == 1 and "refused" in copy.stdout
    for output in (result, copy):
        assert "hunter2" not in output.stdout + output.stderr


# The tables as QGIS sees them ---------------------------------------------------------------------------------


def test_tables_have_geometry_in_4326_spatial_indexes_and_a_date_index(postgres, scenario_dir: Path) -> None:
    url = postgres.fresh_url()
    create_workspace(url, from_scenario=scenario_dir)
    schema = parse(url).schema
    with postgres.connect() as conn:
        columns = set(conn.execute("SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns "
                                   "WHERE f_table_schema = %s", (schema,)).fetchall())
        indexes = {row[0] for row in conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s",
                                                  (schema,))}
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_schema = %s AND table_name = 'movements'", (schema,)).fetchall())
        keys = conn.execute("SELECT count(*) FROM information_schema.table_constraints WHERE table_schema = %s "
                            "AND constraint_type = 'PRIMARY KEY'", (schema,)).fetchone()[0]
    assert {("bases", "geom", 4326, "POINT"), ("zones", "geom", 4326, "MULTIPOLYGON"),
            ("airspace", "geom", 4326, "MULTIPOLYGON")} <= columns
    assert any("USING gist (geom)" in index and ".bases " in index for index in indexes)
    assert any("USING gist (geom)" in index and ".zones " in index for index in indexes)
    assert any(index.endswith("USING btree (date, fid)") and ".movements " in index for index in indexes)
    assert (types["date"], types["quantity"], types["origin_lat"], types["asset"]) == (
        "date", "bigint", "double precision", "text")
    assert keys >= 9  # every table has an integer key QGIS can edit by


def test_an_edit_made_outside_footprint_shows_and_keeps_points_in_step(postgres, scenario_dir: Path) -> None:
    url = postgres.fresh_url()
    create_workspace(url, from_scenario=scenario_dir)
    schema = parse(url).schema
    before = store_for(url).revision()
    first = load_scenario(url)
    with postgres.connect() as conn:  # as QGIS would: move the point, rename a base
        conn.execute(f'UPDATE "{schema}".bases SET geom = ST_SetSRID(ST_MakePoint(36.5, 35.5), 4326), '
                     "name = 'Moved' WHERE id = 'alpha'")
    assert store_for(url).revision() != before
    second = load_scenario(url)
    assert second is not first
    assert tuple(second.bases.loc["alpha", ["name", "lat", "lon"]]) == ("Moved", 35.5, 36.5)
    record = open_workspace(url).record("bases", "alpha")
    from geodata.workspace import edit_record

    edit_record(url, "bases", record, {**record, "lat": "34.0"}, "Ann")  # lat/lon move the point too
    with postgres.connect() as conn:
        point = conn.execute(f'SELECT ST_Y(geom), ST_X(geom) FROM "{schema}".bases WHERE id = %s',
                             ("alpha",)).fetchone()
    assert point == (34.0, 36.5)


# copy, check and import with a database -------------------------------------------------------------------------


def test_copy_round_trips_folder_database_geopackage_folder_with_history(postgres, tmp_path: Path,
                                                                          scenario_dir: Path) -> None:
    first, second = postgres.fresh_url(), postgres.fresh_url()
    assert geodata_command("copy", str(scenario_dir), first).returncode == 0
    add_record(first, "movements", {"date": "2025-02-01", "origin": "alpha", "destination": "charlie",
                                    "mode": "air", "category": "cargo", "asset": "Il-76", "quantity": "1",
                                    "confidence": "reported", "source": "Test", "notes": "é ünïcode"}, "Ann")
    steps = [(first, str(tmp_path / "copy.gpkg")), (str(tmp_path / "copy.gpkg"), str(tmp_path / "folder")),
             (str(tmp_path / "folder"), second)]
    for source, target in steps:
        result = geodata_command("copy", source, target)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "5 movements, 1 change of history" in result.stdout
    histories = [open_workspace(place).history for place in (first, tmp_path / "copy.gpkg", second)]
    assert all(history[["change", "summary", "author"]].equals(histories[0][["change", "summary", "author"]])
               for history in histories)
    assert json.loads(histories[2]["records"].iloc[0]) == json.loads(histories[0]["records"].iloc[0])
    checked = geodata_command("check", second)
    assert checked.returncode == 0 and "5 movements (2025-01-05 to 2025-03-01)" in checked.stdout
    again = geodata_command("copy", str(scenario_dir), second)
    assert again.returncode == 1 and "already holds a workspace" in again.stdout


def test_copy_refuses_a_bad_source_and_writes_nothing(postgres, tmp_path: Path) -> None:
    bad = write_scenario(tmp_path / "bad", movements_csv="id,date,origin,destination,mode,category,asset,quantity,"
                         "confidence,source,notes\nm1,2025-13-01,alpha,charlie,air,cargo,x,1,reported,s,\n")
    url = postgres.fresh_url()
    result = geodata_command("copy", str(bad), url)
    assert result.returncode == 1
    assert "bad[movements]:2: date: '2025-13-01' is not a date (YYYY-MM-DD)" in result.stdout
    assert not store_for(url).exists()


def test_import_into_a_database_workspace(postgres, tmp_path: Path, scenario_dir: Path) -> None:
    url = postgres.fresh_url()
    create_workspace(url, from_scenario=scenario_dir)
    csv = tmp_path / "sites.csv"
    csv.write_text("name,latitude,longitude,kind,country,operator,source,confidence\n"
                   "Kilo field,35.1,36.7,airport,Syria,Red force,Reuters,reported\n")
    result = geodata_command("import", str(csv), "--into", url, "--author", "Ann")
    assert result.returncode == 0, result.stdout
    assert "imported 1 records into footprint." in result.stdout
    assert load_scenario(url).bases.loc["kilo_field", "operator"] == "red"
    again = geodata_command("import", str(csv), "--into", url, "--author", "Ann")
    assert "1 already in the workspace" in again.stdout


# The SQL path gives what the in-memory path gives --------------------------------------------------------------


@pytest.fixture(scope="module")
def both(postgres, tmp_path_factory) -> tuple:
    """One synthetic scenario twice: loaded from its folder into memory, and copied into PostGIS."""
    folder = make_scenario(tmp_path_factory.mktemp("synthetic") / "data", 6_000, sites=40, routes=300,
                           days=120, start=dt.date(2024, 1, 1))
    movements = pd.read_csv(folder / "movements.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    long = rng.choice(len(movements), 300, replace=False)  # some movements last several days
    movements["end_date"] = ""
    movements.loc[long, "end_date"] = (pd.to_datetime(movements.loc[long, "date"])
                                       + pd.to_timedelta(rng.integers(1, 20, 300), unit="D")).dt.strftime("%Y-%m-%d")
    bare = rng.choice(len(movements), 200, replace=False)  # and some end at a point that is not a base
    movements[["destination_lat", "destination_lon"]] = ""
    movements.loc[bare, "destination"] = ""
    movements.loc[bare, "destination_lat"] = rng.choice(["33.5", "34.25"], 200)
    movements.loc[bare, "destination_lon"] = "36.3"
    movements.to_csv(folder / "movements.csv", index=False)
    url = postgres.fresh_url()
    assert geodata_command("copy", str(folder), url).returncode == 0
    return load_scenario(folder), load_scenario(url)


WINDOWS = [(dt.date(2024, 1, 1), dt.date(2024, 1, 3)), (dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
           (dt.date(2024, 1, 10), dt.date(2024, 4, 29))]
FILTERS = [MovementFilter(), MovementFilter(categories=frozenset({"cargo", "troops"})),
           MovementFilter(modes=frozenset({"sea"}), confidences=frozenset({"claimed", "reported"})),
           MovementFilter(bases=frozenset({"s0003", "s0007"})), MovementFilter(operators=frozenset({"russia"}))]


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("keep", FILTERS)
def test_the_database_folds_a_window_as_memory_does(both, window, keep) -> None:
    memory, database = both
    look = RouteLook(max_arcs=60)
    expected = window_arcs(memory, *window, keep, look, True)
    found = window_arcs(database, *window, keep, look, True)
    assert (found.total_routes, found.total_movements, found.one_by_one) == (
        expected.total_routes, expected.total_movements, expected.one_by_one)
    columns = [c for c in expected.drawn.columns if c not in ("route", "origin_key", "destination_key")]
    assert found.drawn.columns.tolist() == expected.drawn.columns.tolist()
    pd.testing.assert_frame_equal(found.drawn[columns].reset_index(drop=True),
                                  expected.drawn[columns].reset_index(drop=True), check_dtype=False)


def test_the_days_a_week_step_adds_are_fetched_ahead_for_windows_folded_from_days(both) -> None:
    database = both[1].database
    first = (dt.date(2024, 4, 30) - dt.date(1970, 1, 1)).days  # past every window the other tests drew
    week_on = set(range(first, first + 7))

    def fetched_ahead(keep: MovementFilter) -> set[int]:
        database.prefetch(dt.date(2024, 4, 10), dt.date(2024, 4, 29), keep)
        for thread in threading.enumerate():
            if thread.name == "footprint-prefetch":
                thread.join(60)
        return week_on & set(database.days._folds)

    assert fetched_ahead(MovementFilter(modes=frozenset({"sea"}))) == set()  # such a window is folded by SQL
    assert fetched_ahead(MovementFilter()) == week_on


def test_reruns_within_the_prefetch_delay_schedule_its_days_once(both) -> None:
    days = both[1].database.days
    start, end = dt.date(2024, 6, 1), dt.date(2024, 6, 20)  # a window no other test draws
    for _ in range(3):  # as reruns in the second before the delayed fetch starts
        days.prefetch(start, end)
    scheduled = [thread for thread in threading.enumerate() if thread.name == "footprint-prefetch"]
    for thread in scheduled:
        thread.join(60)
    assert len(scheduled) == 1
    first = (end - dt.date(1970, 1, 1)).days + 1
    assert set(range(first, first + 7)) <= set(days._folds)


def ordered(table: pd.DataFrame) -> pd.DataFrame:
    """The table's rows as text in one order: within a day the two paths may list movements differently."""
    text = table.astype(str)
    return text.sort_values(list(text.columns)).reset_index(drop=True)


@pytest.mark.parametrize("keep", FILTERS)
def test_the_database_counts_the_tables_and_the_weeks_as_memory_does(both, keep) -> None:
    memory, database = both
    for window in WINDOWS:
        expected, found = window_tables(memory, *window, keep), window_tables(database, *window, keep)
        assert found.counts == expected.counts
        for name in ("by_category", "by_destination"):
            pd.testing.assert_frame_equal(getattr(found, name).astype(str), getattr(expected, name).astype(str))
        assert found.sources == expected.sources
        # The newest 300: the same days; past the oldest day shown (where either may cut), the same rows.
        assert sorted(found.table["date"]) == sorted(expected.table["date"])
        cut = min(expected.table["date"], default=None)
        assert ordered(found.table[found.table["date"] > cut]).equals(ordered(expected.table[expected.table["date"] > cut]))
    pd.testing.assert_frame_equal(weekly_counts(database, keep).astype(str), weekly_counts(memory, keep).astype(str))
    assert database.busiest_bases(4) == memory.busiest_bases(4)
    rows = database.movements_in(dt.date(2024, 2, 1), dt.date(2024, 2, 10), keep)
    assert rows["id"].tolist() == memory.movements_in(dt.date(2024, 2, 1), dt.date(2024, 2, 10), keep)["id"].tolist()
