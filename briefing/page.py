"""The framed page: the map's deck with deck.gl's JavaScript embedded, and the frame around it.

One self-contained HTML file, with no request to any server: it is the `.html`
export, and Chromium renders it for PNG and PDF. Every text from data goes
through html.escape; JSON sits in script elements with `<`, `>` and `&` escaped,
so no value can end its element.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pydeck as pdk

from briefing.frame import PAGE_TABLE, SCALE_BAR_SHARE, SIDE_TABLE, Frame, legend_columns, table_page_box
from briefing.layout import Box, Layout
from layers.basemap import Palette, basemap_image
from layers.mercator import TILE as WORLD_PIXELS
from briefing.table import COLUMNS, Columns, MovementTable, continued_text, part_note
from layers.icons import CELL, atlas
from layers.legend import Entry, Section
from layers.style import RGB
from layers.tooltip import tooltip
from geodata.schema import BASE_KINDS

HERE: Final = Path(__file__).resolve().parent
DECKGL_BUNDLE: Final = Path(pdk.__file__).resolve().parent / "nbextension" / "static" / "index.js"
# The embedded basemap: the view with half the map box again on each side, over the whole world at
# 1024 pixels; WebP of this quality keeps lines clean at a tenth of a PNG's size.
EMBED_MARGIN: Final = 0.5
WORLD_RATIO: Final = 2
EMBED_QUALITY: Final = 88
CONSTANT: Final = "@@#"  # deck.gl's JSON converter reads "@@#name" from its configuration's constants

REGION_IDS: Final = ("banner-top", "header", "side", "footer", "banner-bottom", "scalebar")


@functools.lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def deckgl_bundle() -> str:
    return DECKGL_BUNDLE.read_text(encoding="utf-8")


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def split_basemap(deck_json: dict, box: Box, pixel_ratio: float) -> tuple[dict, dict]:
    """The deck, drawn in `box`, with its basemap embedded by name, and the embedded values by name.

    The basemap becomes two images: the whole world, coarse, for a reader who zooms out,
    and the camera's view with a margin on each side, as detailed as the page's pixels.
    Their names carry a digest, so slides with the same basemap share one loaded page.
    """
    constants = {}
    layers = []
    view = deck_json.get("initialViewState", {})
    for layer in deck_json.get("layers", []):
        settings = layer.get("basemap") if isinstance(layer, dict) else None
        if not (isinstance(settings, dict) and settings.get("embedded")):
            layers.append(layer)
            continue
        palette = Palette.from_json(settings["palette"])
        world = _embedded(palette, 0.0, 0.0, 0.0, WORLD_PIXELS, WORLD_PIXELS, WORLD_RATIO, 0.0)
        seen = _embedded(palette, view["latitude"], view["longitude"], view["zoom"], box.width, box.height,
                         pixel_ratio, EMBED_MARGIN)
        for layer_id, (url, bounds) in (("basemap-world", world), ("basemap-view", seen)):
            name = f"{layer_id}:{hashlib.blake2b(url.encode(), digest_size=8).hexdigest()}"
            constants[name] = url
            layers.append({"@@type": "BitmapLayer", "id": layer_id, "image": CONSTANT + name, "bounds": list(bounds)})
    deck = {key: value for key, value in deck_json.items() if key != "mapStyle"}  # no style: nothing to fetch
    deck["layers"] = layers
    return deck, constants


@functools.lru_cache(maxsize=8)
def _embedded(palette: Palette, latitude: float, longitude: float, zoom: float, width: float, height: float,
              pixel_ratio: float, margin: float) -> tuple[str, list[float]]:
    """A basemap image as a WebP data URL, and its bounds; the slides of a pack share one camera."""
    image, bounds = basemap_image(palette, latitude, longitude, zoom, width, height, pixel_ratio, margin)
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=EMBED_QUALITY)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode(), bounds


def _rgba(color: RGB | None, alpha: float) -> str:
    if color is None:
        return f"color-mix(in srgb, var(--ink) {alpha * 100:.0f}%, transparent)"
    return f"rgba({color[0]},{color[1]},{color[2]},{alpha:.2f})"


def _glyph_style() -> str:
    """CSS that cuts each base kind's glyph out of the map's own icon atlas."""
    url, mapping = atlas()
    count = len(BASE_KINDS)
    rules = [f".glyph{{background-image:url({url});background-size:{count * 100}% 100%}}"]
    for kind, cell in mapping.items():
        position = 100 * (cell["x"] // CELL) / (count - 1)
        rules.append(f".glyph[data-kind=\"{html.escape(kind)}\"]{{background-position:{position:.4f}% 0}}")
    return "".join(rules)


def _edge(entry: Entry) -> str:
    """An edge in a colour of its own (the change map's old holders)."""
    return f";border:calc(2.5 * var(--u)) solid {_rgba(entry.outline, 1)}" if entry.outline else ""


def _entry(entry: Entry) -> str:
    label = html.escape(entry.label)
    if entry.swatch == "icon":
        swatch = f"<span class='swatch icon'><span class='glyph' data-kind='{html.escape(entry.icon)}'></span></span>"
    elif entry.swatch == "hatch":
        swatch = f"<span class='swatch hatch' style='--hatch:{_rgba(entry.color, 0.9)}{_edge(entry)}'></span>"
    elif entry.swatch == "ring":
        swatch = "<span class='swatch ring'></span>"
    else:
        swatch = (f"<span class='swatch {entry.swatch}' style='background:{_rgba(entry.color, entry.alpha)}"
                  f"{_edge(entry)}'></span>")
    return f"<li>{swatch}<span>{label}</span></li>"


def _section(section: Section, compact: bool) -> str:
    style = "inline" if section.inline else ("columns" if legend_columns(section, compact) > 1 else "")
    items = "".join(_entry(e) for e in section.entries)
    note = f"<p class='note'>{html.escape(section.note)}</p>" if section.note else ""
    return f"<section><h2>{html.escape(section.title)}</h2><ul class='{style}'>{items}</ul>{note}</section>"


def _moves(table: MovementTable, columns: Columns, headings: bool) -> str:
    """The rows of one part of the movements table; cells wrap, so no text is cut."""
    widths = "".join(f"<col style='width:{share * 100:.1f}%'>" for share in columns.shares)
    head = ("<thead><tr>" + "".join(f"<th>{name}</th>" for name in COLUMNS) + "</tr></thead>") if headings else ""
    rows = "".join(
        f"<tr><td class='date'>{html.escape(r.date)}</td><td class='route'>{html.escape(r.route)}</td>"
        f"<td class='what'>{html.escape(r.what)}</td><td class='confidence'>{html.escape(r.confidence)}</td></tr>"
        for r in table.rows)
    style = f"font-size:calc({columns.font} * var(--u));line-height:calc({columns.line} * var(--u))"
    return f"<table class='moves' style='{style}'><colgroup>{widths}</colgroup>{head}<tbody>{rows}</tbody></table>"


def _table_note(table: MovementTable) -> str:
    note = part_note(table)
    return f"<p class='moves-note'>{html.escape(note)}</p>" if note else ""


def _table(frame: Frame) -> str:
    table = frame.table
    if table is None:
        return ""
    if not table.rows and not table.continues:
        body = "<p class='moves-note'>No movements in this window.</p>"
    else:
        body = (_moves(table, SIDE_TABLE, headings=False) if table.rows else "") + _table_note(table)
    return f"<section class='table'><h2>{html.escape(frame.table_title)}</h2>{body}</section>"


def continued_header(frame: Frame, table: MovementTable) -> str:
    text = frame.text
    filters = f"<div class='filters'>{html.escape(text.filters)}</div>" if text.filters else ""
    return (f"<h1>{html.escape(text.title)}</h1><div class='sub'><span class='window'>{html.escape(text.window)}"
            f"</span> · {continued_text(table)}</div>{filters}")


def regions(frame: Frame) -> dict[str, str]:
    """The inner HTML of each part of the frame, by element id."""
    text = frame.text
    banner = html.escape(text.banner)
    counts = f" · {html.escape(text.counts)}" if text.counts else ""
    filters = f"<div class='filters'>{html.escape(text.filters)}</div>" if text.filters else ""
    compact = frame.compact_legend
    legend = "".join(_section(s, compact) for s in frame.legend)
    sources = " · ".join(html.escape(s) for s in text.sources) or "none named"
    if text.more_sources:
        sources += f" · and {text.more_sources:,} more"
    return {
        "banner-top": banner,
        "header": f"<h1>{html.escape(text.title)}</h1>"
                  f"<div class='sub'><span class='window'>{html.escape(text.window)}</span>{counts}</div>{filters}",
        "side": _table(frame) + f"<div class='legend{' compact' if compact else ''}'>{legend}</div>",
        "footer": f"<p class='caveat'>{html.escape(text.caveat)}</p>"
                  f"<div class='bottom'><p class='sources'><b>Sources:</b> {sources}</p>"
                  f"<p class='credit'>{html.escape(text.credit)}</p></div>",
        "banner-bottom": banner,
        "scalebar": f"<div class='bar' style='width:{frame.scale.pixels:.1f}px'></div>"
                    f"<span class='label'>{html.escape(frame.scale.label)}</span>",
    }


def _place(box: Box) -> str:
    return f"left:{box.x:.0f}px;top:{box.y:.0f}px;width:{box.width:.0f}px;height:{box.height:.0f}px"


def _scalebar_place(layout: Layout) -> str:
    inset = 14 * layout.unit
    return f"left:{layout.map.x + inset:.0f}px;bottom:{layout.size.height - layout.map.bottom + inset:.0f}px"


@dataclass(frozen=True)
class SlidePage:
    """One slide as the renderer needs it: the whole page, or what changes from the previous slide."""

    layout: Layout
    theme: str
    regions: dict[str, str]
    deck: dict
    tooltip: dict
    basemap: dict
    title: str

    @property
    def scale_max_pixels(self) -> float:
        return self.layout.map.width * SCALE_BAR_SHARE

    @property
    def reusable_key(self) -> tuple:
        """Slides with the same key can be shown in one loaded page, one after another."""
        return self.layout, self.theme, tuple(sorted(self.basemap))

    def update(self) -> dict:
        return {"regions": self.regions, "deck": self.deck, "scaleMaxPixels": self.scale_max_pixels}

    def html(self) -> str:
        layout, size = self.layout, self.layout.size
        banners = "".join(
            f"<div id='{region}' class='box banner' style='{_place(box)}'>{self.regions[region]}</div>"
            for region, box in (("banner-top", layout.banner_top), ("banner-bottom", layout.banner_bottom)) if box)
        slide = {"deck": self.deck, "tooltip": self.tooltip, "scaleMaxPixels": self.scale_max_pixels}
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width={size.width}'><title>{html.escape(self.title)}</title>"
            f"<style>{_asset('frame.css')}{_glyph_style()}:root{{--u:{layout.unit:.5f}px}}"
            f"#slide{{width:{size.width}px;height:{size.height}px}}</style>"
            f"<script>{deckgl_bundle()}</script></head>"
            f"<body class='{'dark' if self.theme == 'dark' else 'light'}'><div id='slide'>{banners}"
            f"<header id='header' class='box' style='{_place(layout.header)}'>{self.regions['header']}</header>"
            f"<div id='map' class='box' style='{_place(layout.map)}'></div>"
            f"<div id='scalebar' style='{_scalebar_place(layout)}'>{self.regions['scalebar']}</div>"
            f"<aside id='side' class='box' style='{_place(layout.side)}'>{self.regions['side']}</aside>"
            f"<footer id='footer' class='box' style='{_place(layout.footer)}'>{self.regions['footer']}</footer>"
            "</div>"
            f"<script type='application/json' id='footprint-basemap'>{script_json(self.basemap)}</script>"
            f"<script type='application/json' id='footprint-slide'>{script_json(slide)}</script>"
            f"<script>{_asset('page.js')}</script></body></html>"
        )


