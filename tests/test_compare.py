"""Compare mode: the change map's marks and legend, the URL, the dashboard, and the "what changed" slide."""

import datetime as dt
import io
import json
import sys

import pandas as pd
import pytest
from PIL import Image, ImageStat
from streamlit.testing.v1 import AppTest

from analysis.changes import change_report, parse_side
from briefing.chromium import CHROMIUM_ENV, chromium_path
from briefing.cli import main as briefing_main
from geodata import load_scenario
from layers.changes import arc_color, change_marks, changes_camera, compose_changes
from layers.mercator import Camera, Viewport
from layers.style import LIGHT, hex_to_rgb
from ui.query import compare_query, parse_compare
from scenario_files import (HALF_EAST, HALF_WEST, HANDOVER_PRESENCE_CSV, square, write_scenario, zone_feature,
                            zones_geojson)

D = dt.date
PERIOD = (D(2025, 1, 1), D(2025, 3, 31))
RED, BLUE = hex_to_rgb("#d62728"), hex_to_rgb("#1f77b4")


@pytest.fixture
def folder(tmp_path):
    zones = zones_geojson([
        zone_feature("red", "2025-01-01", "2025-01-31", square(36, 34)),
        zone_feature("red", "2025-02-01", "", HALF_WEST),
        zone_feature("blue", "2025-02-01", "", HALF_EAST),
    ])
    return write_scenario(tmp_path / "s", zones_geojson=zones, presence_csv=HANDOVER_PRESENCE_CSV)


@pytest.fixture
def report(folder):
    scenario = load_scenario(folder)
    return scenario, change_report(scenario, parse_side("2025-01-15", PERIOD), parse_side("2025-03-01", PERIOD))


# --- The change map -----------------------------------------------------------------------------

def test_land_is_hatched_in_the_new_holders_colour_inside_the_old_ones(report):
    scenario, changes = report
    marks = change_marks(changes, scenario.actors, LIGHT, Viewport(Camera(34.5, 36.5, 7), 800, 600), for_html=False)
    [feature] = marks.land["features"]
    assert feature["properties"]["fill"][:3] == list(BLUE) and feature["properties"]["line"][:3] == list(RED)
    assert marks.hatches and all(hatch["color"][:3] == list(BLUE) for hatch in marks.hatches)
    assert all(36.5 - 0.01 <= lon <= 37.01 for hatch in marks.hatches for lon, _ in hatch["path"])


def test_bases_are_filled_with_the_new_holder_edged_with_the_old_and_ringed_by_who_left(report):
    scenario, changes = report
    marks = change_marks(changes, scenario.actors, LIGHT, Viewport(Camera(34, 30, 4), 800, 600), for_html=False)
    bases = {record["id"]: record for record in marks.bases}
    assert bases["alpha"]["fill"][:3] == list(BLUE) and bases["alpha"]["line"][:3] == list(RED)
    assert bases["alpha"]["rings"] == []
    assert bases["bravo"]["fill"][:3] == list(RED) and [r["color"][:3] for r in bases["bravo"]["rings"]] == [list(BLUE)]
    assert bases["bravo"]["tt_detail"] == "Blue force left (last day 20 Feb 2025)"


def test_routes_that_appeared_are_dark_and_those_that_stopped_faint(report):
    scenario, changes = report
    arcs = change_marks(changes, scenario.actors, LIGHT, Viewport(Camera(34, 30, 4), 800, 600), for_html=False).arcs
    kinds = {(tuple(arc["s"]), tuple(arc["t"])): arc for arc in arcs}
    alpha, bravo, charlie = (35.95, 35.41), (35.87, 34.91), (21.18, 32.05)
    assert kinds[(alpha, charlie)]["tc"] == list(arc_color(False, LIGHT)), "alpha → charlie: in A's window, not B's"
    assert kinds[(alpha, bravo)]["tc"] == list(arc_color(True, LIGHT))
    assert kinds[(bravo, charlie)]["tc"] == list(arc_color(True, LIGHT))


def test_the_legend_lists_what_the_change_map_draws_inside_its_box(report):
    scenario, changes = report
    near = compose_changes(changes, scenario.actors, LIGHT, Camera(34.5, 36.5, 7), viewport_size=(800, 600))
    titles = {section.title: section for section in near.legend()}
    land = titles["Land that changed hands"]
    assert [(e.label, e.swatch) for e in land.entries] == [("to Blue force", "hatch"), ("from Red force", "area")]
    assert land.entries[1].outline == RED
    far = compose_changes(changes, scenario.actors, LIGHT, Camera(-30, -60, 6), viewport_size=(800, 600))
    assert [s.title for s in far.legend()] == ["Routes"], "nothing but arcs crosses a box far away"


