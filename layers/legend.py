"""What the legend lists: only what the map draws inside its box, in the map's own colours and marks.

The dashboard's legend and every export's legend are drawn from these sections,
so they follow one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import shapely

from geodata.schema import BASE_KINDS
from layers.basemap import borders_note
from layers.bases import BaseLook
from layers.rings import in_view as ring_in_view
from layers.routes import arc_colors, arc_meaning, RouteLook
from layers.style import CONFIDENCE_ALPHA, NEUTRAL, RGB, hex_to_rgb

if TYPE_CHECKING:
    from layers.view import ComposedMap

MAX_ACTORS: Final = 14  # beyond this the legend would push the other sections off the slide
Swatch = Literal["area", "hatch", "line", "icon", "ring"]


@dataclass(frozen=True)
class Entry:
    label: str
    swatch: Swatch
    color: RGB | None = None  # None: the theme's text colour
    alpha: float = 1.0
    icon: str = ""  # base kind, for icon swatches
    outline: RGB | None = None  # an edge in a colour of its own, for area and hatch swatches (the change map)


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...]
    note: str = ""
    inline: bool = False  # entries side by side on one line


def _in_view(composed: ComposedMap) -> tuple[np.ndarray, list[bool]]:
    """Which drawn bases and which zones lie at least partly inside the map box."""
    viewport = composed.viewport
    records = composed.base_records
    positions = np.array([r["position"] for r in records], dtype=float).reshape(-1, 2)
    bases = viewport.contains(positions[:, 0], positions[:, 1])
    west, south, east, north = viewport.bounds()
    boxes = [shapely.box(west, south, east, north)] if west <= east else [
        shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)]
    zones = [any(geometry.intersects(box) for box in boxes) for geometry in composed.zones.geometry]
    return bases, zones


def _actors(composed: ComposedMap, bases_in_view: np.ndarray, zones_in_view: list[bool]) -> Section | None:
    actors = composed.actors
    ids = [actor for actor, shown in zip(composed.zones["actor"], zones_in_view) if shown]
    for record, shown in zip(composed.base_records, bases_in_view):
        if shown and not record["faded"]:
            site = composed.sites.loc[record["id"]]
            ids += [site["holder"], *site["present"]]
    ids = [actor for actor in dict.fromkeys(ids) if actor]
    if not ids:
        return None
    entries = [Entry(str(actors["name"].get(a, a)), "area",
                     hex_to_rgb(actors["color"].get(a, "")) if a in actors.index else NEUTRAL)
               for a in ids[:MAX_ACTORS]]
    more = len(ids) - MAX_ACTORS
    return Section("Actors", tuple(entries), note=f"+{more} more" if more > 0 else "")


def _zones(composed: ComposedMap, zones_in_view: list[bool]) -> Section | None:
    hatched = [f["properties"]["line"][:3] for f, shown in zip(composed.zone_features["features"], zones_in_view)
               if shown and f["properties"]["hatched"]]
    if not hatched:
        return None
    return Section("Zones", (Entry("control reported, claimed or contested", "hatch", tuple(hatched[0])),),
                   note=f"zones as of {composed.day:%-d %b %Y}")


def _movements(composed: ComposedMap, look: RouteLook) -> list[Section]:
    drawn = composed.routes.drawn
    if drawn.empty:
        return []
    categories = list(dict.fromkeys(sorted(drawn["category"])))
    return [
        Section("Movements", tuple(Entry(c, "line", tuple(arc_colors(c, "confirmed", look)[1][:3]))
                                   for c in categories),
                note=f"{arc_meaning(composed.routes)}; faint end = origin"),
        Section("Confidence", tuple(Entry(word, "line", None, alpha / 255) for word, alpha in CONFIDENCE_ALPHA.items()),
                inline=True),
    ]


def _bases(composed: ComposedMap, bases_in_view: np.ndarray, look: BaseLook) -> Section | None:
    shown = [r for r, inside in zip(composed.base_records, bases_in_view) if inside]
    kinds = [kind for kind in BASE_KINDS if kind in {r["kind"] for r in shown}]
    if not kinds:
        return None
    entries = [Entry(kind, "icon", icon=kind) for kind in kinds]
    if any(r["rings"] for r in shown):
        entries.append(Entry("ring: other forces present, in their colour", "ring", None))
    notes = [f"colour: who holds it on {composed.day:%-d %b %Y}"]
    if any(r["faded"] for r in shown):
        notes.append("faded: nobody holds or uses it then, or only an arc's end")
    return Section("Bases", tuple(entries), note="; ".join(notes))


def _rings(composed: ComposedMap) -> Section | None:
    """Each kind of ring drawn in the box, with its bases; and the rings not drawn, saying why."""
    marks = composed.rings
    if marks is None:
        return None
    shown = [record for record in marks.drawn if ring_in_view(record, composed.viewport)]
    colors = dict(marks.colors)
    bases: dict[str, list[str]] = {}
    for record in shown:
        bases.setdefault(record["label"], []).append(record["base_name"])
    entries = [Entry(f"{label}: {', '.join(dict.fromkeys(names))}", "line", colors[label])
               for label, names in bases.items()]
    entries += [Entry(line, "line", None, 0.25) for line in marks.not_drawn]  # a line each: it must not be cut
    if not entries:
        return None
    side = composed.actors["name"].get(marks.side, marks.side)
    return Section("Range rings", tuple(entries), note=f"geodesic; at bases {side} holds or uses on "
                                                       f"{marks.day:%-d %b %Y}")


def _reach(composed: ComposedMap) -> Section | None:
    part = composed.reach
    if part is None:
        return None
    if part.marks is None:
        return Section("Reach", (), note=f"not drawn: {part.error}")
    return Section("Reach", tuple(Entry(label, swatch, color) for label, color, swatch in part.marks.kinds),
                   note=part.marks.note)


def legend_sections(composed: ComposedMap, *, bases: BaseLook = BaseLook(),
                    routes: RouteLook = RouteLook()) -> list[Section]:
    bases_in_view, zones_in_view = _in_view(composed)
    sections = [_actors(composed, bases_in_view, zones_in_view), _zones(composed, zones_in_view),
                *_movements(composed, routes), _bases(composed, bases_in_view, bases), _rings(composed),
                _reach(composed), Section("Basemap", (), note=borders_note())]
    return [section for section in sections if section is not None]
