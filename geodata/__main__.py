"""Command line: `python -m geodata check PATH|URL`, `python -m geodata import FILE... --into WORKSPACE`
and `python -m geodata copy SOURCE TARGET`."""

from __future__ import annotations

import argparse
import logging
import sys

from geodata.dburl import is_database_url, masked
from geodata.imports.mapping import TARGETS
from geodata.loader import check_scenario
from geodata.model import Scenario
from geodata.schema import CONFIDENCES

log = logging.getLogger("geodata")


def shown(target: str) -> str:
    """A path as given; a database address with its password masked."""
    return masked(target) if is_database_url(target) else target


def summary(scenario: Scenario) -> list[str]:
    meta = scenario.meta
    states = len(scenario.zone_change_dates())
    if scenario.database is not None:
        count, first, last = scenario.database.extent()
    else:
        movements = scenario.movements
        count = len(movements)
        first, last = (movements["date"].min(), movements["until"].max()) if count else (None, None)
    span = f" ({first:%Y-%m-%d} to {last:%Y-%m-%d})" if count else ""
    return [
        f"OK: {meta.title} [{scenario.name}]",
        f"period {meta.start} to {meta.end}",
        f"{len(scenario.actors)} actors, {len(scenario.bases)} bases, "
        f"{len(scenario.zones)} zone shapes in {states} dated states, {count:,} movements{span}",
    ]


def check(target: str) -> int:
    try:
        scenario, problems = check_scenario(target)
    except Exception as err:  # a checker that crashes is no checker: say what happened instead
        log.exception("checking %s failed", shown(target))
        print(f"{shown(target)}: -: could not be checked: {type(err).__name__}: {err}")
        return 1
    lines = problems.lines()
    if scenario is None:
        print("\n".join(lines))
        return 1
    print("\n".join(summary(scenario) + lines))
    return 0


def copy(source: str, target: str) -> int:
    from geodata.copy import copy as copy_scenario
    from geodata.workspace_store import WorkspaceError

    try:
        print("\n".join(copy_scenario(source, target)))
    except WorkspaceError as err:
        print("\n".join(err.lines + ["refused: nothing was written"]))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate a scenario folder, a .gpkg or a database schema")
    check_parser.add_argument("path", metavar="PATH|URL")  # str: a Path would fold postgresql:// into postgresql:/
    copy_parser = commands.add_parser(
        "copy", help="copy a scenario folder, a .gpkg or a database schema into a new one, with its history",
        description="SOURCE and TARGET are each a scenario folder, a .gpkg file or a "
                    "postgresql://USER@HOST:PORT/DB?schema=NAME address; TARGET must not exist yet "
                    "(an empty folder, a new file, a schema without a workspace).")
    copy_parser.add_argument("source", metavar="SOURCE")
    copy_parser.add_argument("target", metavar="TARGET")
    import_parser = commands.add_parser(
        "import", help="import files into a workspace: a .gpkg (created when missing) or a database schema",
        description="Import .csv, .xlsx, .geojson, .gpkg, .kml, .kmz or zipped shapefiles (.zip); "
                    "nothing is written when any file has errors.")
    import_parser.add_argument("files", nargs="+", metavar="FILE")  # str: Path would turn http:// into http:/
    import_parser.add_argument("--into", required=True, metavar="WORKSPACE.gpkg|URL")
    import_parser.add_argument("--as", dest="table", choices=TARGETS,
                               help="what the files hold (default: inferred from geometry or columns)")
    import_parser.add_argument("--map", action="append", default=[], metavar="THEIRS=OURS,...",
                               help="map the file's columns to the scenario format's (may be given again)")
    import_parser.add_argument("--confidence", choices=CONFIDENCES, help="for records that give none")
    import_parser.add_argument("--set", action="append", default=[], metavar="OURS=VALUE,...",
                               help="a value for records that give none, e.g. --set kind=airport "
                                    "(may be given again)")
    import_parser.add_argument("--mapping", metavar="FILE.json", help="reuse a saved mapping")
    import_parser.add_argument("--save-mapping", metavar="FILE.json",
                               help="save the mapping used, to reuse with --mapping")
    import_parser.add_argument("--author", default="", help="name recorded in the change history (default: "
                               "the login name)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "import":
        # Imported here so that `check` needs none of the importers' dependencies.
        from pathlib import Path

        from geodata.imports.command import run_import

        values = ",".join(filter(None, [f"confidence={args.confidence}" if args.confidence else "", *args.set]))
        return run_import(args.files, args.into, args.table, ",".join(args.map), values,
                          Path(args.mapping) if args.mapping else None,
                          Path(args.save_mapping) if args.save_mapping else None, args.author)
    if args.command == "copy":
        return copy(args.source, args.target)
    return check(args.path)


if __name__ == "__main__":
    sys.exit(main())
