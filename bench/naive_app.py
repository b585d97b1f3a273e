"""The naive reference for bench/scale.py: every record its own arc, nothing cached.

This is the plain Streamlit + pydeck app the scale issue measures against. It has
the same window, week button and URL update as the dashboard, so one harness
drives both.

    streamlit run bench/naive_app.py -- --data SCENARIO_FOLDER
"""

import argparse
import datetime as dt
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st

parser = argparse.ArgumentParser()
parser.add_argument("--data", type=Path, required=True)
folder = parser.parse_known_args(sys.argv[1:])[0].data

meta = tomllib.loads((folder / "scenario.toml").read_text())
start, end = dt.date.fromisoformat(meta["start"]), dt.date.fromisoformat(meta["end"])
movements = pd.read_csv(folder / "movements.csv", parse_dates=["date"])
bases = pd.read_csv(folder / "bases.csv").set_index("id")

if "window" not in st.session_state:
    st.session_state["window"] = (start, start + dt.timedelta(days=30))


def next_week() -> None:
    first, last = st.session_state["window"]
    st.session_state["window"] = (first + dt.timedelta(days=7), last + dt.timedelta(days=7))


st.slider("Window", min_value=start, max_value=end, key="window")
st.button("week ▶", on_click=next_week)
first, last = st.session_state["window"]
shown = movements[(movements["date"] >= pd.Timestamp(first)) & (movements["date"] <= pd.Timestamp(last))]
shown = shown.join(bases[["lat", "lon"]], on="origin").join(bases[["lat", "lon"]], on="destination", rsuffix="_to")
arcs = pdk.Layer("ArcLayer", data=shown[["lon", "lat", "lon_to", "lat_to", "category", "source"]],
                 get_source_position=["lon", "lat"], get_target_position=["lon_to", "lat_to"],
                 get_source_color=[230, 159, 0, 80], get_target_color=[230, 159, 0, 230], pickable=True)
st.pydeck_chart(pdk.Deck(layers=[arcs], initial_view_state=pdk.ViewState(latitude=33, longitude=28, zoom=3.6),
                         map_style="__MAP_STYLE__", tooltip={"text": "{category}\n{source}"}))
st.query_params["from"] = first.isoformat()
