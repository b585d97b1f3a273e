"""Window figures say what they count: under way or started, people only from troops, equipment by what it is."""

import datetime as dt

from analysis.counts import plural, window_counts
from geodata import load_scenario
from scenario_files import write_scenario

MOVEMENTS = """id,date,origin,destination,mode,category,asset,quantity,confidence,source,notes,end_date
m1,2025-01-05,alpha,charlie,air,cargo,Il-76,2,confirmed,S,,
m2,2025-01-20,alpha,bravo,land,armour,Convoy,100,reported,S,,2025-03-10
m3,2025-02-10,bravo,charlie,sea,troops,Landing ship,300,claimed,S,,
m4,2025-02-12,alpha,charlie,air,troops,Il-76,,reported,S,,
"""


def test_quantities_count_once_in_the_window_a_movement_started_and_people_only_from_troops(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path / "s", movements_csv=MOVEMENTS))
    february = window_counts(scenario.movements_in(dt.date(2025, 2, 1), dt.date(2025, 2, 28)), dt.date(2025, 2, 1))
    # m2 is under way in February (a convoy from January) but its 100 vehicles were counted in January.
    assert (february.under_way, february.started) == (3, 2)
    assert february.people == 300 and february.people_unnumbered == 1
    assert february.equipment == {}, "two cargo aircraft are not people, and not February's"
    january = window_counts(scenario.movements_in(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), dt.date(2025, 1, 1))
    assert january.people == 0 and january.equipment == {"armour": 100, "cargo": 2}


def test_plural():
    assert (plural(1, "movement"), plural(2, "movement"), plural(1204, "route")) == (
        "1 movement", "2 movements", "1,204 routes")


def test_the_note_sums_quantities_not_movements_and_escapes_their_names(tmp_path):
    from ui.main_panel import counts_html

    scenario = load_scenario(write_scenario(tmp_path / "s", movements_csv=MOVEMENTS))
    january = window_counts(scenario.movements_in(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), dt.date(2025, 1, 1))
    note = counts_html(january)
    assert "Quantities moved: armour 100 · cargo 2 (summed over the movements that started in the window)" in note
    hostile = counts_html(type(january)(1, 1, 0, 0, {"<img src=x>": 3}))
    assert "<img" not in hostile and "&lt;img src=x&gt; 3" in hostile
