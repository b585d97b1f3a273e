"""Load a scenario folder or GeoPackage into one typed `Scenario`, once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import cache as movement_cache
from geodata.model import Scenario
from geodata.movements import prepare_movements
from geodata.problems import Problems, ScenarioError
from geodata.readers import read_csv, read_geojson, read_gpkg, read_parquet, read_toml
from geodata.schema import FILES, MOVEMENTS_PARQUET
from geodata.validate import (
    check_movement_ends,
    check_order,
    check_references,
    validate_meta,
    validate_table,
    validate_zones,
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
               "movements": read_csv}
    labels = dict(FILES)
    if (folder / MOVEMENTS_PARQUET).is_file() and not (folder / FILES["movements"]).is_file():
        labels["movements"], readers["movements"] = MOVEMENTS_PARQUET, read_parquet
    tables = {}
    for table, label in labels.items():
        if table == "movements" and not movements:
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
        if table not in tables:
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


def _assemble(tables: dict[str, object], labels: dict[str, str], name: str, problems: Problems,
              prepared: Prepared | None = None) -> Scenario | None:
    meta = validate_meta(tables["scenario"], labels["scenario"], problems) if tables.get("scenario") else None
    typed: dict[str, pd.DataFrame | None] = {}
    for table in ("actors", "bases") if prepared else ("actors", "bases", "movements"):
        frame = tables.get(table)
        typed[table] = (validate_table(_number_rows(frame), table, labels[table], problems)
                        if isinstance(frame, pd.DataFrame) else None)
    zones = tables.get("zones")
    typed_zones = validate_zones(zones, labels["zones"], problems) if isinstance(zones, gpd.GeoDataFrame) else None
    actors, bases, movements = typed["actors"], typed["bases"], typed.get("movements")
    actor_ids = set(actors["id"]) if actors is not None else None
    if bases is not None:
        if actor_ids is not None:
            check_references(bases["operator"], actor_ids, "actor", labels["bases"], problems)
        check_order(bases["active_from"], bases["active_to"], labels["bases"], problems)
    if typed_zones is not None:
        if actor_ids is not None:
            check_references(typed_zones["actor"], actor_ids, "actor", labels["zones"], problems)
        check_order(typed_zones["valid_from"], typed_zones["valid_to"], labels["zones"], problems)
    if movements is not None:
        if bases is not None:
            for end in ("origin", "destination"):
                check_references(movements[end], set(bases["id"]), "base", labels["movements"], problems)
        check_order(movements["date"], movements["end_date"], labels["movements"], problems)
        check_movement_ends(movements, labels["movements"], problems)
    if problems.errors or meta is None or any(v is None for v in (actors, bases, typed_zones)):
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
        zones=typed_zones,
        movements=movements,
        places=places,
        warnings=tuple(problems.warnings),
    )


def check_scenario(path: Path, prepared: Prepared | None = None) -> tuple[Scenario | None, Problems]:
    """Read and validate a scenario; the problems list says what is wrong.

    `prepared` movements (from the disk cache) stand in for a folder's movements file.
    """
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


def load_scenario(path: Path | str | None = None) -> Scenario:
    """The scenario at `path` (the bundled one by default); raises ScenarioError."""
    resolved = Path(path).expanduser().resolve() if path else BUNDLED
    return _load(resolved, _fingerprint(resolved))
