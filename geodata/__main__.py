"""Command line: `python -m geodata check PATH` and `python -m geodata import FILE... --into WORKSPACE.gpkg`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geodata.loader import check_scenario
from geodata.model import Scenario
from geodata.schema import CONFIDENCES


def summary(scenario: Scenario) -> list[str]:
    meta, movements = scenario.meta, scenario.movements
    states = len(scenario.zone_change_dates())
    span = (f" ({movements['date'].min():%Y-%m-%d} to {movements['until'].max():%Y-%m-%d})"
            if len(movements) else "")
    return [
        f"OK: {meta.title} [{scenario.name}]",
        f"period {meta.start} to {meta.end}",
        f"{len(scenario.actors)} actors, {len(scenario.bases)} bases, "
        f"{len(scenario.zones)} zone shapes in {states} dated states, {len(movements):,} movements{span}",
    ]


def check(path: Path) -> int:
    try:
        scenario, problems = check_scenario(path)
    except Exception as err:  # a checker that crashes is no checker: say what happened instead
        print(f"{path}: -: could not be checked: {type(err).__name__}: {err}")
        return 1
    lines = problems.lines()
    if scenario is None:
        print("\n".join(lines))
        return 1
    print("\n".join(summary(scenario) + lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate a scenario folder or .gpkg")
    check_parser.add_argument("path", type=Path)
    import_parser = commands.add_parser(
        "import", help="import files into a workspace .gpkg (created when missing)",
        description="Import .csv, .xlsx, .geojson, .gpkg, .kml, .kmz or zipped shapefiles (.zip); "
                    "nothing is written when any file has errors.")
    import_parser.add_argument("files", nargs="+", metavar="FILE")  # str: Path would turn http:// into http:/
    import_parser.add_argument("--into", required=True, type=Path, metavar="WORKSPACE.gpkg")
    import_parser.add_argument("--as", dest="table", choices=("bases", "zones", "movements"),
                               help="what the files hold (default: inferred from geometry or columns)")
    import_parser.add_argument("--map", action="append", default=[], metavar="THEIRS=OURS,...",
                               help="map the file's columns to the scenario format's (may be given again)")
    import_parser.add_argument("--confidence", choices=CONFIDENCES, help="for records that give none")
    import_parser.add_argument("--set", action="append", default=[], metavar="OURS=VALUE,...",
                               help="a value for records that give none, e.g. --set kind=airport "
                                    "(may be given again)")
    import_parser.add_argument("--mapping", type=Path, metavar="FILE.json", help="reuse a saved mapping")
    import_parser.add_argument("--save-mapping", type=Path, metavar="FILE.json",
                               help="save the mapping used, to reuse with --mapping")
    import_parser.add_argument("--author", default="", help="name recorded in the change history (default: "
                               "the login name)")
    args = parser.parse_args(argv)
    if args.command == "import":
        # Imported here so that `check` needs none of the importers' dependencies.
        from geodata.imports.command import run_import

        values = ",".join(filter(None, [f"confidence={args.confidence}" if args.confidence else "", *args.set]))
        return run_import(args.files, args.into, args.table, ",".join(args.map), values, args.mapping,
                          args.save_mapping, args.author)
    return check(args.path)


if __name__ == "__main__":
    sys.exit(main())
