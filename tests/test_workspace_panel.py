"""The workspace panel, driven through Streamlit's AppTest, on a GeoPackage and on PostGIS: import a file,
add, edit, delete and undo from the forms; and "Start a workspace" in the dashboard."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from geodata import load_scenario
from geodata.workspace import add_record, open_workspace
from geodata.store_postgis import PostgisStore
from geodata.workspace_store import store_for

FOLDER = Path(__file__).resolve().parent
MOVEMENT = {"date": "2025-02-01", "origin": "alpha", "destination": "charlie", "mode": "air", "category": "cargo",
            "asset": "Il-76", "quantity": "1", "confidence": "reported", "source": "Test", "notes": ""}


def panel(target: str) -> None:
    from ui.workspace_panel import workspace_panel

    workspace_panel(target)


def every_movement(target) -> list[str]:
    return list(load_scenario(target).movements_in(dt.date(1900, 1, 1), dt.date(2100, 1, 1))["id"])


@pytest.fixture
def app(target) -> tuple[AppTest, Path | str]:
    return AppTest.from_function(panel, args=(str(target),), default_timeout=60).run(), target


def named(app: AppTest, name: str = "Ann") -> AppTest:
    app.text_input(key="workspace_author").set_value(name)
    return app.run()


def on_tab(app: AppTest, label: str) -> AppTest:
    """Click a tab of the panel (its key holds the open tab's label)."""
    app.session_state["workspace_tab"] = label
    return app.run()


def test_without_a_name_nothing_is_saved(app, caplog) -> None:
    app, target = app
    before = store_for(target).revision()
    on_tab(app, "Add").button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert not app.exception and "Type your name" in app.warning[0].value
    assert "refused a change without a name" in caplog.text, "the server's log says why too"
    assert store_for(target).revision() == before
    # The reason stays said through a rerun that another session's change starts, until the next attempt.
    assert "Type your name" in app.run().warning[0].value


def test_add_a_movement_stays_on_its_tab_then_undo_it(app) -> None:
    app, target = app
    app = on_tab(named(app), "Add")
    app.date_input(key="movement_date").set_value(dt.date(2025, 2, 2))
    app.selectbox(key="movement_origin_base").set_value("alpha")
    app.text_input(key="movement_destination_point").set_value("33.5, 36.3")
    app.text_input(key="movement_source").set_value("Panel test")
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "Added movement m005" in app.success[0].value
    # After the save the panel still shows the Add tab and its form, not the first tab.
    assert app.session_state["workspace_tab"] == "Add"
    assert "FormSubmitter:add_movement-Add movement" in [button.key for button in app.button]
    added = load_scenario(target).movements_in(dt.date(2025, 2, 2), dt.date(2025, 2, 2)).set_index("id").loc["m005"]
    assert (added["origin"], added["destination_lat"], added["source"]) == ("alpha", 33.5, "Panel test")
    app = on_tab(app, "History")
    assert "m005 · 2025-02-02" in app.markdown[0].value and "alpha → 33.5, 36.3" in app.markdown[0].value
    app.button(key="undo:1").click().run()
    assert "m005" not in every_movement(target)
    assert open_workspace(target).history["author"].tolist() == ["Ann", "Ann"]
    assert "undone by #2" in on_tab(app, "History").markdown[1].value


def panel_stopped_once(target: str) -> None:
    """The panel, except that a run asked to stop does so before drawing it, as a run does when a later
    rerun request (another widget, another session's change) interrupts it."""
    import streamlit as st

    from ui.workspace_panel import workspace_panel

    if st.session_state.pop("stop_before_panel", False):
        st.stop()
    workspace_panel(target)


def test_a_save_lands_though_its_run_stops_before_the_panel(target) -> None:
    # A click counts for one run: a save left to the panel's code, drawn last, was lost with that run.
    app = AppTest.from_function(panel_stopped_once, args=(str(target),), default_timeout=60).run()
    app = on_tab(named(app), "Add")
    app.selectbox(key="movement_origin_base").set_value("alpha")
    app.text_input(key="movement_destination_point").set_value("33.5, 36.3")
    app.text_input(key="movement_source").set_value("Interrupted run")
    app.session_state["stop_before_panel"] = True
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert not app.success, "the stopped run drew no panel"
    assert "m005" in every_movement(target)
    assert "Added movement m005" in app.run().success[0].value


def tab_identities(node) -> list[str]:
    """The identities of the tab sets under `node`, as the browser names them when a tab is clicked."""
    found = [node.proto.id] if getattr(node, "type", None) == "tab_container" else []
    for child in getattr(node, "children", {}).values():
        found += tab_identities(child)
    return found


def test_the_tabs_keep_their_identity_whichever_is_open(app) -> None:
    # A click on the tabs as the browser drew them before the last rerun must still reach them: with a
    # changing identity the server forgets the clicked tabs and the panel stays on its first tab.
    app, _ = app
    drawn = tab_identities(app.main)
    assert len(drawn) == 1
    assert tab_identities(named(app).main) == drawn
    assert tab_identities(on_tab(app, "Add").main) == drawn
    assert tab_identities(on_tab(app, "History").main) == drawn


def test_a_bad_record_shows_the_problem_and_saves_nothing(app, caplog) -> None:
    app, target = app
    before = store_for(target).revision()
    app = on_tab(named(app), "Add")
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()  # no ends, no source
    assert "Nothing was saved" in app.error[0].value
    assert "needs a base id or origin_lat/origin_lon" in app.code[0].value
    assert "needs a base id or origin_lat/origin_lon" in caplog.text, "the server's log says why too"
    assert store_for(target).revision() == before
    assert "needs a base id or origin_lat/origin_lon" in app.run().code[0].value
    app.text_input(key="movement_origin_point").set_value("35.1, 36.2")
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert "needs a base id or origin_lat/origin_lon" not in app.code[0].value, "the next attempt's own reasons"


def test_edit_and_delete_a_base(app) -> None:
    app, target = app
    app = on_tab(named(app), "Edit or delete")
    app.radio(key="edit_table").set_value("bases").run()
    app.selectbox(key="edit_pick:bases").set_value("charlie").run()
    app.text_input(key="edit:bases:charlie:description").set_value("Edited in the panel.")
    app.button(key="FormSubmitter:edit:bases:charlie-Save changes").click().run()
    assert not app.error, [e.value for e in app.error]
    assert load_scenario(target).bases.loc["charlie", "description"] == "Edited in the panel."
    app.button(key="FormSubmitter:edit:bases:charlie-Delete this record").click().run()
    assert "Nothing was saved" in app.error[0].value  # movements still go there
    assert "unknown base id 'charlie'" in app.code[0].value


def test_an_edit_after_someone_elses_is_refused_until_reloaded(app) -> None:
    app, target = app
    app = on_tab(named(app), "Edit or delete")
    app.radio(key="edit_table").set_value("bases").run()
    app.selectbox(key="edit_pick:bases").set_value("alpha").run()
    seen = open_workspace(target).record("bases", "alpha")
    from geodata.workspace import edit_record

    edit_record(target, "bases", seen, {**seen, "description": "Bob's words"}, "Bob")
    app.run()
    assert "Someone changed this record" in app.warning[0].value
    app.text_input(key="edit:bases:alpha:description").set_value("Ann's words")
    app.button(key="FormSubmitter:edit:bases:alpha-Save changes").click().run()
    assert "changed since you opened it (change #1 by Bob" in app.code[0].value
    assert load_scenario(target).bases.loc["alpha", "description"] == "Bob's words"


def test_a_zone_change_from_pasted_geojson_ends_the_current_shape(app) -> None:
    app, target = app
    app = on_tab(named(app), "Add")
    app.radio(key="add_kind").set_value("zone change").run()
    app.selectbox(key="zone_actor").set_value("red")
    app.date_input(key="zone_from").set_value(dt.date(2025, 3, 1))
    app.text_area(key="zone_text").set_value(
        '{"type": "Polygon", "coordinates": [[[36, 34], [39, 34], [39, 36], [36, 36], [36, 34]]]}')
    app.text_input(key="zone_source").set_value("Panel test")
    app.button(key="FormSubmitter:add_zone-Add zone change").click().run()
    assert not app.error, [e.value for e in app.error]
    zones = load_scenario(target).zones
    red = zones[zones["actor"] == "red"].sort_values("valid_from")
    assert red["valid_to"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2025-01-31", "2025-02-28", ""]


def test_a_presence_is_added_from_its_form(app) -> None:
    app, target = app
    app = on_tab(named(app), "Add")
    app.radio(key="add_kind").set_value("presence").run()
    app.selectbox(key="presence_base").set_value("bravo")
    app.selectbox(key="presence_actor").set_value("blue")
    app.radio(key="presence_role").set_value("present")
    app.date_input(key="presence_from").set_value(dt.date(2025, 2, 1))
    app.text_input(key="presence_source").set_value("Panel test")
    app.button(key="FormSubmitter:add_presence-Add presence").click().run()
    assert not app.error, [e.value for e in app.error]
    assert "Added presence p001" in app.success[0].value
    assert load_scenario(target).sites_on(dt.date(2025, 2, 10)).loc["bravo", "present"] == ("blue",)


def test_import_a_csv_from_the_import_tab(app) -> None:
    app, target = app
    app = named(app)
    assert app.session_state["workspace_tab"] == "Import a file"
    csv = ("id,date,from,to,mode,category,asset,quantity,confidence,source,notes\n"
           "x1,2025-02-03,alpha,bravo,air,cargo,Il-76,1,reported,Uploaded,\n").encode()
    app.file_uploader(key="import_file").set_value(("flights.csv", csv, "text/csv")).run()
    assert not app.exception, app.exception
    assert app.radio(key="import_table:flights.csv").value == "movements"
    app.button(key="import_go").click().run()
    assert "Imported 1 records from flights.csv" in app.success[0].value
    assert "x1" in every_movement(target)


def test_import_presence_from_the_import_tab_then_undo_it(app) -> None:
    app, target = app
    app = named(app)
    rows = ("base,actor,role,from,to,confidence,source\n"
            "alpha,red,holds,2025-01-01,{end},reported,Uploaded\n"
            "alpha,blue,holds,2025-02-01,,reported,Uploaded\n")
    app.file_uploader(key="import_file").set_value(("holders.csv", rows.format(end="").encode(), "text/csv")).run()
    assert not app.exception, app.exception
    assert app.radio(key="import_table:holders.csv").value == "presence"
    assert ("holders.csv:3: from: alpha is held by red from 2025-01-01 to … (row 2): holds periods of one base "
            "must not overlap") in app.code[0].value
    assert app.button(key="import_go").disabled
    app.file_uploader(key="import_file").set_value(("holders.csv", rows.format(end="2025-01-31").encode(),
                                                    "text/csv")).run()
    app.button(key="import_go").click().run()
    assert not app.exception and "Imported 2 records from holders.csv" in app.success[0].value
    assert load_scenario(target).sites_on(dt.date(2025, 2, 10)).loc["alpha", "holder"] == "blue"
    app = on_tab(app, "History")
    assert "import holders.csv" in app.markdown[0].value
    app.button(key="undo:1").click().run()
    assert load_scenario(target).sites_on(dt.date(2025, 2, 10)).loc["alpha", "holder"] == "red"
    assert len(open_workspace(target).tables["presence"]) == 0


def _two_layer_geopackage(folder: Path) -> bytes:
    path = folder / "two.gpkg"
    points = gpd.GeoDataFrame({"name": ["Kilo field"], "kind": ["airport"], "country": ["Syria"],
                               "operator": ["red"], "source": ["Layer test"], "confidence": ["claimed"]},
                              geometry=[Point(36.1, 35.2)], crs=4326)
    points.to_file(path, layer="first_sites")
    points.assign(name=["Lima depot"], geometry=[Point(36.4, 35.5)]).to_file(path, layer="second_sites")
    return path.read_bytes()


def test_the_second_layer_of_a_two_layer_geopackage_imports(app, tmp_path: Path) -> None:
    app, target = app
    app = named(app)
    app.file_uploader(key="import_file").set_value(("two.gpkg", _two_layer_geopackage(tmp_path),
                                                    "application/geopackage+sqlite3")).run()
    layers = app.selectbox(key="import_layer")
    assert len(layers.options) == 2
    layers.set_value(layers.options[1]).run()
    assert not app.exception, app.exception  # was StreamlitDuplicateElementKey: key='import_layer'
    app.button(key="import_go").click().run()
    assert not app.exception and "Imported 1 records from two.gpkg[second_sites]" in app.success[0].value
    assert "Lima depot" in set(load_scenario(target).bases["name"])


def start_dashboard(monkeypatch, data) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["dashboard.py", "--data", str(data)])
    return AppTest.from_file(str(FOLDER.parent / "dashboard.py"), default_timeout=90).run()


def test_start_a_workspace_offers_a_full_path_and_opens_it_here(monkeypatch, tmp_path: Path,
                                                                  scenario_dir: Path) -> None:
    monkeypatch.setenv("FOOTPRINT_WORKSPACES", str(tmp_path / "workspaces"))
    app = start_dashboard(monkeypatch, scenario_dir)
    offered = Path(app.text_input(key="new_workspace").value)
    assert offered == tmp_path / "workspaces" / "scenario-workspace.gpkg"
    app.button(key="create_workspace").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert offered.exists()
    # This session now shows the new workspace: its panel, and the changes made there.
    assert "it is open here" in app.success[0].value
    assert app.text_input(key="workspace_author")
    add_record(offered, "movements", {**MOVEMENT, "notes": "after the switch"}, "Ann")
    app.run()
    assert app.session_state["workspace"] == str(offered)
    assert len(every_movement(offered)) == 5 and not app.exception


def test_the_panel_stays_open_with_its_last_notice_when_another_session_saves(monkeypatch, tmp_path: Path,
                                                                            scenario_dir: Path) -> None:
    from geodata.workspace import create_workspace

    target = tmp_path / "team.gpkg"
    create_workspace(target, from_scenario=scenario_dir)
    app = start_dashboard(monkeypatch, target)
    assert "workspace_author" not in [box.key for box in app.text_input], "a closed panel's content does not run"
    app.session_state["workspace_panel"] = True  # the analyst opens it
    app = on_tab(named(app.run()), "Add")
    app.selectbox(key="movement_origin_base").set_value("alpha")
    app.text_input(key="movement_destination_point").set_value("33.5, 36.3")
    app.text_input(key="movement_source").set_value("Panel test")
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert "Added movement m005" in app.success[0].value
    add_record(target, "movements", {**MOVEMENT, "notes": "from another session"}, "Bob")
    app.run()  # the rerun that the other session's change starts here
    assert app.text_input(key="workspace_author").value == "Ann", "the panel is still open"
    # ... and sends the name as the box's default, so a browser that draws the box afresh keeps it.
    assert app.text_input(key="workspace_author").proto.default == "Ann"
    assert "Added movement m005" in app.success[0].value, "this session's confirmation is still there"


def test_start_a_workspace_refuses_a_relative_path(monkeypatch, tmp_path: Path, scenario_dir: Path) -> None:
    monkeypatch.setenv("FOOTPRINT_WORKSPACES", str(tmp_path / "workspaces"))
    monkeypatch.chdir(tmp_path)
    app = start_dashboard(monkeypatch, scenario_dir)
    app.text_input(key="new_workspace").set_value("mine.gpkg")
    app.button(key="create_workspace").click().run()
    assert "full path" in app.error[0].value and not (tmp_path / "mine.gpkg").exists()


def test_the_dashboard_opens_a_database_workspace(monkeypatch, postgres, scenario_dir: Path) -> None:
    from geodata.workspace import create_workspace

    url = postgres.fresh_url()
    create_workspace(url, from_scenario=scenario_dir)
    app = start_dashboard(monkeypatch, url)
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert status(app).startswith("**01 Jan 2025 – 31 Jan 2025** · 2 movements on 1 route")
    add_record(url, "movements", {**MOVEMENT, "date": "2025-01-10"}, "Bob")  # another session saves a change
    reads = []
    read = PostgisStore.revision
    monkeypatch.setattr(PostgisStore, "revision", lambda store: reads.append(store) or read(store))
    app.run()
    assert "· 3 movements on 1 route" in status(app)  # seen on this session's next rerun
    assert len(reads) == 1, "the revision the page shows is the data's cache key too: read once a run"


def status(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**") and "holders as of" in m.value)


def test_a_password_in_the_address_is_never_shown(monkeypatch, postgres) -> None:
    url = postgres.url("nothing_here").replace("postgres@", "postgres:hunter2@")
    app = start_dashboard(monkeypatch, url)
    shown = " ".join([e.value for e in app.error] + [c.value for c in app.code])
    assert "cannot be opened" in shown and "***" in shown and "hunter2" not in shown

