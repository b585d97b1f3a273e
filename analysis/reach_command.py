"""`python -m analysis reach`: which destinations a system reaches from some bases on a day.

    python -m analysis reach [--data PATH] --system ID --from BASE[,BASE...] --to BASE[,BASE...]
        --date YYYY-MM-DD [--actor ID] [--allow BASE,...] [--without BASE,...] [--stops N]
        [--detour] [--json]

One line per destination: its legs with their km and the total, or "unreachable"
with the shortest last leg and why it cannot be flown. `--json` prints
{"routes": [{"destination", "reachable", "legs": [[FROM, TO, KM], ...], "km"}]}.
Exit 0; 2 for a bad option, an unknown id or date, or a system without a range,
with a one-line error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import NoReturn

from analysis.reach import DEFAULT_STOPS, MAX_STOPS, ReachError, ReachQuery, find_routes, route_text
from geodata import ScenarioError, load_scenario

PROG = "python -m analysis reach"


class _OptionError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _OptionError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Which destinations a system reaches from some bases on a day, "
                                            "by which stopovers, with and without some bases.")
    parser.add_argument("--data", help="scenario folder or .gpkg (default: the bundled scenario)")
    parser.add_argument("--system", required=True, help="a system id of systems.csv, e.g. il76md")
    parser.add_argument("--from", dest="origins", required=True, metavar="BASE[,BASE...]", help="origin base ids")
    parser.add_argument("--to", dest="destinations", required=True, metavar="BASE[,BASE...]",
                        help="destination base ids")
    parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day: holders, presences, closures")
    parser.add_argument("--actor", default="", help="whose aircraft (default: who holds the first origin that day)")
    parser.add_argument("--allow", default="", metavar="BASE,...", help="extra stopovers, e.g. a friendly state's airport")
    parser.add_argument("--without", default="", metavar="BASE,...", help="bases to take away")
    parser.add_argument("--stops", type=int, default=DEFAULT_STOPS, help=f"most stopovers, 0–{MAX_STOPS} "
                                                                         f"(default {DEFAULT_STOPS})")
    parser.add_argument("--detour", action="store_true",
                        help="let a leg bend round closed airspace without landing (default: straight legs only)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of one line per destination")
    return parser


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


OPTIONS = {"system": "--system", "origins": "--from", "destinations": "--to", "allow": "--allow",
           "without": "--without", "actor": "--actor", "stops": "--stops", "day": "--date"}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        try:
            day = dt.date.fromisoformat(args.date.strip())
        except ValueError:
            raise _OptionError(f"--date {args.date!r}: not a date (YYYY-MM-DD)") from None
        try:
            scenario = load_scenario(args.data)
        except ScenarioError as err:
            first = (err.problems.lines() or ["unreadable"])[0]
            raise _OptionError(f"--data {args.data}: not a valid scenario ({first})") from None
        except OSError as err:
            raise _OptionError(f"--data {args.data}: {err.strerror or err}") from None
        query = ReachQuery(system=args.system.strip(), origins=_ids(args.origins), destinations=_ids(args.destinations),
                           actor=args.actor.strip(), allow=frozenset(_ids(args.allow)),
                           without=frozenset(_ids(args.without)), stops=args.stops, detour=args.detour)
        try:
            reach = find_routes(scenario, query, day)
        except ReachError as err:
            raise _OptionError(f"{OPTIONS[err.field]} {err}") from None
    except _OptionError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(reach.as_json(), ensure_ascii=False))
    else:
        for route in reach.routes:
            print(route_text(route))
    return 0
