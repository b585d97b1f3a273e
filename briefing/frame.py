"""Everything the frame around the map says, worked out once for the HTML page and the static renderer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from briefing.fonts import line_count
from briefing.layout import Box, Layout
from layers.mercator import ScaleBar, scale_bar
from geodata.citations import source_names
from briefing.table import Columns, MovementTable, movement_rows, paginate, table_parts
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
COLUMN_GAP: Final = 14
SWATCH_SLOT: Final = 40  # a legend label starts this far right of its swatch's left edge
LABEL_SIZE: Final = {False: 17, True: 15}  # legend labels, by compactness
NOTE_SIZE: Final = 14
# The movements table: beside the map on a pack slide, across the page on the pages that continue it.
SIDE_TABLE: Final = Columns(font=18, line=22, padding=10, rule=9, shares=(0.12, 0.43, 0.28, 0.17))
PAGE_TABLE: Final = Columns(font=18, line=22, padding=10, rule=9, shares=(0.08, 0.52, 0.28, 0.12))
SIDE_GAP: Final = 14  # between the table and the legend
TABLE_NOTE_HEIGHT: Final = 23  # "continued on the next page", and its margin
HEADINGS_HEIGHT: Final = 31  # the column headings of a continuing page


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
    table: MovementTable | None  # the part of the movements table beside the map
    table_title: str
    theme: str
    compact_legend: bool  # smaller rows, long sections in two columns: when the legend would not fit
    continued: tuple[MovementTable, ...] = ()  # the table's later parts, each a page of its own


def legend_columns(section: Section, compact: bool) -> int:
    if section.inline:
        return max(1, len(section.entries))
    return 2 if compact and len(section.entries) >= COLUMNS_FROM else 1


def label_width(section: Section, compact: bool, width: float) -> float:
    """Room for one legend label, beside its swatch; a longer label wraps."""
    columns = legend_columns(section, compact)
    return (width - COLUMN_GAP * (columns - 1)) / columns - SWATCH_SLOT - 4


def entry_lines(section: Section, compact: bool, width: float) -> list[int]:
    """Lines of each row of the section's entries (a row holds one entry per column)."""
    if section.inline:
        return [1]
    columns, room = legend_columns(section, compact), label_width(section, compact, width)
    lines = [line_count(e.label, LABEL_SIZE[compact], room) for e in section.entries]
    return [max(lines[i:i + columns]) for i in range(0, len(lines), columns)]


def note_lines(section: Section, width: float) -> int:
    return line_count(section.note, NOTE_SIZE, width) if section.note else 0


def legend_height(sections: list[Section], compact: bool, width: float) -> float:
    """The legend's height in design pixels, as frame.css lays it out `width` wide."""
    row = COMPACT_ROW_HEIGHT if compact else ROW_HEIGHT
    return sum(TITLE_HEIGHT + sum(entry_lines(s, compact, width)) * row + note_lines(s, width) * NOTE_HEIGHT + GAP
               for s in sections)


def _needs_compact(sections: list[Section], with_table: bool, layout: Layout) -> bool:
    """The table takes the top of the side column; without one, only a legend too tall for it is compacted."""
    width, height = layout.side.width / layout.unit, layout.side.height / layout.unit
    return with_table or legend_height(sections, False, width) > height


def table_page_box(layout: Layout) -> Box:
    """Where a page that continues the table draws it: across the map's and the side column's room."""
    return Box(layout.map.x, layout.map.y, layout.side.right - layout.map.x, layout.map.height)


def _table(composed: ComposedMap, legend: list[Section], layout: Layout) -> tuple[MovementTable, ...]:
    """The window's movements, as many beside the map as fit above the legend, the rest on pages of their own."""
    rows, left_out = movement_rows(composed.movements)
    width, u = layout.side.width / layout.unit, layout.unit
    beside = (layout.side.height / u - legend_height(legend, True, width) - SIDE_GAP - TITLE_HEIGHT
              - TABLE_NOTE_HEIGHT)
    across = table_page_box(layout)
    page = across.height / u - TITLE_HEIGHT - HEADINGS_HEIGHT - TABLE_NOTE_HEIGHT
    pages = paginate(rows, beside, page, lambda r: SIDE_TABLE.row_height(r, width),
                     lambda r: PAGE_TABLE.row_height(r, across.width / u))
    return table_parts(pages, left_out)


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


def filters_text(scenario: Scenario, view: MapView) -> str:
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
    tables = _table(composed, legend, layout) if with_table else ()
    camera = view.camera or default_camera(scenario)
    text = FrameText(
        title=title.strip() or scenario.meta.title,
        window=window_text(view.start, view.end),
        counts=_counts(composed, view),
        filters=filters_text(scenario, view),
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
        table=tables[0] if tables else None,
        table_title=f"Movements {window_text(view.start, view.end)}",
        theme=view.theme,
        compact_legend=_needs_compact(legend, with_table, layout),
        continued=tables[1:],
    )
