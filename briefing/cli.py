"""Command line: `python -m briefing export --from D --to D --out FILE [options]`.

Bad options get one line on stderr and exit code 2, before anything is drawn or
written; a failure while rendering gets one line and exit code 1. No partial
file is ever left behind.
"""

from __future__ import annotations

import argparse
import logging
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Final, NoReturn

from analysis.changes import SideError, check_order, parse_side, town_points
from briefing.compare_slide import CompareRequest
from briefing.errors import one_line
from briefing.export import (COMPARE_FORMATS, FORMATS, PACK_FORMATS, TIMELAPSE_FORMATS, ExportRequest, default_size,
                             export)
from briefing.outputs import OutputError, check_writable, mp4_problem
from briefing.pptx_template import TemplateError, check_template
from analysis.reach import DEFAULT_STOPS, ReachError, ReachQuery, check_query
from briefing.sizes import A4, SizeError, parse_size
from geodata.windows import PACK_STEPS, dated_windows, default_window, stepped_windows
from geodata import BUNDLED, MovementFilter, Scenario, ScenarioError, load_scenario
from geodata.schema import CATEGORIES, CONFIDENCES, MODES
from layers.mercator import MAX_LATITUDE, ZOOMS, Camera
from layers.rings import parse_rings
from layers.view import LAYER_TOGGLES, MapView

LOG = logging.getLogger("footprint.briefing")
MAX_SLIDES: Final = 400
MAX_TEXT: Final = 160


class OptionError(Exception):
    """A bad option; the message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise OptionError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m briefing", description="Export framed briefing maps.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    e = commands.add_parser("export", help="a framed PNG, PDF, HTML map, slide pack or timelapse")
    e.add_argument("--data", help="scenario folder or .gpkg (default: the bundled scenario)")
    e.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day of the window")
    e.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day of the window")
    e.add_argument("--out", required=True, type=Path, help=f"output file: .{', .'.join(FORMATS)}")
    e.add_argument("--size", help="WxH in pixels (default 1920x1080; 3840x2160 for 4K) or a4 (PDF default)")
    e.add_argument("--dates", help="D1,D2,...: one slide per date, each with the movements since the last")
    e.add_argument("--every", choices=PACK_STEPS, help="one slide or frame per week or month of --from/--to")
    e.add_argument("--compare", metavar="A,B", help="a 'what changed' slide from A to B, each YYYY-MM-DD or "
                                                    "YYYY-MM-DD/YYYY-MM-DD (.png, .pdf, .pptx)")
    e.add_argument("--category", help=f"comma-separated: {', '.join(CATEGORIES)}")
    e.add_argument("--mode", help=f"comma-separated: {', '.join(MODES)}")
    e.add_argument("--confidence", help=f"comma-separated: {', '.join(CONFIDENCES)}")
    e.add_argument("--operator", help="comma-separated actor ids of the scenario")
    e.add_argument("--base", help="comma-separated base ids of the scenario")
    e.add_argument("--layers", help=f"comma-separated subset of: {', '.join(LAYER_TOGGLES)} (default all)")
    e.add_argument("--camera", metavar="LAT,LON,ZOOM", help="map centre and zoom as in the dashboard's URL")
    e.add_argument("--theme", choices=("light", "dark"), default="light")
    e.add_argument("--title", default="", help="title instead of the scenario's")
    e.add_argument("--banner", default="", help='handling banner, top and bottom, e.g. "UNCLASSIFIED // FOR TRAINING"')
    e.add_argument("--template", type=Path, metavar="FILE.pptx", help="for .pptx: build on this PowerPoint template")
    _reach_options(e)
    return parser


def _reach_options(e: argparse.ArgumentParser) -> None:
    """Range rings and the air bridge, as the dashboard's Reach panel sets them."""
    e.add_argument("--rings", metavar="BASE:SYSTEM|KM,...",
                   help="range rings: BASE:SYSTEM_ID, BASE:KM or BASE:MIN-MAX, comma-separated, e.g. hmeimim:s400_40n6")
    e.add_argument("--side", metavar="ACTOR", help="whose bases carry the rings (default: the scenario's main side)")
    e.add_argument("--reach", metavar="SYSTEM", help="draw the air bridge of this system on each slide's last day")
    e.add_argument("--reach-from", metavar="BASE,...", default="", help="its origins")
    e.add_argument("--reach-to", metavar="BASE,...", default="", help="its destinations")
    e.add_argument("--reach-without", metavar="BASE,...", default="", help="compare without these bases")
    e.add_argument("--reach-allow", metavar="BASE,...", default="", help="extra stopovers")
    e.add_argument("--reach-stops", type=int, default=DEFAULT_STOPS, metavar="N", help="most stopovers (default 2)")
    e.add_argument("--detour", action="store_true", help="legs may bend round closed airspace")


