"""Scale benchmark: the dashboard on N synthetic movements, driven by headless Chromium.

    python bench/scale.py --movements 1000000
    python bench/scale.py --backend postgis --movements 10000000
    python bench/scale.py --bundled --against /tmp/before   # the bundled scenario, now and before

Prints, as a median with its spread over several runs:
- first map after `streamlit run`, when the data is first seen (CSV) and afterwards (cache):
  until the map shows the URL's window drawn, and until the whole page has run as well;
- a week step of a 30-day window, until the new frame is drawn, and the bytes it sent;
- server memory; play speed (steps per second).
In the same run it measures the first map and the same step on 1,000 movements (the
rig's floor: a near-empty map already costs a few hundred ms in software WebGL) and the
step on the naive reference app (every record an arc, no caching), and prints the ratios.
The two dashboards take turns, five steps at a time, and steps are LOOK_SECONDS apart,
as an analyst looks at each week.

With `--backend postgis` the movements are copied into a PostGIS workspace (a throwaway cluster,
or `--database URL`) and the dashboard opens it by its address: windows are folded by the
database, so the figures show what a process costs when it does not hold the table. Each
first map is then a new process on a database that already holds the data.

With `--bundled` it measures the first map (cached) and the week step on the bundled scenario
instead, and with `--against DIR` the same on another checkout (`git worktree add DIR REV`),
taking turns in the same run, so an earlier version is measured the same way on the same
machine. A version whose map marks no planes is counted until its first frame after the
data arrived, which favours it: this one is counted until its tiles and icons are drawn too.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.harness import (  # noqa: E402
    MAP_CANVAS, ROOT, CountingProxy, WireCounter, dashboard, launch, serve, wait_drawn, wait_for_map, wait_idle)
from bench.postgres import schemas  # noqa: E402
from bench.synth import make_scenario, synthetic_workspace  # noqa: E402

WINDOW = "from=2024-03-01&to=2024-03-30"  # in the synthetic data's two years
BUNDLED_WINDOW = "from=2025-01-01&to=2025-01-30"  # in the bundled scenario's period
# Between two steps, as an analyst looks at each week; a workspace in PostGIS fetches meanwhile the days
# the next step adds (geodata/postgis_days.py).
LOOK_SECONDS = 1.5


@dataclass
class Steps:
    seconds: list[float] = field(default_factory=list)
    wire_bytes: list[int] = field(default_factory=list)  # written by the server: compressed, on the wire
    json_bytes: list[int] = field(default_factory=list)  # received by the browser, decompressed


def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):8.3f}  p95 {p95:8.3f}  min {ordered[0]:8.3f}  max {ordered[-1]:8.3f}"


@dataclass
class FirstMap:
    drawn: float  # seconds from `streamlit run` until the map shows the URL's window, drawn
    complete: float  # ... until the whole page has run as well


def first_map(browser, data: Path | str | None, cache: Path, window: str = WINDOW, root: Path = ROOT) -> FirstMap:
    with dashboard(data, root=root, env={"FOOTPRINT_CACHE_DIR": str(cache)}) as server:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{server.url}/?{window}")
        page.wait_for_selector(MAP_CANVAS, timeout=120_000)
        wait_drawn(page)
        drawn = time.monotonic() - server.started
        wait_idle(page)
        complete = time.monotonic() - server.started
        page.close()
    return FirstMap(drawn, complete)


class Stepper:
    """A page on one dashboard whose window is moved a week at a time, each step measured."""

    def __init__(self, browser, server, window: str):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.counter = WireCounter()
        self.counter.attach(self.page)
        self.proxy = CountingProxy(int(server.url.rsplit(":", 1)[1]))
        self.page.goto(f"{self.proxy.url}/?{window}")
        wait_for_map(self.page)
        self.button = self.page.get_by_role("button", name="week ▶")
        self.steps = Steps()

    def step(self) -> None:
        """Click "week ▶"; the step lasts until the URL moved and the frame is drawn."""
        page = self.page
        time.sleep(LOOK_SECONDS)
        before = page.evaluate("() => new URLSearchParams(location.search).get('from')")
        wire, received = self.proxy.sent, self.counter.received
        started = time.perf_counter()
        self.button.click()
        page.wait_for_function("old => new URLSearchParams(location.search).get('from') !== old", arg=before,
                               timeout=600_000)
        wait_idle(page, 600_000)
        self.steps.seconds.append(time.perf_counter() - started)
        self.steps.wire_bytes.append(self.proxy.sent - wire)
        self.steps.json_bytes.append(self.counter.received - received)

    def close(self) -> None:
        self.page.close()
        self.proxy.close()


def week_steps(browser, servers: list, count: int, window: str = WINDOW, turn: int = 5) -> list[Steps]:
    """`count` week steps on each dashboard, `turn` at a time on each in turn, so that a change in the
    machine's load falls on all of them."""
    steppers = [Stepper(browser, server, window) for server in servers]
    while any(len(stepper.steps.seconds) < count for stepper in steppers):
        for stepper in steppers:
            for _ in range(min(turn, count - len(stepper.steps.seconds))):
                stepper.step()
    for stepper in steppers:
        stepper.close()
    return [stepper.steps for stepper in steppers]


