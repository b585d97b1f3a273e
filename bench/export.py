"""Briefing export benchmark: one framed PNG, and a 10-slide PDF pack and PowerPoint pack, through the real renderer.

    python bench/export.py [--runs 3]

Prints the median (and range) of `--runs` runs of each, from request to file, each run
starting its own Chromium as the command line does. In the same run it measures a naive
reference: pydeck's own `deck.to_html(offline=True)` of the same view, opened in the same
Chromium and screenshotted once drawn, with no frame. The ratios say what the frame, the
zoom fitting and the export pipeline cost over a bare screenshot. No timing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing.chromium import CHROMIUM_ARGS, LOCAL_SCHEMES, chromium_path  # noqa: E402
from briefing.cli import parse_request  # noqa: E402
from briefing.export import export  # noqa: E402
from geodata import load_scenario  # noqa: E402
from layers.basemap import BasemapSource  # noqa: E402
from layers.view import MapView, compose  # noqa: E402

WINDOW = ["--from", "2024-12-01", "--to", "2024-12-31"]
PACK = ["--from", "2024-12-01", "--to", "2025-02-08", "--every", "week"]  # 10 weeks: 10 slides
PACK_SLIDES = 10
# pydeck's page keeps its own globals: wait until its deck has loaded and drawn everything.
NAIVE_READY = """() => typeof deckInstance !== "undefined" && deckInstance.props.layers.length
  && deckInstance.props.layers.every((layer) => layer.isLoaded)
  && !deckInstance.needsRedraw({ clearRedrawFlags: false })"""
FINISH_FRAME = """() => { const gl = deckInstance.canvas.getContext("webgl2");
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4)); }"""


def time_export(argv: list[str]) -> float:
    started = time.monotonic()
    result = export(parse_request(["export", *argv]))
    assert result.renderer == "chromium", result.notice
    return time.monotonic() - started


def time_naive(folder: Path) -> float:
    """pydeck's standalone HTML of the same view, screenshotted once drawn: no frame, no fitting."""
    from playwright.sync_api import sync_playwright
    started = time.monotonic()
    scenario = load_scenario(None)
    composed = compose(scenario, MapView(dt.date(2024, 12, 1), dt.date(2024, 12, 31)), for_html=True,
                       basemap=BasemapSource(inline=True))
    page_path = folder / "naive.html"
    composed.deck.to_html(str(page_path), offline=True, notebook_display=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        # Its template links CDN stylesheets and scripts: refuse them at once rather than wait.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL_SCHEMES)
                   else route.abort())
        page.goto(page_path.as_uri())
        page.wait_for_function(NAIVE_READY, timeout=180_000, polling=50)
        page.evaluate(FINISH_FRAME)
        page.screenshot(path=str(folder / "naive.png"))
        browser.close()
    return time.monotonic() - started


def summary(name: str, seconds: list[float]) -> str:
    return (f"{name:<34} median {statistics.median(seconds):6.2f} s   "
            f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {len(seconds)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not chromium_path().is_file():
        sys.exit(f"needs Chromium at {chromium_path()} (apt-get install chromium)")
    png, pack, pptx, naive = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="footprint-bench-") as name:
        folder = Path(name)
        for run in range(args.runs):
            naive.append(time_naive(folder))
            png.append(time_export([*WINDOW, "--banner", "UNCLASSIFIED // FOR TRAINING",
                                    "--out", str(folder / "map.png")]))
            pack.append(time_export([*PACK, "--out", str(folder / "pack.pdf")]))
            pptx.append(time_export([*PACK, "--out", str(folder / "pack.pptx")]))
            print(f"run {run + 1}: naive {naive[-1]:.2f} s, png {png[-1]:.2f} s, pack {pack[-1]:.2f} s, "
                  f"pptx {pptx[-1]:.2f} s", file=sys.stderr, flush=True)
    per_slide = [p / PACK_SLIDES for p in pack]
    print(summary("naive deck.to_html + screenshot", naive))
    print(summary("framed PNG 1920x1080", png))
    print(summary(f"{PACK_SLIDES}-slide PDF pack (A4)", pack))
    print(summary("  per pack slide", per_slide))
    print(summary(f"{PACK_SLIDES}-slide PowerPoint pack", pptx))
    print(f"ratio PNG / naive:             {statistics.median(png) / statistics.median(naive):.2f}")
    print(f"ratio pack slide / naive:      {statistics.median(per_slide) / statistics.median(naive):.2f}")


if __name__ == "__main__":
    main()
