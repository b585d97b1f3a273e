"""Load benchmark: many browser sessions stepping the window of one dashboard at once.

    python bench/load.py --sessions 20 --seconds 120
    python bench/load.py --backend postgis --processes 3 --sessions 30 --movements 10000000

Each session opens the dashboard on N synthetic movements and moves the window by a week
every second (forward, then back at the end of the period). A step lasts from the click
until the page shows the new window (the URL is updated at the end of the script run).
Sessions arrive RAMP_SECONDS apart, and a page may take PATIENCE_MS over any one action
before its session counts as failed. Prints the step times (median, p95), every error
(naming its session and what it was doing), server CPU per step, and the server's memory
at rest, at its peak and after the sessions closed.

With `--backend postgis` the movements are in a PostGIS workspace (a throwaway cluster, or
`--database URL`), and each session first adds a movement through the workspace panel. The
edits line counts the movements whose page showed "Added movement" and those the workspace
holds (by author, one per session); a movement that landed although its page did not
confirm it is named there (its session has an error), and a movement missing, or there
twice, is an error. `--processes N` starts N dashboard processes behind HAProxy with
sticky sessions (tools/team.py), all on that one database; CPU and memory are then summed
over the processes, and the database's CPU is counted too.
`--traces DIR` keeps, for each session that fails, what its page received from its server and
sent to it, and the workspace panel's state on the page (bench/page_trace.py).

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from bench.harness import CHROMIUM, CHROMIUM_ARGS, Server, dashboard, free_port  # noqa: E402
from bench.page_trace import PageTrace  # noqa: E402
from bench.postgres import Schemas, schemas  # noqa: E402
from bench.synth import make_scenario, synthetic_workspace  # noqa: E402

START = "2024-03-01"
URL_FROM = "() => new URLSearchParams(location.search).get('from')"
AUTHOR = "load session"
# How long a page may take over any one action. Thirty pages share two cores with the servers: a first
# load costs Chromium some 17 s of CPU, and every saved change reruns every open page, so an action can wait
# minutes behind the other pages' work. A patient analyst waits; a page that gives no answer in this long fails.
PATIENCE_MS = 300_000
RAMP_SECONDS = 3.0  # between two sessions' arrivals, as analysts do not all open the page in the same second
STEP_MS = 30_000  # a step that does not move the window in this long is taken for the end of the period
PANEL = "Workspace: import files"


async def add_movement(page, number: int) -> None:
    """Add one movement through the workspace panel, as an analyst would; returns once the page confirms
    it, raises when a part of the form does not show or the confirmation does not come, noting what the
    panel showed."""
    try:
        await page.get_by_text(PANEL).click()
        name = page.get_by_role("textbox", name="Your name", exact=True)
        await name.fill(f"{AUTHOR} {number}")
        await name.press("Enter")
        await page.get_by_role("tab", name="Add").click()
        ends = page.get_by_role("textbox", name="or lat, lon", exact=True)
        await ends.nth(0).fill("35.1, 36.2")
        await ends.nth(1).fill("33.5, 36.3")
        await page.get_by_role("textbox", name="Source", exact=True).fill(f"Load benchmark, session {number}")
        await page.get_by_role("button", name="Add movement").click()
        await page.get_by_text("Added movement").wait_for()
    except Exception as err:
        err.add_note(await panel_note(page))
        raise


async def panel_note(page) -> str:
    """What the page showed when an edit failed: the workspace panel open, closed or absent, the messages
    in it, and Streamlit's status (a run under way, or the connection lost)."""
    panel = page.locator("details", has_text=PANEL)
    try:
        status = await page_status(page)
        if not await panel.count():
            return f"workspace panel absent; status: {status}"
        state = "open" if await panel.first.evaluate("d => d.open") else "closed"
        said = [*await panel.first.locator("[data-testid=stAlert]").all_inner_texts(),
                *await panel.first.locator("[data-testid=stCode]").all_inner_texts()]  # the reasons, if refused
        typed = await form_values(panel.first)
    except Exception:  # the page no longer answers
        return "workspace panel unknown"
    return (f"workspace panel {state}; status: {status}"
            + "".join(f"; it says: {' '.join(text.split())[:240]}" for text in said)
            + (f"; its boxes hold: {typed}" if typed else ""))