COUNT_FRAMES = """() => {
  window.__windowsShown = [];
  const map = document.querySelector("div.footprint-map");
  new MutationObserver(() => window.__windowsShown.push(map.dataset.window))
    .observe(map, {attributes: true, attributeFilter: ["data-window"]});
}"""


def play_rate(browser, server, seconds: float = 8.0) -> float:
    """Frames per second while playing at the fastest speed, counted in the page itself.

    The map shows a frame only once the one before is drawn, so this counts drawn frames.
    """
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server.url}/?{WINDOW}")
    wait_for_map(page)
    page.locator("[data-testid=stSelectbox]").filter(has_text="Speed").click()
    page.get_by_role("option", name="fast").click()
    wait_idle(page)
    page.evaluate(COUNT_FRAMES)
    play = page.locator(".st-key-play button")
    play.click()
    page.wait_for_function("() => window.__windowsShown.length > 0", timeout=120_000)
    first = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    shown = page.evaluate("() => window.__windowsShown.length")
    elapsed = time.perf_counter() - first
    play.click()
    page.close()
    return (shown - 1) / elapsed


@dataclass
class Version:
    """The bundled scenario's figures of one checkout."""

    root: Path
    cache: Path
    first: list[FirstMap] = field(default_factory=list)
    steps: Steps = field(default_factory=Steps)


def bundled(args) -> int:
    """The checkouts take turns, run by run, so that a change in the machine's load falls on all of them."""
    roots = [ROOT, *(Path(root).resolve() for root in args.against or ())]
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = launch(playwright)
        versions = [Version(root, Path(scratch) / f"cache-{number}") for number, root in enumerate(roots)]
        for version in versions:
            first_map(browser, None, version.cache, BUNDLED_WINDOW, version.root)  # fills its cache
        for _ in range(args.runs):
            for version in versions:
                version.first.append(first_map(browser, None, version.cache, BUNDLED_WINDOW, version.root))
        with contextlib.ExitStack() as servers:
            running = [servers.enter_context(dashboard(None, root=version.root,
                                                       env={"FOOTPRINT_CACHE_DIR": str(version.cache)}))
                       for version in versions]
            for version, steps in zip(versions, week_steps(browser, running, args.steps, BUNDLED_WINDOW), strict=True):
                version.steps = steps
        browser.close()
    median = statistics.median
    print(f"\nFootprint on the bundled scenario ({BUNDLED_WINDOW}, week steps)")
    for version in versions:
        print(f"{version.root}")
        print(f"  first map (cache), map drawn     s   {spread([run.drawn for run in version.first])}")
        print(f"    until the whole page has run   s   {spread([run.complete for run in version.first])}")
        print(f"  week step until drawn            s   {spread(version.steps.seconds)}")
        print(f"  bytes on the wire per step       KB  {spread([b / 1000 for b in version.steps.wire_bytes])}")
    now = versions[0]
    for other in versions[1:]:
        print(f"ratio to {other.root}: first map "
              f"{median(r.drawn for r in now.first) / median(r.drawn for r in other.first):.2f}, step "
              f"{median(now.steps.seconds) / median(other.steps.seconds):.2f}")
    return 0


