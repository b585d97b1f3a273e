"""Load benchmark: many browser sessions stepping the window of one dashboard at once.

    python bench/load.py --sessions 20 --seconds 120
    python bench/load.py --backend postgis --processes 3 --sessions 30 --movements 10000000

Each session opens the dashboard on N synthetic movements and moves the window by a week
every second (forward, then back at the end of the period). A step lasts from the click
until the page shows the new window (the URL is updated at the end of the script run).
Prints the step times (median, p95), errors, server CPU per step, and the server's memory
at rest, at its peak and after the sessions closed.

With `--backend postgis` the movements are in a PostGIS workspace (a throwaway cluster, or
`--database URL`), and each session also adds a movement through the workspace panel; the
run checks that every one of them landed. `--processes N` starts N dashboard processes
behind HAProxy with sticky sessions (tools/team.py), all on that one database; CPU and
memory are then summed over the processes, and the database's CPU is counted too.

The pages run without WebGL by default: twenty software-rendered maps on the same two
cores would measure the test machine's rendering, not the server; `--render` turns it on.
The twenty pages still render the rest of the dashboard on the same two cores as the
server, so the same load is run again on 1,000 movements (`--reference`) and the ratio
of the two says what the data size adds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from bench.harness import CHROMIUM, CHROMIUM_ARGS, Server, dashboard, free_port  # noqa: E402
from bench.postgres import Schemas, schemas  # noqa: E402
from bench.synth import make_scenario, synthetic_workspace  # noqa: E402

START = "2024-03-01"
URL_FROM = "() => new URLSearchParams(location.search).get('from')"
AUTHOR = "load session"


async def add_movement(page, number: int) -> None:
    """Add one movement through the workspace panel, as an analyst would; raises when it is not saved."""
    await page.get_by_text("Workspace: import files").click()
    name = page.get_by_role("textbox", name="Your name", exact=True)
    await name.fill(f"{AUTHOR} {number}")
    await name.press("Enter")
    await page.get_by_role("tab", name="Add").click()
    ends = page.get_by_role("textbox", name="or lat, lon", exact=True)
    await ends.nth(0).fill("35.1, 36.2")
    await ends.nth(1).fill("33.5, 36.3")
    await page.get_by_role("textbox", name="Source", exact=True).fill(f"Load benchmark, session {number}")
    await page.get_by_role("button", name="Add movement").click()
    await page.get_by_text("Added movement").wait_for(timeout=120_000)


async def session(browser, url: str, seconds: float, steps: list[float], errors: list[str], edit: int | None,
                  edits: list[int]) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/?from={START}&to=2024-03-30", timeout=180_000)
        await page.wait_for_selector(".st-key-step_week_1 button", timeout=180_000)
        if edit is not None:
            await add_movement(page, edit)
            edits.append(edit)
        forward, backward = page.locator(".st-key-step_week_1 button"), page.locator(".st-key-step_week_-1 button")
        direction, ends = forward, 0
        finish = time.monotonic() + seconds
        while time.monotonic() < finish:
            tick = time.monotonic()
            before = await page.evaluate(URL_FROM)
            await direction.click()
            try:
                await page.wait_for_function(f"old => ({URL_FROM})() !== old", arg=before, timeout=30_000)
                steps.append(time.monotonic() - tick)
            except Exception:  # the window stood at an end of the period: turn round
                ends += 1
                direction = backward if direction is forward else forward
            if await page.locator("[data-testid=stException]").count():
                errors.append("exception shown on the page")
                break
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        if ends > 2:
            errors.append(f"{ends} steps did not move the window")
    except Exception as err:
        errors.append(f"{type(err).__name__}: {str(err)[:200]}")
    finally:
        await context.close()


async def run_sessions(url: str, sessions: int, seconds: float, render: bool, sample_memory,
                       edit: bool) -> tuple:
    steps: list[float] = []
    errors: list[str] = []
    edits: list[int] = []
    args = CHROMIUM_ARGS if render else [*CHROMIUM_ARGS, "--disable-webgl", "--disable-3d-apis"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        sampler = asyncio.create_task(sample_memory())
        await asyncio.gather(*(session(browser, url, seconds, steps, errors, number if edit else None, edits)
                               for number in range(1, sessions + 1)))
        sampler.cancel()
        await browser.close()
    return steps, errors, edits


@dataclass
class LoadRun:
    steps: list[float]
    errors: list[str]
    elapsed: float
    resting: float
    peak: float
    after: float
    server_cpu: float  # seconds of the dashboards' CPU during the run
    database_cpu: float | None = None  # seconds of the database server's CPU, when it runs here
    edits: tuple[int, int] | None = None  # movements added in the pages, and found in the workspace

    def percentile(self, share: float) -> float:
        ordered = sorted(self.steps) or [float("nan")]
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Servers:
    """The dashboards the sessions reach, through `url`, and their resources summed."""

    url: str
    processes: list[Server]

    def resident_mb(self) -> float:
        return sum(server.resident_mb()[0] for server in self.processes)

    def cpu_seconds(self) -> float:
        return sum(server.cpu_seconds() for server in self.processes)


@contextlib.contextmanager
def servers(data: Path | str, processes: int, cache: Path) -> Iterator[Servers]:
    if processes == 1:
        with dashboard(data, env={"FOOTPRINT_CACHE_DIR": str(cache)}) as server:
            yield Servers(server.url, [server])
        return
    from tools.team import team

    with team(str(data), processes, port=free_port(), first_port=free_port(), address="127.0.0.1") as running:
        yield Servers(running.url, [Server(running.url, process, 0.0) for process in running.processes])


def changes(url: str) -> int:
    """The workspace's last change number."""
    from geodata.workspace import open_workspace

    history = open_workspace(url).history
    return int(history["change"].max()) if len(history) else 0


