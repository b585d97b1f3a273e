"""Load benchmark: many browser sessions stepping the window of one dashboard at once.

    python bench/load.py --sessions 20 --seconds 120

Each session opens the dashboard on N synthetic movements and moves the window by a week
every second (forward, then back at the end of the period). A step lasts from the click
until the page shows the new window (the URL is updated at the end of the script run).
Prints the step times (median, p95), errors, and the server's memory at rest, at its peak
and after the sessions closed.

The pages run without WebGL by default: twenty software-rendered maps on the same two
cores would measure the test machine's rendering, not the server; `--render` turns it on.
The twenty pages still render the rest of the dashboard on the same two cores as the
server, so the same load is run again on 1,000 movements (`--reference`) and the ratio
of the two says what the data size adds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from bench.harness import CHROMIUM, CHROMIUM_ARGS, dashboard  # noqa: E402
from bench.synth import make_scenario  # noqa: E402

START = "2024-03-01"
URL_FROM = "() => new URLSearchParams(location.search).get('from')"


async def session(browser, url: str, seconds: float, steps: list[float], errors: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/?from={START}&to=2024-03-30", timeout=180_000)
        await page.wait_for_selector(".st-key-step_week_1 button", timeout=180_000)
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


async def run_sessions(url: str, sessions: int, seconds: float, render: bool, sample_memory) -> tuple:
    steps: list[float] = []
    errors: list[str] = []
    args = CHROMIUM_ARGS if render else [*CHROMIUM_ARGS, "--disable-webgl", "--disable-3d-apis"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        sampler = asyncio.create_task(sample_memory())
        await asyncio.gather(*(session(browser, url, seconds, steps, errors) for _ in range(sessions)))
        sampler.cancel()
        await browser.close()
    return steps, errors


@dataclass
class LoadRun:
    steps: list[float]
    errors: list[str]
    elapsed: float
    resting: float
    peak: float
    after: float
    server_cpu: float  # seconds of server CPU during the run

    def percentile(self, share: float) -> float:
        ordered = sorted(self.steps) or [float("nan")]
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load_run(folder: Path, movements: int, sessions: int, seconds: float, render: bool) -> LoadRun:
    data = make_scenario(folder / "data", movements)
    with dashboard(data, env={"FOOTPRINT_CACHE_DIR": str(folder / "cache")}) as server:
        # One session first, so that loading the data is not counted as load.
        asyncio.run(run_sessions(server.url, 1, 3, render, lambda: asyncio.sleep(0)))
        resting, _ = server.resident_mb()
        peak = [resting]

        async def sample_memory():
            while True:
                peak.append(server.resident_mb()[0])
                await asyncio.sleep(0.5)

        started, cpu = time.monotonic(), server.cpu_seconds()
        steps, errors = asyncio.run(run_sessions(server.url, sessions, seconds, render, sample_memory))
        elapsed, cpu = time.monotonic() - started, server.cpu_seconds() - cpu
        time.sleep(10)  # sessions end when their sockets close; give the server a moment
        after, _ = server.resident_mb()
    return LoadRun(steps, errors, elapsed, resting, max(peak), after, cpu)


def report(label: str, run: LoadRun) -> None:
    print(f"{label}: {len(run.steps)} steps in {run.elapsed:.0f} s ({len(run.steps) / run.elapsed:.1f}/s), "
          f"errors {len(run.errors)}" + "".join(f"\n  {e}" for e in run.errors[:10]))
    median = statistics.median(run.steps) if run.steps else float("nan")
    print(f"  step time  s   median {median:.3f}  p95 {run.percentile(0.95):.3f}  max {run.percentile(1):.3f}")
    print(f"  server CPU     s   {run.server_cpu:.0f} in all, {run.server_cpu / max(1, len(run.steps)):.3f} per step "
          f"(the rest of the two cores went to the browsers)")
    print(f"  server memory  MB  resting {run.resting:.0f}  peak {run.peak:.0f}  after close {run.after:.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--reference", type=int, default=1_000, help="movements of the reference run (0: skip it)")
    parser.add_argument("--render", action="store_true", help="let every page draw its map in software WebGL")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        big = load_run(Path(scratch) / "big", args.movements, args.sessions, args.seconds, args.render)
        small = (load_run(Path(scratch) / "small", args.reference, args.sessions, args.seconds, args.render)
                 if args.reference else None)

    print(f"Footprint load benchmark: {args.sessions} sessions x {args.seconds:.0f} s, "
          f"WebGL {'on' if args.render else 'off'}")
    report(f"{args.movements:,} movements", big)
    if small:
        report(f"{args.reference:,} movements (reference)", small)
        print(f"ratio p95 / reference p95          {big.percentile(0.95) / small.percentile(0.95):.2f}")
        print(f"ratio median / reference median    "
              f"{statistics.median(big.steps) / statistics.median(small.steps):.2f}")
    return 1 if big.errors or (small and small.errors) else 0


if __name__ == "__main__":
    sys.exit(main())
