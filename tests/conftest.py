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
