"""Where the frame's parts sit on the page, in CSS pixels; the HTML page and the static renderer share it.

Fixing the boxes here, rather than letting the browser flow them, tells the map
its exact pixel size before it is drawn: the camera is zoomed and the base names
are placed for that size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from briefing.sizes import Size

# Design sizes at 1920×1080; scaled by Size.unit.
PAD: Final = 28
GAP: Final = 24
BANNER: Final = 34
HEADER: Final = 104
FOOTER: Final = 78
SIDE: Final = 380
SIDE_WITH_TABLE: Final = 600


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Layout:
    size: Size
    unit: float
    banner_top: Box | None
    header: Box
    map: Box
    side: Box
    footer: Box
    banner_bottom: Box | None


def layout(size: Size, *, banner: bool, table: bool) -> Layout:
    u = size.unit
    width, height = size.width, size.height
    banner_height = round(BANNER * u) if banner else 0
    pad, gap = round(PAD * u), round(GAP * u)
    header = Box(pad, banner_height, width - 2 * pad, round(HEADER * u))
    footer_height = round(FOOTER * u)
    body_top = header.bottom
    body_height = height - 2 * banner_height - header.height - footer_height
    side_width = round((SIDE_WITH_TABLE if table else SIDE) * u)
    map_box = Box(pad, body_top, width - 2 * pad - gap - side_width, body_height)
    side = Box(map_box.right + gap, body_top, side_width, body_height)
    footer = Box(pad, body_top + body_height, width - 2 * pad, footer_height)
    return Layout(
        size=size,
        unit=u,
        banner_top=Box(0, 0, width, banner_height) if banner else None,
        header=header,
        map=map_box,
        side=side,
        footer=footer,
        banner_bottom=Box(0, height - banner_height, width, banner_height) if banner else None,
    )
