"""A base's story beside the map: who held it and who was there, what moved in and out, and the sources."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from geodata import Scenario
from geodata.geodesy import distance_text
from geodata.presence import dated_lines
from layers.bases import short_name
from ui.charts import base_timeline
from ui.tables import sources_html


def _traffic(movements: pd.DataFrame, base_id: str) -> pd.DataFrame:
    involved = movements[(movements["origin"] == base_id) | (movements["destination"] == base_id)]
    inbound = involved["destination"] == base_id
    other_name = involved["origin_name"].where(inbound, involved["destination_name"])
    return pd.DataFrame({
        "date": involved["date"].dt.strftime("%d %b %Y"),
        "": inbound.map({True: "in ←", False: "out →"}),
        "other end": other_name.map(lambda name: short_name(name) if name else "(not a base)"),
        "what": involved["asset"].astype(str).where(involved["asset"].astype(str) != "", involved["category"].astype(str)),
        "qty": involved["quantity"],
        "distance": [distance_text(km, mode) for km, mode in zip(involved["distance_km"], involved["mode"])],
        "confidence": involved["confidence"],
    })


def show_story(scenario: Scenario, base_id: str, window_movements: pd.DataFrame,
               window: tuple[dt.date, dt.date]) -> None:
    base = scenario.bases.loc[base_id]
    st.markdown(f"<div style='font-size:1.15rem;font-weight:650;line-height:1.25'>{html.escape(str(base['name']))}"
                "</div>", unsafe_allow_html=True)
    st.caption(f"{base['kind']} · {base['country']}")
    history = dated_lines(scenario.presence, base_id, scenario.actor_name)
    st.markdown("".join(f"<div style='font-size:0.88rem;line-height:1.4'>{html.escape(text)} "
                        f"<span style='opacity:.65'>({html.escape(confidence)})</span></div>"
                        for text, confidence, _ in history), unsafe_allow_html=True)
    st.markdown(f"<div style='font-size:0.88rem;margin-top:6px'>{html.escape(str(base['description']))}</div>",
                unsafe_allow_html=True)
    traffic = _traffic(window_movements, base_id)
    count = f"{len(traffic)} movement{'' if len(traffic) == 1 else 's'}"
    st.markdown(f"**In and out, {window[0]:%d %b %Y} – {window[1]:%d %b %Y}:** {count}")
    if len(traffic):
        st.dataframe(traffic, hide_index=True, width="stretch", height=min(38 + 35 * len(traffic), 250),
                     column_config={"": st.column_config.TextColumn(width=48),
                                    "date": st.column_config.TextColumn(width=88),
                                    "other end": st.column_config.TextColumn(width="medium")})
    st.altair_chart(base_timeline(scenario.movements_at(base_id), base_id, window, scenario.meta.period),
                    width="stretch")
    involved = window_movements[(window_movements["origin"] == base_id) | (window_movements["destination"] == base_id)]
    st.markdown("**Sources** (the base, who held it, and this window's movements)")
    st.markdown(sources_html([str(base["source"]), *(source for _, _, source in history), *involved["source"]]),
                unsafe_allow_html=True)
