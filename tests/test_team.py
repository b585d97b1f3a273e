"""tools/team.py: two dashboard processes on one PostGIS workspace behind HAProxy. Each browser stays on
its process; a change saved anywhere reaches an idle page on the other process by itself."""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from bench.harness import CHROMIUM, free_port, launch, wait_for_map
from geodata.workspace import add_record, create_workspace
from tools.team import HAPROXY, proxy_config, team

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs Chromium at {CHROMIUM}"),
              pytest.mark.skipif(not shutil.which(HAPROXY), reason="needs HAProxy: apt-get install haproxy")]
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

MOVEMENT = {"date": "2025-01-10", "origin": "alpha", "destination": "charlie", "mode": "air", "category": "cargo",
            "asset": "Il-76", "quantity": "1", "confidence": "reported", "source": "Team test", "notes": ""}
STATUS = "[data-testid=stMarkdownContainer] strong"


def test_the_proxy_configuration_lists_one_server_per_process() -> None:
    config = proxy_config(9000, [9101, 9102], "127.0.0.1")
    assert "bind 127.0.0.1:9000" in config
    assert config.count("\n    server ") == 2 and "server d2 127.0.0.1:9102 check cookie d2" in config
    assert "cookie footprint-server insert" in config


def test_two_processes_behind_the_proxy_share_one_database(postgres, scenario_dir: Path) -> None:
    url = postgres.fresh_url()
    create_workspace(url, from_scenario=scenario_dir)
    port = free_port()
    with team(url, processes=2, port=port, first_port=free_port(), address="127.0.0.1") as running, \
            sync_playwright() as playwright:
        assert len(running.processes) == 2
        with urllib.request.urlopen(running.url + "/") as answer:
            assert answer.status == 200 and "footprint-server=d" in answer.headers["Set-Cookie"]
        browser = launch(playwright)
        pages, servers = [], set()
        for _ in range(2):
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            page = context.new_page()
            page.goto(f"{running.url}/?from=2025-01-01&to=2025-01-31")
            wait_for_map(page)
            servers |= {c["value"] for c in context.cookies() if c["name"] == "footprint-server"}
            pages.append(page)
        assert servers == {"d1", "d2"}  # one browser on each process
        for page in pages:
            assert "2 movements" in page.locator("body").inner_text()
        add_record(url, "movements", MOVEMENT, "Ann")  # saved by another analyst, somewhere
        for page in pages:  # both pages are idle: they follow the workspace by themselves
            page.wait_for_function("() => document.body.innerText.includes('3 movements on 1 route')",
                                   timeout=60_000)
            assert not page.locator("[data-testid=stException]").count()
        browser.close()
