"""The dashboard's legend: the map's legend sections (layers/legend.py) as escaped HTML."""

from __future__ import annotations

import html

from geodata.schema import BASE_KINDS
from layers.icons import CELL, atlas
from layers.legend import Entry, Section
from layers.style import rgb_to_hex

_BOX = "display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:6px;vertical-align:-2px"
_LINE = "display:inline-block;width:22px;height:4px;margin-right:6px;vertical-align:3px;border-radius:2px"
_RING = "display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px"
_ROW = "font-size:0.85rem;line-height:1.3;margin:3px 0;display:flex;align-items:center"  # a long label wraps
_NOTE = "font-size:0.78rem;line-height:1.35;opacity:.7;margin:1px 0 4px"


def _icon(kind: str) -> str:
    """A base-kind glyph cut from the map's own icon atlas, drawn on a grey dot."""
    url, mapping = atlas()
    x = mapping[kind]["x"] // 4
    return (f"<span style='display:inline-block;width:16px;height:16px;margin-right:6px;vertical-align:-3px;"
            f"border-radius:50%;background:#555'>"
            f"<span style='display:block;width:16px;height:16px;background-image:url({url});"
            f"background-size:{len(BASE_KINDS) * CELL // 4}px 16px;background-position:-{x}px 0'></span></span>")


def _swatch(entry: Entry) -> str:
    color = rgb_to_hex(entry.color) if entry.color else "#444444"
    if entry.swatch == "icon":
        return _icon(entry.icon)
    if entry.swatch == "line":
        return f"<span style='{_LINE};background:{color};opacity:{entry.alpha:.2f}'></span>"
    if entry.swatch == "ring":
        return f"<span style='{_RING};border:2.5px solid currentColor'></span>"
    edge = f"2px solid {rgb_to_hex(entry.outline)}" if entry.outline else f"1px solid {color}"
    if entry.swatch == "hatch":
        return (f"<span style='{_BOX};border:{edge};background:repeating-linear-gradient(45deg,{color} 0 "
                f"1.5px,transparent 1.5px 5px)'></span>")
    if entry.outline:
        fill = "rgba({},{},{},{:.2f})".format(*(entry.color or (68, 68, 68)), entry.alpha)
        return f"<span style='{_BOX};background:{fill};border:{edge}'></span>"
    return f"<span style='{_BOX};background:{color}'></span>"


def legend_html(sections: list[Section]) -> str:
    parts = []
    for section in sections:
        parts.append(f"<b>{html.escape(section.title)}</b>")
        rows = [f"<span style='margin-right:10px'>{_swatch(e)}{html.escape(e.label)}</span>" for e in section.entries]
        if section.inline:
            parts.append(f"<div style='display:flex;flex-wrap:wrap;font-size:0.85rem;line-height:1.55'>{''.join(rows)}</div>")
        else:
            parts += [f"<div style='{_ROW}'><span style='flex:none;display:inline-flex'>{_swatch(e)}</span>"
                      f"<span>{html.escape(e.label)}</span></div>" for e in section.entries]
        if section.note:
            parts.append(f"<div style='{_NOTE}'>{html.escape(section.note)}</div>")
    return "".join(parts)
