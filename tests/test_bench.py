"""Small runs of the benchmarks, so the scripts cannot rot. They print figures; nothing here is timed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}")


def run(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def figure(output: str, label: str) -> float:
    match = re.search(rf"^{re.escape(label)}.*?(?:median|resident|steps/s)\s+([\d.]+)", output, re.M)
    assert match, f"no '{label}' line in:\n{output}"
    return float(match.group(1))


def test_scale_benchmark_prints_every_figure():
    output = run("scale.py", "--movements", "10000", "--runs", "1", "--steps", "2", "--naive-steps", "1")
    for label in ("first map, data first seen (CSV)", "first map, afterwards (cache)", "  first map on 1,000 movements",
                  "week step until drawn", "  same step on 1,000 movements", "  naive reference",
                  "bytes on the wire per step"):
        assert figure(output, label) > 0
    assert figure(output, "  until the whole page has run") >= figure(output, "first map, data first seen (CSV)")
    assert figure(output, "server memory after steps") > 50
    assert re.search(r"^ratio step / step at 1,000 movements\s+[\d.]+$", output, re.M)
    assert re.search(r"^ratio play speed / at 1,000 movements\s+[\d.]+$", output, re.M)
    assert re.search(r"^ratio first map \(cache\) / at 1,000\s+[\d.]+$", output, re.M)
    assert re.search(r"^ratio naive / ours \(step time\)\s+[\d.]+$", output, re.M)


def test_scale_benchmark_compares_checkouts_on_the_bundled_scenario():
    output = run("scale.py", "--bundled", "--against", str(ROOT), "--runs", "1", "--steps", "1")
    sections = output.split(f"\n{ROOT}\n")
    assert len(sections) == 3, output  # this checkout, then the one given, each with its figures
    for section in sections[1:]:
        for label in ("  first map (cache), map drawn", "  week step until drawn", "  bytes on the wire per step"):
            assert figure(section, label) > 0
    assert re.search(rf"^ratio to {re.escape(str(ROOT))}: first map [\d.]+, step [\d.]+$", output, re.M)


def test_load_benchmark_runs_sessions_without_errors():
    output = run("load.py", "--sessions", "2", "--seconds", "8", "--movements", "10000", "--reference", "1000")
    runs = re.findall(r"^([\d,]+) movements.*: (\d+) steps in .*, errors (\d+)$", output, re.M)
    assert [name for name, _, _ in runs] == ["10,000", "1,000"], output
    # How many steps fit in the seconds is the machine's business: a step at all, and no error, is the script's.
    assert all(int(steps) >= 1 and errors == "0" for _, steps, errors in runs), output
    assert len(re.findall(r"resting \d+\s+peak \d+\s+after close \d+", output)) == 2
    assert re.search(r"^ratio p95 / reference p95\s+[\d.]+$", output, re.M)
