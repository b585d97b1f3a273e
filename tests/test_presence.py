"""Dated holders and presences: what `geodata check` refuses, and who holds what on a given day."""

import datetime as dt

import pytest

from geodata import check_scenario
from scenario_files import write_scenario

HEADER = "base,actor,role,from,to,confidence,source,notes\n"
GOOD = HEADER + (
    "alpha,red,holds,2017-01-01,2025-01-31,confirmed,Test source,\n"
    "alpha,blue,holds,2025-02-01,,reported,Test source,handed over\n"
    "alpha,red,present,2025-02-01,2025-02-20,reported,Test source,stayed on\n"
)


def load(tmp_path, presence: str):
    return check_scenario(write_scenario(tmp_path / "s", presence_csv=presence))


def test_without_presence_csv_each_operator_holds_its_base_over_its_active_period(tmp_path):
    bases = ("id,name,country,kind,lat,lon,operator,description,source,confidence,active_from,active_to\n"
             "alpha,Alpha,Syria,air base,35.4,35.9,red,,Src,confirmed,,2025-01-15\n"
             "bravo,Bravo,Syria,naval base,34.9,35.8,red,,Src,confirmed,2025-02-01,\n"
             "charlie,Charlie,Libya,airport,32.0,21.1,blue,,Src,confirmed,,\n")
    scenario, problems = check_scenario(write_scenario(tmp_path / "s", bases_csv=bases))
    assert scenario is not None, problems.lines()
    january, march = scenario.sites_on(dt.date(2025, 1, 10)), scenario.sites_on(dt.date(2025, 3, 1))
    assert list(january["holder"]) == ["red", "", "blue"]
    assert list(march["holder"]) == ["", "red", "blue"]


def test_holders_and_presences_follow_the_dates(tmp_path):
    scenario, problems = load(tmp_path, GOOD)
    assert scenario is not None, problems.lines()
    assert scenario.sites_on(dt.date(2025, 1, 31)).loc["alpha", "holder"] == "red"
    february = scenario.sites_on(dt.date(2025, 2, 10)).loc["alpha"]
    assert (february["holder"], february["present"]) == ("blue", ("red",))
    march = scenario.sites_on(dt.date(2025, 3, 1)).loc["alpha"]
    assert (march["holder"], march["present"]) == ("blue", ())
    # Bases presence.csv leaves out keep their operator.
    assert scenario.sites_on(dt.date(2025, 2, 10)).loc["charlie", "holder"] == "blue"


def test_the_operator_filter_follows_who_holds_or_is_present_in_the_window(tmp_path):
    from geodata import MovementFilter

    scenario, _ = load(tmp_path, GOOD)
    blue = MovementFilter(operators=frozenset({"blue"}))
    # In January blue holds only charlie; from February it also holds alpha.
    assert set(scenario.bases_shown(blue, dt.date(2025, 1, 1), dt.date(2025, 1, 20)).index) == {"charlie"}
    assert set(scenario.bases_shown(blue, dt.date(2025, 2, 1), dt.date(2025, 2, 5)).index) == {"alpha", "charlie"}
    moved = scenario.movements_in(dt.date(2025, 3, 1), dt.date(2025, 3, 1), blue)
    assert list(moved["id"]) == ["m4"], "alpha→bravo counts for blue once blue holds alpha"


@pytest.mark.parametrize("rows, expected", [
    ("alpha,red,holds,2017-01-01,2025-02-10,confirmed,S,\nalpha,blue,holds,2025-02-01,,reported,S,\n",
     "presence.csv:3: from: alpha is held by red from 2017-01-01 to 2025-02-10 (row 2): holds periods of one base must not "
     "overlap"),
    # A period inside another is caught even when the row just before it ended earlier.
    ("alpha,red,holds,2017-01-01,2025-03-31,confirmed,S,\nalpha,blue,holds,2025-01-01,2025-01-31,reported,S,\n"
     "alpha,blue,holds,2025-02-01,2025-02-28,reported,S,\n",
     "presence.csv:4: from: alpha is held by red from 2017-01-01 to 2025-03-31 (row 2): holds periods of one base must not "
     "overlap"),
    ("alpha,red,holds,2025-01-01,2025-01-31,confirmed,S,\nalpha,blue,present,2025-01-20,2025-02-05,reported,S,\n",
     "presence.csv:3: from: blue present at alpha on days nobody holds it (2025-02-01 to 2025-02-05): "
     "add the holder or shorten the period"),
    ("alpha,red,holds,2019-01-01,2024-06-30,confirmed,S,\n",
     "presence.csv:2: to: 2024-06-30 ends before the scenario's period (from 2025-01-01)"),
    ("alpha,red,holds,2025-06-01,,confirmed,S,\n",
     "presence.csv:2: from: 2025-06-01 starts after the scenario's period (to 2025-03-31)"),
    ("zulu,red,holds,2020-01-01,,confirmed,S,\n", "presence.csv:2: base: unknown base id 'zulu'"),
    ("alpha,green,holds,2020-01-01,,confirmed,S,\n", "presence.csv:2: actor: unknown actor id 'green'"),
    ("alpha,red,owns,2020-01-01,,confirmed,S,\n", "presence.csv:2: role: 'owns' is not one of: holds, present"),
    ("alpha,red,holds,2025-02-01,2025-01-01,confirmed,S,\n", "presence.csv:2: to: 2025-01-01 is before from 2025-02-01"),
])
def test_broken_presence_is_reported_by_file_row_and_field(tmp_path, rows, expected):
    scenario, problems = load(tmp_path, HEADER + rows)
    assert scenario is None
    assert expected in [line.replace(" 00:00:00", "") for line in problems.lines()]


def test_a_presence_that_started_before_the_period_is_fine(tmp_path):
    rows = "alpha,blue,holds,2019-01-01,,confirmed,S,\nalpha,red,present,2019-11-14,2025-01-27,confirmed,S,\n"
    scenario, problems = load(tmp_path, HEADER + rows)
    assert scenario is not None, problems.lines()
    assert scenario.sites_on(dt.date(2025, 1, 27)).loc["alpha", "present"] == ("red",)
    assert scenario.sites_on(dt.date(2025, 1, 28)).loc["alpha", "present"] == ()
