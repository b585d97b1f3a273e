"""`python -m geodata copy SOURCE TARGET`: a scenario folder, a GeoPackage or a database schema into another.

Everything is copied: every table of the format, the workspace ids of records
and the history of changes (a folder keeps it as `history.csv` beside the
scenario's files; `geodata check` ignores that file). The copy is checked as
`geodata check` checks, and written all or nothing into a target that does not
exist yet. Movements are read, checked and written a block at a time, so ten
million of them pass through without being held at once.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from shapely.geometry import mapping

from geodata.dburl import is_database_url, masked
from geodata.loader import check_tables, read_folder
from geodata.problems import Problems
from geodata.readers import as_text, sniff
from geodata.schema import FILES, MOVEMENTS_PARQUET, OPTIONAL_TABLES, SCENARIO_KEYS, VIEW_KEYS
from geodata.store_gpkg import GpkgStore
from geodata.store_postgis import (
    PostgisStore,
    by_id,
    movement_blocks,
    raw_tables,
    read_history,
    read_table,
)
from geodata.validate import check_movement_ends, check_order, check_references, validate_table
from geodata.workspace_store import (
    AREA_TABLES,
    HISTORY_FIELDS,
    TABLES,
    Workspace,
    WorkspaceError,
    columns,
    empty_history,
    from_raw,
    text_frame,
)

BLOCK_ROWS = 500_000
HISTORY_FILE = "history.csv"


@dataclass
class Source:
    """A scenario to copy: every table but the movements, the history, and the movements a block at a time."""

    label: str
    tables: dict[str, pd.DataFrame]
    history: pd.DataFrame
    blocks: Iterator[pd.DataFrame]  # movements as text frames, numbered as the source counts rows


# Reading ------------------------------------------------------------------------------------------------------


def _csv_blocks(path: Path) -> Iterator[pd.DataFrame]:
    """A CSV file's rows as text frames, `BLOCK_ROWS`-ish at a time, numbered as spreadsheet rows."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    found = sniff(head)
    if found is not None:
        raise WorkspaceError([f"{path.name}: -: is a {found}, not CSV text"])
    first_line = head.decode("utf-8-sig", "replace").splitlines()[:1]
    header = next(csv.reader(first_line), [])
    types = {name: pa.string() for name in header}
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=64 << 20),
                            convert_options=pacsv.ConvertOptions(column_types=types))
    row = 2
    for batch in reader:
        frame = batch.to_pandas().apply(lambda column: column.str.strip())
        frame.columns = [str(name).strip() for name in frame.columns]
        frame.index = pd.RangeIndex(row, row + len(frame))
        row += len(frame)
        yield frame


def _parquet_blocks(path: Path) -> Iterator[pd.DataFrame]:
    row = 2
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BLOCK_ROWS):
        frame = as_text(batch.to_pandas())
        frame.index = pd.RangeIndex(row, row + len(frame))
        row += len(frame)
        yield frame


def _folder(folder: Path) -> Source:
    problems = Problems()
    raw, _ = read_folder(folder, problems, movements=False)
    if problems.errors:
        raise WorkspaceError(problems.lines())
    tables = from_raw({**raw, "movements": pd.DataFrame(columns=columns("movements"))})
    history_file = folder / HISTORY_FILE
    history = (pd.read_csv(history_file, dtype=str, keep_default_na=False).astype({"change": "int64"})
               if history_file.is_file() else empty_history())
    if (folder / FILES["movements"]).is_file():
        blocks = _csv_blocks(folder / FILES["movements"])
    elif (folder / MOVEMENTS_PARQUET).is_file():
        blocks = _parquet_blocks(folder / MOVEMENTS_PARQUET)
    else:
        raise WorkspaceError([f"{FILES['movements']}: -: missing file"])
    return Source(folder.name, tables, history, blocks)


def _geopackage(path: Path) -> Source:
    from geodata.store_gpkg import read

    workspace = read(path)
    tables = {table: workspace.tables[table] for table in TABLES}
    movements = tables.pop("movements")
    movements.index = pd.RangeIndex(2, len(movements) + 2)
    return Source(path.name, {**tables, "movements": movements.iloc[:0]}, workspace.history, iter([movements]))


def _database(url: str) -> Source:
    store = PostgisStore(url)
    if not store.exists():
        raise store.missing()
    with store.reading() as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        tables = {table: read_table(conn, store, table).drop(columns="_version")
                  for table in TABLES if table != "movements"}
        history = read_history(conn, store)
    tables["movements"] = pd.DataFrame(columns=columns("movements"))
    return Source(store.label, tables, history, movement_blocks(store, BLOCK_ROWS))


def open_source(source: str) -> Source:
    if is_database_url(source):
        return _database(source)
    path = Path(source)
    if path.is_dir():
        return _folder(path)
    if path.suffix.lower() == ".gpkg" and path.is_file():
        return _geopackage(path)
    raise WorkspaceError([f"{source}: -: not a scenario folder, a .gpkg file or a postgresql:// address"])