async def form_values(panel) -> str:
    """What the panel's name and Add form boxes hold on the page: a refusal that names an empty field then
    says whether the page lost the typing or the server did not receive it."""
    boxes = panel.get_by_role("textbox")
    held = []
    for index in range(await boxes.count()):
        box = boxes.nth(index)
        held.append(f"{await box.get_attribute('aria-label')}={await box.input_value()!r}")
    return ", ".join(held)


async def page_status(page) -> str:
    """Streamlit's status on the page: a run under way, the connection lost (its widgets then disabled), or idle."""
    return " ".join(" ".join(await page.locator("[data-testid=stStatusWidget]").all_inner_texts()).split()) or "idle"


async def dialog_text(page) -> str:
    """A dialog Streamlit shows over the page, such as the connection error that says why the page gave up
    on its server."""
    try:
        said = " ".join(" ".join(await page.locator("[role=dialog]").all_inner_texts()).split())
    except Exception:
        return "dialog unknown: the page no longer answers"
    return f"dialog: {said[:400]}" if said else "no dialog"


@dataclass
class Outcome:
    """What the sessions did: their steps' times, their errors (each naming its session and what it was
    doing), and the sessions whose page confirmed their movement."""

    steps: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    confirmed: set[int] = field(default_factory=set)


def one_line(err: Exception) -> str:
    """An error's type, message and notes on one line. Playwright's messages carry their call log, whose
    last lines say what the page kept refusing (the element not visible, not enabled, detached)."""
    notes = "".join(f" [{note}]" for note in getattr(err, "__notes__", ()))
    text = " ".join(str(err).split())
    if len(text) > 480:
        text = f"{text[:240]} … {text[-240:]}"
    return f"{type(err).__name__}: {text}{notes}"


async def session(browser, url: str, number: int, seconds: float, edit: bool, outcome: Outcome,
                  traces: Path | None) -> None:
    await asyncio.sleep((number - 1) * RAMP_SECONDS)
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(PATIENCE_MS)
    page = await context.new_page()
    trace = PageTrace(PANEL) if traces else None
    if trace:
        await trace.attach(page)
    console = []  # the page's errors and warnings, said when the session fails
    page.on("console", lambda message: console.append(f"{time.strftime('%H:%M:%S')} {message.text[:300]}")
            if message.type in ("error", "warning") else None)
    doing = "opening the page"
    try:
        await page.goto(f"{url}/?from={START}&to=2024-03-30", timeout=PATIENCE_MS)
        await page.wait_for_selector(".st-key-step_week_1 button")
        if edit:
            doing = "adding its movement"
            await add_movement(page, number)
            outcome.confirmed.add(number)
        doing = "stepping"
        forward, backward = page.locator(".st-key-step_week_1 button"), page.locator(".st-key-step_week_-1 button")
        direction, ends = forward, 0
        finish = time.monotonic() + seconds
        while time.monotonic() < finish:
            tick = time.monotonic()
            before = await page.evaluate(URL_FROM)
            await direction.click()
            try:
                await page.wait_for_function(f"old => ({URL_FROM})() !== old", arg=before, timeout=STEP_MS)
                outcome.steps.append(time.monotonic() - tick)
            except Exception:  # the window stood at an end of the period: turn round
                ends += 1
                direction = backward if direction is forward else forward
            if await page.locator("[data-testid=stException]").count():
                outcome.errors.append(f"session {number}, stepping: exception shown on the page")
                break
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        if ends > 2:
            outcome.errors.append(f"session {number}, stepping: {ends} steps did not move the window")
    except Exception as err:
        if doing == "stepping":  # a step button stays disabled while the page has lost its server
            try:
                err.add_note(f"status: {await page_status(page)}")
            except Exception:
                err.add_note("status unknown: the page no longer answers")
        err.add_note(await dialog_text(page))
        if console:
            err.add_note("console: " + " | ".join(console[-6:]))
        if trace:
            kept = traces / f"session-{number}.txt"
            kept.write_text(await trace.text(page))
            err.add_note(f"page trace: {kept}")
        outcome.errors.append(f"session {number}, {doing}: {one_line(err)}")
    finally:
        await context.close()


