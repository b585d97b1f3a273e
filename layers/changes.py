"""The change map: what changed from A to B, drawn on one map.

Land that changed hands is hatched in its new holder's colour inside an outline
in its old holder's colour; a base whose holder changed is filled with its new
holder's colour and edged with its old one's, ringed by the colours of the
forces that left or arrived; a route that appeared or stopped is an arc, dark
for appeared and faint for stopped. `change_marks` is the one description of
what is drawn: the dashboard's map and the static export renderer draw its
records as they are, and the legend lists them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from analysis.changes import ChangeReport, base_sources, base_text, holders_text, route_name, span_text
from layers.basemap import BasemapSource, basemap_layers
from layers.bases import BaseLook, short_name
from layers.deck import build_deck
from layers.labels import place_labels
from layers.legend import Entry, Section
from layers.mercator import ZOOMS, Camera, Viewport, world_lonlat, world_pixels
from layers.routes import BOW_RIGHT, RouteLook
from layers.style import FONT_FAMILY, NEUTRAL, PIXELS, RGB, Theme, hex_to_rgb, literal
from layers.tooltip import fields
from layers.zones import SIMPLIFY_DEGREES, ZoneLook, hatch_lines, hatch_zoom

# Ids that start with "zones" go on the lower plane of the dashboard's map, with the basemap.
LAND_LAYER_ID: Final = "zones-changed"
HATCH_LAYER_ID: Final = "zones-changed-hatch"
BASES_LAYER_ID: Final = "changed-bases"
RINGS_LAYER_ID: Final = "changed-base-rings"
LABELS_LAYER_ID: Final = "changed-base-labels"
ROUTES_LAYER_ID: Final = "changed-routes"
FIT_PADDING: Final = 40  # pixels kept around the changes when the camera is fitted to them


@dataclass(frozen=True)
class ChangeLook:
    land_fill_alpha: int = 45
    land_outline: float = 2.5  # the old holder's colour must read around the hatching
    base_radius: float = 9.0
    base_outline: float = 4.0  # the old holder's colour, around the new one's
    ring_width: float = 3.0
    ring_gap: float = 1.5
    label_size: float = 13.0
    arc_width: float = 3.0
    appeared_alpha: int = 235
    stopped_alpha: int = 90


@dataclass(frozen=True)
class ChangeMarks:
    land: dict  # GeoJSON FeatureCollection
    hatches: list[dict]
    bases: list[dict]  # placed for the viewport
    arcs: list[dict]


def _color(actors: pd.DataFrame, actor: str) -> RGB:
    return hex_to_rgb(actors["color"].get(actor, "")) if actor in actors.index else NEUTRAL


def arc_color(appeared: bool, theme: Theme, look: ChangeLook = ChangeLook()) -> tuple[int, int, int, int]:
    """Appeared routes are drawn in the theme's ink, stopped ones faint."""
    return (*theme.text, look.appeared_alpha if appeared else look.stopped_alpha)


def _land(report: ChangeReport, actors: pd.DataFrame, zoom: float, look: ChangeLook, zone_look: ZoneLook,
          for_html: bool) -> tuple[dict, list[dict]]:
    features, hatches = [], []
    for change in report.land:
        new, old = _color(actors, change.new), _color(actors, change.old)
        geometry = shapely.simplify(change.geometry, SIMPLIFY_DEGREES, preserve_topology=True)
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shapely.set_precision(geometry, 1e-4)),
            "properties": {
                "fill": [*new, look.land_fill_alpha],
                "line": [*old, 230],
                "old": change.old,
                "new": change.new,
                **fields(holders_text(change.old, change.new, report),
                         f"land that changed hands · {change.km2:,.0f} km²",
                         f"held by {report.name(change.old)} on {report.a.label}; "
                         f"by {report.name(change.new)} on {report.b.label}", change.source, for_html=for_html),
            },
        })
        hatches += [{"path": path, "color": [*new, zone_look.hatch_alpha]}
                    for path in hatch_lines(geometry, hatch_zoom(zoom), zone_look.hatch_spacing)]
    return {"type": "FeatureCollection", "features": features}, hatches


def _bases(report: ChangeReport, actors: pd.DataFrame, theme: Theme, look: ChangeLook,
           for_html: bool) -> list[dict]:
    records = []
    for change in report.bases:
        moved = [a for a in (*change.present_a, *change.present_b)
                 if (a in change.present_a) != (a in change.present_b)]
        rings, edge = [], look.base_radius + look.base_outline / 2
        for actor in dict.fromkeys(moved):
            rings.append({"color": [*_color(actors, actor), 255], "radius": edge + look.ring_gap + look.ring_width / 2})
            edge += look.ring_gap + look.ring_width
        records.append({
            "id": change.base,
            "position": [round(change.lon, 4), round(change.lat, 4)],
            "name": short_name(change.name),
            "kind": "holder changed" if change.changed_hands else "forces left or arrived",
            "headline": change.changed_hands,
            "radius": look.base_radius,
            "outline": look.base_outline,
            "fill": [*_color(actors, change.holder_b), 255],
            "line": [*_color(actors, change.holder_a), 255],
            "rings": rings,
            "label_size": look.label_size,
            "label_color": [*theme.text, 255],
            "holders": [change.holder_a, change.holder_b, *moved],
            **fields(change.name, "holder changed" if change.changed_hands else "forces left or arrived",
                     base_text(change, report), base_sources(change, report), for_html=for_html),
        })
    return records


