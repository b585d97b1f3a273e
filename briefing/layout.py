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


# The "what changed" slide: maps A and B side by side over the change map, the report's table
# and the legend beside them.
COMPARE_SIDE: Final = 560
COMPARE_TABLE: Final = 440  # the report's headline table, at the top of the side column
COMPARE_TOP_SHARE: Final = 0.42  # of the maps' height, for A and B


@dataclass(frozen=True)
class CompareLayout(Layout):
    """`map` is the change map; `side` holds the legend, under the `table`."""

    map_a: Box
    map_b: Box
    table: Box


def compare_layout(size: Size, *, banner: bool) -> CompareLayout:
    base = layout(size, banner=banner, table=False)
    u = base.unit
    gap, side_width = round(GAP * u), round(COMPARE_SIDE * u)
    body = base.map
    maps_width = body.width + base.side.width - side_width
    top = round((body.height - gap) * COMPARE_TOP_SHARE)
    half = (maps_width - gap) / 2
    table = Box(body.x + maps_width + gap, body.y, side_width, round(COMPARE_TABLE * u))
    return CompareLayout(
        size=size, unit=u, banner_top=base.banner_top, header=base.header,
        map=Box(body.x, body.y + top + gap, maps_width, body.height - top - gap),
        side=Box(table.x, table.bottom + gap, side_width, body.height - table.height - gap),
        footer=base.footer, banner_bottom=base.banner_bottom,
        map_a=Box(body.x, body.y, half, top), map_b=Box(body.x + half + gap, body.y, half, top), table=table)
