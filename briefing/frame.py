"""Everything the frame around the map says, worked out once for the HTML page and the static renderer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from briefing.layout import Layout
from layers.mercator import ScaleBar, scale_bar
from geodata.citations import source_names
from briefing.table import MovementTable, movement_table
from geodata import Scenario
from layers.bases import short_name
from layers.legend import Section
from layers.routes import count_text
from layers.view import LAYER_TOGGLES, ComposedMap, MapView, default_camera

MAX_SOURCES: Final = 8
SCALE_BAR_SHARE: Final = 0.22  # at most this share of the map's width
# Legend heights in design pixels, as frame.css draws them.
TITLE_HEIGHT: Final = 22
ROW_HEIGHT: Final = 26
COMPACT_ROW_HEIGHT: Final = 22
NOTE_HEIGHT: Final = 19
GAP: Final = 12
COLUMNS_FROM: Final = 5  # in a compact legend, sections of this many entries take two columns


@dataclass(frozen=True)
class FrameText:
    title: str
    window: str
    counts: str
    filters: str
    caveat: str
    sources: tuple[str, ...]
    more_sources: int
    credit: str
    banner: str


@dataclass(frozen=True)
class Frame:
    text: FrameText
    legend: tuple[Section, ...]
    scale: ScaleBar
    table: MovementTable | None
    table_title: str
    theme: str
    compact_legend: bool  # smaller rows, long sections in two columns: when the legend would not fit


def _one_column_height(sections: list[Section]) -> float:
    return sum(TITLE_HEIGHT + (1 if s.inline else len(s.entries)) * ROW_HEIGHT + (NOTE_HEIGHT if s.note else 0) + GAP
               for s in sections)


def _needs_compact(sections: list[Section], table: MovementTable | None, layout: Layout) -> bool:
    """The table takes the top of the side column; without one, only a legend too tall for it is compacted."""
    return table is not None or _one_column_height(sections) > layout.side.height / layout.unit


def window_text(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"{start:%-d %b %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def _counts(composed: ComposedMap, view: MapView) -> str:
    routes = composed.routes
    parts = []
    if "routes" in view.show:
        parts.append(count_text(routes))
        if len(routes.drawn) < routes.total_routes:
            parts.append(f"showing the {len(routes.drawn):,} busiest")
    if "zones" in view.show:
        parts.append(f"zones as of {view.end:%-d %b %Y}")
    return " · ".join(parts)


def _filters(scenario: Scenario, view: MapView) -> str:
    keep = view.keep
    parts = [f"{label} {', '.join(sorted(values))}" for label, values in
             (("category", keep.categories), ("mode", keep.modes), ("confidence", keep.confidences)) if values]
    if keep.operators:
        parts.append("operator " + ", ".join(sorted(scenario.actor_name(a) for a in keep.operators)))
    if keep.bases:
        names = sorted(short_name(str(scenario.bases.at[b, "name"])) for b in keep.bases)
        parts.append("base " + ", ".join(names))
    hidden = [layer for layer in LAYER_TOGGLES if layer not in view.show]
    if hidden:
        parts.append("hidden: " + ", ".join(hidden))
    return ("Filtered: " + " · ".join(parts)) if parts else ""


def _source_texts(composed: ComposedMap, view: MapView) -> list[str]:
    texts = list(composed.movements["source"]) if "routes" in view.show else []
    if "zones" in view.show:
        texts += list(composed.zones["source"])
    return texts


def build_frame(scenario: Scenario, composed: ComposedMap, view: MapView, layout: Layout, *,
                title: str = "", banner: str = "", with_table: bool = False) -> Frame:
    names = source_names(_source_texts(composed, view))
    legend = composed.legend()
    table = movement_table(composed.movements) if with_table else None
    camera = view.camera or default_camera(scenario)
    text = FrameText(
        title=title.strip() or scenario.meta.title,
        window=window_text(view.start, view.end),
        counts=_counts(composed, view),
        filters=_filters(scenario, view),
        caveat=scenario.meta.caveat,
        sources=tuple(names[:MAX_SOURCES]),
        more_sources=max(0, len(names) - MAX_SOURCES),
        credit=f"Footprint · {scenario.name} · exported {dt.date.today():%-d %b %Y} · de facto borders (Natural Earth)",
        banner=banner.strip(),
    )
    return Frame(
        text=text,
        legend=tuple(legend),
        scale=scale_bar(camera.latitude, camera.zoom, layout.map.width * SCALE_BAR_SHARE),
        table=table,
        table_title=f"Movements {window_text(view.start, view.end)}",
        theme=view.theme,
        compact_legend=_needs_compact(legend, table, layout),
    )
