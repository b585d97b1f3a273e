"""PowerPoint packs made of PowerPoint's own parts, for the analyst to edit.

Each view becomes a slide on the template's title-only layout: the title in the layout's title
placeholder; the date window and counts, the caveat, the sources and the handling banner as text;
the map as a picture (the map box alone, drawn by the export's renderer); the legend as text and
small shapes, from the same sections as every other legend; and, in a pack, the window's movements
as a PowerPoint table, continued on slides of their own when they do not all fit. The speaker notes
hold every movement and zone with its source in full.

Sizes are in points; a row or label is measured before it is placed (briefing/fonts.py), with a wider
font than PowerPoint's own, so that nothing placed here runs into the next part.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

import pandas as pd
from PIL import Image
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_PATTERN, MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide as PptxSlide, SlideLayout
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from briefing.fonts import line_count, text_width
from briefing.frame import filters_text, legend_columns, window_text
from briefing.layout import Box, Layout
from briefing.pptx_template import TITLE_TYPES, open_deck, title_layout, title_placeholder, title_size
from briefing.sizes import Size
from briefing.slides import Slide, SlideOptions, slide_in
from briefing.static_map import BANNER, INK, paste_glyph
from briefing.table import (COLUMNS, Columns, MovementTable, Row, continued_text, movement_rows, paginate, part_note,
                            quantity_text, route_text, table_parts)
from geodata.citations import source_names
from layers.legend import Entry, Section

if TYPE_CHECKING:
    from briefing.export import ExportRequest

EMU_PER_PT: Final = 12700
LINE: Final = 1.2  # line height over font size, as PowerPoint sets single-spaced text
MARGIN: Final = 21.6  # the slide's left and right margins (0.3 in)
BAND: Final = 21.6  # a handling banner's height
GAP: Final = 8.0
SIDE_GAP: Final = 14.0  # between the map and the side column
OWN_TITLE: Final = 26.0  # the title's size when the pack, not a template, styles it
SUBTITLE: Final = 14.0
FILTERS: Final = 11.0
FOOTER: Final = 9.5
BANNER_SIZE: Final = 11.0
SECTION: Final = 7.5  # legend section titles and the table's title
LABEL: Final = 9.0
NOTE: Final = 7.5
SMALLEST_LEGEND: Final = 0.8  # a legend too tall for the side column is set smaller, down to this share
HEADINGS: Final = 8.5
SWATCH_SLOT: Final = 17.0  # a legend label starts this far right of its swatch
SIDE_TABLE: Final = Columns(font=10, line=10 * LINE, padding=8, rule=5, shares=(0.13, 0.42, 0.27, 0.18))
PAGE_TABLE: Final = Columns(font=12, line=12 * LINE, padding=8, rule=5, shares=(0.10, 0.50, 0.26, 0.14))
CELL_MARGINS: Final = (3.0, 1.5)  # points left/right and top/bottom of a table cell's text
MARKER: Final = (74, 80, 92)  # the legend's base-kind marker, as frame.css draws it
MAX_NOTE_MOVEMENTS: Final = 300
BLANK_LAYOUT: Final = 6  # "Blank" in PowerPoint's standard deck


def emu(points: float) -> Emu:
    return Emu(round(points * EMU_PER_PT))


def _points(value: int) -> float:
    return value / EMU_PER_PT


@dataclass(frozen=True)
class Geometry:
    """Where a pack slide's parts go, in points."""

    width: float
    height: float
    banner_top: Box | None
    banner_bottom: Box | None
    title: Box
    own_title: bool  # the pack places and styles the title; else the template's placeholder keeps its place
    subtitle: Box
    filters: Box | None
    map: Box
    side: Box
    body: Box  # the map's and the side column's room: a continuing table's slide fills it
    footer: Box

    def render_layout(self, size: Size) -> Layout:
        """The same boxes in the pixels the map is rendered at."""
        scale = size.width / self.width

        def px(box: Box | None) -> Box | None:
            return box and Box(box.x * scale, box.y * scale, box.width * scale, box.height * scale)

        header = Box(self.title.x, self.title.y, self.title.width, self.subtitle.bottom - self.title.y)
        return Layout(size=size, unit=size.unit, banner_top=px(self.banner_top), header=px(header),
                      map=px(self.map), side=px(self.side), footer=px(self.footer),
                      banner_bottom=px(self.banner_bottom))


