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
