"""Footprint: a time-aware map of military basing and movements.

    streamlit run dashboard.py                      # the bundled scenario
    streamlit run dashboard.py -- --data PATH       # a scenario folder or .gpkg
"""

import argparse
import sys
from pathlib import Path

import streamlit as st

from ui.map_element import early_map

st.set_page_config(page_title="Footprint", page_icon="🗺️", layout="wide")
early_map()  # before the heavy imports and the data: the browser starts on the map meanwhile

from geodata import BUNDLED, ScenarioError, load_scenario  # noqa: E402
from ui import sidebar  # noqa: E402
from ui.main_panel import main_panel, title  # noqa: E402
from ui.session import init_from_query  # noqa: E402

parser = argparse.ArgumentParser(prog="dashboard.py")
parser.add_argument("--data", help="scenario folder or .gpkg (default: the bundled scenario)")
data_path = parser.parse_known_args(sys.argv[1:])[0].data

try:
    scenario = load_scenario(data_path)
except ScenarioError as err:
    st.error(f"The scenario at {data_path} cannot be opened:")
    st.code("\n".join(err.problems.lines()), language=None)
    st.stop()

for notice in init_from_query(scenario):
    st.toast(notice)

with st.sidebar:
    sidebar.filters(scenario)
    sidebar.display(scenario)

title(scenario)
main_panel(scenario, Path(data_path) if data_path else BUNDLED)

if data_path and Path(data_path).suffix.lower() == ".gpkg":
    from ui.workspace_panel import workspace_panel  # only workspaces are edited in place

    with st.expander("Workspace: import files, add, edit or delete records, history and undo"):
        workspace_panel(Path(data_path))
else:
    with st.sidebar:
        sidebar.new_workspace(Path(data_path) if data_path else BUNDLED)
