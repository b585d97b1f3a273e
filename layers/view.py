"""From a scenario and what the analyst selected to the map: its marks, layers, legend and counts.

The dashboard and the briefing export both call `compose`, so an export shows
exactly what the dashboard shows. The costly parts (zones, bases, arcs) are
built by the functions of a `Parts`; the dashboard passes memoised ones that
its sessions share, so nothing here keeps state.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import shapely

from analysis.reach import Reach, ReachError, ReachQuery, main_side, usable_bases, with_and_without
from geodata import MovementFilter, Scenario
from layers.basemap import BasemapSource, basemap_layers, relief_shown
from layers.bases import BaseLook, base_marks, bases_layers
from layers.deck import build_deck
from layers.labels import Box, place_labels
from layers.legend import Section, legend_sections
from layers.extent import fit_camera
from layers.mercator import ZOOMS, Camera, Viewport
from layers.places import PlaceLook, place_marks, places_layers
from layers.reach import ReachMarks, reach_layers, reach_marks
from layers.rings import RingMarks, RingSpec, ring_marks, rings_layers
from layers.routes import Routes, RouteLook, drawn_arcs, movement_arcs, routes_layer
from layers.style import THEMES
from layers.zones import hatch_zoom, zone_marks, zones_layers

LAYER_TOGGLES: Final = ("zones", "routes", "bases", "labels", "places", "relief")
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
class Looks:
    """Sizes of what is drawn: the dashboard's, or larger ones that read on a projected slide."""

    bases: BaseLook = BaseLook()
    routes: RouteLook = RouteLook()
    places: PlaceLook = PlaceLook()


# A 1920×1080 slide is seen from the back of a room at half its size: names and markers grow.
PROJECTOR: Final = Looks(bases=BaseLook(radius=12.0, headline_radius=17.0, outline=2.0, headline_outline=3.0,
                                        label_size=19.0, headline_label_size=22.0, label_halo=4.0,
                                        ring_width=3.5, ring_gap=2.0),
                         places=PlaceLook(city_size=16.0, country_size=16.0, dot_radius=3.5, halo=3.5))


@dataclass(frozen=True)
class ZonePart:
    features: dict
    hatches: list[dict]
    layers: tuple[pdk.Layer, ...]


@dataclass(frozen=True)
class BasePart:
    records: list[dict]  # placed for the part's viewport
    layers: tuple[pdk.Layer, ...]
    occupied: tuple[Box, ...] = ()  # what the markers and their names cover, for place names to avoid


@dataclass(frozen=True)
class PlacePart:
    marks: list[dict]
    layers: tuple[pdk.Layer, ...]


def zone_part(scenario: Scenario, zone_rows: tuple[int, ...], theme: str, zoom: float, for_html: bool) -> ZonePart:
    """A state of the zones; they change a few times in the whole period."""
    features, hatches = zone_marks(scenario.zones.loc[list(zone_rows)], scenario.actors, THEMES[theme], zoom=zoom,
                                   for_html=for_html)
    return ZonePart(features, hatches, zones_layers(features, hatches))


def base_part(scenario: Scenario, drawn: tuple[str, ...], faded: frozenset[str], day: dt.date, theme: str,
              viewport: Viewport, labels: bool, look: BaseLook, for_html: bool) -> BasePart:
    """The bases as drawn on `day`; they change with filters, holders and the camera, rarely with a step."""
    records = base_marks(scenario.bases.loc[list(drawn)], scenario.sites_on(day), scenario.presence, scenario.actors,
                         headline_bases(scenario), faded, THEMES[theme], day_text=f"{day:%-d %b %Y}", look=look,
                         for_html=for_html)
    occupied = place_labels(records, viewport)
    return BasePart(records, tuple(bases_layers(records, THEMES[theme], look, labels=labels)), tuple(occupied))


def place_part(viewport: Viewport, occupied: tuple[Box, ...], theme: str, look: PlaceLook) -> PlacePart:
    """Countries and main cities, around what the bases already cover; they change with the camera."""
    marks = place_marks(viewport, list(occupied), THEMES[theme], look)
    return PlacePart(marks, tuple(places_layers(marks, THEMES[theme], look)))


def window_arcs(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter, look: RouteLook,
                summarise: bool) -> Routes:
    if scenario.database is None:
        return movement_arcs(scenario.movements_in(start, end, keep), scenario.places, look, summarise=summarise)
    window = scenario.database.window(start, end, keep, look.max_arcs, summarise)  # folded by the database
    if window.rows is not None:
        return movement_arcs(window.rows, window.places, look, summarise=summarise)
    return drawn_arcs(window.arcs, window.places, look, window.total_routes, window.total_movements, False)


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
    places: Callable[..., PlacePart] = place_part
    rings: Callable[..., RingPart] = ring_part
    reach_routes: Callable[..., ReachRoutes] = reach_routes
    reach: Callable[..., ReachPart] = reach_part


def headline_bases(scenario: Scenario) -> frozenset[str]:
    """The bases with the most movements in the whole scenario stand out on the map."""
    return frozenset(scenario.busiest_bases(HEADLINE_COUNT))


