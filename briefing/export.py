"""One export, from the views to the file: build the slides, render them, write the format.

The command line and the dashboard's Export control both call `export`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from analysis.changes import report_text
from briefing.chromium import ChromiumRenderer, ChromiumUnavailable
from briefing.compare_slide import CompareRequest, build_compare_slide
from briefing.compare_static import render_compare_static
from briefing.frame import window_text
from briefing.outputs import write_bytes, write_gif, write_mp4, write_pdf, write_pptx
from briefing.rendered import Rendered
from briefing.sizes import A4, SLIDE, Size
from briefing.slides import Slide, SlideOptions, build_slide
from briefing.static_map import StaticRenderer
from briefing.table import short_place
from geodata import Scenario
from layers.view import MapView

PACK_FORMATS: Final = ("pdf", "pptx", "gif", "mp4")
TIMELAPSE_FORMATS: Final = ("gif", "mp4")
FORMATS: Final = ("png", "pdf", "html", "pptx", "gif", "mp4")
INSTALL_HINT: Final = ("install Chromium with `apt-get install chromium`, "
                       "or set FOOTPRINT_CHROMIUM to its path")
MAX_NOTE_LINES: Final = 60


def default_size(fmt: str) -> Size:
    return A4 if fmt == "pdf" else SLIDE


@dataclass(frozen=True)
class ExportRequest:
    scenario: Scenario
    views: tuple[MapView, ...]  # one per slide, page or timelapse frame
    out: Path
    size: Size
    title: str = ""
    banner: str = ""
    tables: bool = False  # pack slides list the movements of their window
    compare: CompareRequest | None = None  # one "what changed" slide, with views[0]'s filters, layers and theme

    @property
    def format(self) -> str:
        return self.out.suffix.lower().lstrip(".")


@dataclass
class ExportResult:
    path: Path
    renderer: str  # 'chromium', 'static' or 'none' (HTML needs no rendering)
    notice: str = ""  # what the analyst should know, e.g. that the static renderer stood in
    page_texts: list[str] = field(default_factory=list)
    seconds: float = 0.0


@contextlib.contextmanager
def open_renderer() -> Iterator[tuple[ChromiumRenderer | StaticRenderer, str]]:
    """Chromium where it runs; otherwise the static renderer, with a line saying so."""
    with contextlib.ExitStack() as stack:
        try:
            renderer, notice = stack.enter_context(ChromiumRenderer()), ""
        except ChromiumUnavailable as reason:
            renderer = stack.enter_context(StaticRenderer())
            notice = f"{reason}: drew the map with the static renderer instead ({INSTALL_HINT})."
        yield renderer, notice


def movement_notes(slide: Slide) -> str:
    """Speaker notes: every movement of the slide's window with its source, then the caveat."""
    movements = slide.composed.movements.sort_values("date", kind="stable")
    lines = [f"{slide.frame.text.title} — {window_text(slide.view.start, slide.view.end)}", ""]
    for m in movements.head(MAX_NOTE_LINES).itertuples(index=False):
        quantity = "" if pd.isna(m.quantity) else f" ×{int(m.quantity):,}"
        lines.append(f"{m.date:%d %b %Y}: {short_place(m.origin_name, m.origin_lat, m.origin_lon)} → "
                     f"{short_place(m.destination_name, m.destination_lat, m.destination_lon)}, "
                     f"{m.category}{quantity} by {m.mode} ({m.confidence}). {m.asset}. Source: {m.source}")
    if len(movements) > MAX_NOTE_LINES:
        lines.append(f"… and {len(movements) - MAX_NOTE_LINES:,} more in the dashboard's Movements table.")
    lines += ["", slide.frame.text.caveat]
    return "\n".join(lines)


def _slides(request: ExportRequest) -> Iterator[Slide]:
    options = SlideOptions(request.size, title=request.title, banner=request.banner, with_table=request.tables)
    for view in request.views:
        yield build_slide(request.scenario, view, options)


def export(request: ExportRequest, *, progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write `request.out`; `progress(done, total)` is called after each slide."""
    started = time.monotonic()
    fmt, out = request.format, request.out
    if request.compare is not None:
        return _export_compare(request, started)
    if fmt == "html":
        slide = next(_slides(request))
        write_bytes(out, slide.page().html().encode("utf-8"))
        return ExportResult(out, "none", seconds=time.monotonic() - started)

    rendered: list[Rendered] = []
    notes: list[tuple[str, str]] = []
    with open_renderer() as (renderer, notice):
        for slide in _slides(request):
            rendered.append(renderer.render(slide, "pdf" if fmt == "pdf" else "png"))
            if fmt == "pptx":
                notes.append((f"{slide.frame.text.title} — {slide.frame.text.window}", movement_notes(slide)))
            if progress:
                progress(len(rendered), len(request.views))

    pages = [r.data for r in rendered]
    if fmt == "png":
        write_bytes(out, pages[0])
    elif fmt == "pdf":
        write_pdf(out, pages)
    elif fmt == "pptx":
        write_pptx(out, [(png, title, text) for png, (title, text) in zip(pages, notes)])
    elif fmt == "gif":
        write_gif(out, pages)
    else:
        write_mp4(out, pages)
    return ExportResult(out, renderer.name, notice, [r.page_text for r in rendered], time.monotonic() - started)


COMPARE_FORMATS: Final = ("png", "pdf", "pptx")


def _export_compare(request: ExportRequest, started: float) -> ExportResult:
    """The "what changed" slide as PNG, PDF or a one-slide PPTX (a picture, its notes the whole report)."""
    options = SlideOptions(request.size, title=request.title, banner=request.banner)
    slide = build_compare_slide(request.scenario, request.compare, request.views[0], options)
    fmt, out = request.format, request.out
    kind = "pdf" if fmt == "pdf" else "png"
    with open_renderer() as (renderer, notice):
        rendered = renderer.render(slide, kind) if renderer.name == "chromium" else render_compare_static(slide, kind)
    if fmt == "png":
        write_bytes(out, rendered.data)
    elif fmt == "pdf":
        write_pdf(out, [rendered.data])
    else:
        title = f"{slide.frame.text.title} — {slide.frame.text.window}"
        write_pptx(out, [(rendered.data, title, "\n".join([*report_text(slide.report), slide.frame.text.caveat]))])
    return ExportResult(out, renderer.name, notice, [rendered.page_text], time.monotonic() - started)
