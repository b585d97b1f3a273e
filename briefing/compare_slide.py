"""The "what changed" slide: maps A and B, the change map, the report's headline table, in the usual frame.

Both renderers draw it from this one description: the Chromium page
(`compare_page.py`) and the static renderer (`compare_static.py`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Final

import pandas as pd

from analysis.changes import ChangeReport, Side, change_report, headline
from briefing.frame import MAX_SOURCES, SCALE_BAR_SHARE, Frame, _needs_compact, build_frame
from briefing.layout import Box, CompareLayout, compare_layout
from briefing.slides import SlideOptions, export_view
from geodata import Scenario
from geodata.citations import source_names
from layers.basemap import BasemapSource
from layers.bases import short_name
from layers.changes import ChangeMap, changes_camera, compose_changes, legend_actors
from layers.legend import Section
from layers.mercator import Camera, scale_bar
from layers.style import THEMES
from layers.view import ComposedMap, MapView, compose, default_camera

MAX_ACTOR_ROWS: Final = 4
MAX_BASE_ROWS: Final = 4


@dataclass(frozen=True)
class CompareRequest:
    a: Side
    b: Side
    points: pd.DataFrame  # named places (name, lat, lon) whose holder the report compares


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    detail: str = ""  # a second line under the cells


@dataclass(frozen=True)
class TablePart:
    title: str
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    more: str = ""  # what was left out, in words

    @property
    def shares(self) -> tuple[float, ...]:
        """Each column's share of the table's width: a wide first column (names), the rest for figures."""
        return (0.49, 0.17, 0.17, 0.17) if len(self.header) == 4 else (0.75, 0.25)


@dataclass(frozen=True)
class SideMap:
    """One of the three maps: where it sits, what it shows, and its caption."""

    caption: str
    view: MapView  # with the camera of this box
    box: Box


@dataclass(frozen=True)
class CompareSlide:
    scenario: Scenario
    report: ChangeReport
    maps: tuple[SideMap, SideMap, SideMap]  # A, B, and the change map
    composed: tuple[ComposedMap, ComposedMap]  # A and B
    changes: ChangeMap
    frame: Frame
    table: tuple[TablePart, ...]
    layout: CompareLayout

    @property
    def view(self) -> MapView:
        """The change map's view: the frame's scale bar and the renderers' theme follow it."""
        return self.maps[2].view

    def page(self):
        from briefing.compare_page import compare_page  # which imports this module
        return compare_page(self)


def _km2(value: float) -> str:
    return f"{round(value):,}"


def headline_table(report: ChangeReport) -> tuple[TablePart, ...]:
    """The land held by the actors whose holdings changed most, and the bases that changed hands, latest first."""
    def name(actor: str) -> str:
        return short_name(report.name(actor))

    moved = [land for land in report.actors if round(land.km2_a) != round(land.km2_b)]
    land = TablePart("Land held, km²", ("", "A", "B", "change"), tuple(
        TableRow((name(a.actor), _km2(a.km2_a), _km2(a.km2_b), f"{round(a.km2_b - a.km2_a):+,}"))
        for a in moved[:MAX_ACTOR_ROWS]), more=_more(len(moved) - MAX_ACTOR_ROWS, "actor"))
    changed = sorted((c for c in report.bases if c.changed_hands), reverse=True,
                     key=lambda c: c.steps[-1].date if c.steps else dt.date.min)
    bases = TablePart("Bases that changed hands", ("", "since"), tuple(
        TableRow((short_name(c.name), f"{c.steps[-1].date:%-d %b %Y}" if c.steps else ""),
                 detail=f"{name(c.holder_a)} → {name(c.holder_b)}")
        for c in changed[:MAX_BASE_ROWS]), more=_more(len(changed) - MAX_BASE_ROWS, "base"))
    return tuple(part for part in (land, bases) if part.rows)


def _more(count: int, noun: str) -> str:
    return f"and {count:,} more {noun}{'' if count == 1 else 's'} in the dashboard's report" if count > 0 else ""


def _fit(camera: Camera, box: Box, reference: Box) -> Camera:
    """The change map's camera, zoomed so that a smaller box shows the same ground (its narrower side decides)."""
    share = min(box.width / reference.width, box.height / reference.height)
    return Camera(camera.latitude, camera.longitude, round(camera.zoom + math.log2(share), 3))


def _legend(changes: ChangeMap, composed: tuple[ComposedMap, ComposedMap]) -> tuple[Section, ...]:
    """The change map's sections; actors only A or B shows are added to its list of colours."""
    sections = changes.legend()
    named = {changes.report.name(actor) for actor in legend_actors(changes)}
    extra = {}
    for side in composed:
        for section in side.legend():
            if section.title == "Actors":
                extra.update({entry.label: entry for entry in section.entries if entry.label not in named})
    if extra:
        sections.append(Section("Also on A and B", tuple(extra.values())))
    return tuple(sections)


def build_compare_slide(scenario: Scenario, compare: CompareRequest, view: MapView,
                        options: SlideOptions) -> CompareSlide:
    """`view` gives the filters, layers, theme and camera (None: fitted to what changed)."""
    boxes = compare_layout(options.size, banner=bool(options.banner.strip()))
    a, b = compare.a, compare.b
    report = change_report(scenario, a, b, compare.points, view.keep)
    if view.camera is None:
        camera = changes_camera(report, boxes.map.width, boxes.map.height, default_camera(scenario))
    else:
        camera = export_view(scenario, view, boxes.map.height).camera
    basemap = BasemapSource(inline=True)
    change_view = dataclasses.replace(view, start=b.first, end=b.last, camera=camera, online_tiles=False)
    changes = compose_changes(report, scenario.actors, THEMES[view.theme], camera,
                              viewport_size=(boxes.map.width, boxes.map.height), for_html=True, basemap=basemap,
                              relief="relief" in view.show)
    maps, composed = [], []
    for name, side, box in (("A", a, boxes.map_a), ("B", b, boxes.map_b)):
        side_view = dataclasses.replace(view, start=side.first, end=side.last, camera=_fit(camera, box, boxes.map),
                                        online_tiles=False)
        composed.append(compose(scenario, side_view, viewport_size=(box.width, box.height), for_html=True,
                                basemap=basemap))
        maps.append(SideMap(f"{name} · {side.label} · {side.movements_label}", side_view, box))
    maps.append(SideMap(f"What changed · {a.label} → {b.label}", change_view, boxes.map))
    frame = build_frame(scenario, composed[1], change_view, boxes, title=options.title, banner=options.banner)
    names = source_names(report.sources)
    text = dataclasses.replace(
        frame.text, window=f"What changed, {a.label} → {b.label}",
        counts=" · ".join(f"{figure} {label}" for figure, label in headline(report)),
        sources=tuple(names[:MAX_SOURCES]), more_sources=max(0, len(names) - MAX_SOURCES))
    legend = _legend(changes, tuple(composed))
    frame = dataclasses.replace(frame, text=text, legend=legend,
                                scale=scale_bar(camera.latitude, camera.zoom, boxes.map.width * SCALE_BAR_SHARE),
                                table=None, compact_legend=_needs_compact(list(legend), None, boxes))
    return CompareSlide(scenario, report, tuple(maps), tuple(composed), changes, frame, headline_table(report), boxes)
