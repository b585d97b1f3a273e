"""A framed map drawn with Pillow, for machines without Chromium.

Simpler than the WebGL map (straight-line glyph-free markers, arcs as curves on
the same basemap tiles) but it carries the same frame, in the same layout:
title, window, legend, scale bar, caveat, sources and banners.
"""

from __future__ import annotations

import base64
import functools
import io
from typing import Final

import numpy as np
from PIL import Image, ImageDraw

from briefing.fonts import font, wrap
from briefing.frame import (COLUMN_GAP, COMPACT_ROW_HEIGHT, GAP, LABEL_SIZE, NOTE_HEIGHT, NOTE_SIZE, PAGE_TABLE,
                            ROW_HEIGHT, SIDE_GAP, SIDE_TABLE, TITLE_HEIGHT, label_width, legend_columns, table_page_box)
from briefing.layout import Box
from layers.mercator import to_screen, to_screen_whole
from briefing.rendered import Rendered
from briefing.slides import Slide
from briefing.table import COLUMNS, Columns, MovementTable, continued_text, part_note
from layers.basemap import Palette, basemap_image
from layers.bases import BaseLook
from layers.icons import atlas
from layers.reach import ReachLook
from layers.rings import RingLook
from layers.routes import arc_records, eastward
from layers.style import THEMES, RGB, Theme
from layers.zones import ZoneLook

INK: Final = {"light": ((27, 31, 39), (93, 100, 114), (213, 218, 225), (255, 255, 255)),
              "dark": ((238, 240, 244), (161, 169, 183), (46, 53, 65), (16, 20, 27))}
BANNER: Final = {"light": ((29, 36, 48), (255, 255, 255)), "dark": ((233, 236, 241), (16, 20, 27))}
_ANCHORS: Final = {"start": "l", "middle": "m", "end": "r"}  # deck.gl text anchor → Pillow
_BASELINES: Final = {"center": "m", "top": "a", "bottom": "d"}
ARC_SEGMENTS: Final = 24  # as the map's arc layer draws them


def fit(draw: ImageDraw.ImageDraw, text: str, face, width: float) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"


@functools.lru_cache(maxsize=1)
def _glyph_atlas() -> Image.Image:
    url, _ = atlas()
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA")