def _template_title_box(layout: SlideLayout, height: float) -> Box | None:
    """The layout's title placeholder, when it sits at the top of the slide where a title belongs."""
    placeholder = title_placeholder(layout)
    if placeholder is None or None in (placeholder.left, placeholder.top, placeholder.width, placeholder.height):
        return None
    box = Box(*(_points(v) for v in (placeholder.left, placeholder.top, placeholder.width, placeholder.height)))
    return box if box.bottom <= 0.3 * height else None


def pack_geometry(deck: Deck, layout: SlideLayout, *, templated: bool, banner: bool, filters: bool, table: bool,
                  caveat: str) -> Geometry:
    width, height = _points(deck.slide_width), _points(deck.slide_height)
    band = BAND if banner else 0.0
    title = _template_title_box(layout, height) if templated else None
    own_title = title is None
    if title is None:
        title = Box(MARGIN, band + GAP, width - 2 * MARGIN, OWN_TITLE * LINE + 6)
    elif title.y < band + 2:
        title = replace(title, y=band + 2)
    subtitle = Box(MARGIN, title.bottom, width - 2 * MARGIN, SUBTITLE * LINE + 2)
    filters_box = Box(MARGIN, subtitle.bottom, width - 2 * MARGIN, FILTERS * LINE + 2) if filters else None
    body_top = (filters_box or subtitle).bottom + GAP
    inner_width = width - 2 * MARGIN
    footer_lines = line_count(caveat, FOOTER, inner_width) + 2  # the caveat, then two lines for the sources
    footer_height = footer_lines * FOOTER * LINE + 4
    footer = Box(MARGIN, height - band - GAP / 2 - footer_height, inner_width, footer_height)
    body = Box(MARGIN, body_top, inner_width, footer.y - GAP - body_top)
    side_width = round(width * (0.36 if table else 0.25))
    map_box = Box(MARGIN, body.y, body.width - SIDE_GAP - side_width, body.height)
    return Geometry(
        width=width, height=height,
        banner_top=Box(0, 0, width, band) if banner else None,
        banner_bottom=Box(0, height - band, width, band) if banner else None,
        title=title, own_title=own_title, subtitle=subtitle, filters=filters_box,
        map=map_box, side=Box(map_box.right + SIDE_GAP, body.y, side_width, body.height), body=body, footer=footer,
    )


class Palette:
    """Text colours: the template's own (its first text colour, lighter for secondary text), or, with no
    template, the export's light or dark ink on a background to match."""

    def __init__(self, theme: str, templated: bool) -> None:
        self.templated = templated
        self.ink, self.muted, self.rule, self.background = INK[theme]
        self.theme = theme

    def paint(self, font, muted: bool = False) -> None:
        if self.templated:
            font.color.theme_color = MSO_THEME_COLOR.TEXT_1
            if muted:
                font.color.brightness = 0.35
        else:
            font.color.rgb = RGBColor(*(self.muted if muted else self.ink))


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    muted: bool = False


