"""Bases as markers by kind, coloured by operator, with collision-aware name labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import pandas as pd
import pydeck as pdk

from layers.icons import atlas
from layers.labels import place_labels
from layers.style import FONT_FAMILY, PIXELS, Theme, hex_to_rgb, literal
from layers.tooltip import fields

LAYER_ID: Final = "bases"
ICON_LAYER_ID: Final = "base-icons"
LABEL_LAYER_ID: Final = "base-labels"
FORMER_ALPHA: Final = 90  # a base the operator had left by the window is drawn faded, not hidden


@dataclass(frozen=True)
class BaseLook:
    radius: float = 10.0
    headline_radius: float = 15.0
    label_size: float = 13.0
    headline_label_size: float = 15.0


def short_name(name: str) -> str:
    """The map label: a name without its parenthesised detail, which the tooltip still shows."""
    return name.split(" (")[0].strip() or name


@dataclass(frozen=True)
class Presence:
    """Bases whose operator had left before a window, and bases it reached only after."""

    former: frozenset[str] = frozenset()
    later: frozenset[str] = frozenset()


def presence(bases: pd.DataFrame, start: dt.date, end: dt.date) -> Presence:
    left = bases["active_to"].notna() & (bases["active_to"] < pd.Timestamp(start))
    arrives = bases["active_from"].notna() & (bases["active_from"] > pd.Timestamp(end))
    return Presence(frozenset(bases.index[left]), frozenset(bases.index[arrives & ~left]))


def base_records(bases: pd.DataFrame, actors: pd.DataFrame, headline: set[str], theme: Theme,
                 present: Presence, *, for_html: bool) -> list[dict]:
    records = []
    for base_id, base in bases.iterrows():
        if base_id in present.later:
            continue
        former = base_id in present.former
        alpha = FORMER_ALPHA if former else 255
        operator = str(actors["name"].get(base["operator"], base["operator"]))
        status = f" · presence ended {base['active_to']:%d %b %Y}" if former else ""
        records.append({
            "id": base_id,
            "position": [round(float(base["lon"]), 4), round(float(base["lat"]), 4)],
            "name": short_name(str(base["name"])),
            "kind": str(base["kind"]),
            "headline": base_id in headline,
            "fill": [*hex_to_rgb(actors["color"].get(base["operator"], "#888888")), alpha],
            "icon_color": [255, 255, 255, alpha],
            "label_color": [*theme.text, alpha],
            **fields(base["name"], f"{base['kind']} · {base['country']} · {operator}{status}",
                     base["description"], f"{base['confidence']} · {base['source']}", for_html=for_html),
        })
    return records


def bases_layers(records: list[dict], theme: Theme, zoom: float, look: BaseLook = BaseLook()) -> list[pdk.Layer]:
    """Markers, kind glyphs and name labels; labels are placed for the camera's `zoom`."""
    icon_atlas, icon_mapping = atlas()
    place_labels(records, zoom, look.radius, look.headline_radius, look.label_size, look.headline_label_size)
    marker_layer = pdk.Layer(
        "ScatterplotLayer",
        id=LAYER_ID,
        data=records,
        get_position="position",
        get_fill_color="fill",
        get_line_color=[*theme.halo, 255],
        get_radius=f"headline ? {look.headline_radius} : {look.radius}",
        radius_units=PIXELS,
        line_width_units=PIXELS,
        get_line_width="headline ? 3 : 1.5",
        stroked=True,
        pickable=True,
        auto_highlight=True,
    )
    # Glyphs and labels get only the fields they draw: the spec is re-sent on every step.
    glyphs = [{key: r[key] for key in ("position", "kind", "icon_color", "headline")} for r in records]
    icon_layer = pdk.Layer(
        "IconLayer",
        id=ICON_LAYER_ID,
        data=glyphs,
        icon_atlas=literal(icon_atlas),
        icon_mapping=icon_mapping,
        get_icon="kind",
        get_position="position",
        get_color="icon_color",
        get_size=f"headline ? {look.headline_radius * 1.25} : {look.radius * 1.2}",
        size_units=PIXELS,
    )

    def labels(layer_id: str, headline: bool, size: float, weight: str) -> pdk.Layer:
        return pdk.Layer(
            "TextLayer",
            id=layer_id,
            data=[{key: r[key] for key in ("position", "label", "label_color", "anchor", "baseline", "offset")}
                  for r in records if r["headline"] == headline and r["label"]],
            get_position="position",
            get_text="label",
            get_color="label_color",
            get_size=size,
            size_units=PIXELS,
            font_family=FONT_FAMILY,
            font_weight=literal(weight),
            get_text_anchor="anchor",
            get_alignment_baseline="baseline",
            get_pixel_offset="offset",
            character_set=literal("auto"),  # names such as Keïta or Tartús need more than ASCII
            font_settings={"sdf": True},
            outline_width=3,
            outline_color=[*theme.halo, 230],
        )

    return [
        marker_layer,
        icon_layer,
        labels(f"{LABEL_LAYER_ID}-minor", False, look.label_size, "normal"),
        labels(LABEL_LAYER_ID, True, look.headline_label_size, "bold"),
    ]