def _arcs(report: ChangeReport, theme: Theme, look: ChangeLook, for_html: bool) -> list[dict]:
    records = []
    for route in report.routes:
        if route.a and route.b:
            continue  # busier or quieter, not appeared or stopped: the report lists it
        color = list(arc_color(route.b > 0, theme, look))
        what = (f"appeared: {route.b:,} under way in B's window, none in A's" if route.b
                else f"stopped: {route.a:,} under way in A's window, none in B's")
        records.append({
            "s": [round(route.origin_position[0], 4), round(route.origin_position[1], 4)],
            "t": [round(route.destination_position[0], 4), round(route.destination_position[1], 4)],
            "sc": [*color[:3], round(color[3] * RouteLook().source_alpha_share)],
            "tc": color,
            "w": look.arc_width,
            "h": RouteLook().bend,
            "appeared": route.b > 0,
            **fields(route_name(route), what, f"A: {report.a.movements_label}; B: {report.b.movements_label}",
                     route.sources, for_html=for_html),
        })
    return records


def change_marks(report: ChangeReport, actors: pd.DataFrame, theme: Theme, viewport: Viewport, *,
                 look: ChangeLook = ChangeLook(), for_html: bool) -> ChangeMarks:
    """Everything the change map draws, with colours, sizes, tooltips and placed base names."""
    land, hatches = _land(report, actors, viewport.camera.zoom, look, ZoneLook(), for_html)
    bases = _bases(report, actors, theme, look, for_html)
    place_labels(bases, viewport)
    return ChangeMarks(land, hatches, bases, _arcs(report, theme, look, for_html))


def change_layers(marks: ChangeMarks, theme: Theme, look: ChangeLook = ChangeLook()) -> list[pdk.Layer]:
    layers = []
    if marks.land["features"]:
        layers.append(pdk.Layer("GeoJsonLayer", id=LAND_LAYER_ID, data=marks.land, get_fill_color="properties.fill",
                                get_line_color="properties.line", line_width_units=PIXELS,
                                get_line_width=look.land_outline, stroked=True, filled=True, pickable=True,
                                auto_highlight=True, highlight_color=[255, 255, 255, 50]))
    if marks.hatches:
        layers.append(pdk.Layer("PathLayer", id=HATCH_LAYER_ID, data=marks.hatches, get_path="path", get_color="color",
                                get_width=ZoneLook().hatch_width, width_units=PIXELS))
    if marks.arcs:
        layers.append(pdk.Layer("ArcLayer", id=ROUTES_LAYER_ID, data=marks.arcs, get_source_position="s",
                                get_target_position="t", get_source_color="sc", get_target_color="tc",
                                get_width="w", get_height="h", get_tilt=BOW_RIGHT, num_segments=24,
                                wrap_longitude=True, width_units=PIXELS, pickable=True, auto_highlight=True))
    if marks.bases:
        rings = [{"position": r["position"], "radius": ring["radius"], "color": ring["color"]}
                 for r in marks.bases for ring in r["rings"]]
        layers += [
            pdk.Layer("ScatterplotLayer", id=RINGS_LAYER_ID, data=rings, get_position="position",
                      get_radius="radius", get_line_color="color", radius_units=PIXELS, line_width_units=PIXELS,
                      get_line_width=look.ring_width, stroked=True, filled=False),
            pdk.Layer("ScatterplotLayer", id=BASES_LAYER_ID,
                      data=[{k: v for k, v in r.items() if k not in ("rings", "holders")} for r in marks.bases],
                      get_position="position", get_fill_color="fill", get_line_color="line", get_radius="radius",
                      radius_units=PIXELS, line_width_units=PIXELS, get_line_width="outline", stroked=True,
                      pickable=True, auto_highlight=True),
            pdk.Layer("TextLayer", id=LABELS_LAYER_ID,
                      data=[{k: r[k] for k in ("position", "label", "label_color", "label_size", "anchor", "baseline",
                                               "offset")} for r in marks.bases if r.get("label")],
                      get_position="position", get_text="label", get_color="label_color", get_size="label_size",
                      size_units=PIXELS, font_family=FONT_FAMILY, font_weight=literal("bold"),
                      get_text_anchor="anchor", get_alignment_baseline="baseline", get_pixel_offset="offset",
                      character_set=literal("auto"), font_settings={"sdf": True}, outline_width=BaseLook().label_halo,
                      outline_color=[*theme.halo, 230]),
        ]
    return layers


@dataclass(frozen=True)
class ChangeMap:
    """The composed change map: its deck, and the marks every renderer and the legend read."""

    deck: pdk.Deck
    viewport: Viewport
    marks: ChangeMarks
    report: ChangeReport
    actors: pd.DataFrame
    theme: Theme
    layers: list[pdk.Layer] = field(default_factory=list)

    def legend(self) -> list[Section]:
        return change_sections(self)


