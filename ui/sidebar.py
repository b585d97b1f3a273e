"""Filters, layer toggles, theme and camera in the sidebar."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from geodata import Scenario
from geodata.schema import CATEGORIES, CONFIDENCES, MODES
from layers.mercator import Camera
from layers.view import LAYER_TOGGLES, MAP_HEIGHT, MAP_WIDTH, default_camera, fitted_camera
from ui.session import FILTER_KEYS

LAYER_LABELS = {"zones": "Zones of control", "routes": "Movements (arcs)", "bases": "Bases",
                "labels": "Base names", "places": "Place names", "relief": "Relief"}


# Each widget's default is the session's own value, which the URL sets on a first load. A busy server can
# send a widget's code after a rerun has re-sent the widget without that value; the browser then draws the
# widget at its default and reports it as the analyst's choice (seen with thirty sessions on two cores: the
# layers emptied). With the session's value as the default it reports no change, as the window slider does.
def _multiselect(label: str, options: Sequence, key: str, **kwargs) -> None:
    chosen = [value for value in st.session_state.get(key, ()) if value in options]
    st.multiselect(label, options, default=chosen, key=key, **kwargs)


def filters(scenario: Scenario) -> None:
    st.header("Filters")
    st.caption("Empty means everything.")
    _multiselect("Category", CATEGORIES, FILTER_KEYS["categories"], placeholder="All categories")
    _multiselect("Mode", MODES, FILTER_KEYS["modes"], placeholder="All modes")
    _multiselect("Confidence", CONFIDENCES, FILTER_KEYS["confidences"], placeholder="Any confidence")
    _multiselect("Operator", list(scenario.actors.index), FILTER_KEYS["operators"],
                 format_func=scenario.actor_name, placeholder="All operators",
                 help="Movements to or from a base this actor operates, and its bases.")
    _multiselect("Base", list(scenario.bases.index), FILTER_KEYS["bases"],
                 format_func=lambda base_id: str(scenario.bases.at[base_id, "name"]),
                 placeholder="All bases", help="Movements to or from these bases.")


def display(scenario: Scenario) -> None:
    st.header("Map")
    _multiselect("Layers", LAYER_TOGGLES, "layers", format_func=LAYER_LABELS.get)
    themes = ("light", "dark")
    st.radio("Theme", themes, index=themes.index(st.session_state["theme"]), key="theme", horizontal=True,
             format_func=str.title, help="Dark suits projected slides; light suits print.")
    st.toggle("Online map tiles", value=st.session_state["online_tiles"], key="online_tiles",
              help="Off: the bundled offline basemap. On: CARTO tiles from the internet.")
    focus, fit = st.columns(2)
    if focus.button("Scenario view", width="stretch"):
        move_camera(default_camera(scenario))
    if fit.button("Fit all bases", key="fit_all_bases", width="stretch"):
        move_camera(fitted_camera(scenario, (st.session_state.get("map_width", MAP_WIDTH), MAP_HEIGHT)))


def move_camera(camera: Camera) -> None:
    """Send the map to `camera`; a new key makes the map apply it even after the user panned away."""
    st.session_state["camera"] = camera
    st.session_state["camera_key"] = st.session_state.get("camera_key", 0) + 1


WORKSPACE_KEY = "workspace"  # the workspace this session opened; the dashboard shows it instead of --data


def workspace_folder() -> Path:
    """Where new workspace files are offered: FOOTPRINT_WORKSPACES, or a folder in the server user's home."""
    return Path(os.environ.get("FOOTPRINT_WORKSPACES", Path.home() / "footprint-workspaces")).expanduser().resolve()


def _free_name(folder: Path, stem: str) -> Path:
    path, number = folder / f"{stem}.gpkg", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.gpkg"
    return path


def new_workspace(source: Path) -> None:
    """Start an editable workspace from the scenario on screen (read from `source`) and open it here."""
    from geodata.dburl import is_database_url, mask_text, masked
    from geodata.workspace import create_workspace
    from geodata.workspace_store import WorkspaceError
    from ui.workspace_panel import NOTICE_KEY, PANEL_KEY, Notice

    with st.expander("Start a workspace"):
        st.caption("Copies this scenario into a GeoPackage (or a PostgreSQL schema, given a postgresql:// "
                   "address) that you can import into and edit. It opens here as soon as it is made.")
        default = _free_name(workspace_folder(), f"{source.name}-workspace")
        target = st.text_input("New workspace: a .gpkg file on the server, or postgresql://…?schema=NAME",
                               value=str(default), key="new_workspace").strip()
        if st.button("Create", key="create_workspace"):
            database = is_database_url(target)
            path = Path(target).expanduser()
            if not database and path.suffix.lower() != ".gpkg":
                st.error("The file name must end in .gpkg.")
                return
            if not database and not path.is_absolute():
                st.error("Give the full path of the file on the server, e.g. " + str(default))
                return
            if not database and path.exists():
                st.error(f"{path} exists already: nothing was written.")
                return
            try:
                if not database:
                    path.parent.mkdir(parents=True, exist_ok=True)
                create_workspace(target if database else path, from_scenario=source)
            except (OSError, WorkspaceError) as err:
                st.error(f"Nothing was written: {mask_text(str(err), target) if database else err}")
                return
            st.session_state[WORKSPACE_KEY] = target if database else str(path)
            st.session_state[NOTICE_KEY] = Notice(f"Created {masked(target) if database else path}; it is open here.")
            st.session_state[PANEL_KEY] = True
            st.rerun()
