"""Command line: `python -m briefing export --from D --to D --out FILE [options]`.

Bad options get one line on stderr and exit code 2, before anything is drawn or
written; a failure while rendering gets one line and exit code 1. No partial
file is ever left behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Final, NoReturn

from analysis.changes import SideError, check_order, parse_side, town_points
from briefing.compare_slide import CompareRequest
from briefing.export import (COMPARE_FORMATS, FORMATS, PACK_FORMATS, TIMELAPSE_FORMATS, ExportRequest, default_size,
                             export)
from briefing.outputs import OutputError, check_writable, mp4_problem
from briefing.sizes import A4, SizeError, parse_size
from geodata.windows import PACK_STEPS, dated_windows, default_window, stepped_windows
from geodata import BUNDLED, MovementFilter, Scenario, ScenarioError, load_scenario
from geodata.schema import CATEGORIES, CONFIDENCES, MODES
from layers.mercator import MAX_LATITUDE, ZOOMS, Camera
from layers.view import LAYER_TOGGLES, MapView

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
    return parser


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
    base_view = MapView(start=scenario.meta.start, end=scenario.meta.end, keep=keep, show=show, theme=args.theme,
                        camera=_camera(args.camera))
    if args.compare is not None:
        return ExportRequest(scenario, (base_view,), out, size, title=_text(args.title, "--title"),
                             banner=_text(args.banner, "--banner"), compare=_compare(args, scenario, fmt))
    windows = _windows(args, scenario, fmt)
    return ExportRequest(
        scenario=scenario,
        views=tuple(replace(base_view, start=first, end=last) for first, last in windows),
        out=out,
        size=size,
        title=_text(args.title, "--title"),
        banner=_text(args.banner, "--banner"),
        tables=bool(args.dates or args.every) and fmt in ("pdf", "pptx"),
    )


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
    except Exception as err:  # one line, never a stack trace; the file is not written
        _say(f"python -m briefing: export failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        return 1
    if result.notice:
        _say(result.notice)
    size = result.path.stat().st_size
    pages = f", {total} {'slides' if total > 1 else 'slide'}" if total > 1 else ""
    print(f"wrote {result.path} ({size / 1e6:.1f} MB{pages}) in {result.seconds:.1f} s with {result.renderer}")
    return 0