def _reach_view(args: argparse.Namespace, scenario: Scenario, day: dt.date) -> dict:
    """The MapView fields of the rings and the air bridge; raises OptionError naming the option."""
    rings, problems = parse_rings(args.rings or "", scenario)
    if problems:
        raise OptionError(f"--rings {problems[0]}")
    if args.side is not None and args.side not in scenario.actors.index:
        raise OptionError(f"--side {args.side!r}: not an actor id of the scenario")
    reach = None
    if args.reach:
        ids = {name: tuple(v.strip() for v in getattr(args, name).split(",") if v.strip())
               for name in ("reach_from", "reach_to", "reach_without", "reach_allow")}
        reach = ReachQuery(args.reach.strip(), ids["reach_from"], ids["reach_to"],
                           allow=frozenset(ids["reach_allow"]), without=frozenset(ids["reach_without"]),
                           stops=args.reach_stops, detour=args.detour)
        try:
            check_query(scenario, reach, day)
        except ReachError as err:
            option = {"system": "--reach", "origins": "--reach-from", "destinations": "--reach-to",
                      "allow": "--reach-allow", "without": "--reach-without", "stops": "--reach-stops"}
            raise OptionError(f"{option.get(err.field, '--reach')} {err}") from None
    return {"rings": rings, "side": args.side or "", "reach": reach}


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OptionError(f"{option} {text!r}: not a date (YYYY-MM-DD)") from None


def _in_period(day: dt.date, option: str, scenario: Scenario) -> dt.date:
    meta = scenario.meta
    if not meta.start <= day <= meta.end:
        raise OptionError(f"{option} {day}: outside the scenario's period {meta.start} to {meta.end}")
    return day


def _values(text: str | None, option: str, allowed: Iterable[str]) -> frozenset[str]:
    if text is None:
        return frozenset()
    allowed = list(allowed)
    values = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        listed = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
        raise OptionError(f"{option} {unknown[0]!r}: not one of {listed}")
    return frozenset(values)


def _camera(text: str | None) -> Camera | None:
    if text is None:
        return None
    try:
        latitude, longitude, zoom = (float(part) for part in text.split(","))
    except ValueError:
        raise OptionError(f"--camera {text!r}: use LAT,LON,ZOOM, e.g. 33.5,36.3,6") from None
    camera = Camera(latitude, longitude, zoom)
    if not camera.in_range():
        raise OptionError(f"--camera {text}: latitude ±{MAX_LATITUDE:.0f}, longitude ±180, zoom {ZOOMS[0]:g}–{ZOOMS[1]:g}")
    return camera


def _text(value: str, option: str) -> str:
    value = " ".join(value.split())  # one line: newlines and tabs would break the frame
    if len(value) > MAX_TEXT:
        raise OptionError(f"{option}: at most {MAX_TEXT} characters")
    return value


def _windows(args: argparse.Namespace, scenario: Scenario, fmt: str) -> list[tuple[dt.date, dt.date]]:
    meta = scenario.meta
    if args.dates and args.every:
        raise OptionError("--dates and --every: give one or the other")
    start = _in_period(_date(args.start, "--from"), "--from", scenario) if args.start else None
    end = _in_period(_date(args.end, "--to"), "--to", scenario) if args.end else None
    if start and end and end < start:
        raise OptionError(f"--to {end} is before --from {start}")
    if not (args.dates or args.every):
        if fmt in TIMELAPSE_FORMATS:
            raise OptionError(f"--out .{fmt} is a timelapse: add --every week|month or --dates D1,D2,...")
        first, last = default_window(meta.period)  # the dashboard's opening window, and its width
        if start and not end:
            end = min(meta.end, start + (last - first))
        elif end and not start:
            start = max(meta.start, end - (last - first))
        return [(start or first, end or last)]
    if fmt not in PACK_FORMATS:
        raise OptionError(f"--dates/--every make one slide per date: use --out .{', .'.join(PACK_FORMATS)}")
    if args.every:
        windows = stepped_windows(start or meta.start, end or meta.end, args.every)
    else:
        dates = [_in_period(_date(d, "--dates"), "--dates", scenario) for d in args.dates.split(",") if d.strip()]
        if any(b <= a for a, b in zip(dates, dates[1:])):
            raise OptionError("--dates: give the dates in increasing order, each once")
        if start and dates and dates[0] < start:
            raise OptionError(f"--dates {dates[0]} is before --from {start}")
        windows = dated_windows(dates, start or meta.start)
    if not windows:
        raise OptionError("--dates: no date given")
    if len(windows) > MAX_SLIDES:
        raise OptionError(f"{len(windows)} slides: at most {MAX_SLIDES}; use --every month or fewer --dates")
    return windows