class SlideWriter:
    """Adds one slide's parts to a PowerPoint slide."""

    def __init__(self, slide: PptxSlide, geometry: Geometry, palette: Palette) -> None:
        self.slide, self.geometry, self.palette = slide, geometry, palette

    def text(self, box: Box, runs: list[Run], size: float, *, name: str, align=PP_ALIGN.LEFT,
             anchor=MSO_ANCHOR.TOP, colour: tuple[int, int, int] | None = None):
        shape = self.slide.shapes.add_textbox(emu(box.x), emu(box.y), emu(box.width), emu(box.height))
        shape.name = name
        frame = shape.text_frame
        frame.word_wrap, frame.auto_size, frame.vertical_anchor = True, MSO_AUTO_SIZE.NONE, anchor
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        paragraph = frame.paragraphs[0]
        paragraph.alignment = align
        for part in runs:
            run = paragraph.add_run()
            run.text = part.text
            run.font.size, run.font.bold, run.font.italic = Pt(size), part.bold, part.italic
            if colour:
                run.font.color.rgb = RGBColor(*colour)
            else:
                self.palette.paint(run.font, part.muted)
        return shape

    def background(self) -> None:
        if not self.palette.templated and self.palette.theme == "dark":
            fill = self.slide.background.fill
            fill.solid()
            fill.fore_color.rgb = RGBColor(*self.palette.background)

    def banners(self, banner: str) -> None:
        fill, ink = BANNER[self.palette.theme]
        for name, box in (("Banner top", self.geometry.banner_top), ("Banner bottom", self.geometry.banner_bottom)):
            if box is None:
                continue
            band = _shape(self.slide.shapes, MSO_SHAPE.RECTANGLE, box.x, box.y, box.width, box.height)
            _solid(band, fill)
            band.name = f"{name} band"
            self.text(box, [Run(banner.upper(), bold=True)], BANNER_SIZE, name=name, align=PP_ALIGN.CENTER,
                      anchor=MSO_ANCHOR.MIDDLE, colour=ink)

    def title(self, text: str, deck: Deck, layout: SlideLayout) -> None:
        g = self.geometry
        shape = self.slide.shapes.title
        if shape is None:  # a layout with no title placeholder: the title is a text box of its own
            self.text(g.title, [Run(text, bold=True)], OWN_TITLE, name="Title")
            return
        shape.text = text
        run = shape.text_frame.paragraphs[0].runs[0]
        if g.own_title:
            shape.left, shape.top, shape.width, shape.height = (emu(v) for v in (g.title.x, g.title.y, g.title.width,
                                                                                 g.title.height))
            frame = shape.text_frame
            frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
            frame.vertical_anchor, frame.word_wrap = MSO_ANCHOR.MIDDLE, True
            shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
            run.font.size, run.font.bold = Pt(_fitting(text, OWN_TITLE, g.title, True)), True
            self.palette.paint(run.font)
            return
        if g.title.y != _points(shape.top):  # moved below a banner
            shape.top = emu(g.title.y)
        inherited = title_size(deck, layout)
        inset = Box(0, 0, g.title.width - 14.4, g.title.height - 7.2)  # PowerPoint's default text insets
        size = _fitting(text, inherited, inset, True, lines=2)
        if size < inherited:
            run.font.size = Pt(size)

    def header(self, window: str, detail: str, filters: str) -> None:
        g = self.geometry
        runs = [Run(window, bold=True)] + ([Run(f" · {detail}", muted=True)] if detail else [])
        size = _fitting(window + f" · {detail}", SUBTITLE, g.subtitle, False)
        self.text(g.subtitle, runs, size, name="Date window and counts")
        if g.filters and filters:
            self.text(g.filters, [Run(filters, muted=True)], _fitting(filters, FILTERS, g.filters, False),
                      name="Filters")

    def footer(self, caveat: str, sources: str, credit: str) -> None:
        """The caveat, then the sources (two lines at most) with the credit on their right."""
        g, line = self.geometry, FOOTER * LINE
        caveat_lines = line_count(caveat, FOOTER, g.footer.width)
        self.text(Box(g.footer.x, g.footer.y, g.footer.width, caveat_lines * line),
                  [Run(caveat, italic=True, muted=True)], FOOTER, name="Caveat")
        credit_width = text_width(credit, FOOTER) + 4
        top = g.footer.y + caveat_lines * line + 2
        box = Box(g.footer.x, top, g.footer.width - credit_width - 12, 2 * line)
        size = _fitting(f"Sources: {sources}", FOOTER, box, True, lines=2)
        self.text(box, [Run("Sources: ", bold=True), Run(sources)], size, name="Sources")
        self.text(Box(g.footer.right - credit_width, top, credit_width, line), [Run(credit, muted=True)], FOOTER,
                  name="Credit", align=PP_ALIGN.RIGHT)

    def picture(self, png: bytes, box: Box, description: str) -> None:
        picture = self.slide.shapes.add_picture(io.BytesIO(png), emu(box.x), emu(box.y), emu(box.width),
                                                emu(box.height))
        picture.name = "Map"
        picture._element.nvPicPr.cNvPr.set("descr", description)  # alt text: python-pptx has no setter for it
        picture.line.color.rgb = RGBColor(*self.palette.rule)
        picture.line.width = Pt(0.75)

    def scale_bar(self, slide: Slide) -> None:
        """A scale bar in the map's lower left corner, as the framed exports draw it."""
        g, scale = self.geometry, slide.frame.scale
        bar = scale.pixels * g.width / slide.layout.size.width
        x, bottom = g.map.x + 8, g.map.bottom - 8
        shapes = self.slide.shapes
        first = len(shapes)
        card, ink = self.palette.background, self.palette.ink
        _solid(_shape(shapes, MSO_SHAPE.ROUNDED_RECTANGLE, x, bottom - 24, bar + 12, 24), card)
        for left, top, w, h in ((x + 6, bottom - 8, bar, 1.5), (x + 6, bottom - 12, 1.5, 5.5),
                                (x + 6 + bar - 1.5, bottom - 12, 1.5, 5.5)):
            _solid(_shape(shapes, MSO_SHAPE.RECTANGLE, left, top, w, h), ink)
        self.text(Box(x + 6, bottom - 22, max(bar, 60), 10), [Run(scale.label)], 8, name="Scale", colour=ink)
        _group(self.slide, list(shapes)[first:], "Scale bar")


