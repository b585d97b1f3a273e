import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from geodata.workspace import create_workspace  # noqa: E402
from scenario_files import write_scenario  # noqa: E402


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A small valid scenario folder, fresh for each test."""
    return write_scenario(tmp_path / "scenario")


@pytest.fixture
def workspace(tmp_path: Path, scenario_dir: Path) -> Path:
    """A workspace GeoPackage holding a copy of the small test scenario."""
    path = tmp_path / "work.gpkg"
    create_workspace(path, from_scenario=scenario_dir)
    return path


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster with PostGIS for the whole test session (tests/pg.py)."""
    from bench.postgres import cluster, server_binaries

    if server_binaries() is None:
        pytest.skip("needs PostgreSQL and PostGIS: apt-get install postgresql postgis")
    with cluster() as running:
        yield running


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path: Path, scenario_dir: Path) -> Path | str:
    """A workspace holding a copy of the small test scenario, once in a GeoPackage and once in PostGIS."""
    place = tmp_path / "work.gpkg" if request.param == "gpkg" else request.getfixturevalue("postgres").fresh_url()
    create_workspace(place, from_scenario=scenario_dir)
    return place


class WatchedBrowser:
    """Chromium whose pages record every page error and console error, so that a test fails on any."""

    def __init__(self, chromium):
        self.chromium = chromium
        self.errors: list[str] = []
        self.pages: list = []

    def new_page(self, **kwargs):
        page = self.chromium.new_page(**kwargs)
        self.pages.append(page)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", lambda message: self.errors.append(f"console: {message.text}")
                if message.type == "error" else None)
        return page


@pytest.fixture(scope="module")
def watched():
    """One Chromium per browser-test module."""
    from playwright.sync_api import sync_playwright

    from bench.harness import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield WatchedBrowser(chromium)
        chromium.close()


@pytest.fixture
def browser(watched):
    watched.errors.clear()
    yield watched
    errors = list(watched.errors)
    for page in watched.pages:  # a page left open by a failed test would keep calling its stopped server
        if not page.is_closed():
            page.close()
    watched.pages.clear()
    assert errors == [], "the page reported errors"
