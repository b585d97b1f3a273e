"""The dashboard's controls and what they send to the map, through Streamlit's AppTest."""

import datetime as dt
import json
import sys

from streamlit.testing.v1 import AppTest

from layers.style import THEMES

from scenario_files import ACTORS_CSV, BASES_CSV, write_scenario

D = dt.date


def start_app(monkeypatch, data=None, query=None) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["dashboard.py", *(["--data", str(data)] if data else [])])
    app = AppTest.from_file("../dashboard.py", default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app.run()


def map_data(app: AppTest) -> dict:
    """What the dashboard sent to its map element."""
    return json.loads(next(element for element in app.get("bidi_component") if element.key == "map").proto.json)


def layer(app: AppTest, layer_id: str) -> dict | None:
    return next((item["spec"] for item in map_data(app)["layers"] if item["spec"]["id"] == layer_id), None)


def arc_count(app: AppTest) -> int:
    routes = layer(app, "routes")
    return len(routes["data"]) if routes else 0


def test_first_run_sends_the_basemap_ahead_of_the_map(monkeypatch):
    app = start_app(monkeypatch, query={"theme": "dark"})
    early = json.loads(next(element for element in app.get("bidi_component")
                            if element.key == "early_map").proto.json)
    basemap = [item for item in map_data(app)["layers"] if item["spec"]["id"].startswith("basemap")]
    assert early["bundle"] == map_data(app)["bundle"]
    assert early["layers"] == basemap, "same digests: the map element adopts the early map's layers"
    dark = [item["spec"]["basemap"]["palette"] for item in early["layers"] if "basemap" in item["spec"]]
    assert dark and dark[0]["water"] == list(THEMES["dark"].water), "the early map draws the theme of the URL"


def test_only_the_basemap_and_zones_go_on_the_maps_lower_plane(monkeypatch):
    lower = {item["spec"]["id"] for item in map_data(start_app(monkeypatch))["layers"] if item["under"]}
    assert "zones" in lower and {"routes", "bases"}.isdisjoint(lower)
    assert all(layer_id.startswith(("basemap", "zones")) for layer_id in lower)


def test_bundled_scenario_opens_without_error(monkeypatch):
    app = start_app(monkeypatch)
    assert not app.exception and not app.error
    assert {"zones", "routes", "bases", "basemap-tiles"} <= {item["spec"]["id"] for item in map_data(app)["layers"]}
    assert app.slider[0].value == (D(2024, 12, 1), D(2024, 12, 31))


def test_moving_the_slider_changes_arcs_zones_and_table(monkeypatch):
    app = start_app(monkeypatch)
    december = (arc_count(app), json.dumps(layer(app, "zones")["data"]), len(app.dataframe[0].value))
    app.slider[0].set_value((D(2025, 10, 1), D(2025, 11, 30))).run()
    autumn = (arc_count(app), json.dumps(layer(app, "zones")["data"]), len(app.dataframe[0].value))
    assert not app.exception
    assert december[0] != autumn[0] and december[1] != autumn[1] and december[2] != autumn[2]
    assert app.query_params["from"] == "2025-10-01"


def test_step_buttons_move_the_window(monkeypatch):
    app = start_app(monkeypatch)
    app.button(key="step_week_1").click().run()
    assert app.slider[0].value == (D(2024, 12, 8), D(2025, 1, 7))
    app.button(key="step_month_-1").click().run()
    assert app.slider[0].value == (D(2024, 12, 1), D(2024, 12, 31)), "clamped to the start of the period"


def test_filters_reach_the_map_and_the_url(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir, {"from": "2025-01-01", "to": "2025-03-31"})
    assert arc_count(app) == 4, "a sparse window draws each of its movements"
    assert any("one arc per movement" in str(block.value) for block in app.markdown), "the legend says so"
    app.multiselect(key="filter_modes").set_value(["sea"]).run()
    assert arc_count(app) == 1 and app.query_params["mode"] == "sea"
    app.multiselect(key="layers").set_value(["bases"]).run()
    assert layer(app, "routes") is None and layer(app, "zones") is None


def test_a_shared_link_reproduces_the_view(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir, {"from": "2025-02-01", "to": "2025-02-28", "theme": "dark",
                                                "lat": "33.0", "lon": "30.0", "zoom": "6", "selected": "bravo"})
    assert app.slider[0].value == (D(2025, 2, 1), D(2025, 2, 28))
    assert map_data(app)["camera"]["zoom"] == 6
    assert app.radio(key="theme").value == "dark"
    assert any("Bravo port" in str(block.value) for block in app.markdown), "the base story is open"
    assert any("In and out" in str(block.value) for block in app.markdown)


def test_sidebar_widgets_are_sent_with_the_sessions_values_as_defaults(monkeypatch, scenario_dir):
    # A browser that gets a widget's code late (a busy server) draws it after a later run, which no longer
    # carries the value the link set, at its default, and reports that default as the analyst's choice.
    app = start_app(monkeypatch, scenario_dir, {"layers": "bases,zones", "mode": "sea", "theme": "dark",
                                                "tiles": "online"})
    app.run()
    for key, shown in (("layers", {"Bases", "Zones of control"}), ("filter_modes", {"sea"})):
        sent = app.multiselect(key=key).proto
        assert not sent.set_value, "this run does not set the value: the default is what a late widget shows"
        assert {sent.options[index] for index in sent.default} == shown, key
    assert app.radio(key="theme").proto.default == 1, "dark"
    assert app.toggle(key="online_tiles").proto.default is True


def test_bad_query_values_fall_back_with_a_notice(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir, {"from": "not-a-date", "mode": "teleport", "zoom": "99"})
    assert not app.exception
    assert app.slider[0].value == (D(2025, 1, 1), D(2025, 1, 31))
    assert len(app.toast) >= 2


def test_a_window_without_movements_shows_an_empty_map_and_says_so(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir, {"from": "2025-03-25", "to": "2025-03-31"})
    assert not app.exception
    assert arc_count(app) == 0 and layer(app, "bases") is not None
    assert any("0 movements on 0 routes" in str(block.value) for block in app.markdown)


def test_unchanged_layers_keep_their_digest_across_a_step(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir)
    keys = lambda: {item["spec"]["id"]: item["key"] for item in map_data(app)["layers"]}
    before, arcs_before = keys(), layer(app, "routes")["data"]
    app.button(key="step_month_1").click().run()
    after = keys()
    assert layer(app, "routes")["data"] != arcs_before, "this step changes the arcs"
    assert before["basemap-tiles"] == after["basemap-tiles"] and before["bases"] == after["bases"]
    assert before["routes"] != after["routes"]


def test_play_sends_frames_and_pause_holds_the_last_one(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir)
    app.button(key="play").click().run()
    assert app.session_state["playing"] is True
    play = map_data(app)["play"]
    assert play["frames"][0]["window"] == ["2025-01-08", "2025-02-07"], "frames start one step on"
    assert all(key in play["layers"] for frame in play["frames"] for key in frame["layers"])
    assert map_data(app)["layers"] == [], "while playing, the frames are the map"
    app.button(key="play").click().run()
    assert app.session_state["playing"] is False
    assert map_data(app)["play"] is None and map_data(app)["hold"] is True
    app.run()  # a rerun before the map's report (a request for frames on its way) must not undo the pause
    assert map_data(app)["hold"] is True


def test_a_filter_changed_while_playing_stops_the_animation(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir)
    app.button(key="play").click().run()
    app.multiselect(key="filter_modes").set_value(["sea"]).run()
    assert app.session_state["playing"] is False
    assert map_data(app)["play"] is None and map_data(app)["layers"], "the new view is drawn at once"
    assert app.button(key="play").label == "▶ Play"


def test_a_step_while_playing_waits_for_the_frame_on_screen(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir)
    app.button(key="play").click().run()
    window = app.slider[0].value
    app.button(key="step_week_1").click().run()
    assert app.session_state["playing"] is False and map_data(app)["hold"] is True
    assert app.slider[0].value == window, "the step is applied to the frame the map reports, not the stale slider"


def test_a_broken_scenario_shows_its_problems_not_a_traceback(monkeypatch, tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("35.41", "north"))
    app = start_app(monkeypatch, folder)
    assert not app.exception
    assert "bases.csv:2: lat: 'north' is not a number" in app.code[0].value


def test_hostile_names_are_escaped_in_panels(monkeypatch, tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    folder = write_scenario(tmp_path / "s", actors_csv=ACTORS_CSV.replace("Red force", hostile),
                            bases_csv=BASES_CSV.replace("Port.", hostile))
    legend = " ".join(str(m.value) for m in start_app(monkeypatch, folder).markdown)
    assert "<img src=x" not in legend and "&lt;img src=x onerror=alert(1)&gt;" in legend
    story = " ".join(str(m.value) for m in start_app(monkeypatch, folder, {"selected": "bravo"}).markdown)
    assert "<img src=x" not in story and "&lt;img src=x onerror=alert(1)&gt;" in story


def test_while_playing_the_status_and_counts_give_way_to_the_maps_caption(monkeypatch, scenario_dir):
    app = start_app(monkeypatch, scenario_dir)
    texts = lambda: " ".join(m.value for m in app.markdown)  # noqa: E731
    assert "movements on" in texts() and "under way in the window" in texts()
    app.button(key="play").click().run()
    assert "Playing from 01 Jan 2025" in texts() and "movements on" not in texts()
    assert "under way in the window" not in texts(), "counts of a stale window are not shown while the map plays"
    app.button(key="play").click().run()
    assert "Playing" not in texts()


def test_fit_all_bases_frames_every_base_on_the_map(monkeypatch, scenario_dir):
    from layers.mercator import Camera, Viewport
    app = start_app(monkeypatch, scenario_dir, {"lat": "34.9", "lon": "35.9", "zoom": "9"})
    assert map_data(app)["camera"]["zoom"] == 9
    app.button(key="fit_all_bases").click().run()
    sent = map_data(app)
    camera = Camera(*(sent["camera"][k] for k in ("latitude", "longitude", "zoom")))
    viewport = Viewport(camera, 1000, sent["height"])
    bases = [(35.95, 35.41), (35.87, 34.91), (21.18, 32.05)]  # the test scenario's three bases
    assert all(viewport.contains([lon], [lat])[0] for lon, lat in bases)
    assert camera.zoom < 9 and app.query_params["zoom"] == f"{camera.zoom:.2f}"


def test_a_scenario_without_a_view_opens_on_its_bases_across_the_antimeridian(tmp_path):
    from geodata import load_scenario
    from layers.view import default_camera
    toml = "title = \"Pacific\"\ncaveat = \"Test.\"\nstart = \"2025-01-01\"\nend = \"2025-03-31\"\n"
    bases = ("id,name,country,kind,lat,lon,operator,description,source,confidence\n"
             "pk,Petropavlovsk,Russia,naval base,53.0,158.6,red,,S,reported\n"
             "an,Anadyr,Russia,air base,64.7,177.7,red,,S,reported\n"
             "nome,Nome,United States,airport,64.5,-165.4,blue,,S,reported\n")
    moves = "id,date,origin,destination,mode,category,asset,quantity,confidence,source,notes\n"
    from scenario_files import square, zone_feature, zones_geojson
    zones = zones_geojson([zone_feature("red", "2025-01-01", "", square(160, 55))])
    scenario = load_scenario(write_scenario(tmp_path / "s", scenario_toml=toml, bases_csv=bases, movements_csv=moves,
                                            zones_geojson=zones))
    camera = default_camera(scenario)
    assert 160 < camera.longitude % 360 < 200, "centred over the Bering Sea, not round the rest of the world"
    assert camera.zoom > 2