def _shape(shapes, kind: MSO_SHAPE, x: float, y: float, width: float, height: float):
    """An autoshape with no theme style: no theme fill, outline or shadow that a template would add."""
    shape = shapes.add_shape(kind, emu(x), emu(y), emu(width), emu(height))
    shape._element.remove(shape._element.find(qn("p:style")))
    return shape


def _solid(shape, colour: tuple[int, ...]) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor(*colour[:3])
    shape.line.fill.background()


def _fitting(text: str, size: float, box: Box, bold: bool, lines: int = 1) -> float:
    """The largest size up to `size` at which `text` takes at most `lines` lines of `box` (never below 8 pt)."""
    while size > 8 and (line_count(text, size, box.width, bold) > lines
                        or line_count(text, size, box.width, bold) * size * LINE > box.height + 0.5):
        size -= 0.5
    return size


# --- The legend: text and small shapes ---------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """One part of the legend and where it goes."""

    kind: str  # 'title', 'entry' or 'note'
    box: Box
    text: str
    size: float
    entry: Entry | None = None


def legend_parts(sections: tuple[Section, ...], box: Box, room: float) -> tuple[list[Placed], float]:
    """Where each section title, entry and note goes, from the top of `box` down, set as large as leaves
    `room` points below it (down to SMALLEST_LEGEND of the full size); returns them and the y below."""
    scale = 1.0
    placed, bottom = _legend_at(sections, box, scale)
    while bottom > box.bottom - room and scale > SMALLEST_LEGEND:
        scale -= 0.05
        placed, bottom = _legend_at(sections, box, scale)
    return placed, bottom