def table_page_html(frame: Frame, layout: Layout, table: MovementTable) -> str:
    """A page that continues the movements table of a pack slide, across the room of its map and legend."""
    size, parts = layout.size, regions(frame)
    banners = "".join(
        f"<div id='{region}' class='box banner' style='{_place(box)}'>{parts[region]}</div>"
        for region, box in (("banner-top", layout.banner_top), ("banner-bottom", layout.banner_bottom)) if box)
    body = (f"<section class='table'><h2>{html.escape(frame.table_title)}</h2>"
            f"{_moves(table, PAGE_TABLE, headings=True)}{_table_note(table)}</section>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width={size.width}'><title>{html.escape(frame.text.title)}</title>"
        f"<style>{_asset('frame.css')}:root{{--u:{layout.unit:.5f}px}}"
        f"#slide{{width:{size.width}px;height:{size.height}px}}</style></head>"
        f"<body class='{'dark' if frame.theme == 'dark' else 'light'}'><div id='slide'>{banners}"
        f"<header id='header' class='box' style='{_place(layout.header)}'>{continued_header(frame, table)}</header>"
        f"<aside id='side' class='box' style='{_place(table_page_box(layout))}'>{body}</aside>"
        f"<footer id='footer' class='box' style='{_place(layout.footer)}'>{parts['footer']}</footer>"
        "</div></body></html>"
    )


def slide_page(frame: Frame, layout: Layout, deck: pdk.Deck) -> SlidePage:
    deck_json, basemap = split_basemap(json.loads(deck.to_json()), layout.map, layout.size.pixel_ratio)
    return SlidePage(layout=layout, theme=frame.theme, regions=regions(frame), deck=deck_json,
                     tooltip=tooltip(frame.theme), basemap=basemap, title=frame.text.title)
