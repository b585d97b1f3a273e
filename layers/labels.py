"""Greedy placement of base names so that labels do not cover each other or the markers.

deck.gl's collision filter draws nothing in software WebGL, so labels are placed
here for the camera's zoom: each name takes the first free spot of right, left,
above and below its marker, headline bases first. A minor name with no free spot
is left out (its marker still shows it on hover).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from layers.mercator import world_pixels


@dataclass(frozen=True)
class Placement:
    anchor: str  # text-anchor: start, end or middle
    baseline: str  # alignment-baseline: center, top or bottom
    offset: tuple[float, float]


def _box(cx: float, cy: float, placement: Placement, width: float, height: float) -> tuple[float, ...]:
    x, y = cx + placement.offset[0], cy + placement.offset[1]
    left = {"start": x, "end": x - width, "middle": x - width / 2}[placement.anchor]
    top = {"center": y - height / 2, "top": y, "bottom": y - height}[placement.baseline]
    return left, top, left + width, top + height


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(records: list[dict], zoom: float, radius: float, headline_radius: float,
                 size: float, headline_size: float) -> None:
    """Set `anchor`, `baseline` and `offset` on each record, or `label` to '' when no spot is free."""
    positions = np.array([r["position"] for r in records], dtype=float).reshape(-1, 2)
    centres = list(zip(*(axis.tolist() for axis in world_pixels(positions[:, 0], positions[:, 1], zoom))))
    occupied = []
    for record, (cx, cy) in zip(records, centres):
        r = headline_radius if record["headline"] else radius
        occupied.append((cx - r, cy - r, cx + r, cy + r))
    order = sorted(range(len(records)), key=lambda i: (not records[i]["headline"], records[i]["name"]))
    for index in order:
        record, (cx, cy) = records[index], centres[index]
        r = (headline_radius if record["headline"] else radius) + 4
        text_size = headline_size if record["headline"] else size
        width, height = 0.58 * text_size * len(record["name"]) + 6, text_size * 1.3
        candidates = (Placement("start", "center", (r, 0)), Placement("end", "center", (-r, 0)),
                      Placement("middle", "bottom", (0, -r)), Placement("middle", "top", (0, r)))
        chosen = next((p for p in candidates
                       if not any(_overlaps(_box(cx, cy, p, width, height), box) for box in occupied)), None)
        if chosen is None and record["headline"]:
            chosen = candidates[0]
        record["label"] = record["name"] if chosen else ""
        if chosen:
            record.update(anchor=chosen.anchor, baseline=chosen.baseline, offset=list(chosen.offset))
            occupied.append(_box(cx, cy, chosen, width, height))
        else:
            record.update(anchor="start", baseline="center", offset=[r, 0])