def fitted_camera(scenario: Scenario, viewport_size: tuple[float, float] = (MAP_WIDTH, MAP_HEIGHT)) -> Camera:
    """A camera that frames every base and zone, across the antimeridian when that is shorter."""
    corners = shapely.bounds(shapely.get_parts(scenario.zones.geometry.values)).reshape(-1, 2, 2)
    points = [*zip(scenario.bases["lon"], scenario.bases["lat"]), *(tuple(c) for pair in corners for c in pair)]
    return fit_camera(points, *viewport_size) if points else Camera(20.0, 0.0, ZOOMS[0])


def default_camera(scenario: Scenario) -> Camera:
    """The scenario's own `[view]`, or one that fits its bases and zones."""
    view = scenario.meta.view
    if view is not None:
        return Camera(view.latitude, view.longitude, view.zoom)
    return fitted_camera(scenario)


@dataclass(frozen=True)
class ComposedMap:
    """Parts of it come from caches shared by every session: read them, never modify them."""

    deck: pdk.Deck
    viewport: Viewport
    day: dt.date  # zones and holders are drawn as of this day, the window's last
    show: frozenset[str]
    actors: pd.DataFrame
    rows: Callable[[], pd.DataFrame] = field(repr=False)  # the window's movements, on demand
    routes: Routes  # the window's arcs, counted even when the layer is hidden
    zones: gpd.GeoDataFrame  # drawn: empty when the layer is hidden
    zone_features: dict = field(default_factory=lambda: {"features": []})
    hatches: list[dict] = field(default_factory=list)
    base_records: list[dict] = field(default_factory=list)  # drawn, with labels placed
    place_marks: list[dict] = field(default_factory=list)
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    looks: Looks = Looks()
    rings: RingMarks | None = None  # when the view asks for rings
    reach: ReachPart | None = None  # when the view asks for the air bridge

    def legend(self) -> list[Section]:
        return legend_sections(self, bases=self.looks.bases, routes=self.looks.routes)

    @functools.cached_property
    def movements(self) -> pd.DataFrame:
        """The window's movements, fetched when first asked for: a database's window may hold millions."""
        return self.rows()


def _drawn_bases(scenario: Scenario, view: MapView, routes: Routes,
                 sites: pd.DataFrame) -> tuple[tuple[str, ...], frozenset[str]]:
    """The bases to draw, and which of them faded.

    An operator filter keeps its actors' bases; the other end of an arc it keeps
    stays on the map, faded, so that no arc starts from nowhere. A base nobody
    holds or uses on the map's day is faded too.
    """
    kept = set(scenario.bases_shown(view.keep, view.start, view.end).index)
    arcs = routes.drawn if "routes" in view.show and len(routes.drawn) else None
    ends = set(arcs["origin_key"]) | set(arcs["destination_key"]) if arcs is not None else set()
    drawn = tuple(base for base in scenario.bases.index if base in kept or base in ends)
    idle = (sites["holder"] == "") & (sites["present"].map(len) == 0)
    faded = frozenset(base for base in drawn if base not in kept or idle.get(base, False))
    return drawn, faded


def compose(scenario: Scenario, view: MapView, *, viewport_size: tuple[float, float] = (MAP_WIDTH, MAP_HEIGHT),
            for_html: bool = False, basemap: BasemapSource = BasemapSource(), looks: Looks = Looks(),
            animated: bool = False, parts: Parts = Parts()) -> ComposedMap:
    """The map of `view` on a map box of `viewport_size` pixels; `animated` leaves out what only
    hovering needs (arc tooltips)."""
    theme = THEMES[view.theme]
    camera = view.camera or default_camera(scenario)
    viewport = Viewport(camera, *viewport_size)
    look = looks.routes
    routes = parts.window_arcs(scenario, view.start, view.end, view.keep, look, not animated)
    sites = scenario.sites_on(view.end)

    # The bundled basemap stays under online tiles: it shows until they arrive, or if they never do.
    layers: list[pdk.Layer] = list(basemap_layers(theme, basemap, relief=relief_shown("relief" in view.show,
                                                                                      camera.zoom)))
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
        drawn, faded = _drawn_bases(scenario, view, routes, sites)
        base = parts.bases(scenario, drawn, faded, view.end, view.theme, viewport, "labels" in view.show, looks.bases,
                           for_html)
    places = parts.places(viewport, base.occupied if base else (), view.theme, looks.places) \
        if "places" in view.show else None
    layers += [*(places.layers if places else ()), *(base.layers if base else ())]
    return ComposedMap(
        deck=build_deck(layers, camera, theme),
        viewport=viewport,
        day=view.end,
        show=view.show,
        actors=scenario.actors,
        rows=functools.partial(scenario.movements_in, view.start, view.end, view.keep),
        routes=routes,
        zones=zones,
        zone_features=zone.features if zone else {"features": []},
        hatches=zone.hatches if zone else [],
        base_records=base.records if base else [],
        place_marks=places.marks if places else [],
        sites=sites,
        looks=looks,
        rings=ring.marks if ring else None,
        reach=reach,
    )
