"""The Reach panel: range rings at bases, and the air bridge for the window's last day.

Its widgets live in `st.session_state` like the sidebar's: `reach_state` fills
them from a MapView (the URL), `reach_fields` reads them back into one, so the
map, the link and every export carry the same rings and routes. The routes are
computed by `compose` (through the shared parts); the panel only shows them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.reach import DEFAULT_STOPS, MAX_STOPS, Reach, ReachQuery, main_side, route_text
from geodata import Scenario
from layers.bases import short_name
from layers.rings import RingSpec, rings_text
from layers.view import ComposedMap, MapView

KINDS = {"system": "a system's range", "km": "a distance (km)", "band": "a min/max pair (km)"}
TABLE_STYLE = "font-size:0.8rem;line-height:1.3;overflow-x:auto"


def reach_state(view: MapView) -> dict:
    """The panel's widget values for `view` (on a session's first run, from the URL)."""
    query = view.reach
    return {
        "ring_specs": list(view.rings),
        "ring_side": view.side,
        "reach_on": query is not None,
        "reach_system": query.system if query else None,
        "reach_from": list(query.origins) if query else [],
        "reach_to": list(query.destinations) if query else [],
        "reach_without": sorted(query.without) if query else [],
        "reach_allow": sorted(query.allow) if query else [],
        "reach_stops": query.stops if query else DEFAULT_STOPS,
        "reach_detour": query.detour if query else False,
    }


def reach_fields() -> dict:
    """The MapView fields the panel's widgets describe: rings, side, and the air bridge when asked for."""
    state = st.session_state
    query = None
    if state.get("reach_on") and state.get("reach_system") and state.get("reach_from") and state.get("reach_to"):
        query = ReachQuery(state["reach_system"], tuple(state["reach_from"]), tuple(state["reach_to"]),
                           allow=frozenset(state.get("reach_allow", ())),
                           without=frozenset(state.get("reach_without", ())),
                           stops=int(state.get("reach_stops", DEFAULT_STOPS)),
                           detour=bool(state.get("reach_detour", False)))
    return {"rings": tuple(state.get("ring_specs", ())), "side": state.get("ring_side", ""), "reach": query}


def _ranged_systems(scenario: Scenario) -> list[str]:
    systems = scenario.systems
    return list(systems.index[systems["range_km"].notna()])


def _add_rings(scenario: Scenario) -> None:
    """The adder's bases, each with the chosen range, join the rings drawn."""
    state = st.session_state
    kind = state.get("ring_kind", "system")
    if kind == "system":
        what = {"system": state.get("ring_system") or ""}
    elif kind == "km":
        what = {"km": (float(state.get("ring_km", 500.0)),)}
    else:
        low, high = float(state.get("ring_min", 100.0)), float(state.get("ring_max", 400.0))
        if low >= high:
            state["ring_notice"] = "The minimum must be less than the maximum."
            return
        what = {"km": (low, high)}
    added = [RingSpec(base, **what) for base in state.get("ring_bases", [])]
    state["ring_specs"] = list(dict.fromkeys([*state.get("ring_specs", []), *added]))
    state["ring_notice"] = "" if added else "Pick one or more bases first."


def _rings_edited(key: str) -> None:
    st.session_state["ring_specs"] = list(st.session_state[key])


def _ring_label(scenario: Scenario, ring: RingSpec) -> str:
    base = short_name(str(scenario.bases.at[ring.base, "name"]))
    if ring.system:
        return f"{base}: {ring.system}"
    return f"{base}: {'–'.join(f'{km:,.0f}' for km in ring.km)} km"


def _base_names(scenario: Scenario) -> dict[str, str]:
    """Each base's short name, for lists of bases: one lookup per option, not a pandas `.at`."""
    return {base: short_name(str(name)) for base, name in scenario.bases["name"].items()}


