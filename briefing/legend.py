"""What the frame's legend lists: only what is visible on this map, in the map's own colours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

from geodata import Scenario
from geodata.schema import BASE_KINDS
from layers.bases import presence
from layers.routes import arc_meaning
from layers.style import CATEGORY_COLORS, CONFIDENCE_ALPHA, RGB, hex_to_rgb
from layers.view import ComposedMap

MAX_ACTORS: Final = 14  # beyond this the legend would push the other sections off the slide
Swatch = Literal["area", "line", "icon"]


@dataclass(frozen=True)
class Entry:
    label: str
    swatch: Swatch
    color: RGB | None = None  # None: the theme's text colour
    alpha: float = 1.0
    icon: str = ""  # base kind, for icon swatches


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...]
    note: str = ""
    inline: bool = False  # entries side by side on one line


def _actors(scenario: Scenario, actor_ids: list[str]) -> Section:
    entries = [Entry(scenario.actor_name(a), "area", hex_to_rgb(str(scenario.actors["color"].get(a, "#888888"))))
               for a in actor_ids[:MAX_ACTORS]]
    more = len(actor_ids) - MAX_ACTORS
    return Section("Actors", tuple(entries), note=f"+{more} more" if more > 0 else "")


def _bases(composed: ComposedMap, window: tuple[dt.date, dt.date]) -> Section | None:
    present = presence(composed.bases, *window)
    drawn = set(composed.bases.loc[~composed.bases.index.isin(present.later), "kind"])
    kinds = [kind for kind in BASE_KINDS if kind in drawn]
    if not kinds:
        return None
    note = "faded: presence ended before the window" if present.former else ""
    return Section("Bases", tuple(Entry(kind, "icon", icon=kind) for kind in kinds), note=note)


def legend_sections(scenario: Scenario, composed: ComposedMap, window: tuple[dt.date, dt.date],
                    show: frozenset[str]) -> list[Section]:
    sections = []
    if composed.actors_shown:
        sections.append(_actors(scenario, composed.actors_shown))
    if composed.categories_shown:
        colors = [CATEGORY_COLORS.get(c, CATEGORY_COLORS["other"]) for c in composed.categories_shown]
        sections.append(Section(
            "Movements",
            tuple(Entry(c, "line", color) for c, color in zip(composed.categories_shown, colors)),
            note=f"{arc_meaning(composed.routes)}; faint end = origin"))
        sections.append(Section(
            "Confidence",
            tuple(Entry(word, "line", None, alpha / 255) for word, alpha in CONFIDENCE_ALPHA.items()),
            inline=True))
    if "bases" in show:
        bases = _bases(composed, window)
        if bases:
            sections.append(bases)
    return sections
