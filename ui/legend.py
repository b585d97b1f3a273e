"""The map legend as escaped HTML: actors, movement categories, confidence, base kinds."""

from __future__ import annotations

import html

from geodata import Scenario
from layers.icons import CELL, atlas
from layers.style import CATEGORY_COLORS, CONFIDENCE_ALPHA, rgb_to_hex
from geodata.schema import BASE_KINDS

_SWATCH = "display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:6px;vertical-align:-2px"
_LINE = "display:inline-block;width:22px;height:4px;margin-right:6px;vertical-align:3px;border-radius:2px"
_ROW = "font-size:0.85rem;line-height:1.55;white-space:nowrap;overflow:hidden;text-overflow:ellipsis"
_NOTE = "font-size:0.8rem;line-height:1.35;opacity:.7;margin:1px 0 3px"


def _icon(kind: str) -> str:
    """A base-kind glyph cut from the map's own icon atlas, drawn dark on a grey dot."""
    url, mapping = atlas()
    x = mapping[kind]["x"] // 4
    return (f"<span style='display:inline-block;width:16px;height:16px;margin-right:6px;vertical-align:-3px;"
            f"border-radius:50%;background:#555'>"
            f"<span style='display:block;width:16px;height:16px;background-image:url({url});"
            f"background-size:{len(BASE_KINDS) * CELL // 4}px 16px;background-position:-{x}px 0'></span></span>")


def legend_html(scenario: Scenario, actors: list[str], categories: list[str], arcs: str) -> str:
    """`arcs` says what one arc stands for."""
    parts = []
    if actors:
        parts.append("<b>Actors</b>")
        for actor_id in actors:
            color = html.escape(str(scenario.actors["color"].get(actor_id, "#888888")))
            name = html.escape(scenario.actor_name(actor_id))
            parts.append(f"<div style='{_ROW}'><span style='{_SWATCH};background:{color}'></span>{name}</div>")
    if categories:
        parts.append("<b>Movements</b> <span style='opacity:.7'>(faint end = origin)</span>")
        parts.append(f"<div style='{_NOTE}'>{html.escape(arcs)}</div>")
        for category in categories:
            color = rgb_to_hex(CATEGORY_COLORS.get(category, CATEGORY_COLORS["other"]))
            parts.append(f"<div style='{_ROW}'><span style='{_LINE};background:{color}'></span>"
                         f"{html.escape(category)}</div>")
        parts.append("<b>Confidence</b>")
        for word, alpha in CONFIDENCE_ALPHA.items():
            parts.append(f"<div style='{_ROW}'><span style='{_LINE};background:#444;opacity:{alpha / 255:.2f}'>"
                         f"</span>{word}</div>")
    kinds = [k for k in BASE_KINDS if k in set(scenario.bases["kind"])]
    if kinds:
        parts.append("<b>Bases</b>")
        parts += [f"<div style='{_ROW}'>{_icon(kind)}{html.escape(kind)}</div>" for kind in kinds]
    return "".join(parts)