@contextlib.contextmanager
def synthetic(backend: str, database: str | None, sites: int, scratch: Path) -> Iterator:
    """A function giving the data of N synthetic movements: a folder, or a PostGIS workspace holding it."""
    if backend == "files":
        yield lambda movements: make_scenario(scratch / f"synthetic-{movements}", movements, sites)
        return
    with schemas(database) as schema:
        yield lambda movements: synthetic_workspace(schema.url(f"synthetic_{movements}_{sites}"), movements, sites,
                                                    scratch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="runs of each first-map measurement")
    parser.add_argument("--steps", type=int, default=15, help="week steps measured per app")
    parser.add_argument("--naive-steps", type=int, default=3, help="steps of the naive app (0: skip it)")
    parser.add_argument("--backend", choices=("files", "postgis"), default="files",
                        help="files: a scenario folder read into memory; postgis: a PostGIS workspace whose "
                             "movements stay in the database (the naive app is then skipped)")
    parser.add_argument("--database", metavar="URL",
                        help="with --backend postgis, a postgresql:// database to use (default: a throwaway "
                             "cluster); its schemas synthetic_N_SITES are reused when they hold N movements")
    parser.add_argument("--bundled", action="store_true",
                        help="measure the first map and the week step on the bundled scenario instead")
    parser.add_argument("--against", metavar="DIR", action="append",
                        help="with --bundled, also measure the checkout at DIR (an earlier commit) the same way; "
                             "may be given more than once")
    args = parser.parse_args(argv)
    if args.against and not args.bundled:
        parser.error("--against needs --bundled")
    if args.bundled:
        return bundled(args)
    in_database = args.backend == "postgis"

    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright, \
            synthetic(args.backend, args.database, args.sites, Path(scratch)) as place:
        scratch = Path(scratch)
        started = time.perf_counter()
        data = place(args.movements)
        small = place(1_000)
        where = "in PostGIS" if in_database else "as CSV"
        print(f"generated {args.movements:,} movements over {args.sites} sites {where} in "
              f"{time.perf_counter() - started:.1f} s")
        browser = launch(playwright)

        if in_database:  # nothing is cached in the process: every start is a first sight of the data
            cold = [first_map(browser, data, scratch / "cache") for _ in range(args.runs)]
            warm = cold
        else:
            cold = [first_map(browser, data, scratch / f"cache-cold-{run}") for run in range(args.runs)]
            warm_cache = scratch / "cache-warm"
            first_map(browser, data, warm_cache)  # fills the cache
            warm = [first_map(browser, data, warm_cache) for _ in range(args.runs)]
        small_first = [first_map(browser, small, scratch / "cache-small") for _ in range(args.runs)]

        with dashboard(data, env={"FOOTPRINT_CACHE_DIR": str(scratch / "cache-warm")}) as server, \
                dashboard(small, env={"FOOTPRINT_CACHE_DIR": str(scratch / "cache-small")}) as small_server:
            big, floor = week_steps(browser, [server, small_server], args.steps)
            resident, peak = server.resident_mb()
            rate = play_rate(browser, server)
            small_rate = play_rate(browser, small_server)
        naive = Steps()
        if args.naive_steps and not in_database:
            with serve(ROOT / "bench" / "naive_app.py", data) as server:
                naive, = week_steps(browser, [server], args.naive_steps)
        browser.close()

    median = statistics.median
    print(f"\nFootprint scale benchmark: {args.movements:,} movements, {args.sites} sites, two years, "
          f"{'a PostGIS workspace' if in_database else 'a scenario folder'}")
    if in_database:
        print(f"first map, new process (database)  s   {spread([run.drawn for run in cold])}")
        print(f"  until the whole page has run     s   {spread([run.complete for run in cold])}")
    else:
        print(f"first map, data first seen (CSV)   s   {spread([run.drawn for run in cold])}")
        print(f"  until the whole page has run     s   {spread([run.complete for run in cold])}")
        print(f"first map, afterwards (cache)      s   {spread([run.drawn for run in warm])}")
        print(f"  until the whole page has run     s   {spread([run.complete for run in warm])}")
    print(f"  first map on 1,000 movements     s   {spread([run.drawn for run in small_first])}")
    print(f"week step until drawn              s   {spread(big.seconds)}")
    print(f"  same step on 1,000 movements     s   {spread(floor.seconds)}")
    print(f"  naive reference                  s   {spread(naive.seconds)}")
    print(f"bytes on the wire per step         KB  {spread([b / 1000 for b in big.wire_bytes])}")
    print(f"  decompressed in the browser      KB  {spread([b / 1000 for b in big.json_bytes])}")
    print(f"  naive reference, decompressed    KB  {spread([b / 1000 for b in naive.json_bytes])}")
    print(f"server memory after steps          MB  resident {resident:.0f}, peak {peak:.0f}")
    print(f"play speed                     steps/s {rate:.1f}")
    print(f"  same on 1,000 movements      steps/s {small_rate:.1f}")
    print(f"ratio step / step at 1,000 movements   {median(big.seconds) / median(floor.seconds):.2f}")
    print(f"ratio first map{' (cache)' if not in_database else ''} / at 1,000     "
          f"{median(run.drawn for run in warm) / median(run.drawn for run in small_first):.2f}")
    print(f"ratio play speed / at 1,000 movements  {rate / small_rate if small_rate else float('nan'):.2f}")
    if naive.seconds:
        print(f"ratio naive / ours (step time)         {median(naive.seconds) / median(big.seconds):.1f}")
        print(f"ratio naive / ours (bytes)             {median(naive.json_bytes) / median(big.json_bytes):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
