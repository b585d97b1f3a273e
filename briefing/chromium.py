"""Headless Chromium turns a framed page into a PNG or a PDF page, with no network.

Chromium is found at $FOOTPRINT_CHROMIUM, else /usr/bin/chromium. One browser
page serves a whole pack: a slide with the same layout as the one before is
shown in place, which skips reloading deck.gl and re-tessellating the basemap.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Final

from briefing.page import SlidePage, table_page_html
from briefing.rendered import Rendered
from briefing.slides import Slide
from briefing.table import MovementTable

CHROMIUM_ENV: Final = "FOOTPRINT_CHROMIUM"
DEFAULT_CHROMIUM: Final = "/usr/bin/chromium"
# Software WebGL (no GPU on analysts' virtual desktops or CI) and no background traffic.
CHROMIUM_ARGS: Final = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-component-update",
                        "--no-first-run")
DRAW_TIMEOUT_MS: Final = 180_000
LOCAL_SCHEMES: Final = ("file:", "data:", "blob:")

# The page says when the slide is drawn with everything loaded (briefing/page.js); readPixels then
# returns only once the GPU has finished that frame (two animation frames are not enough here).
_READY: Final = "() => window.footprint && footprint.ready()"
_FINISH_FRAME: Final = """() => {
  for (const canvas of document.querySelectorAll("#slide canvas")) {
    const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
    if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  }
}"""
# Printing re-lays out the page; a still image of each map prints as drawn.
_FREEZE_MAP: Final = """() => Promise.all([...document.querySelectorAll("#slide canvas")].map((canvas) => {
  const still = new Image();
  still.className = "map-still";
  still.style.cssText = "position:absolute;left:0;top:0;width:100%;height:100%;z-index:2";
  still.src = canvas.toDataURL("image/png");
  canvas.parentElement.appendChild(still);
  return still.decode();
}))"""
_THAW_MAP: Final = "() => document.querySelectorAll('.map-still').forEach((still) => still.remove())"
# The map alone: the scale bar drawn over it is left to the slide that places the picture.
_SCALE_BAR_SHOWN: Final = "shown => { document.getElementById('scalebar').style.visibility = shown ? '' : 'hidden'; }"


class ChromiumUnavailable(Exception):
    """No usable Chromium here; the message says why, in one line."""


class RenderError(Exception):
    pass


def chromium_path() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)


class ChromiumRenderer:
    """Use as a context manager; `render` may be called for many slides."""

    name: Final = "chromium"

    def __init__(self, executable: Path | None = None) -> None:
        self.executable = executable or chromium_path()
        self._playwright = None
        self._browser = None
        self._page = None
        self._page_key = None
        self._errors: list[str] = []
        self._folder = None

    def __enter__(self) -> ChromiumRenderer:
        if not self.executable.is_file():
            raise ChromiumUnavailable(f"Chromium not found at {self.executable}")
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise ChromiumUnavailable("the playwright package is not installed (pip install playwright)") from None
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=str(self.executable),
                                                             args=list(CHROMIUM_ARGS))
        except Error as err:
            self.__exit__(None, None, None)
            first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ChromiumUnavailable(f"Chromium at {self.executable} did not start: {first_line}") from None
        self._folder = tempfile.TemporaryDirectory(prefix="footprint-render-")
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = self._page = None
        if self._folder is not None:
            self._folder.cleanup()

    def _open(self, slide: SlidePage) -> None:
        if self._page is not None:
            self._page.close()
        size = slide.layout.size
        page = self._browser.new_page(viewport={"width": size.width, "height": size.height},
                                      device_scale_factor=size.pixel_ratio)
        # The page needs nothing from outside; should anything ask, it gets no answer.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL_SCHEMES)
                   else route.abort())
        page.on("pageerror", lambda error: self._errors.append(str(error)))
        page.on("console", lambda message: self._errors.append(message.text) if message.type == "error" else None)
        path = Path(self._folder.name) / "slide.html"
        path.write_text(slide.html(), encoding="utf-8")
        page.goto(path.as_uri())
        self._page, self._page_key = page, slide.reusable_key
        self._wait_drawn()

    def _wait_drawn(self) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            self._page.wait_for_function(_READY, timeout=DRAW_TIMEOUT_MS, polling=50)
        except PlaywrightTimeout:
            detail = f": {self._errors[-1][:200]}" if self._errors else ""
            raise RenderError(f"the map did not finish drawing in {DRAW_TIMEOUT_MS // 1000} s{detail}") from None
        self._page.evaluate(_FINISH_FRAME)

    def show(self, slide: SlidePage) -> None:
        """Load the slide, in place when the page already shows one of the same layout."""
        if self._page is None or slide.reusable_key != self._page_key:
            self._open(slide)
            return
        self._page.evaluate("update => footprint.show(update)", slide.update())
        self._wait_drawn()

    def render(self, slide: Slide, kind: str) -> Rendered:
        """`kind` is 'png' or 'pdf' for the framed slide, or 'map' for a PNG of the map box alone."""
        self.show(slide.page())
        page = self._page
        size = slide.layout.size
        if kind == "map":
            return Rendered(self._map_alone(slide), "")
        text = page.inner_text("#slide")
        if kind == "png":
            data = page.screenshot(type="png", clip={"x": 0, "y": 0, "width": size.width, "height": size.height})
            return Rendered(data, text)
        return Rendered(self._pdf(page, slide, freeze=True), text)

    def _map_alone(self, slide: Slide) -> bytes:
        """The map inside its box's 1-pixel border, without the scale bar."""
        box = slide.layout.map
        self._page.evaluate(_SCALE_BAR_SHOWN, False)
        try:
            return self._page.screenshot(type="png", clip={"x": box.x + 1, "y": box.y + 1, "width": box.width - 2,
                                                           "height": box.height - 2})
        finally:
            self._page.evaluate(_SCALE_BAR_SHOWN, True)

    @staticmethod
    def _pdf(page, slide: Slide, freeze: bool) -> bytes:
        size = slide.layout.size
        if freeze:
            page.evaluate(_FREEZE_MAP)
        width, height = size.pdf_inches
        data = page.pdf(width=f"{width:.3f}in", height=f"{height:.3f}in", scale=size.pdf_scale,
                        print_background=True, margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                        page_ranges="1")
        if freeze:
            page.evaluate(_THAW_MAP)
        return data

    def render_table(self, slide: Slide, table: MovementTable, kind: str) -> Rendered:
        """A page that continues the slide's movements table; it has no map, so it needs no WebGL."""
        size = slide.layout.size
        page = self._browser.new_page(viewport={"width": size.width, "height": size.height},
                                      device_scale_factor=size.pixel_ratio)
        try:
            page.route("**/*", lambda route: route.abort())  # the page is whole: nothing to fetch
            page.set_content(table_page_html(slide.frame, slide.layout, table))
            text = page.inner_text("#slide")
            if kind == "png":
                data = page.screenshot(type="png", clip={"x": 0, "y": 0, "width": size.width, "height": size.height})
            else:
                data = self._pdf(page, slide, freeze=False)
            return Rendered(data, text)
        finally:
            page.close()
