"""Small runs of the benchmarks on PostGIS, so the scripts cannot rot. They print figures; nothing is timed."""

import os
import re
import shutil

import pytest

from bench.harness import CHROMIUM
from bench.postgres import server_binaries
from test_bench import figure, run
from tools.team import HAPROXY

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
              pytest.mark.skipif(server_binaries() is None, reason="needs PostgreSQL and PostGIS")]


def test_scale_benchmark_on_postgis_prints_every_figure():
    output = run("scale.py", "--backend", "postgis", "--movements", "20000", "--runs", "1", "--steps", "2")
    assert "in PostGIS" in output and "a PostGIS workspace" in output
    for label in ("first map, new process (database)", "  first map on 1,000 movements", "week step until drawn",
                  "  same step on 1,000 movements", "bytes on the wire per step"):
        assert figure(output, label) > 0
    assert figure(output, "server memory after steps") > 50
    assert re.search(r"^ratio step / step at 1,000 movements\s+[\d.]+$", output, re.M)


@pytest.mark.skipif(not shutil.which(HAPROXY), reason="needs HAProxy")
def test_load_benchmark_on_two_processes_lands_every_edit(tmp_path):
    output = run("load.py", "--backend", "postgis", "--processes", "2", "--sessions", "2", "--seconds", "6",
                 "--movements", "5000", "--reference", "0", "--traces", str(tmp_path))
    assert re.search(r"^5,000 movements: \d+ steps in .*, errors 0$", output, re.M), output
    assert "(2 processes)" in output and re.search(r"database CPU\s+s\s+[\d.]+ in all", output)
    assert re.search(r"^  edits\s+2 confirmed in the pages, 2 in the workspace$", output, re.M), output
    # The pages were traced, and a trace is kept only for a failed session.
    assert (tmp_path / "5000-movements").is_dir() and not any((tmp_path / "5000-movements").iterdir())
