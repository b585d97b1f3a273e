"""Downloads keep the scenario format and stay inert in spreadsheets."""

import datetime as dt
import io
import json

import pandas as pd

from geodata import load_scenario
from geodata.downloads import inert, movements_csv, movements_geojson
from geodata.schema import MOVEMENT_COLUMNS
from scenario_files import MOVEMENTS_CSV, write_scenario


def test_formula_strings_are_made_inert_and_numbers_are_not():
    assert inert("=HYPERLINK(\"http://x\",\"y\")") == "'=HYPERLINK(\"http://x\",\"y\")"
    assert inert("+1+1") == "'+1+1" and inert("@SUM(A1)") == "'@SUM(A1)" and inert("-2+3") == "'-2+3"
    assert inert("-12.5") == "-12.5" and inert("Il-76") == "Il-76"


def test_downloaded_csv_is_inert_and_loads_again(tmp_path):
    hostile = MOVEMENTS_CSV.replace("Il-76,2", '"=HYPERLINK(""http://evil.example"",""x"")",2')
    scenario = load_scenario(write_scenario(tmp_path / "s", movements_csv=hostile))
    movements = scenario.movements_in(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    frame = pd.read_csv(io.BytesIO(movements_csv(movements)), dtype=str, keep_default_na=False)
    assert list(frame.columns[:len(MOVEMENT_COLUMNS)]) == [c.name for c in MOVEMENT_COLUMNS]
    assert frame.loc[frame["id"] == "m1", "asset"].item().startswith("'=HYPERLINK")
    again = write_scenario(tmp_path / "again")
    (again / "movements.csv").write_bytes(movements_csv(movements))
    assert len(load_scenario(again).movements) == 4


def test_geojson_download_has_a_line_per_movement(scenario_dir):
    scenario = load_scenario(scenario_dir)
    doc = json.loads(movements_geojson(scenario.movements))
    assert len(doc["features"]) == 4
    first = next(f for f in doc["features"] if f["properties"]["id"] == "m1")
    assert first["geometry"]["coordinates"] == [[35.95, 35.41], [21.18, 32.05]]
