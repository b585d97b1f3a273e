"""The Export control: the current view as one slide, a pack or a timelapse, in every format the command
line writes, for download.

Nothing is drawn until "Prepare" is pressed; the file is kept for the view and the options it was
made for, and offered again only while they stay the same. What each kind of export asks for is one
row of KINDS (its formats, its inputs, the windows of its slides); an input is one function of INPUTS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import streamlit as st

from analysis.changes import Side, SideError, check_order, default_sides, parse_side, town_points
from briefing.cli import MAX_SLIDES
from briefing.compare_slide import CompareRequest
from briefing.errors import one_line
from briefing.export import ExportRequest, export
from briefing.outputs import mp4_problem
from briefing.pptx_template import TemplateError, check_template
from briefing.sizes import A4, SLIDE, SLIDE_4K, Size
from geodata import Scenario
from geodata.windows import PACK_STEPS, Window, dated_windows, stepped_windows
from layers.view import MapView
from ui.session import compare_sides

PPTX_MIME: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
FORMATS: Final = {"PNG": ("png", "image/png"), "PDF": ("pdf", "application/pdf"), "HTML": ("html", "text/html"),
                  "PPTX": ("pptx", PPTX_MIME), "GIF": ("gif", "image/gif"), "MP4": ("mp4", "video/mp4")}
SIZES: Final = {"1920×1080 slide": SLIDE, "3840×2160 slide": SLIDE_4K, "A4 landscape": A4,
                "1280×720": Size("1280x720", 1280, 720)}
SIZES_FOR: Final = {"PNG": ("1920×1080 slide", "3840×2160 slide"), "PDF": ("A4 landscape", "1920×1080 slide"),
                    "HTML": ("1920×1080 slide",), "PPTX": ("1920×1080 slide", "3840×2160 slide"),
                    "GIF": ("1280×720", "1920×1080 slide"), "MP4": ("1920×1080 slide", "1280×720")}
READY_KEY: Final = "export_ready"
LOG = logging.getLogger("footprint.export")


class InputError(ValueError):
    """An input the export cannot use; the message says why, in one line."""


# --- What a kind of export asks for ------------------------------------------------------------------

def _dates(scenario: Scenario, view: MapView) -> tuple[dt.date, ...]:
    text = st.text_input("Dates (YYYY-MM-DD, comma-separated)", key="export_dates",
                         placeholder="e.g. 2024-12-15, 2024-12-31",
                         help=f"One slide per date, each with what moved since the date before; the first "
                              f"since the window's start, {view.start:%-d %b %Y}.")
    return parse_dates(text, view.start, scenario.meta.end)


def _step(scenario: Scenario, view: MapView) -> str:
    return st.radio("Every", PACK_STEPS, key="export_step", horizontal=True,
                    help="Over the window on the slider: widen it for a longer pack.")


def _sides(scenario: Scenario, view: MapView) -> tuple[Side, Side]:
    """A and B: Compare's when it was opened, else a month before the window's end and that day."""
    period = scenario.meta.period
    a, b = compare_sides(period) or default_sides(period, view.end)
    # Keyed by Compare's sides: the field follows them, and an edit holds until they change.
    text = st.text_input("A, B (each a day YYYY-MM-DD or a window YYYY-MM-DD/YYYY-MM-DD)", value=f"{a.query},{b.query}",
                         key=f"export_compare_{a.query}_{b.query}")
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError("give A,B: two days or windows, comma-separated")
    try:
        a, b = (parse_side(part, period) for part in parts)
        check_order(a, b)
    except SideError as err:
        raise InputError(str(err)) from None
    return a, b


INPUTS: Final[dict[str, Callable[[Scenario, MapView], Any]]] = {"dates": _dates, "step": _step, "sides": _sides}


def parse_dates(text: str, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """Dates typed by the analyst, checked: increasing, from `first` to `last`."""
    dates = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            dates.append(dt.date.fromisoformat(part))
        except ValueError:
            raise InputError(f"{part!r} is not a date (YYYY-MM-DD)") from None
    if not dates:
        raise InputError("type one date or more")
    for day in dates:
        if not first <= day <= last:
            raise InputError(f"{day}: outside {first:%-d %b %Y} (the window's start) to {last:%-d %b %Y}")
    if any(b <= a for a, b in zip(dates, dates[1:])):
        raise InputError("give the dates in increasing order, each once")
    return tuple(dates)


@dataclass(frozen=True)
class Kind:
    formats: tuple[str, ...]  # keys of FORMATS, the first the default
    inputs: tuple[str, ...]  # keys of INPUTS
    windows: Callable[[MapView, dict[str, Any]], list[Window]]  # the slides' windows, from the view and the inputs
    tables: bool = False  # pack slides list their window's movements
    suffix: str = ""  # added to the file's name
    help: str = ""
    # More ExportRequest fields, from the inputs and the scenario's folder.
    request: Callable[[dict[str, Any], Path | None], dict[str, Any]] = lambda values, folder: {}
    templated: bool = True  # a PowerPoint export builds on an uploaded house template


def _the_view(view: MapView, values: dict[str, Any]) -> list[Window]:
    return [(view.start, view.end)]


def _per_date(view: MapView, values: dict[str, Any]) -> list[Window]:
    return dated_windows(list(values["dates"]), view.start)


def _per_step(view: MapView, values: dict[str, Any]) -> list[Window]:
    return stepped_windows(view.start, view.end, values["step"])


def _a_to_b(view: MapView, values: dict[str, Any]) -> list[Window]:
    a, b = values["sides"]
    return [(a.first, b.last)]


def _compare_request(values: dict[str, Any], folder: Path | None) -> dict[str, Any]:
    return {"compare": CompareRequest(*values["sides"], town_points(folder))}


KINDS: Final = {
    "One slide": Kind(("PNG", "PDF", "HTML", "PPTX"), (), _the_view,
                      help="PNG for slides, PDF for print, HTML for a map that opens offline in any browser, "
                           "PPTX for a slide to edit in PowerPoint."),
    "Pack: a slide per date": Kind(("PPTX", "PDF"), ("dates",), _per_date, tables=True, suffix="_pack",
                                   help="A slide per date, with the movements since the date before in a table."),
    "Pack: a slide per week or month": Kind(("PPTX", "PDF"), ("step",), _per_step, tables=True, suffix="_pack",
                                            help="The window on the slider, a slide per week or calendar month, "
                                                 "each with its movements in a table."),
    "Timelapse": Kind(("GIF", "MP4"), ("step",), _per_step, suffix="_timelapse",
                      help="The window on the slider, a frame per week or calendar month."),
    "What changed: A to B": Kind(("PNG", "PDF", "PPTX"), ("sides",), _a_to_b, suffix="_changes",
                                 request=_compare_request, templated=False,
                                 help="Maps A and B, the change map, the headline changes, legend and sources; "
                                      "the PowerPoint slide is a picture with the whole report in its notes."),
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# --- Making the file ---------------------------------------------------------------------------------

def _file_name(scenario: Scenario, windows: list[Window], kind: Kind, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", scenario.name).strip("-") or "footprint"
    return f"{stem}_{windows[0][0]:%Y-%m-%d}_{windows[-1][1]:%Y-%m-%d}{kind.suffix}.{extension}"


def _template_input(fmt: str) -> tuple[bytes, str] | None:
    """A house template for PowerPoint, uploaded: its bytes and a digest that names it."""
    if fmt != "PPTX":
        return None
    upload = st.file_uploader("House template (optional .pptx)", type=["pptx"], key="export_template",
                              help="The slides are built on its title-only layout, so its master applies.")
    if upload is None:
        return None
    data = upload.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def prepare(scenario: Scenario, view: MapView, kind: Kind, values: dict[str, Any], fmt: str, size_name: str,
            title: str, banner: str, template: bytes | None = None,
            progress: Callable[[int, int], None] | None = None, folder: Path | None = None) -> dict:
    """The file for download: its bytes, name, type, and what the analyst should know."""
    extension, mime = FORMATS[fmt]
    windows = kind.windows(view, values)
    name = _file_name(scenario, windows, kind, extension)
    with tempfile.TemporaryDirectory(prefix="footprint-export-") as temporary:
        out = Path(temporary) / name
        template_path = None
        if template is not None:
            template_path = Path(temporary) / "template.pptx"
            template_path.write_bytes(template)
            try:
                check_template(template_path)
            except TemplateError:
                raise InputError("the house template is not a PowerPoint .pptx file that can be used") from None
        request = ExportRequest(scenario, tuple(replace(view, start=a, end=b) for a, b in windows), out,
                                SIZES[size_name], title="" if title == scenario.meta.title else title, banner=banner,
                                tables=kind.tables and extension in ("pdf", "pptx"), template=template_path,
                                **kind.request(values, folder))
        result = export(request, progress=progress)
        return {"data": out.read_bytes(), "name": name, "mime": mime, "notice": result.notice,
                "slides": len(result.page_texts)}


def _progress_bar(total: int) -> tuple[Callable[[int, int], None], Any]:
    bar = st.progress(0.0, text=f"Drawing {total} slides…" if total > 1 else "Drawing the map…")

    def progress(done: int, of: int) -> None:
        bar.progress(done / of, text=f"Drawn {done} of {of}…")

    return progress, bar


# --- The control ----------------------------------------------------------------------------------

def _asked(scenario: Scenario, view: MapView, kind: Kind, fmt: str) -> tuple[dict[str, Any], list[Window], str]:
    """The kind's inputs, asked for; the windows of its slides; and why it cannot be prepared, if it cannot."""
    values, problems = {}, []
    for name in kind.inputs:  # every input is drawn, whatever the others hold
        try:
            values[name] = INPUTS[name](scenario, view)
        except InputError as err:
            problems.append(str(err))
    if problems:
        return values, [], problems[0]
    windows = kind.windows(view, values)
    if fmt == "MP4" and mp4_problem():
        return values, windows, mp4_problem()
    if len(windows) > MAX_SLIDES:
        return values, windows, f"{len(windows)} slides: at most {MAX_SLIDES}; use months or fewer dates"
    return values, windows, ""