def _rings(scenario: Scenario, composed: ComposedMap) -> None:
    st.markdown("**Range rings**")
    bases = list(scenario.bases.index)
    rings = list(st.session_state.get("ring_specs", []))
    # The rings live in their own state; this list shows them and takes removals. Its key follows the rings,
    # so that a list with other options starts afresh instead of keeping a stale choice.
    st.multiselect("Rings drawn", rings, default=rings, key=f"rings_drawn:{rings_text(tuple(rings))}",
                   on_change=_rings_edited, args=(f"rings_drawn:{rings_text(tuple(rings))}",),
                   format_func=lambda ring: _ring_label(scenario, ring), placeholder="No rings",
                   help="Remove a ring here. Rings are kept in the link (rings=BASE:SYSTEM|KM|MIN-MAX,...).")
    st.multiselect("At bases", bases, key="ring_bases", format_func=_base_names(scenario).__getitem__,
                   placeholder="Pick bases")
    kind = st.radio("Range", list(KINDS), key="ring_kind", format_func=KINDS.get, horizontal=True,
                    label_visibility="collapsed")
    systems = _ranged_systems(scenario)
    if kind == "system":
        st.selectbox("System", systems, key="ring_system",
                     format_func=lambda system: f"{scenario.systems.at[system, 'name']} "
                                                f"({scenario.systems.at[system, 'range_km']:,.0f} km)")
    elif kind == "km":
        st.number_input("Distance (km)", min_value=1.0, max_value=20_000.0, value=500.0, step=50.0, key="ring_km")
    else:
        low, high = st.columns(2)
        low.number_input("Min (km)", min_value=1.0, max_value=20_000.0, value=100.0, step=50.0, key="ring_min")
        high.number_input("Max (km)", min_value=1.0, max_value=20_000.0, value=400.0, step=50.0, key="ring_max")
    st.button("Add rings", key="add_rings", on_click=_add_rings, args=(scenario,))
    if st.session_state.get("ring_notice"):
        st.caption(st.session_state["ring_notice"])
    main = main_side(scenario)
    st.selectbox("Side", ["", *scenario.actors.index], key="ring_side",
                 format_func=lambda actor: f"{scenario.actor_name(actor or main)}" + ("" if actor else " (main side)"),
                 help="A ring is drawn while this actor holds or uses its base on the window's last day.")
    if composed.rings is not None:
        for line in composed.rings.not_drawn:
            st.caption(line)


def _cell(reach: Reach | None, destination: str) -> str:
    if reach is None:
        return ""
    route = next(r for r in reach.routes if r.destination == destination)
    if not route.reachable:
        return "unreachable"
    stops = len(route.stopovers)
    return f"{route.km:,.0f} km, {stops} stop{'s' * (stops != 1)}"


def _place(scenario: Scenario, base: str) -> str:
    """'Bamako' for 'Bamako – Modibo Keïta Intl Airport / Air Base 101': the panel is narrow."""
    return short_name(str(scenario.bases.at[base, "name"])).split(" – ")[0]


def reach_table(scenario: Scenario, every: Reach, without: Reach | None) -> pd.DataFrame:
    """One row per destination: with every base, and without the bases taken away, side by side."""
    names = {base: _place(scenario, base) for base in scenario.bases.index}
    table = pd.DataFrame({"destination": [names[r.destination] for r in every.routes],
                          "with every base": [_cell(every, r.destination) for r in every.routes]})
    if without is not None:
        gone = ", ".join(names[base] for base in sorted(without.query.without))
        table[f"without {gone}"] = [_cell(without, r.destination) for r in every.routes]
    return table


def _air_bridge(scenario: Scenario, composed: ComposedMap) -> None:
    st.markdown("**Air bridge**")
    st.toggle("Find routes", key="reach_on", help="For the window's last day: holders, presences and closures then.")
    if not st.session_state.get("reach_on"):
        return
    bases = list(scenario.bases.index)
    systems = _ranged_systems(scenario)
    if st.session_state.get("reach_system") not in systems and systems:
        st.session_state["reach_system"] = systems[0]
    st.selectbox("System", systems, key="reach_system",
                 format_func=lambda system: f"{scenario.systems.at[system, 'name']} "
                                            f"({scenario.systems.at[system, 'range_km']:,.0f} km)")
    base_names = _base_names(scenario)
    for key, label in (("reach_from", "From"), ("reach_to", "To"), ("reach_without", "Without (what if we lose…)"),
                       ("reach_allow", "Also stop at (friendly airfields)")):
        st.multiselect(label, bases, key=key, format_func=base_names.__getitem__, placeholder="Pick bases")
    st.number_input("Most stopovers", min_value=0, max_value=MAX_STOPS, step=1, key="reach_stops")
    st.toggle("Detours round closed airspace", key="reach_detour",
                  help="Off: a leg is a straight geodesic and closed airspace bars it. On: a leg may bend round "
                       "closed airspace without landing (slower: seconds the first time).")
    part = composed.reach
    if part is None:
        st.caption("Pick at least one origin and one destination.")
        return
    if part.marks is None:
        st.warning(f"No routes: {part.error}")
        return
    marks = part.marks
    st.caption(marks.note)
    table = reach_table(scenario, marks.every, marks.without)
    st.markdown(f"<div style='{TABLE_STYLE}'>{table.to_html(index=False, escape=True, border=0)}</div>",
                unsafe_allow_html=True)
    with st.expander("Legs"):
        for reach, title in ((marks.every, "With every base"), (marks.without, "Without")):
            if reach is not None:
                st.markdown(f"*{title}*")
                st.text("\n".join(route_text(route) for route in reach.routes))


def reach_panel(scenario: Scenario, composed: ComposedMap) -> None:
    """Rings and the air bridge, for the map beside it; everything here goes into the link and the exports."""
    _rings(scenario, composed)
    st.divider()
    _air_bridge(scenario, composed)