def _legend_at(sections: tuple[Section, ...], box: Box, scale: float) -> tuple[list[Placed], float]:
    label, title, note, slot = LABEL * scale, SECTION * scale, NOTE * scale, SWATCH_SLOT * scale
    placed: list[Placed] = []
    x, y, width = box.x, box.y, box.width
    for section in sections:
        placed.append(Placed("title", Box(x, y, width, title * LINE), section.title.upper(), title))
        y += title * LINE + 2
        if section.inline:
            left = x
            for entry in section.entries:
                room = text_width(entry.label, label) + 2
                placed.append(Placed("entry", Box(left, y, slot + room, label * LINE), entry.label, label, entry))
                left += slot + room + 10
            y += label * LINE + 1
        else:
            columns = legend_columns(section, compact=True)
            column = (width - 10 * (columns - 1)) / columns
            for start in range(0, len(section.entries), columns):
                row = section.entries[start:start + columns]
                height = max(line_count(e.label, label, column - slot) for e in row) * label * LINE
                for index, entry in enumerate(row):
                    placed.append(Placed("entry", Box(x + index * (column + 10), y, column, height), entry.label,
                                         label, entry))
                y += height + 1
        if section.note:
            height = line_count(section.note, note, width) * note * LINE
            placed.append(Placed("note", Box(x, y, width, height), section.note, note))
            y += height
        y += GAP * scale
    return placed, y


def _swatch(shapes, entry: Entry, box: Box, size: float, palette: Palette) -> None:
    """The entry's mark, as the map draws it, centred on the height of its label's block, `size` points tall."""
    middle, x = box.y + box.height / 2, box.x
    if entry.swatch == "icon":
        side = size * 1.3
        shapes.add_picture(io.BytesIO(_marker_png(entry.icon)), emu(x), emu(middle - side / 2), emu(side), emu(side))
        return
    if entry.swatch == "ring":
        ring = _shape(shapes, MSO_SHAPE.OVAL, x + 1, middle - size / 2, size, size)
        ring.line.color.rgb = RGBColor(*palette.ink)
        ring.line.width = Pt(size / 5)
        return
    if entry.swatch == "line":
        colour = entry.color or palette.ink
        faded = tuple(round(c * entry.alpha + b * (1 - entry.alpha)) for c, b in zip(colour, palette.background))
        _solid(_shape(shapes, MSO_SHAPE.ROUNDED_RECTANGLE, x, middle - size / 5, size * 1.5, size * 0.4), faded)
        return
    square = _shape(shapes, MSO_SHAPE.RECTANGLE, x, middle - size / 2, size, size)
    if entry.swatch == "hatch":
        square.fill.patterned()
        square.fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
        square.fill.fore_color.rgb = RGBColor(*entry.color)
        square.fill.back_color.rgb = RGBColor(*palette.background)
        square.line.color.rgb = RGBColor(*entry.color)
        square.line.width = Pt(1)
    else:
        _solid(square, entry.color or palette.ink)


