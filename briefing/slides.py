"""From a scenario and a MapView to a slide: the composed map, its frame, its layout and its page."""

from __future__ import annotations

from dataclasses import dataclass, replace

from briefing.frame import Frame, build_frame
from briefing.layout import Layout, layout
from layers.mercator import fit_zoom
from briefing.page import SlidePage, slide_page
from briefing.sizes import Size
from geodata import Scenario
from layers.basemap import BasemapSource
from layers.view import MAP_HEIGHT, PROJECTOR, ComposedMap, MapView, compose, default_camera



@dataclass(frozen=True)
class SlideOptions:
    size: Size
    title: str = ""
    banner: str = ""
    with_table: bool = False


@dataclass(frozen=True)
class Slide:
    scenario: Scenario
    view: MapView  # with the export's camera
    composed: ComposedMap
    frame: Frame
    layout: Layout

    def page(self) -> SlidePage:
        return slide_page(self.frame, self.layout, self.composed.deck)


def export_view(scenario: Scenario, view: MapView, box_height: float) -> MapView:
    """The view as exported: offline basemap, and the camera zoomed so that the map box spans the same
    ground from top to bottom as the dashboard's map: what the analyst framed is what prints."""
    camera = fit_zoom(view.camera or default_camera(scenario), box_height, MAP_HEIGHT)
    return replace(view, camera=camera, online_tiles=False)


def build_slide(scenario: Scenario, view: MapView, options: SlideOptions) -> Slide:
    boxes = layout(options.size, banner=bool(options.banner.strip()), table=options.with_table)
    return slide_in(scenario, view, options, boxes)


def slide_in(scenario: Scenario, view: MapView, options: SlideOptions, boxes: Layout) -> Slide:
    """The slide drawn in boxes laid out elsewhere: a PowerPoint slide places its parts itself."""
    view = export_view(scenario, view, boxes.map.height)
    # Tooltip text escaped and basemap inline: the page is also the standalone .html export.
    composed = compose(scenario, view, viewport_size=(boxes.map.width, boxes.map.height), for_html=True,
                       basemap=BasemapSource(inline=True), looks=PROJECTOR)
    frame = build_frame(scenario, composed, view, boxes, title=options.title, banner=options.banner,
                        with_table=options.with_table)
    return Slide(scenario, view, composed, frame, boxes)
