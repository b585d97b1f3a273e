"""One hover template for every pickable layer, filled from four text fields.

Each record carries `tt_title`, `tt_kind`, `tt_detail` and `tt_source` as plain
strings. The template's markup is ours; values from data are escaped before
they can reach innerHTML (`for_html=True`), since the standalone HTML export
interpolates them unescaped. The dashboard's map element (`ui/map_js/tooltip.js`)
escapes values itself, so the dashboard passes them raw to avoid showing `&amp;`.
"""

from __future__ import annotations

import html
from typing import Final

TOOLTIP_FIELDS: Final = ("tt_title", "tt_kind", "tt_detail", "tt_source")

TOOLTIP_HTML: Final = (
    "<div style='max-width:360px;white-space:normal;line-height:1.35'>"
    "<b>{tt_title}</b><br/><i>{tt_kind}</i><br/>{tt_detail}"
    "<div style='opacity:.75;font-size:.85em;margin-top:4px'>{tt_source}</div></div>"
)

TOOLTIP_STYLE: Final = {"fontSize": "13px", "padding": "8px 10px", "borderRadius": "4px"}


def tooltip(theme_name: str) -> dict:
    background, color = ("#1d2230", "#f0f0f4") if theme_name == "dark" else ("#ffffff", "#1a1a22")
    return {"html": TOOLTIP_HTML, "style": {**TOOLTIP_STYLE, "backgroundColor": background, "color": color}}


def clip(text: object, limit: int = 280) -> str:
    """Shorten long free text so a tooltip stays on screen."""
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fields(title: object, kind: object, detail: object, source: object, *, for_html: bool) -> dict[str, str]:
    values = (clip(title, 120), clip(kind, 120), clip(detail), clip(source, 160))
    if for_html:
        values = tuple(html.escape(v) for v in values)
    return dict(zip(TOOLTIP_FIELDS, values))
