"""From a scenario and what the analyst selected to the map: layers, legend, counts.

The dashboard and the briefing export both call `compose`, so an export shows
exactly what the dashboard shows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import pandas as pd
import pydeck as pdk

from geodata import MovementFilter, Scenario
from layers.basemap import BasemapSource, basemap_layers
from layers.bases import Presence, base_records, bases_layers, presence
from layers.deck import Camera, build_deck
from layers.routes import Routes, RouteLook, drawn_arcs, movement_arcs, routes_layer
from layers.style import THEMES, Theme
from layers.zones import zones_layer

LAYER_TOGGLES: Final = ("zones", "routes", "bases", "labels", "relief")
# The dashboard's map height in pixels; exports zoom to cover the same ground top to bottom.
MAP_HEIGHT: Final = 640
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


@dataclass(frozen=True)
class ComposedMap:
    """Parts of it come from caches shared by every session: read them, never modify them."""

    deck: pdk.Deck
    rows: Callable[[], pd.DataFrame] = field(repr=False)  # the window's movements, on demand
    routes: Routes
    zones: pd.DataFrame
    bases: pd.DataFrame
    actors_shown: list[str] = field(default_factory=list)
    categories_shown: list[str] = field(default_factory=list)

    @functools.cached_property
    def movements(self) -> pd.DataFrame:
        """The window's movements, fetched when first asked for: a database's window may hold millions."""
        return self.rows()


@functools.lru_cache(maxsize=64)
def _zones_layer(scenario: Scenario, zone_rows: tuple[int, ...], theme: Theme, for_html: bool) -> pdk.Layer:
    # Zones change a few times in the whole period: build each state once.
    return zones_layer(scenario.zones.loc[list(zone_rows)], scenario.actors, theme, for_html=for_html)


@functools.lru_cache(maxsize=64)
def _base_layers(scenario: Scenario, shown: tuple[str, ...], present: Presence, theme: Theme, zoom: float,
                 for_html: bool) -> list[pdk.Layer]:
    # Bases change with filters and presence, rarely with a slider step: build each look once.
    bases = scenario.bases.loc[list(shown)]
    records = base_records(bases, scenario.actors, set(headline_bases(scenario)), theme, present,
                           for_html=for_html)
    return bases_layers(records, theme, zoom)


@functools.lru_cache(maxsize=32)
def _window_arcs(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter, look: RouteLook,
                 summarise: bool) -> Routes:
    # Analysts stepping through the same weeks, or playing the same period, share the work. The
    # window's rows are not kept: slicing them again is cheap, and a long window holds many.
    if scenario.database is None:
        return movement_arcs(scenario.movements_in(start, end, keep), scenario.places, look, summarise=summarise)
    window = scenario.database.window(start, end, keep, look.max_arcs, summarise)  # folded by the database
    if window.rows is not None:
        return movement_arcs(window.rows, window.places, look, summarise=summarise)
    return drawn_arcs(window.arcs, window.places, look, window.total_routes, window.total_movements, False)


def _categories_in(scenario: Scenario, view: MapView, look: RouteLook) -> list[str]:
    if scenario.database is None:
        return sorted(set(scenario.movements_in(view.start, view.end, view.keep)["category"]))
    return list(scenario.database.window(view.start, view.end, view.keep, look.max_arcs, True).categories)


@functools.lru_cache(maxsize=32)
def _routes_layer(scenario: Scenario, start: dt.date, end: dt.date, keep: MovementFilter, look: RouteLook,
                  for_html: bool, animated: bool) -> pdk.Layer:
    routes = _window_arcs(scenario, start, end, keep, look, not animated)
    return routes_layer(routes.drawn, look, for_html=for_html, animated=animated)


@functools.lru_cache(maxsize=8)
def headline_bases(scenario: Scenario) -> frozenset[str]:
    """The bases with the most movements in the whole scenario stand out on the map."""
    return frozenset(scenario.busiest_bases(HEADLINE_COUNT))


def default_camera(scenario: Scenario) -> Camera:
    view = scenario.meta.view
    if view is not None:
        return Camera(view.latitude, view.longitude, view.zoom)
    bases = scenario.bases
    return Camera(float(bases["lat"].mean()), float(bases["lon"].mean()), 4.0)


def compose(scenario: Scenario, view: MapView, *, for_html: bool = False,
            basemap: BasemapSource = BasemapSource(), look: RouteLook = RouteLook(),
            animated: bool = False) -> ComposedMap:
    """The map of `view`; `animated` leaves out what only hovering needs (arc tooltips)."""
    theme = THEMES[view.theme]
    zones = scenario.zones_on(view.end)
    routes = _window_arcs(scenario, view.start, view.end, view.keep, look, not animated)
    bases = scenario.bases_shown(view.keep, view.start, view.end)
    present = presence(bases, view.start, view.end)

    layers: list[pdk.Layer] = []
    if not view.online_tiles:
        layers += [layer for layer in basemap_layers(theme, basemap)
                   if layer.id != "basemap-relief" or "relief" in view.show]
    if "zones" in view.show and len(zones):
        layers.append(_zones_layer(scenario, tuple(zones.index), theme, for_html))
    if "routes" in view.show and len(routes.drawn):
        layers.append(_routes_layer(scenario, view.start, view.end, view.keep, look, for_html, animated))
    camera = view.camera or default_camera(scenario)
    if "bases" in view.show:
        base_layers = _base_layers(scenario, tuple(bases.index), present, theme, camera.zoom, for_html)
        layers += base_layers if "labels" in view.show else base_layers[:2]

    deck = build_deck(layers, camera, theme)
    shown_bases = bases[~bases.index.isin(present.later)]
    actor_ids = list(dict.fromkeys([*zones["actor"], *shown_bases["operator"]]))
    return ComposedMap(
        deck=deck,
        rows=functools.partial(scenario.movements_in, view.start, view.end, view.keep),
        routes=routes,
        zones=zones,
        bases=bases,
        actors_shown=actor_ids if "zones" in view.show or "bases" in view.show else [],
        categories_shown=_categories_in(scenario, view, look) if "routes" in view.show else [],
    )