def landed(url: str, authors: int, since: int) -> int:
    """How many of the sessions' movements the workspace holds: changes after `since` by the sessions' names."""
    from geodata.workspace import open_workspace

    history = open_workspace(url).history
    names = {f"{AUTHOR} {number}" for number in range(1, authors + 1)}
    return int((history["author"].isin(names) & (history["change"] > since)).sum())


def load_run(folder: Path, movements: int, sessions: int, seconds: float, render: bool,
             place: Schemas | None = None, processes: int = 1) -> LoadRun:
    if place is None:
        data: Path | str = make_scenario(folder / "data", movements)
    else:
        data = synthetic_workspace(place.url(f"synthetic_{movements}_300"), movements, 300, folder)
    since = changes(data) if place is not None else 0
    with servers(data, processes, folder / "cache") as running:
        # One session first, so that loading the data is not counted as load.
        asyncio.run(run_sessions(running.url, 1, 3, render, lambda: asyncio.sleep(0), edit=False))
        resting = running.resident_mb()
        peak = [resting]

        async def sample_memory():
            while True:
                peak.append(running.resident_mb())
                await asyncio.sleep(0.5)

        database_cpu = place.cpu_seconds() if place and place.cpu_seconds else None
        started, cpu = time.monotonic(), running.cpu_seconds()
        steps, errors, edits = asyncio.run(run_sessions(running.url, sessions, seconds, render, sample_memory,
                                                        edit=place is not None))
        elapsed, cpu = time.monotonic() - started, running.cpu_seconds() - cpu
        if database_cpu is not None:
            database_cpu = place.cpu_seconds() - database_cpu
        time.sleep(10)  # sessions end when their sockets close; give the server a moment
        after = running.resident_mb()
    found = (len(edits), landed(data, sessions, since)) if place is not None else None
    if found and found[1] != sessions:
        errors.append(f"{sessions - found[1]} of the sessions' {sessions} movements are not in the workspace")
    return LoadRun(steps, errors, elapsed, resting, max(peak), after, cpu, database_cpu, found)


def report(label: str, run: LoadRun, processes: int) -> None:
    print(f"{label}: {len(run.steps)} steps in {run.elapsed:.0f} s ({len(run.steps) / run.elapsed:.1f}/s), "
          f"errors {len(run.errors)}" + "".join(f"\n  {e}" for e in run.errors[:10]))
    median = statistics.median(run.steps) if run.steps else float("nan")
    where = "" if processes == 1 else f" ({processes} processes)"
    print(f"  step time  s   median {median:.3f}  p95 {run.percentile(0.95):.3f}  max {run.percentile(1):.3f}")
    print(f"  server CPU     s   {run.server_cpu:.0f} in all{where}, {run.server_cpu / max(1, len(run.steps)):.3f} "
          f"per step (the rest of the two cores went to the browsers)")
    if run.database_cpu is not None:
        print(f"  database CPU   s   {run.database_cpu:.0f} in all, "
              f"{run.database_cpu / max(1, len(run.steps)):.3f} per step")
    print(f"  server memory  MB  resting {run.resting:.0f}  peak {run.peak:.0f}  after close {run.after:.0f}{where}")
    if run.edits:
        print(f"  edits              {run.edits[0]} added in the pages, {run.edits[1]} in the workspace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--reference", type=int, default=1_000, help="movements of the reference run (0: skip it)")
    parser.add_argument("--render", action="store_true", help="let every page draw its map in software WebGL")
    parser.add_argument("--backend", choices=("files", "postgis"), default="files",
                        help="files: a scenario folder in one process; postgis: a PostGIS workspace, edited too")
    parser.add_argument("--processes", type=int, default=1,
                        help="dashboard processes behind HAProxy (needs --backend postgis)")
    parser.add_argument("--database", metavar="URL", help="with --backend postgis, a postgresql:// database to use "
                        "(default: a throwaway cluster)")
    args = parser.parse_args(argv)
    if args.processes > 1 and args.backend != "postgis":
        parser.error("--processes above 1 needs --backend postgis: the processes share one database")

    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        place = stack.enter_context(schemas(args.database)) if args.backend == "postgis" else None
        big = load_run(Path(scratch) / "big", args.movements, args.sessions, args.seconds, args.render, place,
                       args.processes)
        small = (load_run(Path(scratch) / "small", args.reference, args.sessions, args.seconds, args.render, place,
                          args.processes) if args.reference else None)

    print(f"Footprint load benchmark: {args.sessions} sessions x {args.seconds:.0f} s, "
          f"WebGL {'on' if args.render else 'off'}"
          + (f", PostGIS, {args.processes} process{'es' if args.processes > 1 else ''}" if place else ""))
    report(f"{args.movements:,} movements", big, args.processes)
    if small:
        report(f"{args.reference:,} movements (reference)", small, args.processes)
        print(f"ratio p95 / reference p95          {big.percentile(0.95) / small.percentile(0.95):.2f}")
        if big.steps and small.steps:
            print(f"ratio median / reference median    "
                  f"{statistics.median(big.steps) / statistics.median(small.steps):.2f}")
    return 1 if big.errors or (small and small.errors) else 0


if __name__ == "__main__":
    sys.exit(main())
