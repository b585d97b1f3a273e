"""The "what changed" slide drawn with Pillow, for machines without Chromium.

The three maps are drawn by the static renderer's map canvas from the same
marks the page draws; the frame is the static renderer's own, with the
report's table above the legend.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from briefing.compare_slide import CompareSlide, SideMap, TablePart
from briefing.layout import Box
from briefing.rendered import Rendered
from briefing.fonts import font
from briefing.static_map import _MapCanvas, _Page, page_text
from layers.changes import ChangeLook, ChangeMap
from layers.view import ComposedMap, MapView


@dataclass(frozen=True)
class _MapBox:
    map: Box


@dataclass(frozen=True)
class _OneMap:
    """What the map canvas reads of a slide: its box, view and composed map."""

    layout: _MapBox
    view: MapView
    composed: ComposedMap | None


class _ChangeCanvas(_MapCanvas):
    def __init__(self, changes: ChangeMap, side: SideMap, ratio: int) -> None:
        super().__init__(_OneMap(_MapBox(side.box), side.view, None), ratio)
        self.changes = changes

    def draw(self) -> Image.Image:
        marks = self.changes.marks
        self.basemap()
        self.areas(marks.land, marks.hatches, ChangeLook().land_outline)
        self.arcs(marks.arcs)
        self.markers(marks.bases, True)
        return self.image


class _ComparePage(_Page):
    """The frame around the change map (scale bar, legend, header, footer), with A, B and the table added."""

    def __init__(self, slide: CompareSlide, images: list[Image.Image]) -> None:
        super().__init__(slide, images[2])
        for image, side in zip(images[:2], slide.maps[:2]):
            self.image.paste(image.convert("RGB"), (round(side.box.x * self.ratio), round(side.box.y * self.ratio)))
            self.draw.rectangle(self._px(side.box), outline=self.rule, width=1)

    def captions(self) -> None:
        u = self.u
        face = font(max(6, round(16 * u)), True)
        for side in self.slide.maps:
            box = self._px(side.box)
            x, y = box[0] + 10 * u, box[1] + 8 * u
            width = min(box[2] - box[0] - 20 * u, self.draw.textlength(side.caption, font=face) + 16 * u)
            self.draw.rounded_rectangle([x, y, x + width, y + 26 * u], radius=4 * u, fill=(255, 255, 255))
            self.text((x + 8 * u, y + 4 * u), side.caption, 16, width - 16 * u, bold=True, fill=(27, 31, 39))

    def report(self) -> None:
        """The report's headline table, at the top of the side column."""
        box, u = self._px(self.slide.layout.table), self.u
        x, y, width = box[0], box[1] + 4 * u, box[2] - box[0]
        for part in self.slide.table:
            self.text((x, y), part.title.upper(), 14, width, bold=True, fill=self.muted)
            y = self._rows(part, x, y + 24 * u, width)
            if part.more:
                self.text((x, y), part.more, 14, width, fill=self.muted)
                y += 22 * u
            y += 12 * u

    def _rows(self, part: TablePart, x: float, y: float, width: float) -> float:
        u = self.u
        lines = [(part.header, "", True)] + [(row.cells, row.detail, False) for row in part.rows]
        for cells, detail, header in lines:
            left = x
            for cell, share in zip(cells, part.shares):
                self.text((left, y), cell, 15, share * width - 6 * u, fill=self.muted if header else None)
                left += share * width
            y += 24 * u
            if detail:
                self.text((x, y - 4 * u), detail, 15, width, fill=self.muted)
                y += 20 * u
            self.draw.line([(x, y - 3 * u), (x + width, y - 3 * u)], fill=self.rule, width=1)
        return y

    def draw_all(self) -> Image.Image:
        super().draw_all()
        self.captions()
        self.report()
        return self.image


def compare_page_text(slide: CompareSlide) -> str:
    words = [page_text(slide), *(side.caption for side in slide.maps)]
    for part in slide.table:
        words += [part.title, *(" ".join(row.cells) + (f" {row.detail}" if row.detail else "") for row in part.rows)]
    return "\n".join(words)


def render_compare_static(slide: CompareSlide, kind: str) -> Rendered:
    ratio = slide.layout.size.pixel_ratio
    images = [_MapCanvas(_OneMap(_MapBox(side.box), side.view, composed), ratio).draw()
              for side, composed in zip(slide.maps[:2], slide.composed)]
    images.append(_ChangeCanvas(slide.changes, slide.maps[2], ratio).draw())
    image = _ComparePage(slide, images).draw_all()
    buffer = io.BytesIO()
    if kind == "png":
        image.save(buffer, format="PNG", optimize=False)
    else:
        image.save(buffer, format="PDF", resolution=image.width / slide.layout.size.pdf_inches[0])
    return Rendered(buffer.getvalue(), compare_page_text(slide))
