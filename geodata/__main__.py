"""Command line: `python -m geodata check PATH`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geodata.loader import check_scenario
from geodata.model import Scenario


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
    args = parser.parse_args(argv)
    return check(args.path)


if __name__ == "__main__":
    sys.exit(main())
