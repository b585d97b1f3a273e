"""`python -m geodata import`: mappings proposed and overridden, previews, exit codes and reasons."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from geodata import load_scenario
from geodata.__main__ import main
from geodata.imports.mapping import load_mapping, mapping_json, override, propose
from geodata.problems import Problems
from geodata.workspace import create_workspace, open_workspace

ROOT = Path(__file__).resolve().parent.parent
ACLED = ("event_id_cnty,event_date,event_type,actor1,country,location,latitude,longitude,source,notes,fatalities\n"
         "SYR101,05 December 2024,Strategic developments,Red force,Syria,Kilo field,35.1,36.7,Reuters,Seen,0\n")
PROBLEM_LINE = re.compile(r"^[^:\s]+(:\d+)?: [\w-]+: ")


@pytest.fixture
def workspace(tmp_path: Path, scenario_dir: Path) -> Path:
    path = tmp_path / "work.gpkg"
    create_workspace(path, from_scenario=scenario_dir)
    return path


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder / name)


def test_acled_and_kepler_headers_are_recognised() -> None:
    acled = propose("bases", ACLED.splitlines()[0].split(",")).columns
    assert acled == {"id": "event_id_cnty", "name": "location", "country": "country", "lat": "latitude",
                     "lon": "longitude", "operator": "actor1", "description": "notes", "source": "source",
                     "active_from": "event_date"}
    kepler = propose("movements", ["source_lat", "source_lng", "target_lat", "target_lng", "Date"]).columns
    assert kepler == {"date": "Date", "origin_lat": "source_lat", "origin_lon": "source_lng",
                      "destination_lat": "target_lat", "destination_lon": "target_lng"}
    assert propose("bases", ["Y", "X", "Name"]).columns == {"name": "Name", "lat": "Y", "lon": "X"}
    plain = propose("movements", ["Date", "From", "To", "Type"]).columns
    assert plain == {"date": "Date", "origin": "From", "destination": "To", "category": "Type"}


def test_a_mapping_is_overridden_saved_and_loaded() -> None:
    problems = Problems()
    mapping = override(propose("bases", ["site", "y", "x", "notes"]), "notes=name,site=description",
                       ["site", "y", "x", "notes"], "f.csv", problems)
    assert (mapping.columns["name"], mapping.columns["description"]) == ("notes", "site")
    assert load_mapping(mapping_json(mapping), "m.json", problems) == mapping and not problems.errors
    override(mapping, "notes=nickname", ["notes"], "f.csv", problems)
    assert "bases have no column 'nickname'" in problems.lines()[0]
    assert load_mapping('{"format": "footprint-mapping/1", "table": "bases", "columns": {"x": "y"}}', "m.json",
                        problems) is None


def test_acled_import_with_a_default_kind(workspace: Path, tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "acled.csv", ACLED)
    assert main(["import", file, "--into", str(workspace), "--confidence", "claimed"]) == 0
    out = capsys.readouterr().out
    assert "acled.csv: bases: 1 to add, 0 already in the workspace" in out
    assert "acled.csv: not imported: event_type, fatalities" in out
    assert "acled.csv: kind: warning: row 2: none given, set to 'other'" in out
    base = load_scenario(workspace).bases.loc["SYR101"]
    assert (base["operator"], base["kind"], str(base["active_from"].date())) == ("red", "other", "2024-12-05")


def test_set_and_map_given_twice_add_up(workspace: Path, tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "sites.csv", "site,y,x,who\nKilo field,35.1,36.7,red\n")
    assert main(["import", file, "--into", str(workspace), "--set", "kind=airport", "--set", "confidence=reported",
                 "--map", "site=name", "--map", "who=operator", "--map", "y=lat,x=lon"]) == 0
    out = capsys.readouterr().out
    assert "kind: warning" not in out and "confidence: warning" not in out  # the values given are not defaults
    base = load_scenario(workspace).bases.set_index("name").loc["Kilo field"]
    assert (base["kind"], base["confidence"], base["operator"]) == ("airport", "reported", "red")


def test_refusals_print_file_row_field_message_and_exit_1(workspace: Path, tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "moves.csv", "date,origin,destination,mode,category,source,confidence\n"
                                       "2025-02-30,alpha,nowhere,air,cargo,S,reported\n"
                                       "2025-02-01,alpha,bravo,bus,cargo,S,maybe\n")
    before = workspace.read_bytes()
    assert main(["import", file, "--into", str(workspace)]) == 1
    lines = capsys.readouterr().out.splitlines()
    problems = [line for line in lines if line.startswith("moves.csv:")]
    assert "moves.csv:2: date: '2025-02-30' is not a date (YYYY-MM-DD)" in problems
    assert "moves.csv:2: destination: unknown base id 'nowhere'" in problems
    assert "moves.csv:3: mode: 'bus' is not one of: air, sea, land" in problems
    assert all(PROBLEM_LINE.match(line) for line in problems)
    assert lines[-1] == "refused: nothing was written" and workspace.read_bytes() == before


def test_an_id_taken_by_another_record_is_refused(workspace: Path, tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "b.csv", "id,name,lat,lon,country,kind,operator,description,confidence\n"
                                    "alpha,Another place,30,30,Egypt,other,red,,reported\n")
    assert main(["import", file, "--into", str(workspace)]) == 1
    assert "b.csv:2: id: 'alpha' is already the id of another record" in capsys.readouterr().out


def test_as_and_map_place_a_file_the_importer_cannot_read_alone(workspace: Path, tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "odd.csv", "when,start_site,end_site,how,what,who\n"
                                      "2025-02-09,alpha,bravo,land,troops,Test\n")
    assert main(["import", file, "--into", str(workspace)]) == 1
    assert "odd.csv: -: has neither two ends" in capsys.readouterr().out
    mapping = tmp_path / "odd.json"
    args = ["import", file, "--into", str(workspace), "--as", "movements", "--confidence", "reported",
            "--map", "when=date,start_site=origin,end_site=destination,how=mode,what=category,who=source",
            "--save-mapping", str(mapping)]
    assert main(args) == 0
    assert (load_scenario(workspace).movements["date"] == "2025-02-09").sum() == 1
    second = write(tmp_path, "odd2.csv", "when,start_site,end_site,how,what,who\n"
                                         "2025-02-10,alpha,bravo,land,troops,Test\n")
    assert main(["import", second, "--into", str(workspace), "--mapping", str(mapping), "--confidence",
                 "reported"]) == 0


def test_options_that_fit_no_file_are_refused(workspace: Path, tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "acled.csv", ACLED)
    assert main(["import", file, "--into", str(workspace), "--map", "nothing=name", "--set", "kind=other"]) == 1
    assert "--map: nothing=name: no file has a column 'nothing'" in capsys.readouterr().out


def test_a_new_workspace_is_created_with_bases_and_movements_from_two_files(tmp_path: Path) -> None:
    bases = write(tmp_path, "bases.csv", "id,name,country,kind,lat,lon,operator,description,source,confidence\n"
                                         "x,X,Syria,airport,35,36,Red,,S,confirmed\n"
                                         "y,Y,Libya,airport,32,21,Blue,,S,confirmed\n")
    moves = write(tmp_path, "moves.csv", "date,origin,destination,mode,category,source,confidence\n"
                                         "2025-05-01,x,y,air,cargo,S,reported\n")
    target = tmp_path / "new.gpkg"
    result = subprocess.run([sys.executable, "-m", "geodata", "import", bases, moves, "--into", str(target),
                             "--author", "Ann"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported 3 records into new.gpkg (change #1)" in result.stdout
    scenario = load_scenario(target)
    assert sorted(scenario.actors.index) == ["blue", "red"]
    assert (scenario.meta.start.isoformat(), scenario.meta.end.isoformat()) == ("2025-05-01", "2025-05-01")
    assert open_workspace(target).history["summary"].tolist() == ["import bases.csv, moves.csv"]


def test_a_refused_import_creates_no_workspace(tmp_path: Path, capsys) -> None:
    file = write(tmp_path, "bad.csv", "date,origin,destination\nnot a date,a,b\n")
    assert main(["import", file, "--into", str(tmp_path / "never.gpkg")]) == 1
    assert not list(tmp_path.glob("never.gpkg*"))
