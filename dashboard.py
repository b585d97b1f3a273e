"""Footprint: a time-aware map of military basing and movements.

    streamlit run dashboard.py                      # the bundled scenario
    streamlit run dashboard.py -- --data PATH       # a scenario folder or .gpkg
    streamlit run dashboard.py -- --data postgresql://USER@HOST:PORT/DB?schema=NAME   # a team's workspace
"""

import argparse
import sys
from pathlib import Path

import streamlit as st

from ui.map_element import early_map

# The server sends basemap tiles from its own threads while a script run holds the GIL; at
# Python's default 5 ms switch interval each tile waits seconds behind the first run's imports.
sys.setswitchinterval(0.0005)

st.set_page_config(page_title="Footprint", page_icon="🗺️", layout="wide")
early_map()  # before the heavy imports and the data: the browser starts on the map meanwhile

from geodata import BUNDLED, ScenarioError, load_scenario  # noqa: E402
from geodata.dburl import is_database_url, masked  # noqa: E402
from ui import sidebar  # noqa: E402
from ui.main_panel import main_panel, title  # noqa: E402
from ui.session import init_from_query  # noqa: E402
from ui.follow import follow_changes, is_workspace, shown_revision  # noqa: E402

parser = argparse.ArgumentParser(prog="dashboard.py")
parser.add_argument("--data", help="scenario folder, .gpkg or postgresql:// address (default: the bundled scenario)")
# A workspace this session started replaces --data for this session only.
data = st.session_state.get(sidebar.WORKSPACE_KEY) or parser.parse_known_args(sys.argv[1:])[0].data

shown = shown_revision(data) if is_workspace(data) else None  # before the data: a change saved meanwhile shows
try:
    scenario = load_scenario(data, shown)
except ScenarioError as err:
    st.error(f"The scenario at {masked(data) if is_database_url(data) else data} cannot be opened:")
    st.code("\n".join(err.problems.lines()), language=None)
    st.stop()

for notice in init_from_query(scenario):
    st.toast(notice)

with st.sidebar:
    sidebar.filters(scenario)
    sidebar.display(scenario)

title(scenario)
# Its files (the town checks Compare reports): a database workspace has none.
folder = None if is_database_url(data) else Path(data) if data else BUNDLED
main_panel(scenario, folder)

if is_workspace(data):  # edited in place, by this session and others
    from ui.workspace_panel import workspace_expander

    follow_changes(data, shown)
    workspace_expander(data)
else:
    with st.sidebar:
        sidebar.new_workspace(folder)
