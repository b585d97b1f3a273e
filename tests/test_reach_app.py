"""The Reach panel in the dashboard, through Streamlit's AppTest: rings and routes from the link and from
the panel's widgets reach the map, the legend, the table and the link; bad values fall back with a notice."""

import datetime as dt
import io
import json
import sys

import pandas as pd
import pytest
from pyproj import Geod
from streamlit.testing.v1 import AppTest

from analysis.reach import ReachQuery
from layers.rings import RingSpec
from layers.view import MapView
from ui.query import parse_query, to_query
from geodata import load_scenario
from scenario_files import write_scenario

SYSTEMS = """id,name,kind,range_km,notes,source,confidence
sam,Test SAM,air-defence,400,,Src,reported
lift,Test lifter,aircraft,2000,,Src,reported
blank,No figure,aircraft,,none found,Src,reported
"""


@pytest.fixture
def folder(tmp_path):
    return write_scenario(tmp_path / "s", systems_csv=SYSTEMS)


def start_app(monkeypatch, data, query=None) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["dashboard.py", "--data", str(data)])
    app = AppTest.from_file("../dashboard.py", default_timeout=90)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app.run()


def layers(app: AppTest) -> dict[str, dict]:
    data = json.loads(next(element for element in app.get("bidi_component") if element.key == "map").proto.json)
    return {item["spec"]["id"]: item["spec"] for item in data["layers"]}


def test_the_link_keeps_rings_side_and_routes(folder):
    scenario = load_scenario(folder)
    view = MapView(dt.date(2025, 1, 1), dt.date(2025, 1, 31),
                   rings=(RingSpec("alpha", system="sam"), RingSpec("bravo", km=(100.0, 300.0))), side="blue",
                   reach=ReachQuery("lift", ("alpha",), ("charlie",), without=frozenset({"bravo"}), stops=1,
                                    detour=True))
    params = to_query(view, None)
    assert params["rings"] == "alpha:sam,bravo:100-300" and params["side"] == "blue"
    assert (params["reach"], params["reach_from"], params["reach_to"], params["reach_without"],
            params["reach_stops"], params["reach_detour"]) == ("lift", "alpha", "charlie", "bravo", "1", "1")
    parsed = parse_query(params, scenario)
    assert parsed.notices == [] and parsed.view == view


def test_bad_reach_values_fall_back_with_a_notice(folder):
    scenario = load_scenario(folder)
    parsed = parse_query({"rings": "alpha:sam,nowhere:300,alpha:9-1", "side": "purple", "reach": "lift",
                          "reach_from": "alpha,zz", "reach_to": "charlie", "reach_stops": "many"}, scenario)
    assert parsed.view.rings == (RingSpec("alpha", system="sam"),)
    assert parsed.view.side == ""
    assert parsed.view.reach == ReachQuery("lift", ("alpha",), ("charlie",))
    assert len(parsed.notices) == 5
    assert parse_query({"reach": "tank", "reach_from": "alpha", "reach_to": "charlie"}, scenario).view.reach is None


def test_rings_from_the_link_are_drawn_and_listed(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"rings": "alpha:sam,charlie:lift", "from": "2025-01-01",
                                          "to": "2025-01-31"})
    assert not app.exception
    drawn = layers(app)
    assert len(drawn["range-rings"]["data"]) == 1, "Charlie is blue's: red, the main side, has no ring there"
    legend = " ".join(str(block.value) for block in app.markdown)
    assert "Range rings" in legend and "Test SAM 400 km" in legend
    assert "not drawn: Charlie field not held or used by Red force on 31 Jan 2025" in legend
    app.selectbox(key="ring_side").set_value("blue").run()
    assert len(layers(app)["range-rings"]["data"]) == 1 and app.query_params["side"] == "blue"
    assert "charlie:lift" in app.query_params["rings"]


def test_the_panel_adds_rings_and_finds_routes_with_and_without_a_base(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"from": "2025-01-01", "to": "2025-01-31"})
    app.multiselect(key="ring_bases").set_value(["alpha", "bravo"]).run()
    app.radio(key="ring_kind").set_value("band").run()
    app.button(key="add_rings").click().run()
    assert app.query_params["rings"] == "alpha:100-400,bravo:100-400"
    assert len(layers(app)["range-rings"]["data"]) == 4, "two outlines for each min/max pair"
    shown = next(box for box in app.multiselect if box.label == "Rings drawn")
    shown.set_value(shown.value[1:]).run()
    assert app.query_params["rings"] == "bravo:100-400", "a ring taken off the list goes from the map and the link"

    app.toggle(key="reach_on").set_value(True).run()
    app.selectbox(key="reach_system").set_value("lift").run()
    app.multiselect(key="reach_from").set_value(["bravo"]).run()
    app.multiselect(key="reach_to").set_value(["charlie", "alpha"]).run()
    app.multiselect(key="reach_without").set_value(["alpha"]).run()
    assert not app.exception
    drawn = layers(app)
    assert drawn["reach-legs"]["data"] and len(drawn["reach-ends"]["data"]) == 2
    html = next(str(block.value) for block in app.markdown if "with every base" in str(block.value))
    table = pd.read_html(io.StringIO(html))[0]
    assert list(table.columns) == ["destination", "with every base", "without Alpha air base"]
    rows = dict(zip(table["destination"], zip(table["with every base"], table["without Alpha air base"])))
    _, _, bravo_charlie = Geod(ellps="WGS84").inv(35.87, 34.91, 21.18, 32.05)
    direct = f"{bravo_charlie / 1000:,.0f} km, 0 stops"
    assert rows["Charlie field"] == (direct, direct), "within the lifter's 2,000 km, Alpha or not"
    assert rows["Alpha air base"][1] == "unreachable", "taken away"
    assert app.query_params["reach_to"] == "charlie,alpha" and app.query_params["reach_without"] == "alpha"


def test_a_system_without_a_range_says_so_in_the_legend(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"reach": "blank", "reach_from": "alpha", "reach_to": "charlie",
                                          "rings": "alpha:blank"})
    assert not app.exception
    legend = " ".join(str(block.value) for block in app.markdown)
    assert "not drawn: blank has no range in systems.csv" in legend
    assert "not drawn: system: &#x27;blank&#x27; has no range" in legend or "not drawn: system: 'blank' has no range" \
        in legend