def test_the_camera_fits_the_land_and_bases_that_changed_hands(report):
    scenario, changes = report
    camera = changes_camera(changes, 800, 600, Camera(0, 0, 2))
    viewport = Viewport(camera, 800, 600)
    assert viewport.contains([36, 37, 35.95], [34, 35, 35.41]).all(), "the half square and Alpha are in view"
    assert camera.zoom > 5
    nothing = change_report(scenario, parse_side("2025-02-21", PERIOD), parse_side("2025-03-01", PERIOD))
    assert changes_camera(nothing, 800, 600, Camera(0, 0, 2)) == Camera(0, 0, 2)


# --- The URL --------------------------------------------------------------------------------------

def test_compare_in_the_url_round_trips_days_and_windows(folder):
    scenario = load_scenario(folder)
    for text in ("2025-01-15,2025-03-01", "2025-01-01/2025-01-31,2025-03-01",
                 "2025-01-01/2025-01-31,2025-02-01/2025-02-28"):
        sides, notices = parse_compare({"compare": text}, scenario, D(2025, 3, 1))
        assert notices == [] and compare_query(sides) == {"compare": text}
    assert parse_compare({}, scenario, D(2025, 3, 1)) == (None, [])
    assert compare_query(None) == {}


@pytest.mark.parametrize("text, notice", [
    ("2025-01-15", "two dates"), ("x,2025-03-01", "not a date"), ("2024-01-01,2025-03-01", "outside"),
    ("2025-03-01,2025-01-15", "is before A"), ("2025-02-10/2025-02-01,2025-03-01", "ends before it starts"),
])
def test_a_bad_compare_value_opens_the_default_sides_with_a_notice(folder, text, notice):
    sides, notices = parse_compare({"compare": text}, load_scenario(folder), D(2025, 3, 1))
    assert [side.query for side in sides] == ["2025-02-01", "2025-03-01"], "a month before the map's day, and it"
    assert len(notices) == 1 and notice in notices[0] and "'compare'" in notices[0]


# --- The dashboard ---------------------------------------------------------------------------------

def start_app(monkeypatch, folder, query):
    monkeypatch.setattr(sys, "argv", ["dashboard.py", "--data", str(folder)])
    app = AppTest.from_file("../dashboard.py", default_timeout=90)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def sent(app, key: str) -> dict:
    return json.loads(next(element for element in app.get("bidi_component") if element.key == key).proto.json)


def test_compare_mode_draws_a_b_and_the_change_map_on_one_camera(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"compare": "2025-01-15,2025-03-01", "lat": "34.5", "lon": "36.5",
                                          "zoom": "6"})
    assert not app.exception
    a, b, changes = (sent(app, key) for key in ("compare_map_a", "compare_map_b", "compare_map_changes"))
    assert a["window"] == ["2025-01-01", "2025-01-15"] and b["window"] == ["2025-01-31", "2025-03-01"]
    assert [m["link"] for m in (a, b, changes)] == [{"group": "compare", "reports": True},
                                                    {"group": "compare", "reports": False},
                                                    {"group": "compare", "reports": False}]
    assert a["camera"] == b["camera"] == changes["camera"]
    assert {"zones-changed", "changed-bases", "changed-routes"} <= {item["spec"]["id"] for item in changes["layers"]}
    assert any(item["under"] for item in changes["layers"] if item["spec"]["id"] == "zones-changed")
    assert app.query_params["compare"] == "2025-01-15,2025-03-01"
    assert any("Download the report" in button.label for button in app.get("download_button"))


def test_stepping_b_and_switching_to_windows_reach_the_maps_and_the_url(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"compare": "2025-01-15,2025-02-01"})
    app.button(key="compare_step_b_month_1").click().run()
    assert app.query_params["compare"] == "2025-01-15,2025-03-01"
    assert sent(app, "compare_map_b")["window"] == ["2025-01-31", "2025-03-01"]
    app.toggle(key="compare_windows").set_value(True).run()
    assert app.query_params["compare"] == "2025-01-01/2025-01-15,2025-01-31/2025-03-01"
    app.button(key="compare_step_b_week_-1").click().run()
    assert app.query_params["compare"] == "2025-01-01/2025-01-15,2025-01-24/2025-02-22"
    assert not app.exception


def test_the_mode_switch_keeps_each_modes_dates(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"from": "2025-02-01", "to": "2025-02-28"})
    app.radio(key="mode").set_value("Compare").run()
    assert app.query_params["compare"] == "2025-01-28,2025-02-28", "a month before the map's last day, and it"
    app.button(key="compare_step_a_day_-1").click().run()
    app.radio(key="mode").set_value("Map").run()
    assert "compare" not in app.query_params and app.query_params["from"] == "2025-02-01"
    app.radio(key="mode").set_value("Compare").run()
    assert app.query_params["compare"] == "2025-01-27,2025-02-28"
    assert not app.exception