def paste_glyph(image: Image.Image, kind: str, centre: tuple[float, float], size: int, alpha: int = 255) -> None:
    """A base kind's white glyph from the map's icon atlas, centred on `centre`."""
    _, mapping = atlas()
    cell = mapping[kind]
    glyph = _glyph_atlas().crop((cell["x"], cell["y"], cell["x"] + cell["width"], cell["y"] + cell["height"]))
    glyph = glyph.resize((max(1, size), max(1, size)), Image.LANCZOS)
    mask = glyph.getchannel("A").point(lambda a: a * alpha // 255)
    white = Image.new("RGBA", glyph.size, (255, 255, 255, 255))
    image.paste(white, (round(centre[0] - size / 2), round(centre[1] - size / 2)), mask)


def _feature_rings(geometry: dict) -> list[np.ndarray]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [np.asarray(rings[0], dtype=float) for rings in polygons if rings]


class _MapCanvas:
    """Draws in one map box: lon/lat in, device pixels out."""

    def __init__(self, slide: Slide, ratio: int) -> None:
        self.slide, self.ratio = slide, ratio
        box = slide.layout.map
        self.width, self.height = round(box.width * ratio), round(box.height * ratio)
        self.theme: Theme = THEMES[slide.view.theme]
        self.image = Image.new("RGBA", (self.width, self.height), (*self.theme.water, 255))

    def points(self, lonlat: np.ndarray) -> list[tuple[float, float]]:
        x, y = to_screen(lonlat[:, 0], lonlat[:, 1], self.slide.view.camera, self.slide.layout.map.width,
                         self.slide.layout.map.height)
        return list(zip((x * self.ratio).tolist(), (y * self.ratio).tolist()))

    def overlay(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        layer = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        return layer, ImageDraw.Draw(layer)

    def basemap(self) -> None:
        """The dashboard's own basemap tiles, composed for this camera."""
        camera, box = self.slide.view.camera, self.slide.layout.map
        palette = Palette.of(self.theme, relief="relief" in self.slide.view.show)
        image, _ = basemap_image(palette, camera.latitude, camera.longitude, camera.zoom, box.width, box.height,
                                 self.ratio)
        self.image.paste(image.resize((self.width, self.height), Image.LANCZOS))

    def zones(self) -> None:
        composed = self.slide.composed
        self.areas(composed.zone_features, composed.hatches, ZoneLook().outline)

    def areas(self, features: dict, hatches: list[dict], outline: float) -> None:
        """Zone-like marks as the map draws them: fill, outline and hatch lines."""
        layer, draw = self.overlay()
        for feature in features["features"]:
            properties = feature["properties"]
            for ring in _feature_rings(feature["geometry"]):
                draw.polygon(self.points(ring), fill=tuple(properties["fill"]))
                draw.line(self.points(ring), fill=tuple(properties["line"]), width=self.px(outline))
        for hatch in hatches:
            draw.line(self.points(np.asarray(hatch["path"], dtype=float)), fill=tuple(hatch["color"]),
                      width=self.px(ZoneLook().hatch_width))
        self.image.alpha_composite(layer)

    def px(self, css_pixels: float) -> int:
        return max(1, round(css_pixels * self.ratio))

    def routes(self) -> None:
        self.arcs(arc_records(self.slide.composed.routes.drawn, self.slide.composed.looks.routes))

    def arcs(self, records: list[dict]) -> None:
        """Arcs as deck.gl draws them flat: the curve, its width, and its colour from origin to destination."""
        layer, draw = self.overlay()
        for arc in records:
            destination_lon = arc["s"][0] + eastward(arc["s"][0], arc["t"][0])
            (x0, y0), (x1, y1) = self.points(np.array([arc["s"], [destination_lon, arc["t"][1]]], dtype=float))
            # deck.gl's flat arc: at share t of the chord it lies bend · chord · sqrt(t(1 - t)) to its
            # right, which on a screen whose y points down is (-(y1 - y0), x1 - x0).
            t = np.linspace(0, 1, ARC_SEGMENTS + 1)[:, None]
            curve = [x0, y0] + t * [x1 - x0, y1 - y0] + arc["h"] * np.sqrt(t * (1 - t)) * [-(y1 - y0), x1 - x0]
            source, target = np.array(arc["sc"], dtype=float), np.array(arc["tc"], dtype=float)
            for share, a, b in zip(t[:-1, 0], curve[:-1], curve[1:]):
                color = tuple(int(round(v)) for v in source + (target - source) * (share + 0.5 / ARC_SEGMENTS))
                draw.line([tuple(a), tuple(b)], fill=color, width=self.px(arc["w"]))
        self.image.alpha_composite(layer)

    def places(self) -> None:
        """Place names as the map draws them: a dot for a city, its name where it was placed."""
        marks, r, look = self.slide.composed.place_marks, self.ratio, self.slide.composed.looks.places
        if not marks:
            return
        layer, draw = self.overlay()
        for mark, (x, y) in zip(marks, self.points(np.array([m["position"] for m in marks], dtype=float))):
            if mark["kind"] == "city":
                self._circle(draw, x, y, look.dot_radius, tuple(mark["color"]), (*self.theme.halo, 220), 1)
            dx, dy = mark["offset"]
            draw.text((x + dx * r, y + dy * r), mark["name"], font=font(round(mark["size"] * r)),
                      anchor=_ANCHORS[mark["anchor"]] + _BASELINES[mark["baseline"]], fill=tuple(mark["color"]),
                      stroke_width=self.px(look.halo * 2 / 3), stroke_fill=(*self.theme.halo, 220))
        self.image.alpha_composite(layer)

    def whole(self, lonlat: np.ndarray, anchor) -> list[tuple[float, float]]:
        """Device pixels of a mark drawn whole, in one piece round its anchor."""
        box = self.slide.layout.map
        x, y = to_screen_whole(lonlat[:, 0], lonlat[:, 1], anchor, self.slide.view.camera, box.width, box.height)
        return list(zip((x * self.ratio).tolist(), (y * self.ratio).tolist()))

    def rings(self) -> None:
        """The range-ring marks as the map draws them: faint fills (with holes), outlines and labels."""
        marks, look = self.slide.composed.rings, RingLook()
        if marks is None or not marks.drawn:
            return
        layer, draw = self.overlay()
        for record in marks.drawn:
            mask = Image.new("L", self.image.size, 0)
            shape = ImageDraw.Draw(mask)
            for polygon in record["polygons"]:
                outer, *holes = (self.whole(np.asarray(ring, float), record["position"]) for ring in polygon)
                shape.polygon(outer, fill=record["fill"][3])
                for hole in holes:
                    shape.polygon(hole, fill=0)
            fill = Image.new("RGBA", self.image.size, (*record["fill"][:3], 0))
            fill.putalpha(mask)
            layer.alpha_composite(fill)
        self.image.alpha_composite(layer)
        layer, draw = self.overlay()
        for record in marks.drawn:
            for path in record["paths"]:
                draw.line(self.whole(np.asarray(path, float), record["position"]), fill=tuple(record["color"]),
                          width=self.px(look.width))
            (x, y), = self.whole(np.asarray([record["label_at"]], float), record["position"])
            draw.text((x, y), record["label"], font=font(round(look.label_size * self.ratio)), anchor="md",
                      fill=tuple(record["color"]), stroke_width=self.px(look.label_halo * 2 / 3),
                      stroke_fill=(*self.theme.halo, 230))
        self.image.alpha_composite(layer)

    def reach(self) -> None:
        """The air bridge as the map draws it: dashed legs, a ring on each destination and its figure."""
        part, look = self.slide.composed.reach, ReachLook()
        if part is None or part.marks is None:
            return
        layer, draw = self.overlay()
        for dash in part.marks.legs:
            points = np.asarray(dash["path"], float)
            draw.line(self.whole(points, points[0]), fill=tuple(dash["color"]), width=self.px(look.width))
        for end in part.marks.ends:
            (x, y), = self.points(np.asarray([end["position"]], float))
            self._circle(draw, x, y, look.marker_radius, None, tuple(end["color"]), look.marker_width)
            draw.text((x, y + (look.marker_radius + 2) * self.ratio), end["label"],
                      font=font(round(look.label_size * self.ratio), True), anchor="ma", fill=tuple(end["color"]),
                      stroke_width=self.px(look.label_halo * 2 / 3), stroke_fill=(*self.theme.halo, 230))
        self.image.alpha_composite(layer)

    def bases(self, show_labels: bool) -> None:
        self.markers(self.slide.composed.base_records, show_labels, self.slide.composed.looks.bases)

    def markers(self, records: list[dict], show_labels: bool, look: BaseLook = BaseLook()) -> None:
        """Base marks as the map draws them: rings, markers, glyphs and placed names."""
        r = self.ratio
        if not records:
            return
        layer, draw = self.overlay()
        centres = self.points(np.array([record["position"] for record in records], dtype=float))
        for record, (x, y) in zip(records, centres):
            for ring in record["rings"]:
                self._circle(draw, x, y, ring["radius"], None, tuple(ring["color"]), look.ring_width)
            self._circle(draw, x, y, record["radius"], tuple(record["fill"]), tuple(record["line"]), record["outline"])
            if "glyph_size" in record:  # the change map's markers have none
                paste_glyph(layer, record["kind"], (x, y), round(record["glyph_size"] * r), record["glyph_color"][3])
        for record, (x, y) in zip(records, centres):
            if show_labels and record.get("label"):
                anchor = _ANCHORS[record["anchor"]] + _BASELINES[record["baseline"]]
                dx, dy = record["offset"]
                draw.text((x + dx * r, y + dy * r), record["label"],
                          font=font(round(record["label_size"] * r), record["headline"]), anchor=anchor,
                          fill=tuple(record["label_color"]), stroke_width=self.px(look.label_halo * 2 / 3),
                          stroke_fill=(*self.theme.halo, 230))
        self.image.alpha_composite(layer)

    def _circle(self, draw: ImageDraw.ImageDraw, x: float, y: float, radius: float, fill, line, width: float) -> None:
        """A circle whose outline is centred on `radius`, as deck.gl strokes it."""
        outer = (radius + width / 2) * self.ratio
        draw.ellipse([x - outer, y - outer, x + outer, y + outer], fill=fill, outline=line, width=self.px(width))

    def draw(self) -> Image.Image:
        show = self.slide.view.show
        self.basemap()
        if "zones" in show:
            self.zones()
        self.rings()
        if "routes" in show:
            self.routes()
        self.reach()
        self.places()
        if "bases" in show:
            self.bases("labels" in show)
        return self.image


class _Page:
    """The frame, drawn in the boxes of the slide's layout."""

    def __init__(self, slide: Slide, map_image: Image.Image | None) -> None:
        """`map_image` None: a page that continues the movements table, with no map."""
        self.slide = slide
        self.ratio = slide.layout.size.pixel_ratio
        self.u = slide.layout.unit * self.ratio
        self.ink, self.muted, self.rule, self.background = INK[slide.frame.theme]
        self.image = Image.new("RGB", slide.layout.size.pixels, self.background)
        self.draw = ImageDraw.Draw(self.image)
        if map_image is not None:
            box = slide.layout.map
            self.image.paste(map_image.convert("RGB"), (round(box.x * self.ratio), round(box.y * self.ratio)))
            self.draw.rectangle(self._px(box), outline=self.rule, width=1)

    def _px(self, box: Box) -> list[float]:
        r = self.ratio
        return [box.x * r, box.y * r, box.right * r - 1, box.bottom * r - 1]

    def text(self, xy, text: str, size: float, width: float, *, bold=False, fill=None, anchor="la") -> None:
        face = font(max(6, round(size * self.u)), bold)
        self.draw.text(xy, fit(self.draw, text, face, width), font=face, fill=fill or self.ink, anchor=anchor)

    def banners(self) -> None:
        background, ink = BANNER[self.slide.frame.theme]
        for box in (self.slide.layout.banner_top, self.slide.layout.banner_bottom):
            if box:
                px = self._px(box)
                self.draw.rectangle(px, fill=background)
                self.text(((px[0] + px[2]) / 2, (px[1] + px[3]) / 2), self.slide.frame.text.banner.upper(), 17,
                          px[2] - px[0], bold=True, fill=ink, anchor="mm")

    def wrapped(self, x: float, y: float, text: str, size: float, line: float, width: float, *, fill=None) -> float:
        """`text` wrapped to `width` device pixels from (x, y); returns the y below it."""
        face = font(max(6, round(size * self.u)))
        for part in wrap(text, size, width / self.u):
            self.draw.text((x, y + (line - size) / 2 * self.u), part, font=face, fill=fill or self.ink)
            y += line * self.u
        return y

    def moves(self, x: float, y: float, width: float, table: MovementTable, columns: Columns, headings: bool) -> float:
        """The rows of one part of the movements table, as frame.css draws them; returns the y below them."""
        u, widths = self.u, columns.widths(width)
        lefts = [x + sum(widths[:i]) for i in range(len(widths))]
        if headings:
            for left, name, column in zip(lefts, COLUMNS, widths):
                self.text((left, y + 9 * u), name.upper(), 13, column, bold=True, fill=self.muted)
            y += 31 * u
            self.draw.line([(x, y - 1), (x + width, y - 1)], fill=self.rule, width=1)
        for row in table.rows:
            bottom = y
            for left, text, column, fill in zip(lefts, row.cells, widths, (self.muted, None, None, self.muted)):
                bottom = max(bottom, self.wrapped(left, y + 4 * u, text, columns.font, columns.line,
                                                  column - columns.padding * u, fill=fill))
            y = bottom + 5 * u
            self.draw.line([(x, y - 1), (x + width, y - 1)], fill=self.rule, width=1)
        return y

    def table_note(self, x: float, y: float, width: float, table: MovementTable) -> float:
        note = part_note(table)
        return self.wrapped(x, y + 4 * self.u, note, 14, 19, width, fill=self.muted) if note else y

    def header(self, continued: MovementTable | None = None) -> None:
        text, box = self.slide.frame.text, self._px(self.slide.layout.header)
        width = box[2] - box[0]
        self.text((box[0], box[1] + 14 * self.u), text.title, 38, width, bold=True)
        subtitle = text.window + (f" · {text.counts}" if text.counts else "")
        if continued is not None:
            subtitle = f"{text.window} · {continued_text(continued)}"
        self.text((box[0], box[1] + 62 * self.u), subtitle, 21, width, fill=self.muted)
        if text.filters:
            self.text((box[0], box[1] + 88 * self.u), text.filters, 16, width, fill=self.muted)

    def scale_bar(self) -> None:
        map_box, scale = self._px(self.slide.layout.map), self.slide.frame.scale
        x, bottom = map_box[0] + 14 * self.u, map_box[3] - 14 * self.u
        bar = scale.pixels * self.ratio
        self.draw.rectangle([x, bottom - 36 * self.u, x + bar + 18 * self.u, bottom], fill=(255, 255, 255))
        left, top = x + 9 * self.u, bottom - 30 * self.u
        self.draw.line([(left, top), (left, top + 7 * self.u), (left + bar, top + 7 * self.u), (left + bar, top)],
                       fill=(27, 31, 39), width=max(1, round(2 * self.u)))
        self.text((left, bottom - 5 * self.u), scale.label, 15, bar + 200, fill=(27, 31, 39), anchor="ld")

    def side(self) -> None:
        box = self._px(self.slide.layout.side)
        x, y, width = box[0], box[1], box[2] - box[0]
        table = self.slide.frame.table
        if table is not None:
            self.text((x, y), self.slide.frame.table_title.upper(), 14, width, bold=True, fill=self.muted)
            y += TITLE_HEIGHT * self.u
            if not table.rows and not table.continues:
                y = self.wrapped(x, y + 4 * self.u, "No movements in this window.", 14, 19, width, fill=self.muted)
            else:
                y = self.table_note(x, self.moves(x, y, width, table, SIDE_TABLE, headings=False), width, table)
            y += SIDE_GAP * self.u
        self.legend(x, y, width)

    def legend(self, x: float, y: float, width: float) -> None:
        u, compact = self.u, self.slide.frame.compact_legend
        row, label_size = (COMPACT_ROW_HEIGHT if compact else ROW_HEIGHT), LABEL_SIZE[compact]
        for section in self.slide.frame.legend:
            self.text((x, y), section.title.upper(), 14, width, bold=True, fill=self.muted)
            y += TITLE_HEIGHT * u
            per_row = legend_columns(section, compact)
            column_width = (width - COLUMN_GAP * u * (per_row - 1)) / per_row
            room = label_width(section, compact, width / u)
            for start in range(0, len(section.entries), per_row):
                lines = 1
                for index, entry in enumerate(section.entries[start:start + per_row]):
                    cx = x + index * (column_width + COLUMN_GAP * u)
                    labels = [entry.label] if section.inline else wrap(entry.label, label_size, room)
                    lines = max(lines, len(labels))
                    self._swatch(entry, cx, y + (len(labels) - 1) * row * u / 2 + (row - 22) / 2 * u)
                    for number, label in enumerate(labels):
                        self.text((cx + 40 * u, y + (number * row + (row - label_size) / 3) * u), label, label_size,
                                  column_width - 40 * u)
                y += lines * row * u
            if section.note:
                y = self.wrapped(x, y, section.note, NOTE_SIZE, NOTE_HEIGHT, width, fill=self.muted)
            y += GAP * u

    def _swatch(self, entry, x: float, y: float) -> None:
        u, middle = self.u, y + 11 * self.u
        edge = max(1, round(2.5 * u))
        if entry.swatch == "area":
            fill = tuple(round(c * entry.alpha + b * (1 - entry.alpha)) for c, b in zip(entry.color or self.ink, self.background))
            self.draw.rectangle([x, middle - 9 * u, x + 18 * u, middle + 9 * u], fill=fill,
                                outline=entry.outline, width=edge if entry.outline else 0)
        elif entry.swatch == "hatch":
            box = [x, middle - 9 * u, x + 18 * u, middle + 9 * u]
            self.draw.rectangle(box, outline=entry.outline or entry.color,
                                width=edge if entry.outline else max(1, round(1.5 * u)))
            for offset in np.arange(-18, 18, 6) * u:  # 45° lines clipped to the square
                start = (max(x, x + offset), middle + 9 * u - max(0, -offset))
                end = (min(x + 18 * u, x + 18 * u + offset), middle - 9 * u + max(0, offset))
                self.draw.line([start, end], fill=entry.color, width=max(1, round(1.6 * u)))
        elif entry.swatch == "ring":
            self.draw.ellipse([x + 3 * u, middle - 8 * u, x + 19 * u, middle + 8 * u], outline=self.ink,
                              width=max(1, round(3 * u)))
        elif entry.swatch == "line":
            color: RGB = entry.color or self.ink
            faded = tuple(round(c * entry.alpha + b * (1 - entry.alpha)) for c, b in zip(color, self.background))
            self.draw.rounded_rectangle([x, middle - 3 * u, x + 30 * u, middle + 3 * u], radius=3 * u, fill=faded)
        else:
            self.draw.ellipse([x, middle - 11 * u, x + 22 * u, middle + 11 * u], fill=(74, 80, 92))
            paste_glyph(self.image, entry.icon, (x + 11 * u, middle), round(16 * u))

    def footer(self) -> None:
        text, box = self.slide.frame.text, self._px(self.slide.layout.footer)
        width = box[2] - box[0]
        self.draw.line([(box[0], box[1]), (box[2], box[1])], fill=self.rule, width=1)
        self.text((box[0], box[1] + 18 * self.u), text.caveat, 15, width, fill=self.muted)
        sources = " · ".join(text.sources) + (f" · and {text.more_sources} more" if text.more_sources else "")
        credit_face = font(max(6, round(15 * self.u)))
        credit_width = self.draw.textlength(text.credit, font=credit_face)
        self.text((box[0], box[1] + 44 * self.u), f"Sources: {sources}", 15, width - credit_width - 30 * self.u)
        self.text((box[2], box[1] + 44 * self.u), text.credit, 15, credit_width + 1, fill=self.muted, anchor="ra")

    def draw_all(self) -> Image.Image:
        self.banners()
        self.header()
        self.scale_bar()
        self.side()
        self.footer()
        return self.image

    def draw_table_page(self, table: MovementTable) -> Image.Image:
        """A page that continues the movements table across the room of the map and the legend."""
        self.banners()
        self.header(continued=table)
        box = self._px(table_page_box(self.slide.layout))
        x, width = box[0], box[2] - box[0]
        self.text((x, box[1]), self.slide.frame.table_title.upper(), 14, width, bold=True, fill=self.muted)
        y = self.moves(x, box[1] + TITLE_HEIGHT * self.u, width, table, PAGE_TABLE, headings=True)
        self.table_note(x, y, width, table)
        self.footer()
        return self.image


def page_text(slide: Slide) -> str:
    """The frame's words, as the Chromium renderer reports them from its page."""
    frame = slide.frame
    words = [frame.text.banner, frame.text.title, frame.text.window, frame.text.counts, frame.text.filters,
             frame.scale.label, *(s.title for s in frame.legend), *(e.label for s in frame.legend for e in s.entries),
             frame.text.caveat, "Sources: " + " · ".join(frame.text.sources), frame.text.credit, frame.text.banner]
    return "\n".join(w for w in words if w)


class StaticRenderer:
    name: Final = "static"

    def __enter__(self) -> StaticRenderer:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def render(self, slide: Slide, kind: str) -> Rendered:
        """`kind` is 'png' or 'pdf' for the framed slide, or 'map' for a PNG of the map box alone."""
        map_image = _MapCanvas(slide, slide.layout.size.pixel_ratio).draw()
        if kind == "map":
            return Rendered(_encoded(map_image, slide, "png"), "")
        return Rendered(_encoded(_Page(slide, map_image).draw_all(), slide, kind), page_text(slide))

    def render_table(self, slide: Slide, table: MovementTable, kind: str) -> Rendered:
        """A page that continues the slide's movements table."""
        image = _Page(slide, None).draw_table_page(table)
        words = [slide.frame.text.title, slide.frame.table_title, *(cell for r in table.rows for cell in r.cells)]
        return Rendered(_encoded(image, slide, kind), "\n".join(words))


def _encoded(image: Image.Image, slide: Slide, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "pdf":
        image.convert("RGB").save(buffer, format="PDF", resolution=image.width / slide.layout.size.pdf_inches[0])
    else:
        image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
