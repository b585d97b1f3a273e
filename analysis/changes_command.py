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

from analysis.changes import (MOVEMENT_DAYS, ChangeReport, SideError, base_text, change_report, check_order,
                              holders_text, parse_side, presence_text, report_json, route_name, town_points)
from analysis.counts import plural
from geodata import BUNDLED, ScenarioError, load_scenario

PROG = "python -m analysis changes"
MAX_ROUTES = 10


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


def _km2(value: float) -> str:
    return f"{round(value):,}"


def report_lines(report: ChangeReport) -> list[str]:
    """The report as text, section by section."""
    a, b = report.a, report.b
    lines = [f"What changed from A ({a.label}) to B ({b.label})",
             f"Zones and holders as of each day; A's {a.movements_label}, B's {b.movements_label}.", ""]
    if report.actors:
        width = max(len(report.name(land.actor)) for land in report.actors)
        lines.append(f"{'Land held, km²':{width}}  {'A':>10}  {'B':>10}  {'gained':>10}  {'lost':>10}")
        lines += [f"{report.name(land.actor):{width}}  {_km2(land.km2_a):>10}  {_km2(land.km2_b):>10}  "
                  f"{_km2(land.gained):>10}  {_km2(land.lost):>10}" for land in report.actors]
        lines.append("")
    sections = [
        ("Land that changed hands", [f"{holders_text(c.old, c.new, report)}: {_km2(c.km2)} km²" for c in report.land]),
        ("Bases whose holder or presences changed", [f"{c.name}: {base_text(c, report)}" for c in report.bases]),
        ("Towns that changed hands", [f"{t.name}: {holders_text(t.holder_a, t.holder_b, report)} from "
                                      f"{t.date:%-d %b %Y} ({t.confidence}; {t.source})" for t in report.towns]),
        ("Presences started and ended", [f"{presence_text(e, report)} ({e.confidence}; {e.source})"
                                         for e in report.presences]),
        ("Movements under way, by category (A, B)", [f"{category}: {n_a}, {n_b}"
                                                     for category, (n_a, n_b) in report.categories.items()]),
        ("Routes with the largest changes (movements under way in A, B)",
         [f"{route_name(r)}: {r.a}, {r.b}" for r in report.routes[:MAX_ROUTES]]
         + ([f"… and {plural(len(report.routes) - MAX_ROUTES, 'more route')}"]
            if len(report.routes) > MAX_ROUTES else [])),
    ]
    for title, items in sections:
        lines += [title, *(f"  {item}" for item in items or ["none"]), ""]
    return lines


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
        print("\n".join(report_lines(report)).rstrip())
    return 0
