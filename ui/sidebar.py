"""Filters, layer toggles, theme and camera in the sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geodata import Scenario
from geodata.schema import CATEGORIES, CONFIDENCES, MODES
from layers.mercator import Camera
from layers.view import LAYER_TOGGLES, MAP_HEIGHT, MAP_WIDTH, default_camera, fitted_camera
from ui.session import FILTER_KEYS

LAYER_LABELS = {"zones": "Zones of control", "routes": "Movements (arcs)", "bases": "Bases",
                "labels": "Base names", "places": "Place names", "relief": "Relief"}


def filters(scenario: Scenario) -> None:
    st.header("Filters")
    st.caption("Empty means everything.")
    st.multiselect("Category", CATEGORIES, key=FILTER_KEYS["categories"], placeholder="All categories")
    st.multiselect("Mode", MODES, key=FILTER_KEYS["modes"], placeholder="All modes")
    st.multiselect("Confidence", CONFIDENCES, key=FILTER_KEYS["confidences"], placeholder="Any confidence")
    st.multiselect("Operator", list(scenario.actors.index), key=FILTER_KEYS["operators"],
                   format_func=scenario.actor_name, placeholder="All operators",
                   help="Movements to or from a base this actor operates, and its bases.")
    st.multiselect("Base", list(scenario.bases.index), key=FILTER_KEYS["bases"],
                   format_func=lambda base_id: str(scenario.bases.at[base_id, "name"]),
                   placeholder="All bases", help="Movements to or from these bases.")


def display(scenario: Scenario) -> None:
    st.header("Map")
    st.multiselect("Layers", LAYER_TOGGLES, key="layers", format_func=LAYER_LABELS.get)
    st.radio("Theme", ("light", "dark"), key="theme", horizontal=True, format_func=str.title,
             help="Dark suits projected slides; light suits print.")
    st.toggle("Online map tiles", key="online_tiles",
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


def new_workspace(source: Path) -> None:
    """Start an editable GeoPackage workspace from the scenario on screen (read from `source`)."""
    from geodata.workspace import create_workspace

    with st.expander("Start a workspace"):
        st.caption("Copies this scenario into a GeoPackage you can import into and edit. "
                   "Open it with `streamlit run dashboard.py -- --data FILE.gpkg`.")
        target = st.text_input("New file (.gpkg)", value=f"{source.name}-workspace.gpkg", key="new_workspace")
        if st.button("Create", key="create_workspace"):
            path = Path(target).expanduser()
            if path.suffix.lower() != ".gpkg":
                st.error("The file name must end in .gpkg.")
            elif path.exists():
                st.error(f"{path} exists already: nothing was written.")
            else:
                create_workspace(path, from_scenario=source)
                st.success(f"Created {path.resolve()}")
