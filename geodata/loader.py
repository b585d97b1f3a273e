"""Load a scenario folder or GeoPackage into one typed `Scenario`, once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import cache as movement_cache
from geodata.dburl import is_database_url
from geodata.model import Scenario
from geodata.movements import prepare_movements
from geodata.problems import Problems, ScenarioError
from geodata.readers import WGS84, read_csv, read_geojson, read_gpkg, read_parquet, read_toml
from geodata.presence import check_presence, presence_table
from geodata.schema import COLUMNS, FILES, MOVEMENTS_PARQUET, OPTIONAL_TABLES
from geodata.validate import (
    check_movement_ends,
    check_order,
    check_countries,
    check_references,
    validate_areas,
    validate_meta,
    validate_table,
)

BUNDLED = Path(__file__).parent / "scenarios" / "syria-libya"
MAX_FILE_BYTES = 1 << 30  # a million movements as CSV is ~150 MB; refuse what cannot be meant


def _read_bytes(path: Path, label: str, problems: Problems) -> bytes | None:
    if not path.is_file():
        problems.error(label, None, "-", "missing file")
        return None
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.error(label, None, "-", f"larger than the {MAX_FILE_BYTES >> 20} MB limit")
        return None
    return path.read_bytes()


def read_folder(folder: Path, problems: Problems, *, movements: bool = True) -> tuple[dict[str, object], dict[str, str]]:
    readers = {"scenario": read_toml, "actors": read_csv, "bases": read_csv, "zones": read_geojson,
               "movements": read_csv, "presence": read_csv, "systems": read_csv, "airspace": read_geojson}
    labels = dict(FILES)
    if (folder / MOVEMENTS_PARQUET).is_file() and not (folder / FILES["movements"]).is_file():
        labels["movements"], readers["movements"] = MOVEMENTS_PARQUET, read_parquet
    tables = {}
    for table, label in labels.items():
        if (table == "movements" and not movements) or (table in OPTIONAL_TABLES and not (folder / label).exists()):
            continue
        data = _read_bytes(folder / label, label, problems)
        if data is not None:
            tables[table] = readers[table](data, label, problems)
    return tables, labels


def read_geopackage(path: Path, problems: Problems) -> tuple[dict[str, object], dict[str, str]]:
    labels = {table: f"{path.name}[{table}]" for table in FILES}
    data = _read_bytes(path, path.name, problems)
    tables = read_gpkg(data, path.name, problems) if data is not None else None
    if tables is None:
        return {}, labels
    for table, label in labels.items():
        if table not in tables and table not in OPTIONAL_TABLES:
            problems.error(label, None, "-", "missing layer")
    if isinstance(tables.get("scenario"), pd.DataFrame):
        rows = tables["scenario"]
        meta = rows.iloc[0].to_dict() if len(rows) else {}
        if meta.get("zoom", "") != "":
            meta["view"] = {key: meta.get(key) for key in ("latitude", "longitude", "zoom")}
        tables["scenario"] = meta
    return tables, labels


def _number_rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # row 1 is the header
    return frame


Prepared = tuple[pd.DataFrame, pd.DataFrame]  # movements ready for queries, and their places


def _empty(table: str) -> pd.DataFrame:
    """A typed table with no rows, for an optional file a scenario leaves out."""
    return validate_table(pd.DataFrame(columns=[column.name for column in COLUMNS[table]]), table, table, Problems())


def _typed(tables: dict[str, object], table: str, labels: dict[str, str], problems: Problems):
    """A table checked column by column, or None when absent or unusable."""
    frame = tables.get(table)
    if isinstance(frame, gpd.GeoDataFrame):
        return validate_areas(frame, table, labels[table], problems)
    return validate_table(_number_rows(frame), table, labels[table], problems) if isinstance(frame, pd.DataFrame) else None


def _assemble(tables: dict[str, object], labels: dict[str, str], name: str, problems: Problems,
              prepared: Prepared | None = None) -> Scenario | None:
    meta = validate_meta(tables["scenario"], labels["scenario"], problems) if tables.get("scenario") else None
    checked = ("actors", "bases", "zones", "presence", "systems", "airspace")
    typed = {table: _typed(tables, table, labels, problems) for table in (checked if prepared else (*checked, "movements"))}
    actors, bases, zones, movements = (typed.get(table) for table in ("actors", "bases", "zones", "movements"))
    presence, systems, airspace = typed["presence"], typed["systems"], typed["airspace"]
    actor_ids = set(actors["id"]) if actors is not None else None
    base_ids = set(bases["id"]) if bases is not None else None
    if bases is not None:
        if actor_ids is not None:
            check_references(bases["operator"], actor_ids, "actor", labels["bases"], problems)
        check_order(bases["active_from"], bases["active_to"], labels["bases"], problems)
    for areas, table, actor_column, first, last in ((zones, "zones", "actor", "valid_from", "valid_to"),
                                                    (airspace, "airspace", "closed_to", "valid_from", "valid_to"),
                                                    (presence, "presence", "actor", "from", "to")):
        if areas is None:
            continue
        if actor_ids is not None:
            check_references(areas[actor_column], actor_ids, "actor", labels[table], problems)
        check_order(areas[first], areas[last], labels[table], problems)
    if airspace is not None and bases is not None:
        check_countries(airspace["only_legs_to_from"], set(bases["country"]), labels["airspace"], problems)
    if presence is not None:
        if base_ids is not None:
            check_references(presence["base"], base_ids, "base", labels["presence"], problems)
        if meta is not None:
            check_presence(presence, meta.period, labels["presence"], problems)
    if movements is not None:
        if base_ids is not None:
            for end in ("origin", "destination"):
                check_references(movements[end], base_ids, "base", labels["movements"], problems)
        check_order(movements["date"], movements["end_date"], labels["movements"], problems)
        check_movement_ends(movements, labels["movements"], problems)
    optional_failed = any(typed[t] is None and isinstance(tables.get(t), pd.DataFrame) for t in OPTIONAL_TABLES)
    if problems.errors or meta is None or any(v is None for v in (actors, bases, zones)) or optional_failed:
        return None
    if prepared is None and movements is None:
        return None
    bases_by_id = bases.set_index("id", drop=False)
    movements, places = prepared or prepare_movements(movements, bases_by_id)
    return Scenario(
        name=name,
        meta=meta,
        actors=actors.set_index("id", drop=False),
        bases=bases_by_id,
        zones=zones,
        movements=movements,
        places=places,
        presence=presence_table(presence, bases),
        systems=(systems if systems is not None else _empty("systems")).set_index("id", drop=False),
        airspace=airspace if airspace is not None else gpd.GeoDataFrame(_empty("airspace"), geometry=[], crs=WGS84),
        warnings=tuple(problems.warnings),
    )


def check_tables(tables: dict[str, object], labels: dict[str, str], name: str) -> tuple[Scenario | None, Problems]:
    """Validate raw tables already in memory (a database's, or a change about to be saved) as files are."""
    problems = Problems()
    return _assemble(tables, labels, name, problems), problems


def check_scenario(path: Path | str, prepared: Prepared | None = None) -> tuple[Scenario | None, Problems]:
    """Read and validate a scenario; the problems list says what is wrong.

    `prepared` movements (from the disk cache) stand in for a folder's movements file.
    """
    if is_database_url(path):
        from geodata.postgis_scenario import check_database

        return check_database(str(path))
    problems = Problems()
    path = Path(path)
    if path.is_dir():
        tables, labels = read_folder(path, problems, movements=prepared is None)
    elif path.suffix.lower() == ".gpkg":
        tables, labels = read_geopackage(path, problems)
    else:
        problems.error(path.name, None, "-", "not a scenario folder or a .gpkg file")
        return None, problems
    return _assemble(tables, labels, path.name, problems, prepared if path.is_dir() else None), problems


def _fingerprint(path: Path) -> tuple:
    """Changes when any scenario file changes, so an edited scenario is reloaded."""
    files = [path / name for name in (*FILES.values(), MOVEMENTS_PARQUET)] if path.is_dir() else [path]
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())


@functools.lru_cache(maxsize=4)
def _load(path: Path, fingerprint: tuple) -> Scenario:
    prepared = movement_cache.read(path, fingerprint) if path.is_dir() else None
    scenario, problems = check_scenario(path, prepared)
    if scenario is None:
        raise ScenarioError(problems)
    if prepared is None and path.is_dir():
        movement_cache.write(path, fingerprint, scenario.movements, scenario.places)
    return scenario


def load_scenario(path: Path | str | None = None, revision: tuple | None = None) -> Scenario:
    """The scenario at `path` (the bundled one by default, or a postgresql:// address); raises ScenarioError.

    `revision` is a workspace's revision (its store's), when the caller has just read it: it then serves as
    the cache key, and is not read twice."""
    if is_database_url(path):
        from geodata.postgis_scenario import load_database

        return load_database(str(path), revision)
    resolved = Path(path).expanduser().resolve() if path else BUNDLED
    return _load(resolved, revision or _fingerprint(resolved))