def test_b_before_a_is_said_and_nothing_is_compared(monkeypatch, folder):
    app = start_app(monkeypatch, folder, {"compare": "2025-02-01,2025-02-10"})
    for _ in range(3):
        app.button(key="compare_step_b_day_-1").click().run()  # B: 7 Feb
    app.button(key="compare_step_a_week_1").click().run()  # A: 8 Feb
    assert any("is before A" in warning.value for warning in app.warning)
    assert "compare_map_changes" not in {element.key for element in app.get("bidi_component")}


# --- The "what changed" slide ------------------------------------------------------------------------

def spread(image) -> float:
    return sum(ImageStat.Stat(image.convert("RGB")).stddev) / 3


def test_the_compare_slide_without_chromium_is_framed_and_draws_three_maps(monkeypatch, tmp_path, folder, capsys):
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    out = tmp_path / "changes.png"
    code = briefing_main(["export", "--data", str(folder), "--compare", "2025-01-15,2025-03-01", "--out", str(out),
                          "--banner", "TRAINING"])
    assert code == 0 and "static renderer" in capsys.readouterr().err
    image = Image.open(out)
    assert image.size == (1920, 1080)
    from briefing.layout import compare_layout
    from briefing.sizes import SLIDE
    boxes = compare_layout(SLIDE, banner=True)
    for box in (boxes.map_a, boxes.map_b, boxes.map):
        assert spread(image.crop((box.x + 5, box.y + 40, box.right - 5, box.bottom - 5))) > 5, "a map is drawn there"


def test_the_compare_pptx_is_one_picture_with_the_report_as_notes(monkeypatch, tmp_path, folder):
    from pptx import Presentation
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    out = tmp_path / "changes.pptx"
    argv = ["export", "--data", str(folder), "--compare", "2025-01-15,2025-03-01", "--out", str(out)]
    assert briefing_main(argv) == 0
    [slide] = Presentation(str(out)).slides
    assert slide.shapes[0].shape_type == 13  # a picture
    notes = slide.notes_slide.notes_text_frame.text
    assert "Land held, km²" in notes and "Alpha air base: Red force → Blue force (10 Feb 2025)" in notes


@pytest.mark.parametrize("argv, message", [
    (["--compare", "2025-01-15,2025-03-01", "--out", "x.html"], "use --out .png, .pdf, .pptx"),
    (["--compare", "2025-01-15", "--out", "x.png"], "give A,B"),
    (["--compare", "2025-03-01,2025-01-15", "--out", "x.png"], "is before A"),
    (["--compare", "2025-01-15,2026-03-01", "--out", "x.png"], "outside the scenario's period"),
    (["--compare", "2025-01-15,2025-03-01", "--every", "month", "--out", "x.pdf"], "--compare and --every"),
])
def test_bad_compare_options_exit_2_with_one_line(capsys, tmp_path, folder, argv, message):
    argv = [a if not a.startswith("x.") else str(tmp_path / a) for a in argv]
    assert briefing_main(["export", "--data", str(folder), *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err


needs_chromium = pytest.mark.skipif(not chromium_path().is_file(), reason=f"needs Chromium at {chromium_path()}")


@needs_chromium
def test_the_compare_slide_in_chromium_shows_the_table_the_captions_and_three_maps(tmp_path, folder):
    from briefing.export import ExportRequest, export
    from briefing.compare_slide import CompareRequest
    from briefing.sizes import Size
    from layers.view import MapView
    scenario = load_scenario(folder)
    points = pd.DataFrame({"name": ["East town"], "lat": [34.5], "lon": [36.8]})
    request = ExportRequest(scenario, (MapView(scenario.meta.start, scenario.meta.end),), tmp_path / "c.png",
                            Size("960x540", 960, 540),
                            compare=CompareRequest(parse_side("2025-01-15", PERIOD), parse_side("2025-03-01", PERIOD),
                                                   points))
    result = export(request)
    assert result.renderer == "chromium"
    text = result.page_texts[0]
    for words in ("A · 15 Jan 2025", "B · 1 Mar 2025", "What changed · 15 Jan 2025 → 1 Mar 2025", "LAND HELD",
                  "Alpha air base", "Red force → Blue force", "to Blue force", "1 town changed hands"):
        assert words in text, words
    image = Image.open(io.BytesIO((tmp_path / "c.png").read_bytes()))
    from briefing.layout import compare_layout
    boxes = compare_layout(request.size, banner=False)
    for box in (boxes.map_a, boxes.map_b, boxes.map):
        assert spread(image.crop((box.x + 3, box.y + 25, box.right - 3, box.bottom - 3))) > 5
