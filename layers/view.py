"""From a scenario and what the analyst selected to the map: its marks, layers, legend and counts.

The dashboard and the briefing export both call `compose`, so an export shows
exactly what the dashboard shows. The costly parts (zones, bases, arcs) are
built by the functions of a `Parts`; the dashboard passes memoised ones that
its sessions share, so nothing here keeps state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import pandas as pd
import pydeck as pdk

from analysis.reach import Reach, ReachError, ReachQuery, main_side, usable_bases, with_and_without
from geodata import MovementFilter, Scenario
from layers.basemap import BasemapSource, basemap_layers
from layers.bases import base_marks, bases_layers
from layers.deck import build_deck
from layers.labels import place_labels
from layers.legend import Section, legend_sections
from layers.mercator import Camera, Viewport
from layers.reach import ReachMarks, reach_layers, reach_marks
from layers.rings import RingMarks, RingSpec, ring_marks, rings_layers
from layers.routes import Routes, RouteLook, movement_arcs, routes_layer
from layers.style import THEMES
from layers.zones import hatch_layer, hatch_zoom, zone_marks, zones_layer

LAYER_TOGGLES: Final = ("zones", "routes", "bases", "labels", "relief")
# The dashboard's map height in pixels; exports zoom to cover the same ground top to bottom.
MAP_HEIGHT: Final = 640
MAP_WIDTH: Final = 1000  # until the map reports its width
HEADLINE_COUNT: Final = 4


@dataclass(frozen=True)
class MapView:
    start: dt.date
    end: dt.date
    keep: MovementFilter = MovementFilter()
    show: frozenset[str] = frozenset(LAYER_TOGGLES)
    theme: str = "light"
    camera: Camera | None = None  # None: the scenario's own view
    online_tiles: bool = False
    rings: tuple[RingSpec, ...] = ()  # range rings, drawn while `side` holds or uses their base on `end`
    side: str = ""  # whose bases carry the rings; '' = the scenario's main side (analysis.reach.main_side)
    reach: ReachQuery | None = None  # the air bridge on `end`: routes with and without the query's `without`


@dataclass(frozen=True)
class ZonePart:
    features: dict
    hatches: list[dict]
    layers: tuple[pdk.Layer, ...]


@dataclass(frozen=True)
class BasePart:
    records: list[dict]  # placed for the part's viewport
    layers: tuple[pdk.Layer, ...]


def zone_part(scenario: Scenario, zone_rows: tuple[int, ...], theme: str, zoom: float, for_html: bool) -> ZonePart:
    """A state of the zones; they change a few times in the whole period."""
    features, hatches = zone_marks(scenario.zones.loc[list(zone_rows)], scenario.actors, THEMES[theme], zoom=zoom,
                                   for_html=for_html)
    layers = (zones_layer(features), *([hatch_layer(hatches)] if hatches else []))
    return ZonePart(features, hatches, layers)


def base_part(scenario: Scenario, drawn: tuple[str, ...], faded: frozenset[str], day: dt.date, theme: str,
              viewport: Viewport, labels: bool, for_html: bool) -> BasePart:
    """The bases as drawn on `day`; they change with filters, holders and the camera, rarely with a step."""
    records = base_marks(scenario.bases.loc[list(drawn)], scenario.sites_on(day), scenario.presence, scenario.actors,
                         headline_bases(scenario), faded, THEMES[theme], day_text=f"{day:%-d %b %Y}",
                         for_html=for_html)
    place_labels(records, viewport)
    return BasePart(records, tuple(bases_layers(records, THEMES[theme], labels=labels)))


def window_arcs(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter, look: RouteLook,
                summarise: bool) -> Routes:
    return movement_arcs(scenario.movements_in(start, end, keep), scenario.places, look, summarise=summarise)


def arcs_layer(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter, look: RouteLook,
               for_html: bool, animated: bool, parts: Parts) -> pdk.Layer:
    routes = parts.window_arcs(scenario, start, end, keep, look, not animated)
    return routes_layer(routes.drawn, look, for_html=for_html, animated=animated)


@dataclass(frozen=True)
class RingPart:
    marks: RingMarks
    layers: tuple[pdk.Layer, ...]


def ring_part(scenario: Scenario, rings: tuple[RingSpec, ...], side: str, day: dt.date, theme: str,
              for_html: bool) -> RingPart:
    """The rings on `day`; they change with the rings asked for, the side's bases and the theme."""
    marks = ring_marks(scenario, rings, side, day, usable_bases(scenario, side, day), THEMES[theme], for_html=for_html)
    return RingPart(marks, tuple(rings_layers(marks, THEMES[theme])))


@dataclass(frozen=True)
class ReachRoutes:
    every: Reach | None
    without: Reach | None
    error: str = ""  # why the query cannot be answered, e.g. a system without a range


def reach_routes(scenario: Scenario, query: ReachQuery, day: dt.date) -> ReachRoutes:
    """The costly part of the air bridge (a detour search takes seconds): routes with and without the bases."""
    try:
        return ReachRoutes(*with_and_without(scenario, query, day))
    except ReachError as err:
        return ReachRoutes(None, None, f"{err.field}: {err}")


@dataclass(frozen=True)
class ReachPart:
    marks: ReachMarks | None
    error: str
    layers: tuple[pdk.Layer, ...]


def reach_part(scenario: Scenario, query: ReachQuery, day: dt.date, theme: str, zoom: float, for_html: bool,
               parts: Parts) -> ReachPart:
    """The routes drawn for the map's zoom (dashes are sized in pixels)."""
    routes = parts.reach_routes(scenario, query, day)
    if routes.every is None:
        return ReachPart(None, routes.error, ())
    marks = reach_marks(scenario, routes.every, routes.without, THEMES[theme], zoom, for_html=for_html)
    return ReachPart(marks, "", tuple(reach_layers(marks, THEMES[theme])))