def _compare(args: argparse.Namespace, scenario: Scenario, fmt: str) -> CompareRequest:
    """--compare A,B: two days or windows of the scenario's period, B not before A."""
    given = [option for option, value in (("--from", args.start), ("--to", args.end), ("--dates", args.dates),
                                          ("--every", args.every)) if value]
    if given:
        raise OptionError(f"--compare and {given[0]}: the compare slide takes its dates from --compare A,B")
    if fmt not in COMPARE_FORMATS:
        raise OptionError(f"--compare makes one slide: use --out .{', .'.join(COMPARE_FORMATS)}")
    parts = args.compare.split(",")
    if len(parts) != 2:
        raise OptionError(f"--compare {args.compare!r}: give A,B (each YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD)")
    try:
        a, b = (parse_side(part, scenario.meta.period) for part in parts)
        check_order(a, b)
    except SideError as err:
        raise OptionError(f"--compare {err}") from None
    return CompareRequest(a, b, town_points(Path(args.data).expanduser() if args.data else BUNDLED))


def request_from(args: argparse.Namespace) -> ExportRequest:
    """Check every option against the scenario; raises OptionError with the first problem."""
    out: Path = args.out
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise OptionError(f"--out {out}: unknown extension; use .{', .'.join(FORMATS)}")
    try:
        check_writable(out)
    except OutputError as err:
        raise OptionError(str(err)) from None
    if fmt == "mp4" and mp4_problem():
        raise OptionError(mp4_problem())
    try:
        size = parse_size(args.size) if args.size else default_size(fmt)
    except SizeError as err:
        raise OptionError(str(err)) from None
    if size is A4 and fmt != "pdf":
        raise OptionError(f"--size {args.size}: A4 is for .pdf; give WxH in pixels for .{fmt}")
    try:
        scenario = load_scenario(args.data)
    except ScenarioError as err:
        lines = err.problems.lines()
        raise OptionError(f"--data {args.data}: not a valid scenario ({lines[0] if lines else 'unreadable'}; "
                          f"`python -m geodata check {args.data}` lists every problem)") from None
    except OSError as err:
        raise OptionError(f"--data {args.data}: {err.strerror or err}") from None
    keep = MovementFilter(
        categories=_values(args.category, "--category", CATEGORIES),
        modes=_values(args.mode, "--mode", MODES),
        confidences=_values(args.confidence, "--confidence", CONFIDENCES),
        operators=_values(args.operator, "--operator", scenario.actors.index),
        bases=_values(args.base, "--base", scenario.bases.index),
    )
    show = frozenset(LAYER_TOGGLES) if args.layers is None else _values(args.layers, "--layers", LAYER_TOGGLES)
    if args.compare is not None:
        compare_view = MapView(start=scenario.meta.start, end=scenario.meta.end, keep=keep, show=show,
                               theme=args.theme, camera=_camera(args.camera))
        return ExportRequest(scenario, (compare_view,), out, size, title=_text(args.title, "--title"),
                             banner=_text(args.banner, "--banner"), compare=_compare(args, scenario, fmt))
    windows = _windows(args, scenario, fmt)
    base_view = MapView(start=scenario.meta.start, end=scenario.meta.end, keep=keep, show=show, theme=args.theme,
                        camera=_camera(args.camera), **_reach_view(args, scenario, windows[0][1]))
    return ExportRequest(
        scenario=scenario,
        views=tuple(replace(base_view, start=first, end=last) for first, last in windows),
        out=out,
        size=size,
        title=_text(args.title, "--title"),
        banner=_text(args.banner, "--banner"),
        tables=bool(args.dates or args.every) and fmt in ("pdf", "pptx"),
        template=_template(args.template, fmt),
    )


def _template(path: Path | None, fmt: str) -> Path | None:
    if path is None:
        return None
    if fmt != "pptx":
        raise OptionError(f"--template {path}: a template is for .pptx output")
    try:
        check_template(path)
    except TemplateError as err:
        raise OptionError(f"--template {err}") from None
    return path


def parse_request(argv: list[str] | None = None) -> ExportRequest:
    """The export that `argv` asks for; raises OptionError."""
    return request_from(_parser().parse_args(argv))


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    try:
        request = parse_request(argv)
    except OptionError as err:
        _say(f"python -m briefing: error: {err}")
        return 2
    total = len(request.views)

    def progress(done: int, _total: int) -> None:
        if total > 1 and sys.stderr.isatty():
            print(f"\rslide {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    try:
        result = export(request, progress=progress)
    except Exception as err:  # one line for the user, the traceback to the log; the file is not written
        LOG.exception("export to %s failed", request.out)
        _say(f"python -m briefing: export failed: {one_line(err)}")
        return 1
    if result.notice:
        _say(result.notice)
    size = result.path.stat().st_size
    count = len(result.page_texts) or total  # a pack's tables may continue on slides of their own
    pages = f", {count} {'slides' if count > 1 else 'slide'}" if count > 1 else ""
    print(f"wrote {result.path} ({size / 1e6:.1f} MB{pages}) in {result.seconds:.1f} s with {result.renderer}")
    return 0