def compose_changes(report: ChangeReport, actors: pd.DataFrame, theme: Theme, camera: Camera, *,
                    viewport_size: tuple[float, float], for_html: bool = False,
                    basemap: BasemapSource = BasemapSource(), relief: bool = True) -> ChangeMap:
    viewport = Viewport(camera, *viewport_size)
    marks = change_marks(report, actors, theme, viewport, for_html=for_html)
    base = [layer for layer in basemap_layers(theme, basemap) if layer.id != "basemap-relief" or relief]
    layers = base + change_layers(marks, theme)
    return ChangeMap(build_deck(layers, camera, theme), viewport, marks, report, actors, theme, layers)


def _visible(change_map: ChangeMap) -> tuple[list[dict], list[dict]]:
    """The land features and base records that lie at least partly inside the map's box."""
    west, south, east, north = change_map.viewport.bounds()
    boxes = [shapely.box(west, south, east, north)] if west <= east else [
        shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)]
    land = [feature for feature in change_map.marks.land["features"]
            if any(shapely.geometry.shape(feature["geometry"]).intersects(box) for box in boxes)]
    records = change_map.marks.bases
    positions = np.array([r["position"] for r in records], dtype=float).reshape(-1, 2)
    inside = change_map.viewport.contains(positions[:, 0], positions[:, 1])
    return land, [record for record, shown in zip(records, inside) if shown]


def legend_actors(change_map: ChangeMap) -> set[str]:
    """The actors whose colours the change map's legend names."""
    land, bases = _visible(change_map)
    return ({f["properties"][end] for f in land for end in ("old", "new")}
            | {actor for record in bases for actor in record["holders"]}) - {""}


def change_sections(change_map: ChangeMap, look: ChangeLook = ChangeLook()) -> list[Section]:
    """The change map's legend: only what it draws inside its box. Land lists new holders (the hatching)
    and old ones (the edges) apart, so that it grows with the actors, not with their pairs."""
    report, actors, marks = change_map.report, change_map.actors, change_map.marks
    land, bases = _visible(change_map)

    def name(actor: str) -> str:
        return short_name(report.name(actor))

    sections, named = [], set()
    if land:
        new = list(dict.fromkeys(f["properties"]["new"] for f in land))
        old = list(dict.fromkeys(f["properties"]["old"] for f in land))
        entries = [Entry(f"to {name(a)}", "hatch", _color(actors, a)) for a in new]
        entries += [Entry(f"from {name(a)}", "area", _color(actors, a), look.land_fill_alpha / 255,
                          outline=_color(actors, a)) for a in old]
        sections.append(Section("Land that changed hands", tuple(entries),
                                note="hatched in the new holder's colour, edged in the old one's"))
        named = set(new) | set(old)
    if bases:
        entries = [Entry("holder changed: fill B's, edge A's", "area", NEUTRAL, outline=change_map.theme.text)]
        if any(r["rings"] for r in bases):
            entries.append(Entry("ring: forces that left or arrived", "ring", None))
        holders = [a for r in bases for a in r["holders"] if a and a not in named]
        entries += [Entry(name(a), "area", _color(actors, a)) for a in dict.fromkeys(holders)]
        sections.append(Section("Bases that changed", tuple(entries)))
    if marks.arcs:
        kinds = {arc["appeared"] for arc in marks.arcs}
        colors = {appeared: arc_color(appeared, change_map.theme) for appeared in kinds}
        sections.append(Section("Routes", tuple(
            Entry(label, "line", colors[appeared][:3], colors[appeared][3] / 255)
            for appeared, label in ((True, "appeared"), (False, "stopped")) if appeared in kinds),
            note=f"movements under way: A {span_text(report.a.first, report.a.last)}, "
                 f"B {span_text(report.b.first, report.b.last)}",
            inline=True))
    return sections


def changes_camera(report: ChangeReport, width: float, height: float, fallback: Camera) -> Camera:
    """A camera that frames the land that changed hands and the bases whose holder changed; `fallback`
    when neither changed."""
    geometries = [change.geometry for change in report.land]
    geometries += [shapely.Point(c.lon, c.lat) for c in report.bases if c.changed_hands]
    if not geometries:
        return fallback
    west, south, east, north = shapely.union_all(geometries).bounds
    x, y = world_pixels(np.array([west, east]), np.array([north, south]), 0)
    span_x, span_y = max(float(x[1] - x[0]), 1e-6), max(float(y[1] - y[0]), 1e-6)
    zoom = math.log2(min((width - 2 * FIT_PADDING) / span_x, (height - 2 * FIT_PADDING) / span_y))
    zoom = min(ZOOMS[1] - 4, max(ZOOMS[0], zoom))
    centre_lon, centre_lat = world_lonlat(x.mean(), y.mean(), 0)  # the box's middle on the screen
    return Camera(round(float(centre_lat), 4), round(float(centre_lon), 4), round(zoom, 2))
