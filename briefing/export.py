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


from analysis.changes import report_text
from briefing.chromium import ChromiumRenderer, ChromiumUnavailable
from briefing.compare_slide import CompareRequest, build_compare_slide
from briefing.compare_static import render_compare_static
from briefing.outputs import write_bytes, write_gif, write_mp4, write_pdf, write_pptx
from briefing.pptx_slides import build_pack, picture_deck
from briefing.rendered import Rendered
from briefing.sizes import A4, SLIDE, Size
from briefing.slides import Slide, SlideOptions, build_slide
from briefing.static_map import StaticRenderer
from geodata import Scenario
from layers.view import MapView

PACK_FORMATS: Final = ("pdf", "pptx", "gif", "mp4")
TIMELAPSE_FORMATS: Final = ("gif", "mp4")
FORMATS: Final = ("png", "pdf", "html", "pptx", "gif", "mp4")
INSTALL_HINT: Final = ("install Chromium with `apt-get install chromium`, "
                       "or set FOOTPRINT_CHROMIUM to its path")


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
    template: Path | None = None  # a .pptx whose layouts and master a PowerPoint pack is built on
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

    if fmt == "pptx":
        return _export_pptx(request, progress, started)

    rendered: list[Rendered] = []
    with open_renderer() as (renderer, notice):
        for done, slide in enumerate(_slides(request), start=1):
            rendered.append(renderer.render(slide, "pdf" if fmt == "pdf" else "png"))
            if fmt == "pdf":  # a pack page's table continues on pages of its own: nothing is left out
                rendered += [renderer.render_table(slide, table, "pdf") for table in slide.frame.continued]
            if progress:
                progress(done, len(request.views))

    pages = [r.data for r in rendered]
    if fmt == "png":
        write_bytes(out, pages[0])
    elif fmt == "pdf":
        write_pdf(out, pages)
    elif fmt == "gif":
        write_gif(out, pages)
    else:
        write_mp4(out, pages)
    return ExportResult(out, renderer.name, notice, [r.page_text for r in rendered], time.monotonic() - started)


def _export_pptx(request: ExportRequest, progress: Callable[[int, int], None] | None, started: float) -> ExportResult:
    """PowerPoint's own parts: only the map is a picture, rendered alone."""
    with open_renderer() as (renderer, notice):
        deck, texts = build_pack(request, lambda slide: renderer.render(slide, "map").data, progress)
    write_pptx(request.out, deck)
    return ExportResult(request.out, renderer.name, notice, texts, time.monotonic() - started)


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
        write_pptx(out, picture_deck(rendered.data, title, "\n".join([*report_text(slide.report), slide.frame.text.caveat])))
    return ExportResult(out, renderer.name, notice, [rendered.page_text], time.monotonic() - started)
