"""The "what changed" slide as one self-contained page: three maps, the report's table and the usual frame.

It follows `page.py`: every text from data goes through html.escape, JSON sits in
script elements with `<`, `>` and `&` escaped, and the basemap's large values are
shared by the three maps.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Final

from briefing.compare_slide import CompareSlide, TablePart
from briefing.layout import CompareLayout
from briefing.page import (_asset, _glyph_style, _place, _scalebar_place, deckgl_bundle, regions, script_json,
                           split_basemap)
from layers.tooltip import tooltip

MAP_IDS: Final = ("map-a", "map-b", "map")  # the change map keeps the single slide's id: the renderer freezes it
COMPARE_CSS: Final = """
.caption { position: absolute; z-index: 3; left: calc(10 * var(--u)); top: calc(8 * var(--u));
  padding: calc(3 * var(--u)) calc(8 * var(--u)); border-radius: calc(4 * var(--u));
  background: rgba(255, 255, 255, .88); color: #1b1f27; font-size: calc(16 * var(--u)); font-weight: 700;
  max-width: calc(100% - 20 * var(--u)); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
body.dark .caption { background: rgba(16, 20, 27, .85); color: #eef0f4; }
.map-box { border: 1px solid var(--rule); background: var(--card); }
#report { display: flex; flex-direction: column; gap: calc(10 * var(--u)); }
#report tr.lead td { border-bottom: none; padding-bottom: 0; }
#report tr.detail td { color: var(--muted); padding-top: 0; }
#report h2 { margin: 0 0 calc(4 * var(--u)); font-size: calc(14 * var(--u)); font-weight: 700; color: var(--muted);
  letter-spacing: .09em; text-transform: uppercase; }
"""


def _table(parts: tuple[TablePart, ...]) -> str:
    sections = []
    for part in parts:
        columns = len(part.header)
        head = "".join(f"<td style='width:{share:.0%};color:var(--muted)'>{html.escape(h)}</td>"
                       for h, share in zip(part.header, part.shares))
        rows = "".join(
            "<tr" + (" class='lead'" if row.detail else "") + ">"
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in row.cells) + "</tr>"
            + (f"<tr class='detail'><td colspan='{columns}'>{html.escape(row.detail)}</td></tr>" if row.detail else "")
            for row in part.rows)
        more = f"<p class='moves-note'>{html.escape(part.more)}</p>" if part.more else ""
        sections.append(f"<section><h2>{html.escape(part.title)}</h2><table class='moves'><tr>{head}</tr>{rows}"
                        f"</table>{more}</section>")
    return "".join(sections)


@dataclass(frozen=True)
class ComparePage:
    layout: CompareLayout
    theme: str
    regions: dict[str, str]
    maps: tuple[dict, ...]  # {"id", "deck", "caption"} for A, B and the change map
    tooltip: dict
    basemap: dict
    title: str

    @property
    def reusable_key(self) -> tuple:
        return "compare", self.layout, self.theme  # never shown in place of another slide

    def update(self) -> dict:
        raise NotImplementedError("a compare slide is always drawn on a page of its own")

    def html(self) -> str:
        layout, size = self.layout, self.layout.size
        banners = "".join(
            f"<div id='{region}' class='box banner' style='{_place(box)}'>{self.regions[region]}</div>"
            for region, box in (("banner-top", layout.banner_top), ("banner-bottom", layout.banner_bottom)) if box)
        maps = "".join(
            f"<div class='box map-box' style='{_place(box)}'><div id='{entry['id']}' style='position:absolute;inset:0'>"
            f"</div><div class='caption'>{html.escape(entry['caption'])}</div></div>"
            for entry, box in zip(self.maps, (layout.map_a, layout.map_b, layout.map)))
        slide = {"maps": [{"id": entry["id"], "deck": entry["deck"]} for entry in self.maps], "tooltip": self.tooltip}
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width={size.width}'><title>{html.escape(self.title)}</title>"
            f"<style>{_asset('frame.css')}{COMPARE_CSS}{_glyph_style()}:root{{--u:{layout.unit:.5f}px}}"
            f"#slide{{width:{size.width}px;height:{size.height}px}}</style>"
            f"<script>{deckgl_bundle()}</script></head>"
            f"<body class='{'dark' if self.theme == 'dark' else 'light'}'><div id='slide'>{banners}"
            f"<header id='header' class='box' style='{_place(layout.header)}'>{self.regions['header']}</header>"
            f"{maps}"
            f"<div id='scalebar' style='{_scalebar_place(layout)}'>{self.regions['scalebar']}</div>"
            f"<aside id='report' class='box' style='{_place(layout.table)}'>{self.regions['report']}</aside>"
            f"<aside id='side' class='box' style='{_place(layout.side)}'>{self.regions['side']}</aside>"
            f"<footer id='footer' class='box' style='{_place(layout.footer)}'>{self.regions['footer']}</footer>"
            "</div>"
            f"<script type='application/json' id='footprint-basemap'>{script_json(self.basemap)}</script>"
            f"<script type='application/json' id='footprint-slide'>{script_json(slide)}</script>"
            f"<script>{_asset('compare_page.js')}</script></body></html>"
        )


def compare_page(slide: CompareSlide) -> ComparePage:
    decks = [m.deck for m in slide.composed] + [slide.changes.deck]
    maps, basemap = [], {}
    boxes = (slide.layout.map_a, slide.layout.map_b, slide.layout.map)
    for map_id, deck, side, box in zip(MAP_IDS, decks, slide.maps, boxes):
        deck_json, constants = split_basemap(json.loads(deck.to_json()), box, slide.layout.size.pixel_ratio)
        basemap.update(constants)  # the same basemap for all three: shared by name
        maps.append({"id": map_id, "deck": deck_json, "caption": side.caption})
    return ComparePage(layout=slide.layout, theme=slide.frame.theme, regions={**regions(slide.frame),
                       "report": _table(slide.table)}, maps=tuple(maps), tooltip=tooltip(slide.frame.theme),
                       basemap=basemap, title=slide.frame.text.title)

