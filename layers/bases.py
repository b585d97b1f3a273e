"""Bases as markers by kind in the colour of who holds them, ringed by whoever else is there.

`base_marks` is the one description of what a base looks like: every size and
colour is worked out here, and both the map's layers and the static export
renderer draw these records as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
import pydeck as pdk

from geodata.citations import citation_name, citations
from geodata.presence import NO_HOLDER, lines_by_base
from layers.icons import atlas
from layers.style import FONT_FAMILY, NEUTRAL, PIXELS, Theme, hex_to_rgb, literal
from layers.tooltip import fields

LAYER_ID: Final = "bases"
RING_LAYER_ID: Final = "base-presence"
ICON_LAYER_ID: Final = "base-icons"
LABEL_LAYER_ID: Final = "base-labels"


@dataclass(frozen=True)
class BaseLook:
    radius: float = 10.0
    headline_radius: float = 15.0
    outline: float = 1.5
    headline_outline: float = 3.0
    glyph_share: float = 1.2  # the kind glyph's size as a share of the marker's radius
    label_size: float = 13.0
    headline_label_size: float = 15.0
    label_halo: float = 3.0
    faded_alpha: int = 90  # nobody holds or uses the base on the day: drawn faded, not hidden
    faded_label_alpha: int = 170  # but its name stays readable
    ring_width: float = 3.0  # each actor present besides the holder: a ring in its colour
    ring_gap: float = 1.5


def short_name(name: str) -> str:
    """The map label: a name without its parenthesised detail, which the tooltip still shows."""
    return name.split(" (")[0].strip() or name


def _source_names(source: str) -> str:
    return "; ".join(dict.fromkeys(filter(None, map(citation_name, citations(source)))))


def base_marks(bases: pd.DataFrame, sites: pd.DataFrame, presence: pd.DataFrame, actors: pd.DataFrame,
               headline: frozenset[str], faded: frozenset[str], theme: Theme, *, day_text: str,
               look: BaseLook = BaseLook(), for_html: bool) -> list[dict]:
    """One record per base with its position, sizes, colours, rings and tooltip.

    `sites` says who holds each base on the map's day and who else is present;
    `faded` bases (nobody holds or uses them that day, or kept only as the end of an
    arc) are drawn translucent. Headline bases come last, so they are drawn on top
    and win a click where markers overlap.
    """
    # Plain dicts, not pandas lookups per base: the map places hundreds of bases at every step.
    names = {actor: str(name) for actor, name in actors["name"].items()}
    colors = {actor: hex_to_rgb(color) for actor, color in actors["color"].items()}

    def name_of(actor: str) -> str:
        return names.get(actor, str(actor))

    histories = lines_by_base(presence, name_of)
    holders, presents = sites["holder"].to_dict(), sites["present"].to_dict()
    records = []
    for base_id, base in zip(bases.index, bases.to_dict("records"), strict=True):
        holder, present = holders[base_id], presents[base_id]
        is_headline, alpha = base_id in headline, look.faded_alpha if base_id in faded else 255
        radius = look.headline_radius if is_headline else look.radius
        outline = look.headline_outline if is_headline else look.outline
        rings, edge = [], radius + outline / 2
        for actor in present:
            rings.append({"color": [*colors.get(actor, NEUTRAL), alpha], "radius": edge + look.ring_gap + look.ring_width / 2})
            edge += look.ring_gap + look.ring_width
        status = [f"held by {name_of(holder)}" if holder != NO_HOLDER else f"nobody holds it on {day_text}",
                  *(f"{name_of(actor)} present" for actor in present)]
        history = [f"{text} ({confidence}; {_source_names(source)})"
                   for text, confidence, source in histories.get(base_id, [])]
        records.append({
            "id": base_id,
            "position": [round(float(base["lon"]), 4), round(float(base["lat"]), 4)],
            "name": short_name(str(base["name"])),
            "kind": str(base["kind"]),
            "headline": is_headline,
            "radius": radius,
            "outline": outline,
            "fill": [*colors.get(holder, NEUTRAL), alpha],
            "line": [*theme.halo, alpha],
            "rings": rings,
            "glyph_size": round(radius * look.glyph_share, 1),
            "glyph_color": [255, 255, 255, alpha],
            "label_size": look.headline_label_size if is_headline else look.label_size,
            "label_color": [*theme.text, max(alpha, look.faded_label_alpha)],
            "faded": base_id in faded,
            **fields(base["name"], " · ".join([str(base["kind"]), str(base["country"]), *status]),
                     "; ".join(history) or str(base["description"]), f"{base['confidence']} · {base['source']}",
                     for_html=for_html),
        })
    return sorted(records, key=lambda r: (not r["faded"], r["headline"]))


def bases_layers(records: list[dict], theme: Theme, look: BaseLook = BaseLook(), *,
                 labels: bool = True) -> list[pdk.Layer]:
    """Presence rings, markers, kind glyphs and (placed) name labels, from `base_marks` records."""
    icon_atlas, icon_mapping = atlas()
    rings = [{"position": r["position"], "radius": ring["radius"], "color": ring["color"]}
             for r in records for ring in r["rings"]]
    # Each layer gets only the fields it draws: the spec is re-sent on every step.
    markers = [{key: value for key, value in r.items() if key not in ("rings", "label_color", "label_size")}
               for r in records]
    layers = [
        pdk.Layer("ScatterplotLayer", id=RING_LAYER_ID, data=rings, get_position="position", get_radius="radius",
                  get_line_color="color", radius_units=PIXELS, line_width_units=PIXELS,
                  get_line_width=look.ring_width, stroked=True, filled=False),
        pdk.Layer("ScatterplotLayer", id=LAYER_ID, data=markers, get_position="position", get_fill_color="fill",
                  get_line_color="line", get_radius="radius", radius_units=PIXELS, line_width_units=PIXELS,
                  get_line_width="outline", stroked=True, pickable=True, auto_highlight=True),
        pdk.Layer("IconLayer", id=ICON_LAYER_ID,
                  data=[{key: r[key] for key in ("position", "kind", "glyph_color", "glyph_size")} for r in records],
                  icon_atlas=literal(icon_atlas), icon_mapping=icon_mapping, get_icon="kind",
                  get_position="position", get_color="glyph_color", get_size="glyph_size", size_units=PIXELS),
    ]
    if not labels:
        return layers

    def label_layer(layer_id: str, headline: bool) -> pdk.Layer:
        return pdk.Layer(
            "TextLayer",
            id=layer_id,
            data=[{key: r[key] for key in ("position", "label", "label_color", "label_size", "anchor", "baseline",
                                           "offset")}
                  for r in records if r["headline"] == headline and r.get("label")],
            get_position="position",
            get_text="label",
            get_color="label_color",
            get_size="label_size",
            size_units=PIXELS,
            font_family=FONT_FAMILY,
            font_weight=literal("bold" if headline else "normal"),
            get_text_anchor="anchor",
            get_alignment_baseline="baseline",
            get_pixel_offset="offset",
            character_set=literal("auto"),  # names such as Keïta or Tartús need more than ASCII
            font_settings={"sdf": True},
            outline_width=look.label_halo,
            outline_color=[*theme.halo, 230],
        )

    return [*layers, label_layer(f"{LABEL_LAYER_ID}-minor", False), label_layer(LABEL_LAYER_ID, True)]
