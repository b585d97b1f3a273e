"""Importing who holds what, when: presence rows from a CSV or a GeoPackage table, checked as `geodata check`
checks presence.csv, all or nothing, and taken back by one undo."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geodata import load_scenario
from geodata.__main__ import main
from geodata.imports.apply import import_into, preview_import
from geodata.imports.infer import infer_table
from geodata.imports.mapping import propose
from geodata.imports.preview import Source
from geodata.imports.sources import read_bytes
from geodata.problems import Problems
from geodata.workspace import open_workspace, undo
from geodata.workspace_store import store_for

# In the test scenario bases.csv has red running alpha; these rows hand it to blue on 1 Feb 2025, red staying on.
HANDOVER = ("Site,Holder,Status,Start,End,Citation,Comment\n"
            "alpha,red,holds,2017-01-01,2025-01-31,Test wire 2025-02-01,\n"
            "Alpha air base,Blue force,holds,2025-02-01,,Test wire 2025-02-01,handed over\n"
            "alpha,red,present,2025-02-01,2025-02-20,Test wire 2025-02-01,stayed on\n")
FEB_10 = dt.date(2025, 2, 10)


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder / name)


def imported(workspace: Path, name: str, text: str, *flags: str) -> int:
    """`python -m geodata import` of a file written beside the workspace; its exit code."""
    return main(["import", write(workspace.parent, name, text), "--into", str(workspace), "--author", "Ann", *flags])


def test_presence_headers_are_recognised_and_the_table_inferred() -> None:
    assert propose("presence", HANDOVER.splitlines()[0].split(",")).columns == {
        "base": "Site", "actor": "Holder", "role": "Status", "from": "Start", "to": "End", "source": "Citation",
        "notes": "Comment"}
    plain = ["location", "force", "role", "start_date", "end_date", "confidence", "url", "notes"]
    assert propose("presence", plain).columns == {
        "base": "location", "actor": "force", "role": "role", "from": "start_date", "to": "end_date",
        "confidence": "confidence", "source": "url", "notes": "notes"}
    problems = Problems()
    presence = read_bytes("p.csv", b"base,actor,role,from,to\nalpha,red,holds,2025-01-01,\n", problems)[0]
    # "from" and "to" would pass for a movement's two ends; a base, an actor and a role say presence.
    assert infer_table(presence) == "presence"
    movements = read_bytes("m.csv", b"date,from,to,mode\n2025-01-01,alpha,bravo,air\n", problems)[0]
    assert infer_table(movements) == "movements" and not problems.errors


def test_a_csv_of_holders_changes_who_holds_a_base_on_a_day(workspace: Path, capsys) -> None:
    assert load_scenario(workspace).sites_on(FEB_10).loc["alpha", "holder"] == "red"
    assert imported(workspace, "handover.csv", HANDOVER, "--confidence", "reported") == 0
    out = capsys.readouterr().out
    assert "handover.csv: presence: 3 to add, 0 already in the workspace" in out
    assert "handover.csv: mapping: Site→base, Holder→actor, Status→role, Start→from, End→to" in out
    scenario = load_scenario(workspace)
    alpha = scenario.sites_on(FEB_10).loc["alpha"]
    assert (alpha["holder"], alpha["present"]) == ("blue", ("red",))
    assert scenario.sites_on(dt.date(2025, 1, 31)).loc["alpha", "holder"] == "red"
    rows = scenario.presence[(scenario.presence["base"] == "alpha") & (scenario.presence["row"] > 0)]
    assert sorted(zip(rows["actor"], rows["role"])) == [("blue", "holds"), ("red", "holds"), ("red", "present")]
    assert set(rows["confidence"]) == {"reported"} and set(rows["source"]) == {"Test wire 2025-02-01"}
    assert sorted(open_workspace(workspace).tables["presence"]["id"]) == ["p001", "p002", "p003"]
    # The same file again adds nothing.
    before = workspace.read_bytes()
    assert imported(workspace, "handover.csv", HANDOVER, "--confidence", "reported") == 0
    assert "0 to add, 3 already in the workspace" in capsys.readouterr().out and workspace.read_bytes() == before


def test_a_bad_file_is_refused_row_by_row_and_nothing_is_saved(workspace: Path, capsys) -> None:
    bad = ("base,actor,role,from,to,confidence,source\n"
           "zulu,red,holds,2025-01-01,,reported,S\n"
           "alpha,green,owns,2025-13-01,,reported,S\n"
           "bravo,red,holds,2025-02-01,2025-01-01,maybe,S\n"
           "charlie,blue,holds,2025-01-01,,reported,S\n"
           "charlie,red,holds,2025-02-01,,reported,S\n"
           "alpha,red,holds,2019-01-01,2024-06-30,reported,S\n")
    before = workspace.read_bytes()
    assert imported(workspace, "bad.csv", bad) == 1
    lines = capsys.readouterr().out.splitlines()
    # Each bad cell once, by row and field; a row already at fault is not also blamed for clashes.
    assert sorted(line for line in lines if re.match(r"bad\.csv:\d+: ", line)) == sorted([
        "bad.csv:2: base: unknown base id 'zulu'",
        "bad.csv:3: actor: unknown actor id 'green'",
        "bad.csv:3: role: 'owns' is not one of: holds, present",
        "bad.csv:3: from: '2025-13-01' is not a date (YYYY-MM-DD)",
        "bad.csv:4: to: 2025-01-01 is before from 2025-02-01",
        "bad.csv:4: confidence: 'maybe' is not one of: confirmed, reported, claimed",
        "bad.csv:6: from: charlie is held by blue from 2025-01-01 to … (row 5): holds periods of one base must not "
        "overlap",
        "bad.csv:7: to: 2024-06-30 ends before the scenario's period (from 2025-01-01)"])
    assert lines[-1] == "refused: nothing was written" and workspace.read_bytes() == before


def test_a_row_that_clashes_with_the_workspace_is_named_by_its_row(workspace: Path, capsys) -> None:
    assert imported(workspace, "handover.csv", HANDOVER, "--confidence", "reported") == 0
    capsys.readouterr()
    clash = "base,actor,role,from,to,source\nalpha,red,holds,2010-01-01,2017-06-30,Other wire\n"
    before = workspace.read_bytes()
    assert imported(workspace, "clash.csv", clash) == 1
    assert ("clash.csv:2: from: alpha is held by red from 2017-01-01 to 2025-01-31 (workspace record p001): holds "
            "periods of one base must not overlap") in capsys.readouterr().out
    assert workspace.read_bytes() == before


def test_a_presence_alone_at_a_base_is_imported_with_a_warning(workspace: Path, capsys) -> None:
    assert imported(workspace, "only.csv", "base,actor,role,from,source\nbravo,blue,present,2025-01-01,S\n") == 0
    assert "only.csv:2: role: warning: bravo gets presence rows but no holds row" in capsys.readouterr().out
    assert tuple(load_scenario(workspace).sites_on(FEB_10).loc["bravo"]) == ("", ("blue",))


def test_presence_in_the_months_a_movement_file_brings_is_checked_against_the_widened_period(
        workspace: Path, capsys, tmp_path: Path) -> None:
    moves = write(tmp_path, "moves.csv", "date,origin,destination,mode,category,source,confidence\n"
                                         "2025-06-01,alpha,charlie,air,cargo,S,reported\n")
    presence = write(tmp_path, "june.csv", "base,actor,role,from,to,source\ncharlie,red,holds,2025-05-01,,S\n")
    assert main(["import", presence, "--into", str(workspace), "--author", "Ann"]) == 1
    assert "june.csv:2: from: 2025-05-01 starts after the scenario's period (to 2025-03-31)" in capsys.readouterr().out
    assert main(["import", moves, presence, "--into", str(workspace), "--author", "Ann"]) == 0
    scenario = load_scenario(workspace)
    assert scenario.meta.end == dt.date(2025, 6, 1)  # the movement widened it; the presence's dates did not
    assert scenario.sites_on(dt.date(2025, 5, 20)).loc["charlie", "holder"] == "red"


def test_a_geopackage_table_imports_as_presence(workspace: Path, tmp_path: Path) -> None:
    rows = pd.DataFrame({"site": ["charlie"], "force": ["red"], "status": ["present"], "start_date": ["2025-01-10"],
                         "end_date": ["2025-02-10"], "url": ["https://example.org/report"]})
    pyogrio.write_dataframe(rows, tmp_path / "holders.gpkg", layer="holders", driver="GPKG")
    problems = Problems()
    [part] = read_bytes("holders.gpkg", (tmp_path / "holders.gpkg").read_bytes(), problems)
    assert infer_table(part) == "presence" and not problems.errors
    source = Source(part, propose("presence", list(part.frame.columns)))
    plan = preview_import(workspace, [source])
    assert not plan.refused and plan.added == 1, plan.lines()
    number, _ = import_into(workspace, [source], "Ann")
    sites = load_scenario(workspace).sites_on(dt.date(2025, 2, 1))
    assert number == 1 and sites.loc["charlie", "present"] == ("red",)


def test_one_undo_takes_the_whole_import_back(target) -> None:
    problems = Problems()
    [part] = read_bytes("handover.csv", HANDOVER.encode(), problems)
    number, plan = import_into(target, [Source(part, propose("presence", list(part.frame.columns)))], "Ann")
    assert plan.added == 3 and load_scenario(target).sites_on(FEB_10).loc["alpha", "holder"] == "blue"
    revision = store_for(target).revision()
    undo(target, number, "Ann")
    assert store_for(target).revision() != revision
    assert len(open_workspace(target).tables["presence"]) == 0
    assert tuple(load_scenario(target).sites_on(FEB_10).loc["alpha"]) == ("red", ())


@pytest.mark.parametrize("flag", ["--as", "--mapping"])
def test_the_table_can_be_named_for_a_file_that_does_not_say(workspace: Path, tmp_path: Path, flag: str,
                                                             capsys) -> None:
    odd = "place,who,what,since,source\nalpha,blue,holds,2025-02-01,S\n"
    mapping = tmp_path / "m.json"
    mapping.write_text('{"format": "footprint-mapping/1", "table": "presence", "columns": {"base": "place", '
                       '"actor": "who", "role": "what", "from": "since"}, "defaults": {}}', encoding="utf-8")
    flags = ["--as", "presence", "--map", "what=role"] if flag == "--as" else ["--mapping", str(mapping)]
    assert imported(workspace, "odd.csv", odd, *flags) == 0, capsys.readouterr().out
    assert load_scenario(workspace).sites_on(FEB_10).loc["alpha", "holder"] == "blue"