@dataclass(frozen=True)
class Parts:
    """How `compose` builds its costly parts: directly, or through caches the caller keeps."""

    zones: Callable[..., ZonePart] = zone_part
    bases: Callable[..., BasePart] = base_part
    window_arcs: Callable[..., Routes] = window_arcs
    arcs_layer: Callable[..., pdk.Layer] = arcs_layer
    rings: Callable[..., RingPart] = ring_part
    reach_routes: Callable[..., ReachRoutes] = reach_routes
    reach: Callable[..., ReachPart] = reach_part


def headline_bases(scenario: Scenario) -> frozenset[str]:
    """The bases with the most movements in the whole scenario stand out on the map."""
    ends = pd.concat([scenario.movements["origin"], scenario.movements["destination"]])
    busiest = ends[ends != ""].value_counts().head(HEADLINE_COUNT)
    return frozenset(busiest.index)


def default_camera(scenario: Scenario) -> Camera:
    view = scenario.meta.view
    if view is not None:
        return Camera(view.latitude, view.longitude, view.zoom)
    bases = scenario.bases
    return Camera(float(bases["lat"].mean()), float(bases["lon"].mean()), 4.0)


@dataclass(frozen=True)
class ComposedMap:
    """Parts of it come from caches shared by every session: read them, never modify them."""

    deck: pdk.Deck
    viewport: Viewport
    day: dt.date  # zones and holders are drawn as of this day, the window's last
    show: frozenset[str]
    actors: pd.DataFrame
    movements: pd.DataFrame
    routes: Routes  # the window's arcs, counted even when the layer is hidden
    zones: gpd.GeoDataFrame  # drawn: empty when the layer is hidden
    zone_features: dict = field(default_factory=lambda: {"features": []})
    hatches: list[dict] = field(default_factory=list)
    base_records: list[dict] = field(default_factory=list)  # drawn, with labels placed
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    rings: RingMarks | None = None  # when the view asks for rings
    reach: ReachPart | None = None  # when the view asks for the air bridge

    def legend(self) -> list[Section]:
        return legend_sections(self)


def _drawn_bases(scenario: Scenario, view: MapView, movements: pd.DataFrame,
                 sites: pd.DataFrame) -> tuple[tuple[str, ...], frozenset[str]]:
    """The bases to draw, and which of them faded.

    An operator filter keeps its actors' bases; the other end of an arc it keeps
    stays on the map, faded, so that no arc starts from nowhere. A base nobody
    holds or uses on the map's day is faded too.
    """
    kept = set(scenario.bases_shown(view.keep, view.start, view.end).index)
    ends = set(movements["origin"]) | set(movements["destination"]) if "routes" in view.show else set()
    drawn = tuple(base for base in scenario.bases.index if base in kept or base in ends)
    idle = (sites["holder"] == "") & (sites["present"].map(len) == 0)
    faded = frozenset(base for base in drawn if base not in kept or idle.get(base, False))
    return drawn, faded


def compose(scenario: Scenario, view: MapView, *, viewport_size: tuple[float, float] = (MAP_WIDTH, MAP_HEIGHT),
            for_html: bool = False, basemap: BasemapSource = BasemapSource(), look: RouteLook = RouteLook(),
            animated: bool = False, parts: Parts = Parts()) -> ComposedMap:
    """The map of `view` on a map box of `viewport_size` pixels; `animated` leaves out what only
    hovering needs (arc tooltips)."""
    theme = THEMES[view.theme]
    camera = view.camera or default_camera(scenario)
    viewport = Viewport(camera, *viewport_size)
    movements = scenario.movements_in(view.start, view.end, view.keep)
    routes = parts.window_arcs(scenario, view.start, view.end, view.keep, look, not animated)
    sites = scenario.sites_on(view.end)

    layers: list[pdk.Layer] = [layer for layer in basemap_layers(theme, basemap)
                               if layer.id != "basemap-relief" or "relief" in view.show]
    zones = scenario.zones_on(view.end) if "zones" in view.show else scenario.zones.iloc[:0]
    zone = parts.zones(scenario, tuple(zones.index), view.theme, hatch_zoom(camera.zoom), for_html) if len(zones) else None
    if zone:
        layers += zone.layers
    ring = parts.rings(scenario, view.rings, view.side or main_side(scenario), view.end, view.theme,
                       for_html) if view.rings else None
    if ring:
        layers += ring.layers
    if "routes" in view.show and len(routes.drawn):
        layers.append(parts.arcs_layer(scenario, view.start, view.end, view.keep, look, for_html, animated, parts))
    reach = parts.reach(scenario, view.reach, view.end, view.theme, hatch_zoom(camera.zoom), for_html,
                        parts) if view.reach else None
    if reach:
        layers += reach.layers
    base = None
    if "bases" in view.show:
        drawn, faded = _drawn_bases(scenario, view, movements, sites)
        base = parts.bases(scenario, drawn, faded, view.end, view.theme, viewport, "labels" in view.show, for_html)
        layers += base.layers
    return ComposedMap(
        deck=build_deck(layers, camera, theme),
        viewport=viewport,
        day=view.end,
        show=view.show,
        actors=scenario.actors,
        movements=movements,
        routes=routes,
        zones=zones,
        zone_features=zone.features if zone else {"features": []},
        hatches=zone.hatches if zone else [],
        base_records=base.records if base else [],
        sites=sites,
        rings=ring.marks if ring else None,
        reach=reach,
    )