def export_panel(scenario: Scenario, view: MapView, folder: Path | None = None) -> None:
    """`folder`: the scenario's files (the town checks a "what changed" slide reports)."""
    st.subheader("Export")
    kind_name = st.radio("Kind", list(KINDS), key="export_kind")
    kind = KINDS[kind_name]
    fmt = st.radio("Format", kind.formats, key=f"export_format_{_key(kind_name)}", horizontal=True, help=kind.help)
    size_name = st.selectbox("Size", SIZES_FOR[fmt], key=f"export_size_{fmt}")
    title = st.text_input("Title", value=scenario.meta.title, key="export_title", max_chars=160)
    banner = st.text_input("Banner (top and bottom)", key="export_banner", max_chars=160,
                           placeholder="e.g. UNCLASSIFIED // FOR TRAINING")
    template = _template_input(fmt) if kind.templated else None
    values, windows, problem = _asked(scenario, view, kind, fmt)
    if problem:
        st.caption(f"Cannot prepare: {problem}.")
    elif len(windows) > 1:
        st.caption(f"{len(windows)} {'frames' if fmt in ('GIF', 'MP4') else 'slides'}, "
                   f"{windows[0][0]:%-d %b %Y} to {windows[-1][1]:%-d %b %Y}.")
    if view.online_tiles:
        st.caption("Exports use the offline basemap, so they open anywhere without a network.")

    wanted = (view, kind_name, fmt, size_name, " ".join(title.split()), " ".join(banner.split()),
              tuple(sorted(values.items())), template and template[1])
    if st.button("Prepare", key="export_prepare", width="stretch", disabled=bool(problem)):
        progress, bar = _progress_bar(len(windows))
        try:
            st.session_state[READY_KEY] = {"for": wanted, **prepare(
                scenario, view, kind, values, fmt, size_name, wanted[4], wanted[5],
                template=template and template[0], progress=progress, folder=folder)}
        except InputError as err:
            st.session_state.pop(READY_KEY, None)
            st.error(f"Export failed: {err}.")
        except Exception as err:  # one line for the analyst, the traceback to the server's log
            LOG.exception("export of %s failed", view)
            st.session_state.pop(READY_KEY, None)
            st.error(f"Export failed: {one_line(err)}")
        bar.empty()
    ready = st.session_state.get(READY_KEY)
    if not ready:
        return
    if ready["for"] != wanted:
        st.caption("The view or the options changed: prepare the export again.")
        return
    if ready["notice"]:
        st.info(ready["notice"])
    st.download_button(f"Download {ready['name']}", ready["data"], ready["name"], ready["mime"],
                       key="export_download", width="stretch")