def _marker_png(kind: str, pixels: int = 52) -> bytes:
    """A base kind's marker as the map draws it: its white glyph on a grey disc."""
    from PIL import ImageDraw
    image = Image.new("RGBA", (pixels, pixels), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([0, 0, pixels - 1, pixels - 1], fill=(*MARKER, 255))
    paste_glyph(image, kind, (pixels / 2, pixels / 2), round(pixels * 0.72))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def add_legend(writer: SlideWriter, placed: list[Placed]) -> None:
    """The legend as one group, so that it moves as one in PowerPoint."""
    shapes = writer.slide.shapes
    first = len(shapes)
    for part in placed:
        if part.kind == "entry":
            slot = SWATCH_SLOT * part.size / LABEL
            _swatch(shapes, part.entry, Box(part.box.x, part.box.y, slot, part.box.height), part.size, writer.palette)
            box = Box(part.box.x + slot, part.box.y, part.box.width - slot, part.box.height)
            writer.text(box, [Run(part.text)], part.size, name=f"Legend: {part.text}"[:120], anchor=MSO_ANCHOR.MIDDLE)
        elif part.kind == "title":
            writer.text(part.box, [Run(part.text, bold=True, muted=True)], part.size, name="Legend section")
        else:
            writer.text(part.box, [Run(part.text, muted=True)], part.size, name="Legend note")
    _group(writer.slide, list(shapes)[first:], "Legend")


def _group(slide: PptxSlide, members: list, name: str) -> None:
    """Put shapes already placed into one group: python-pptx would re-measure its group after each shape added."""
    group = slide.shapes.add_group_shape()
    group.name = name
    for member in members:
        group._element.append(member._element)
    group._element.recalculate_extents()


# --- The movements table -----------------------------------------------------------------------------

def add_table(writer: SlideWriter, box: Box, rows: tuple[Row, ...], columns: Columns, empty: str = "") -> float:
    """A PowerPoint table of `rows` under its column headings; returns its bottom."""
    count = max(1, len(rows)) + (1 if (rows or empty) else 0)
    heights = [headings_height(columns, box.width)] + [columns.row_height(r, box.width) for r in rows]
    if empty and not rows:
        heights.append(columns.font * LINE + columns.rule)
    shape = writer.slide.shapes.add_table(count, len(COLUMNS), emu(box.x), emu(box.y), emu(box.width),
                                          emu(sum(heights)))
    shape.name = "Movements"
    table = shape.table
    for column, width in zip(table.columns, columns.widths(box.width)):
        column.width = emu(width)
    for index, height in enumerate(heights):
        table.rows[index].height = emu(height)
    _cells(table.rows[0].cells, COLUMNS, HEADINGS, bold=True)
    for row, cells in zip(rows, list(table.rows)[1:]):
        _cells(cells.cells, row.cells, columns.font)
    if empty and not rows:
        first = table.cell(1, 0)
        first.merge(table.cell(1, len(COLUMNS) - 1))
        _cells([first], (empty,), columns.font)
    return box.y + sum(heights)


def headings_height(columns: Columns, width: float) -> float:
    lines = max(line_count(name, HEADINGS, column - columns.padding, bold=True)
                for name, column in zip(COLUMNS, columns.widths(width)))
    return lines * HEADINGS * LINE + columns.rule


def _cells(cells, texts, size: float, bold: bool = False) -> None:
    side, top = CELL_MARGINS
    for cell, text in zip(cells, texts):
        cell.margin_left = cell.margin_right = emu(side)
        cell.margin_top = cell.margin_bottom = emu(top)
        cell.text = text
        run = cell.text_frame.paragraphs[0].runs[0]
        run.font.size, run.font.bold = Pt(size), bold


# --- Speaker notes -----------------------------------------------------------------------------------

def movement_lines(movements: pd.DataFrame) -> list[str]:
    """One line per movement, oldest first, in the table's order, with its source in full."""
    lines = []
    for m in movements.sort_values("date", kind="stable").itertuples(index=False):
        lines.append(f"{m.date:%-d %b %Y}: {route_text(m)}, {m.category}{quantity_text(m)} by {m.mode} "
                     f"({m.confidence}). {m.asset}. Source: {m.source}")
    return lines


def map_notes(slide: Slide, lines: list[str]) -> str:
    """The map slide's notes: what it shows, every movement and zone with its source, every source named."""
    frame, composed = slide.frame, slide.composed
    text = [f"{frame.text.title} — {frame.text.window}", *(t for t in (frame.text.counts, frame.text.filters) if t), ""]
    if "routes" in slide.view.show:
        text.append(f"Movements in the window ({len(lines):,}), oldest first:")
        text += lines[:MAX_NOTE_MOVEMENTS] or ["none"]
        if len(lines) > MAX_NOTE_MOVEMENTS:
            text.append(f"… and {len(lines) - MAX_NOTE_MOVEMENTS:,} more in the dashboard's Movements table.")
        text.append("")
    if len(composed.zones):
        text.append(f"Zones of control as of {slide.view.end:%-d %b %Y}:")
        for zone in composed.zones.itertuples(index=False):
            text.append(f"{slide.scenario.actor_name(zone.actor)}: {zone.label} ({zone.confidence}). "
                        f"Source: {zone.source}")
        text.append("")
    cited = list(composed.movements["source"]) if "routes" in slide.view.show else []
    sources = source_names(cited + list(composed.zones["source"]))
    text += [f"Sources named: {' · '.join(sources) or 'none'}", "", frame.text.caveat]
    return "\n".join(text)


# --- The pack ----------------------------------------------------------------------------------------

@dataclass
class PackWriter:
    """Builds the pack slide by slide; `deck` is saved by briefing/outputs.py."""

    deck: Deck
    layout: SlideLayout
    geometry: Geometry
    palette: Palette
    banner: str
    tables: bool
    texts: list[str]

    def _new_slide(self, slide: Slide) -> SlideWriter:
        pptx_slide = self.deck.slides.add_slide(self.layout)
        for placeholder in list(pptx_slide.placeholders):  # a fallback layout's body or picture boxes
            if placeholder.placeholder_format.type not in TITLE_TYPES:
                placeholder._element.getparent().remove(placeholder._element)
        writer = SlideWriter(pptx_slide, self.geometry, self.palette)
        writer.background()
        writer.title(slide.frame.text.title, self.deck, self.layout)
        return writer

    def _finish(self, writer: SlideWriter, slide: Slide, notes: str) -> None:
        text = slide.frame.text
        sources = " · ".join(text.sources) or "none named"
        if text.more_sources:
            sources += f" · and {text.more_sources:,} more (all in the speaker notes)"
        writer.footer(text.caveat, sources, text.credit)
        if self.banner:
            writer.banners(self.banner)
        writer.slide.notes_slide.notes_text_frame.text = notes
        self.texts.append("\n".join(shape.text_frame.text for shape in _text_shapes(writer.slide)))

    def add(self, slide: Slide, picture: bytes) -> None:
        """The view's slide, and in a pack the slides that continue its table."""
        g, text = self.geometry, slide.frame.text
        table_frame = (SECTION * LINE + 3) + headings_height(SIDE_TABLE, g.side.width) + NOTE * LINE + 4
        # A pack slide keeps room for a few rows under the legend, setting the legend smaller if it must.
        least = table_frame + 3 * SIDE_TABLE.row_height(Row("", "", "", ""), g.side.width) if self.tables else 0
        placed, legend_bottom = legend_parts(slide.frame.legend, g.side, least)
        parts = self._table_parts(slide, g.side.bottom - legend_bottom - GAP - table_frame) if self.tables else ()
        lines = movement_lines(slide.composed.movements)

        writer = self._new_slide(slide)
        writer.header(text.window, text.counts, text.filters)
        writer.picture(picture, g.map, f"Map, {text.window}: {text.counts}")
        writer.scale_bar(slide)
        add_legend(writer, placed)
        if parts:
            self._table(writer, Box(g.side.x, legend_bottom + GAP, g.side.width, 0), parts[0], SIDE_TABLE, slide)
        self._finish(writer, slide, map_notes(slide, lines))

        listed = len(parts[0].rows) if parts else 0
        for part in parts[1:]:
            writer = self._new_slide(slide)
            writer.header(text.window, continued_text(part), text.filters)
            self._table(writer, Box(g.body.x, g.body.y, g.body.width, 0), part, PAGE_TABLE, slide)
            notes = [f"{text.title} — {text.window}: {continued_text(part)}", "",
                     *lines[listed:listed + len(part.rows)], "", text.caveat]
            listed += len(part.rows)
            self._finish(writer, slide, "\n".join(notes))

    def _table_parts(self, slide: Slide, beside: float) -> tuple[MovementTable, ...]:
        """The window's movements: as many as fit `beside` points under the legend, the rest a slide at a time."""
        g = self.geometry
        rows, left_out = movement_rows(slide.composed.movements)
        across = g.body.height - (SECTION * LINE + 3) - headings_height(PAGE_TABLE, g.body.width) - NOTE * LINE - 4
        pages = paginate(rows, beside, across, lambda r: SIDE_TABLE.row_height(r, g.side.width),
                         lambda r: PAGE_TABLE.row_height(r, g.body.width))
        return table_parts(pages, left_out)

    @staticmethod
    def _table(writer: SlideWriter, box: Box, part: MovementTable, columns: Columns, slide: Slide) -> None:
        title = f"Movements {window_text(slide.view.start, slide.view.end)}".upper()
        writer.text(Box(box.x, box.y, box.width, SECTION * LINE), [Run(title, bold=True, muted=True)], SECTION,
                    name="Movements title")
        empty = "No movements in this window." if part.parts == 1 and not part.rows else ""
        bottom = add_table(writer, Box(box.x, box.y + SECTION * LINE + 3, box.width, 0), part.rows, columns, empty)
        note = part_note(part, "slide")
        if note:
            writer.text(Box(box.x, bottom + 2, box.width, NOTE * LINE * line_count(note, NOTE, box.width)),
                        [Run(note, muted=True)], NOTE, name="Movements note")


def _text_shapes(slide: PptxSlide) -> Iterator:
    for shape in slide.shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:  # the legend, the scale bar
            yield from (s for s in shape.shapes if s.has_text_frame)
        elif shape.has_text_frame:
            yield shape
        elif getattr(shape, "has_table", False) and shape.has_table:
            yield from (cell for row in shape.table.rows for cell in row.cells)


def pack_size(deck: Deck, size: Size) -> Size:
    """The pixels the map is rendered at: the export's width, the slide's proportions."""
    height = round(size.width * deck.slide_height / deck.slide_width)
    return Size(f"{size.width * size.pixel_ratio}x{height * size.pixel_ratio}", size.width, height,
                pixel_ratio=size.pixel_ratio)


def build_pack(request: ExportRequest, render_map: Callable[[Slide], bytes],
               progress: Callable[[int, int], None] | None = None) -> tuple[Deck, list[str]]:
    """The pack's deck, and each slide's words; `render_map` gives the PNG of a slide's map box alone."""
    deck = open_deck(request.template)
    layout = title_layout(deck)
    first = request.views[0]
    geometry = pack_geometry(deck, layout, templated=request.template is not None, banner=bool(request.banner),
                             filters=bool(filters_text(request.scenario, first)), table=request.tables,
                             caveat=request.scenario.meta.caveat)
    size = pack_size(deck, request.size)
    boxes = geometry.render_layout(size)
    writer = PackWriter(deck, layout, geometry, Palette(first.theme, request.template is not None), request.banner,
                        request.tables, [])
    options = SlideOptions(size, title=request.title, banner=request.banner)
    for done, view in enumerate(request.views, start=1):
        slide = slide_in(request.scenario, view, options, boxes)
        writer.add(slide, render_map(slide))
        if progress:
            progress(done, len(request.views))
    return deck, writer.texts


def picture_deck(png: bytes, description: str, notes: str) -> Deck:
    """One slide that is the picture of a whole framed slide (the compare slide), centred at its own aspect,
    its speaker notes the words behind it."""
    deck = open_deck(None)
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    width, height = Image.open(io.BytesIO(png)).size
    scale = min(deck.slide_width / width, deck.slide_height / height)
    shown_width, shown_height = round(width * scale), round(height * scale)
    picture = slide.shapes.add_picture(io.BytesIO(png), (deck.slide_width - shown_width) // 2,
                                       (deck.slide_height - shown_height) // 2, shown_width, shown_height)
    picture._element.nvPicPr.cNvPr.set("descr", description)
    slide.notes_slide.notes_text_frame.text = notes
    return deck
