"""`python -m geodata import FILE... --into WORKSPACE`: preview, then import all or nothing.

The workspace is a .gpkg file or a postgresql://USER@HOST:PORT/DB?schema=NAME address.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from geodata.imports.apply import ImportRefused, import_into, preview_import
from geodata.imports.infer import cannot_tell, infer_table
from geodata.imports.mapping import (
    Mapping,
    find_header,
    load_mapping,
    map_pairs,
    mapping_json,
    override,
    propose,
)
from geodata.imports.preview import Source
from geodata.imports.sources import read_path
from geodata.problems import Problems
from geodata.workspace import target_of
from geodata.workspace_store import WorkspaceError, columns, store_for

HINT = ("hint: a missing column is filled by mapping one of the file's columns to it (--map THEIRS=OURS) "
        "or by one value for every row (--set OURS=VALUE)")


def _values(option: str) -> dict[str, str]:
    """The `--set OURS=VALUE,...` option as {ours: value}."""
    pairs = (pair.partition("=") for pair in option.split(",") if pair.strip())
    return {ours.strip(): value.strip() for ours, _, value in pairs}


def _sources(files: list[str], table: str | None, map_option: str, set_option: str,
             saved: Mapping | None, problems: Problems) -> list[Source]:
    sources = []
    for path in files:
        for part in read_path(path, problems):
            wanted = table or (saved.table if saved else None) or infer_table(part)
            if wanted is None:
                problems.error(part.label, None, "-", cannot_tell(part))
                continue
            headers = [str(c) for c in part.frame.columns if c != "geometry"]
            mapping = saved if saved and saved.table == wanted else propose(wanted, headers)
            mapping = override(mapping, map_option, headers, part.label, problems)
            values = {ours: value for ours, value in _values(set_option).items() if ours in columns(wanted)}
            sources.append(Source(part, Mapping(wanted, mapping.columns, {**mapping.defaults, **values})))
    _check_options(sources, map_option, set_option, problems)
    return sources


def _check_options(sources: list[Source], map_option: str, set_option: str, problems: Problems) -> None:
    """Options that fit none of the files are mistakes: say so rather than ignore them."""
    if not sources:
        return
    headers = [str(c) for source in sources for c in source.part.frame.columns]
    for theirs, ours in map_pairs(map_option):
        if find_header(theirs, headers) is None:
            problems.error("--map", None, f"{theirs}={ours}", f"no file has a column {theirs!r}")
    known = {name for source in sources for name in columns(source.mapping.table)}
    for ours in _values(set_option).keys() - known:
        problems.error("--set", None, ours or "-", "no file is imported into a table with this column")


def run_import(files: list[str], into: Path | str, table: str | None = None, map_option: str = "",
               set_option: str = "", mapping_file: Path | None = None,
               save_mapping: Path | None = None, author: str = "") -> int:
    """Print the preview and import; 0 when imported, 1 when refused (nothing is written then)."""
    problems = Problems()
    saved = None
    if mapping_file is not None:
        saved = load_mapping(mapping_file.read_text(encoding="utf-8"), mapping_file.name, problems)
    sources = _sources(files, table, map_option, set_option, saved, problems)
    target = target_of(into)
    name = store_for(target).label
    if isinstance(target, Path) and target.suffix.lower() != ".gpkg":
        problems.error(name, None, "-", "a workspace is a .gpkg file or a postgresql:// address")
    if problems.errors or not sources:
        print("\n".join(problems.lines() + ["refused: nothing was written"]))
        return 1
    try:
        plan = preview_import(target, sources)
        print("\n".join(plan.lines() + problems.lines()))
        if plan.refused:
            missing = any(p.message == "missing column" for preview in plan.previews for p in preview.problems.errors)
            print("\n".join(([HINT] if missing else []) + ["refused: nothing was written"]))
            return 1
        if save_mapping is not None:
            save_mapping.write_text(mapping_json(sources[0].mapping), encoding="utf-8")
        number, plan = import_into(target, sources, author or getpass.getuser())
    except ImportRefused as refused:  # the workspace changed between the preview and the write
        print("\n".join(refused.plan.lines() + ["refused: nothing was written"]))
        return 1
    except WorkspaceError as err:
        print("\n".join(err.lines + ["refused: nothing was written"]))
        return 1
    print(f"imported {plan.added:,} records into {name} (change #{number})" if number
          else f"nothing new to import into {name}")
    return 0
