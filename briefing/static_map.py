"""A framed map drawn with Pillow, for machines without Chromium.

Simpler than the WebGL map (no relief, straight-line glyph-free markers, arcs as
curves on a flat basemap) but it carries the same frame, in the same layout:
title, window, legend, scale bar, caveat, sources and banners.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from briefing.frame import COLUMNS_FROM, COMPACT_ROW_HEIGHT, GAP, NOTE_HEIGHT, ROW_HEIGHT, TITLE_HEIGHT
from briefing.layout import Box
from layers.mercator import to_screen
from briefing.rendered import Rendered
from briefing.slides import Slide
from layers.basemap import BASEMAP_DIR, manifest
from layers.bases import BaseLook
from layers.icons import atlas
from layers.routes import RouteLook, arc_records, eastward
from layers.style import THEMES, RGB, Theme
from layers.zones import ZoneLook

FONT_FILES: Final = {
    False: ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: ("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
           "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
INK: Final = {"light": ((27, 31, 39), (93, 100, 114), (213, 218, 225), (255, 255, 255)),
              "dark": ((238, 240, 244), (161, 169, 183), (46, 53, 65), (16, 20, 27))}
BANNER: Final = {"light": ((29, 36, 48), (255, 255, 255)), "dark": ((233, 236, 241), (16, 20, 27))}
_ANCHORS: Final = {"start": "l", "middle": "m", "end": "r"}  # deck.gl text anchor → Pillow
_BASELINES: Final = {"center": "m", "top": "a", "bottom": "d"}
ARC_SEGMENTS: Final = 24  # as the map's arc layer draws them


@functools.lru_cache(maxsize=64)
def font(pixels: int, bold: bool = False) -> ImageFont.ImageFont:
    for path in FONT_FILES[bold]:
        if Path(path).is_file():
            return ImageFont.truetype(path, pixels)
    return ImageFont.load_default(pixels)


def fit(draw: ImageDraw.ImageDraw, text: str, face, width: float) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"


@functools.lru_cache(maxsize=4)
def _basemap_rings(name: str) -> tuple[list[np.ndarray], ...]:
    """Outer rings and holes of a basemap polygon file, as lon/lat arrays."""
    collection = json.loads((BASEMAP_DIR / manifest()["files"][name]).read_text())
    outers, holes = [], []
    for feature in collection["features"]:
        geometry = feature["geometry"] or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for rings in polygons:
            outers.append(np.asarray(rings[0], dtype=float))
            holes += [np.asarray(ring, dtype=float) for ring in rings[1:]]
    return outers, holes


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
        draw = ImageDraw.Draw(self.image)
        outers, holes = _basemap_rings("land")
        for ring in outers:
            draw.polygon(self.points(ring), fill=(*self.theme.land, 255), outline=(*self.theme.coast, 255))
        for ring in holes + list(_basemap_rings("lakes")[0]):
            draw.polygon(self.points(ring), fill=(*self.theme.water, 255))

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
        self.arcs(arc_records(self.slide.composed.routes.drawn, RouteLook()))

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

    def bases(self, show_labels: bool) -> None:
        self.markers(self.slide.composed.base_records, show_labels)

    def markers(self, records: list[dict], show_labels: bool) -> None:
        """Base marks as the map draws them: rings, markers, glyphs and placed names."""
        r = self.ratio
        if not records:
            return
        layer, draw = self.overlay()
        centres = self.points(np.array([record["position"] for record in records], dtype=float))
        for record, (x, y) in zip(records, centres):
            for ring in record["rings"]:
                self._circle(draw, x, y, ring["radius"], None, tuple(ring["color"]), BaseLook().ring_width)
            self._circle(draw, x, y, record["radius"], tuple(record["fill"]), tuple(record["line"]), record["outline"])
            if "glyph_size" in record:  # the change map's markers have none
                paste_glyph(layer, record["kind"], (x, y), round(record["glyph_size"] * r), record["glyph_color"][3])
        for record, (x, y) in zip(records, centres):
            if show_labels and record.get("label"):
                anchor = _ANCHORS[record["anchor"]] + _BASELINES[record["baseline"]]
                dx, dy = record["offset"]
                draw.text((x + dx * r, y + dy * r), record["label"],
                          font=font(round(record["label_size"] * r), record["headline"]), anchor=anchor,
                          fill=tuple(record["label_color"]), stroke_width=self.px(BaseLook().label_halo * 2 / 3),
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
        if "routes" in show:
            self.routes()
        if "bases" in show:
            self.bases("labels" in show)
        return self.image


class _Page:
    """The frame, drawn in the boxes of the slide's layout."""

    def __init__(self, slide: Slide, map_image: Image.Image) -> None:
        self.slide = slide
        self.ratio = slide.layout.size.pixel_ratio
        self.u = slide.layout.unit * self.ratio
        self.ink, self.muted, self.rule, self.background = INK[slide.frame.theme]
        self.image = Image.new("RGB", slide.layout.size.pixels, self.background)
        self.draw = ImageDraw.Draw(self.image)
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

    def header(self) -> None:
        text, box = self.slide.frame.text, self._px(self.slide.layout.header)
        width = box[2] - box[0]
        self.text((box[0], box[1] + 14 * self.u), text.title, 38, width, bold=True)
        subtitle = text.window + (f" · {text.counts}" if text.counts else "")
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
        x, y, width = box[0], box[1] + 4 * self.u, box[2] - box[0]
        table = self.slide.frame.table
        if table is not None:
            self.text((x, y), self.slide.frame.table_title.upper(), 14, width, bold=True, fill=self.muted)
            y += 24 * self.u
            for row in table.rows:
                self.text((x, y), row.date, 15, 0.13 * width, fill=self.muted)
                self.text((x + 0.13 * width, y), row.route, 15, 0.46 * width)
                self.text((x + 0.60 * width, y), row.what, 15, 0.25 * width)
                self.text((x + 0.86 * width, y), row.confidence, 15, 0.14 * width, fill=self.muted)
                y += 24 * self.u
            if table.earlier:
                self.text((x, y), f"and {table.earlier:,} earlier in the window", 14, width, fill=self.muted)
                y += 22 * self.u
            y += 14 * self.u
        compact = self.slide.frame.compact_legend
        row, label_size = (COMPACT_ROW_HEIGHT, 15) if compact else (ROW_HEIGHT, 17)
        for section in self.slide.frame.legend:
            self.text((x, y), section.title.upper(), 14, width, bold=True, fill=self.muted)
            y += TITLE_HEIGHT * self.u
            per_row = len(section.entries) if section.inline else (
                2 if compact and len(section.entries) >= COLUMNS_FROM else 1)
            column_width = width / per_row
            for index, entry in enumerate(section.entries):
                cx = x + (index % per_row) * column_width
                cy = y + (index // per_row) * row * self.u
                self._swatch(entry, cx, cy)
                self.text((cx + 40 * self.u, cy + (row - label_size) / 3 * self.u), entry.label, label_size,
                          column_width - 44 * self.u)
            y += math.ceil(len(section.entries) / per_row) * row * self.u
            if section.note:
                self.text((x, y), section.note, 14, width, fill=self.muted)
                y += NOTE_HEIGHT * self.u
            y += GAP * self.u

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
        image = _Page(slide, _MapCanvas(slide, slide.layout.size.pixel_ratio).draw()).draw_all()
        buffer = io.BytesIO()
        if kind == "png":
            image.save(buffer, format="PNG", optimize=False)
        else:
            width_inches = slide.layout.size.pdf_inches[0]
            image.save(buffer, format="PDF", resolution=image.width / width_inches)
        return Rendered(buffer.getvalue(), page_text(slide))
