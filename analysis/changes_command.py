"""`python -m analysis changes --data PATH --from A --to B [--json]`: what changed from A to B.

A and B are days (YYYY-MM-DD) or windows (YYYY-MM-DD/YYYY-MM-DD). Bad options
print one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from analysis.changes import (MOVEMENT_DAYS, ChangeReport, SideError, change_report, check_order, parse_side,
                              report_json, report_text, town_points)
from geodata import BUNDLED, ScenarioError, load_scenario

PROG = "python -m analysis changes"


class OptionError(Exception):
    """A bad option; the message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise OptionError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="What changed between two dates: land, bases, towns, presences, "
                                            "movements.")
    parser.add_argument("--data", help="scenario folder or .gpkg (default: the bundled scenario)")
    parser.add_argument("--from", dest="a", required=True, metavar="A",
                        help=f"YYYY-MM-DD (movements: the {MOVEMENT_DAYS} days up to it) or YYYY-MM-DD/YYYY-MM-DD")
    parser.add_argument("--to", dest="b", required=True, metavar="B", help="as --from; not before it")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _report(args: argparse.Namespace) -> ChangeReport:
    try:
        scenario = load_scenario(args.data)
    except ScenarioError as err:
        lines = err.problems.lines()
        raise OptionError(f"--data {args.data}: not a valid scenario ({lines[0] if lines else 'unreadable'})") from None
    except OSError as err:
        raise OptionError(f"--data {args.data}: {err.strerror or err}") from None
    period = scenario.meta.period
    sides = {}
    for option, text in (("--from", args.a), ("--to", args.b)):
        try:
            sides[option] = parse_side(text, period)
        except SideError as err:
            raise OptionError(f"{option} {err}") from None
    a, b = sides["--from"], sides["--to"]
    try:
        check_order(a, b)
    except SideError:
        raise OptionError(f"--to {args.b} is before --from {args.a}") from None
    folder = Path(args.data).expanduser() if args.data else BUNDLED
    return change_report(scenario, a, b, town_points(folder))


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        report = _report(args)
    except OptionError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=1))
    else:
        print("\n".join(report_text(report)).rstrip())
    return 0
