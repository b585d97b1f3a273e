"""The workspace panel, driven through Streamlit's AppTest: add, edit, delete and undo from the forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata import load_scenario
from geodata.workspace import create_workspace, open_workspace


def panel(path: str) -> None:
    from pathlib import Path

    from ui.workspace_panel import workspace_panel

    workspace_panel(Path(path))


@pytest.fixture
def app(tmp_path: Path, scenario_dir: Path) -> tuple[AppTest, Path]:
    path = tmp_path / "work.gpkg"
    create_workspace(path, from_scenario=scenario_dir)
    return AppTest.from_function(panel, args=(str(path),), default_timeout=30).run(), path


def named(app: AppTest, name: str = "Ann") -> AppTest:
    app.text_input(key="workspace_author").set_value(name)
    return app.run()


def test_without_a_name_nothing_is_saved(app) -> None:
    app, path = app
    before = path.read_bytes()
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert not app.exception and "Type your name" in app.warning[0].value
    assert path.read_bytes() == before


def test_add_a_movement_then_undo_it(app) -> None:
    app, path = named(app[0]), app[1]
    app.date_input(key="movement_date").set_value(dt.date(2025, 2, 2))
    app.selectbox(key="movement_origin_base").set_value("alpha")
    app.text_input(key="movement_destination_point").set_value("33.5, 36.3")
    app.text_input(key="movement_source").set_value("Panel test")
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "Added movement m005" in app.success[0].value
    added = load_scenario(path).movements.set_index("id").loc["m005"]
    assert (added["origin"], added["destination_lat"], added["source"]) == ("alpha", 33.5, "Panel test")
    app.button(key="undo:1").click().run()
    assert "m005" not in set(load_scenario(path).movements["id"])
    assert open_workspace(path).history["author"].tolist() == ["Ann", "Ann"]


def test_a_bad_record_shows_the_problem_and_saves_nothing(app) -> None:
    app, path = named(app[0]), app[1]
    before = path.read_bytes()
    app.button(key="FormSubmitter:add_movement-Add movement").click().run()  # no ends, no source
    assert "Nothing was saved" in app.error[0].value
    assert "needs a base id or origin_lat/origin_lon" in app.code[0].value
    assert path.read_bytes() == before


def test_edit_and_delete_a_base(app) -> None:
    app, path = named(app[0]), app[1]
    app.radio(key="edit_table").set_value("bases").run()
    app.selectbox(key="edit_pick:bases").set_value("charlie").run()
    app.text_input(key="edit:bases:charlie:description").set_value("Edited in the panel.")
    app.button(key="FormSubmitter:edit:bases:charlie-Save changes").click().run()
    assert not app.error, [e.value for e in app.error]
    assert load_scenario(path).bases.loc["charlie", "description"] == "Edited in the panel."
    app.button(key="FormSubmitter:edit:bases:charlie-Delete this record").click().run()
    assert "Nothing was saved" in app.error[0].value  # movements still go there
    assert "unknown base id 'charlie'" in app.code[0].value


def test_a_zone_change_from_pasted_geojson_ends_the_current_shape(app) -> None:
    app, path = named(app[0]), app[1]
    app.radio(key="add_kind").set_value("zone change").run()
    app.selectbox(key="zone_actor").set_value("red")
    app.date_input(key="zone_from").set_value(dt.date(2025, 3, 1))
    app.text_area(key="zone_text").set_value(
        '{"type": "Polygon", "coordinates": [[[36, 34], [39, 34], [39, 36], [36, 36], [36, 34]]]}')
    app.text_input(key="zone_source").set_value("Panel test")
    app.button(key="FormSubmitter:add_zone-Add zone change").click().run()
    assert not app.error, [e.value for e in app.error]
    zones = load_scenario(path).zones
    red = zones[zones["actor"] == "red"].sort_values("valid_from")
    assert red["valid_to"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2025-01-31", "2025-02-28", ""]