async def run_sessions(url: str, sessions: int, seconds: float, render: bool, sample_memory,
                       edit: bool, traces: Path | None = None) -> Outcome:
    outcome = Outcome()
    args = CHROMIUM_ARGS if render else [*CHROMIUM_ARGS, "--disable-webgl", "--disable-3d-apis"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        sampler = asyncio.create_task(sample_memory())
        await asyncio.gather(*(session(browser, url, number, seconds, edit, outcome, traces)
                               for number in range(1, sessions + 1)))
        sampler.cancel()
        await browser.close()
    return outcome


def numbers(sessions: Iterable[int]) -> str:
    return ", ".join(str(number) for number in sorted(sessions))


@dataclass(frozen=True)
class Edits:
    """The sessions' movements: whose page confirmed theirs, and how many of each the workspace holds."""

    sessions: int
    confirmed: frozenset[int]
    landed: dict[int, int]  # session number: its movements in the workspace

    def problems(self) -> list[str]:
        """A movement not in the workspace, or in it more than once, is an error, whatever the page said."""
        missing = [n for n in range(1, self.sessions + 1) if n not in self.landed]
        lost = [n for n in missing if n in self.confirmed]
        twice = [n for n, count in self.landed.items() if count > 1]
        found = []
        if missing:
            found.append(f"{len(missing)} of the sessions' {self.sessions} movements are not in the workspace "
                         f"(sessions {numbers(missing)})")
        if lost:
            found.append(f"sessions {numbers(lost)}: the page confirmed the movement, the workspace lacks it")
        if twice:
            found.append(f"sessions {numbers(twice)}: the movement is in the workspace more than once")
        return found

    def unconfirmed(self) -> set[int]:
        """Sessions whose movement landed though their page did not confirm it (each has an error)."""
        return set(self.landed) - self.confirmed


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
    edits: Edits | None = None

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


def landed(url: str, since: int) -> dict[int, int]:
    """The sessions' movements the workspace holds, by session: changes after `since` by the sessions' names."""
    from geodata.workspace import open_workspace

    history = open_workspace(url).history
    authors = history.loc[history["change"] > since, "author"]
    found = authors[authors.str.fullmatch(rf"{AUTHOR} \d+")].str.removeprefix(f"{AUTHOR} ").astype(int)
    return {int(number): int(count) for number, count in found.value_counts().items()}


def load_run(folder: Path, movements: int, sessions: int, seconds: float, render: bool,
             place: Schemas | None = None, processes: int = 1, traces: Path | None = None) -> LoadRun:
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
        size_traces = traces / f"{movements}-movements" if traces else None
        if size_traces:
            size_traces.mkdir(parents=True, exist_ok=True)
        outcome = asyncio.run(run_sessions(running.url, sessions, seconds, render, sample_memory,
                                           edit=place is not None, traces=size_traces))
        elapsed, cpu = time.monotonic() - started, running.cpu_seconds() - cpu
        if database_cpu is not None:
            database_cpu = place.cpu_seconds() - database_cpu
        time.sleep(10)  # sessions end when their sockets close; give the server a moment
        after = running.resident_mb()
    edits = Edits(sessions, frozenset(outcome.confirmed), landed(data, since)) if place is not None else None
    errors = outcome.errors + (edits.problems() if edits else [])
    return LoadRun(outcome.steps, errors, elapsed, resting, max(peak), after, cpu, database_cpu, edits)


def report(label: str, run: LoadRun, processes: int) -> None:
    print(f"{label}: {len(run.steps)} steps in {run.elapsed:.0f} s ({len(run.steps) / run.elapsed:.1f}/s), "
          f"errors {len(run.errors)}" + "".join(f"\n  {e}" for e in run.errors))
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
        unconfirmed = run.edits.unconfirmed()
        print(f"  edits              {len(run.edits.confirmed)} confirmed in the pages, {len(run.edits.landed)} "
              "in the workspace" + (f"; landed unconfirmed: sessions {numbers(unconfirmed)}" if unconfirmed else ""))


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
    parser.add_argument("--traces", metavar="DIR", type=Path,
                        help="keep a failed session's page trace in DIR: its websocket messages, decoded, and the "
                             "workspace panel's state on the page every 100 ms")
    args = parser.parse_args(argv)
    if args.processes > 1 and args.backend != "postgis":
        parser.error("--processes above 1 needs --backend postgis: the processes share one database")

    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        place = stack.enter_context(schemas(args.database)) if args.backend == "postgis" else None
        big = load_run(Path(scratch) / "big", args.movements, args.sessions, args.seconds, args.render, place,
                       args.processes, args.traces)
        small = (load_run(Path(scratch) / "small", args.reference, args.sessions, args.seconds, args.render, place,
                          args.processes, args.traces) if args.reference else None)

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