# Checking -----------------------------------------------------------------------------------------------------


def _check_tables(source: Source) -> set[str]:
    """Every table but the movements, checked as `geodata check` would; the base ids movements may name."""
    labels = {table: f"{source.label}[{table}]" for table in TABLES}
    kept = {t: f for t, f in source.tables.items() if t not in OPTIONAL_TABLES or len(f)}
    scenario, problems = check_tables(raw_tables(kept), labels, source.label)
    if scenario is None:
        raise WorkspaceError(by_id(problems, source.label, kept).lines())
    return set(scenario.bases.index)


def checked_blocks(source: Source, base_ids: set[str]) -> Iterator[pd.DataFrame]:
    """The source's movements a block at a time, each checked; WorkspaceError at the first block with errors."""
    label = f"{source.label}[movements]"
    seen = np.empty(0, dtype=np.uint64)
    for block in source.blocks:
        problems = Problems()
        typed = validate_table(block, "movements", label, problems)
        if typed is not None:
            for end in ("origin", "destination"):
                check_references(typed[end], base_ids, "base", label, problems)
            check_order(typed["date"], typed["end_date"], label, problems)
            check_movement_ends(typed, label, problems)
            hashes = pd.util.hash_array(block["id"].to_numpy(dtype=object))
            again = np.isin(hashes, seen)
            for row in block.index[again]:
                problems.error(label, int(row), "id", f"duplicate id {block.at[row, 'id']!r} (seen in an earlier block)")
            seen = np.union1d(seen, hashes)
        if problems.errors:
            raise WorkspaceError(problems.lines())
        yield block.reindex(columns=[*columns("movements"),
                                     *(c for c in block.columns if c not in columns("movements"))], fill_value="")


# Writing ------------------------------------------------------------------------------------------------------


def _toml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _write_folder(folder: Path, source: Source, blocks: Iterator[pd.DataFrame]) -> int:
    meta = source.tables["scenario"].iloc[0]
    lines = [f"{key} = {_toml_text(str(meta[key]))}" for key in SCENARIO_KEYS]
    if str(meta.get("zoom", "")).strip():
        lines += ["", "[view]", *(f"{key} = {float(meta[key])}" for key in VIEW_KEYS)]
    (folder / FILES["scenario"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for table in TABLES[1:]:
        frame = source.tables[table]
        if table == "movements" or (table in OPTIONAL_TABLES and not len(frame)):
            continue
        if table in AREA_TABLES:
            features = [{"type": "Feature", "properties": {k: v for k, v in record.items() if k != "geometry"},
                         "geometry": mapping(record["geometry"]) if record["geometry"] is not None else None}
                        for record in text_frame(frame).to_dict("records")]
            document = {"type": "FeatureCollection", "features": features}
            (folder / FILES[table]).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        else:
            text_frame(frame).to_csv(folder / FILES[table], index=False)
    count = 0
    with (folder / FILES["movements"]).open("w", encoding="utf-8", newline="") as handle:
        for number, block in enumerate(blocks):
            text_frame(block).to_csv(handle, index=False, header=number == 0)
            count += len(block)
        if count == 0:
            handle.write(",".join(columns("movements")) + "\n")
    if len(source.history):
        source.history.to_csv(folder / HISTORY_FILE, index=False, columns=list(HISTORY_FIELDS))
    return count


def _counting(blocks: Iterator[pd.DataFrame], counter: list[int]) -> Iterator[pd.DataFrame]:
    for block in blocks:
        counter[0] += len(block)
        yield block


def copy(source: str, target: str) -> list[str]:
    """Copy `source` into `target`, which must not exist yet; lines telling what was copied."""
    scenario = open_source(source)
    blocks = checked_blocks(scenario, _check_tables(scenario))
    counted = [0]
    if is_database_url(target):
        PostgisStore(target).create(Workspace(scenario.tables, scenario.history), _counting(blocks, counted))
        shown = masked(target)
    elif Path(target).suffix.lower() == ".gpkg":
        movements = pd.concat(list(_counting(blocks, counted)) or [scenario.tables["movements"]], ignore_index=True)
        GpkgStore(Path(target)).create(Workspace({**scenario.tables, "movements": movements}, scenario.history))
        shown = target
    else:
        folder = Path(target)
        if folder.exists() and any(folder.iterdir()):
            raise WorkspaceError([f"{target}: -: exists and is not empty; copy into a new folder"])
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            counted[0] = _write_folder(staging, scenario, blocks)
            if folder.exists():
                folder.rmdir()
            os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        shown = target
    sizes = ", ".join(f"{len(scenario.tables[t]):,} {t}" for t in TABLES[1:] if t != "movements"
                      and (t not in OPTIONAL_TABLES or len(scenario.tables[t])))
    changes = len(scenario.history)
    return [f"copied {scenario.label} into {shown}: {sizes}, {counted[0]:,} movements, "
            f"{changes:,} change{'' if changes == 1 else 's'} of history"]
