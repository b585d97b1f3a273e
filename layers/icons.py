"""Marker glyphs for each kind of base, drawn in code into one icon atlas.

Drawing them here keeps the map free of fonts and downloads; the atlas is a
small PNG sent inline as a data URL. Glyphs are white masks that the IconLayer
tints, so one atlas serves every theme.
"""

from __future__ import annotations

import base64
import functools
import io
from typing import Final

from PIL import Image, ImageDraw

from geodata.schema import BASE_KINDS

CELL: Final = 64
WHITE: Final = (255, 255, 255, 255)


def _plane(draw: ImageDraw.ImageDraw, x: int) -> None:
    c = x + CELL // 2
    draw.polygon([(c - 4, 10), (c + 4, 10), (c + 4, 26), (c + 26, 38), (c + 26, 44), (c + 4, 37), (c + 4, 48),
                  (c + 11, 54), (c + 11, 58), (c, 55), (c - 11, 58), (c - 11, 54), (c - 4, 48), (c - 4, 37),
                  (c - 26, 44), (c - 26, 38), (c - 4, 26)], fill=WHITE)
    draw.ellipse([c - 4, 6, c + 4, 14], fill=WHITE)


def _anchor(draw: ImageDraw.ImageDraw, x: int) -> None:
    c = x + CELL // 2
    draw.ellipse([c - 7, 5, c + 7, 19], outline=WHITE, width=4)
    draw.rectangle([c - 3, 18, c + 3, 56], fill=WHITE)
    draw.rectangle([c - 15, 24, c + 15, 29], fill=WHITE)
    draw.arc([c - 24, 22, c + 24, 58], start=20, end=160, fill=WHITE, width=6)
    draw.polygon([(c - 27, 36), (c - 17, 40), (c - 25, 46)], fill=WHITE)
    draw.polygon([(c + 27, 36), (c + 17, 40), (c + 25, 46)], fill=WHITE)


def _airport(draw: ImageDraw.ImageDraw, x: int) -> None:
    draw.rounded_rectangle([x + 4, 4, x + CELL - 4, CELL - 4], radius=10, outline=WHITE, width=4)
    c = x + CELL // 2
    draw.polygon([(c - 3, 14), (c + 3, 14), (c + 3, 27), (c + 19, 36), (c + 19, 40), (c + 3, 35), (c + 3, 44),
                  (c + 9, 49), (c + 9, 52), (c, 49), (c - 9, 52), (c - 9, 49), (c - 3, 44), (c - 3, 35),
                  (c - 19, 40), (c - 19, 36), (c - 3, 27)], fill=WHITE)


def _heliport(draw: ImageDraw.ImageDraw, x: int) -> None:
    draw.ellipse([x + 5, 5, x + CELL - 5, CELL - 5], outline=WHITE, width=5)
    draw.rectangle([x + 20, 17, x + 26, 47], fill=WHITE)
    draw.rectangle([x + 38, 17, x + 44, 47], fill=WHITE)
    draw.rectangle([x + 20, 29, x + 44, 35], fill=WHITE)


def _garrison(draw: ImageDraw.ImageDraw, x: int) -> None:
    draw.rectangle([x + 12, 8, x + 17, 58], fill=WHITE)
    draw.polygon([(x + 17, 9), (x + 54, 19), (x + 17, 31)], fill=WHITE)


def _other(draw: ImageDraw.ImageDraw, x: int) -> None:
    draw.ellipse([x + 16, 16, x + CELL - 16, CELL - 16], fill=WHITE)


_DRAWERS: Final = {
    "air base": _plane,
    "naval base": _anchor,
    "airport": _airport,
    "heliport": _heliport,
    "garrison": _garrison,
    "other": _other,
}


@functools.lru_cache(maxsize=1)
def atlas() -> tuple[str, dict[str, dict]]:
    """The atlas as a PNG data URL and deck.gl's icon mapping, one cell per kind."""
    image = Image.new("RGBA", (CELL * len(BASE_KINDS), CELL), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    mapping = {}
    for index, kind in enumerate(BASE_KINDS):
        _DRAWERS[kind](draw, index * CELL)
        mapping[kind] = {"x": index * CELL, "y": 0, "width": CELL, "height": CELL, "mask": True}
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(), mapping
