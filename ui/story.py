"""A base's story beside the map: what it is, what moved in and out, and the sources."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from geodata import Scenario
from ui.charts import base_timeline
from ui.tables import sources_html


def _traffic(movements: pd.DataFrame, base_id: str) -> pd.DataFrame:
    involved = movements[(movements["origin"] == base_id) | (movements["destination"] == base_id)]
    inbound = involved["destination"] == base_id
    other_name = involved["origin_name"].where(inbound, involved["destination_name"])
    return pd.DataFrame({
        "date": involved["date"].dt.date,
        "": inbound.map({True: "in ←", False: "out →"}),
        "other end": other_name.where(other_name != "", "(not a base)"),
        "asset": involved["asset"],
        "qty": involved["quantity"],
        "confidence": involved["confidence"],
    })


def show_story(scenario: Scenario, base_id: str, window_movements: pd.DataFrame,
               window: tuple[dt.date, dt.date]) -> None:
    base = scenario.bases.loc[base_id]
    presence = " – ".join(f"{d:%d %b %Y}" if pd.notna(d) else "…" for d in (base["active_from"], base["active_to"]))
    st.markdown(f"<div style='font-size:1.15rem;font-weight:650;line-height:1.25'>{html.escape(str(base['name']))}"
                "</div>", unsafe_allow_html=True)
    st.caption(f"{base['kind']} · {base['country']} · {scenario.actor_name(base['operator'])}"
               + (f" · presence {presence}" if presence != "… – …" else ""))
    st.markdown(f"<div style='font-size:0.9rem'>{html.escape(str(base['description']))}</div>",
                unsafe_allow_html=True)
    traffic = _traffic(window_movements, base_id)
    st.markdown(f"**In and out, {window[0]:%d %b %Y} – {window[1]:%d %b %Y}:** {len(traffic)} movement(s)")
    if len(traffic):
        st.dataframe(traffic, hide_index=True, width="stretch", height=min(38 + 35 * len(traffic), 250))
    involved = scenario.movements_at(base_id)
    st.altair_chart(base_timeline(involved, base_id, window, (scenario.meta.start, scenario.meta.end)),
                    width="stretch")
    st.markdown("**Sources**")
    st.markdown(sources_html([str(base["source"]), *involved["source"]]), unsafe_allow_html=True)
