"""Greedy placement of names so that labels neither cover each other or the markers nor run off the map.

deck.gl's collision filter draws nothing in software WebGL, so labels are placed
here for the map's camera and size: each name takes the first free spot of
right, left, above and below its marker, in order of priority (headline bases
first, faded ones last). A name with no free spot inside the map is left out
rather than cut at the edge; its marker still shows it on hover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from layers.mercator import Viewport

CHAR_WIDTH: Final = 0.58  # average glyph width as a share of the font size, for sans-serif names
MARGIN: Final = 2.0  # pixels kept clear of the map's edge


@dataclass(frozen=True)
class Placement:
    anchor: str  # text-anchor: start, end or middle
    baseline: str  # alignment-baseline: center, top or bottom
    offset: tuple[float, float]


Box = tuple[float, float, float, float]


def label_box(cx: float, cy: float, placement: Placement, text: str, size: float) -> Box:
    """The box a label of `size` pixels takes, placed at `placement` from a marker at (cx, cy)."""
    width, height = CHAR_WIDTH * size * len(text) + 6, size * 1.3
    x, y = cx + placement.offset[0], cy + placement.offset[1]
    left = {"start": x, "end": x - width, "middle": x - width / 2}[placement.anchor]
    top = {"center": y - height / 2, "top": y, "bottom": y - height}[placement.baseline]
    return left, top, left + width, top + height


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def around(gap: float) -> list[Placement]:
    """Right, left, above and below a point, `gap` pixels away: the spots a name tries, in order."""
    return [Placement("start", "center", (gap, 0)), Placement("end", "center", (-gap, 0)),
            Placement("middle", "bottom", (0, -gap)), Placement("middle", "top", (0, gap))]


def _reach(record: dict) -> float:
    """How far from its centre a marker, with its rings, covers the map."""
    rings = [ring["radius"] for ring in record.get("rings", ())]
    return max([record["radius"] + record["outline"] / 2, *rings])


def place_labels(records: list[dict], viewport: Viewport) -> list[Box]:
    """Set `label` (the name, or '' when left out), `anchor`, `baseline` and `offset` on each record.

    Returns the boxes the markers and placed names take, for place names to keep clear of.
    """
    if not records:
        return []
    positions = np.array([r["position"] for r in records], dtype=float)
    xs, ys = viewport.to_screen(positions[:, 0], positions[:, 1])
    inside = (MARGIN, MARGIN, viewport.width - MARGIN, viewport.height - MARGIN)
    markers = [(x - _reach(r), y - _reach(r), x + _reach(r), y + _reach(r)) for r, x, y in zip(records, xs, ys)]
    # A headline name may cross a minor marker when nothing else is free; it never covers a headline marker.
    major = [box for box, r in zip(markers, records) if r["headline"]]
    labels: list[Box] = []
    order = sorted(range(len(records)), key=lambda i: (not records[i]["headline"], records[i].get("faded", False),
                                                       records[i]["name"]))
    for index in order:
        record, cx, cy = records[index], float(xs[index]), float(ys[index])
        candidates = around(_reach(record) + 4)
        boxes = [label_box(cx, cy, p, record["name"], record["label_size"]) for p in candidates]
        tries = [markers + labels] + ([major + labels] if record["headline"] else [])
        chosen = next((i for obstacles in tries for i, box in enumerate(boxes) if fits(box, inside, obstacles)), None)
        if chosen is not None:
            labels.append(boxes[chosen])
        placement = candidates[chosen or 0]
        record.update(label=record["name"] if chosen is not None else "", anchor=placement.anchor,
                      baseline=placement.baseline, offset=list(placement.offset))
    return markers + labels


def fits(box: Box, inside: Box, obstacles: list[Box]) -> bool:
    """`box` lies inside `inside` and overlaps none of `obstacles`."""
    return (box[0] >= inside[0] and box[1] >= inside[1] and box[2] <= inside[2] and box[3] <= inside[3]
            and not any(overlaps(box, other) for other in obstacles))
