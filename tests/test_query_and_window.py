"""The URL state and the moving window."""

import datetime as dt

from geodata import MovementFilter, load_scenario
from layers.mercator import Camera
from layers.view import LAYER_TOGGLES, MapView
from geodata.windows import default_window
from ui.query import parse_query, to_query
from geodata.windows import shift_date, shift_window

D = dt.date


def test_state_survives_a_round_trip_through_the_url(scenario_dir):
    scenario = load_scenario(scenario_dir)
    view = MapView(D(2025, 1, 10), D(2025, 2, 10), MovementFilter(modes=frozenset({"air", "sea"}),
                   bases=frozenset({"alpha"})), frozenset({"zones", "routes"}), "dark", Camera(34.5, 36.25, 6.5))
    parsed = parse_query(to_query(view, "bravo"), scenario)
    assert parsed.notices == []
    assert parsed.view == view and parsed.selected_base == "bravo"


def test_bad_or_stale_values_fall_back_with_a_notice(scenario_dir):
    scenario = load_scenario(scenario_dir)
    parsed = parse_query({"from": "2031-01-01", "to": "yesterday", "mode": "air,teleport", "theme": "neon",
                          "lat": "95", "lon": "1", "zoom": "3", "selected": "<script>", "layers": "zones,bogus"},
                         scenario)
    assert (parsed.view.start, parsed.view.end) == default_window(scenario.meta.period)
    assert parsed.view.keep.modes == frozenset({"air"})
    assert parsed.view.theme == "light" and parsed.view.camera is None and parsed.selected_base is None
    assert parsed.view.show == frozenset({"zones"})
    assert len(parsed.notices) == 7


def test_defaults_give_a_short_url(scenario_dir):
    scenario = load_scenario(scenario_dir)
    start, end = default_window(scenario.meta.period)
    assert to_query(MapView(start, end), None) == {"from": "2025-01-01", "to": "2025-01-31"}
    assert parse_query({}, scenario).view.show == frozenset(LAYER_TOGGLES)


def test_months_step_by_the_calendar():
    assert shift_date(D(2025, 1, 31), "month", 1) == D(2025, 2, 28)
    assert shift_date(D(2024, 12, 15), "month", 2) == D(2025, 2, 15)
    assert shift_date(D(2025, 3, 1), "month", -3) == D(2024, 12, 1)
    assert shift_date(D(2025, 3, 1), "week", -1) == D(2025, 2, 22)


def test_the_window_keeps_its_width_inside_the_period():
    period = (D(2025, 1, 1), D(2025, 3, 31))
    assert shift_window((D(2025, 1, 1), D(2025, 1, 31)), "week", 1, period) == (D(2025, 1, 8), D(2025, 2, 7))
    assert shift_window((D(2025, 3, 1), D(2025, 3, 20)), "month", 1, period) == (D(2025, 3, 12), D(2025, 3, 31))
    assert shift_window((D(2025, 1, 5), D(2025, 1, 10)), "day", -30, period) == (D(2025, 1, 1), D(2025, 1, 6))


def test_a_calendar_month_window_steps_to_the_next_calendar_month():
    period = (D(2024, 12, 1), D(2026, 2, 28))
    january = (D(2025, 1, 1), D(2025, 1, 31))
    assert shift_window(january, "month", 1, period) == (D(2025, 2, 1), D(2025, 2, 28))
    assert shift_window((D(2025, 2, 1), D(2025, 2, 28)), "month", 1, period) == (D(2025, 3, 1), D(2025, 3, 31))
    assert shift_window(january, "month", -1, period) == (D(2024, 12, 1), D(2024, 12, 31))
    assert shift_window(january, "week", 1, period) == (D(2025, 1, 8), D(2025, 2, 7)), "weeks keep the width"
