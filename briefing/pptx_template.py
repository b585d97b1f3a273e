"""The PowerPoint deck a pack is built in: the analyst's own template, or PowerPoint's standard 16:9 one.

A slide is added on the template's title-only layout, so the master's background, fonts, colours
and title style apply; the pack's own parts are placed below the layout's title.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Final

from pptx import Presentation
from lxml.etree import XMLSyntaxError
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.presentation import Presentation as Deck
from pptx.slide import SlideLayout
from pptx.util import Emu

WIDE: Final = (Emu(12_192_000), Emu(6_858_000))  # PowerPoint's standard 16:9 slide, 13.33 × 7.5 in
TITLE_TYPES: Final = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
# Placeholders PowerPoint leaves off a new slide; a layout that has only these and a title is "title only".
ORDINARY_TYPES: Final = (PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER)
TITLE_ONLY_NAMES: Final = ("title only", "blank with title", "title-only")
DEFAULT_TITLE_SIZE: Final = 44.0  # points: PowerPoint's title size when a template says none


class TemplateError(Exception):
    """A template that cannot be used; the message says why, in one line."""


def open_deck(template: Path | None) -> Deck:
    """The template with its own slides removed, or PowerPoint's standard deck made 16:9."""
    if template is None:
        deck = Presentation()
        _widen(deck)
        return deck
    try:
        deck = Presentation(str(template))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as err:
        raise TemplateError(f"{template}: not a PowerPoint .pptx file ({type(err).__name__})") from None
    if not len(deck.slide_layouts):
        raise TemplateError(f"{template}: has no slide layouts")
    _drop_slides(deck)
    return deck


def check_template(template: Path) -> None:
    """Raise TemplateError when `template` cannot be used."""
    if not template.is_file():
        raise TemplateError(f"{template}: no such file")
    open_deck(template)


def _drop_slides(deck: Deck) -> None:
    """A template's sample slides are not part of the pack (python-pptx has no call for this)."""
    slide_ids = deck.slides._sldIdLst
    for slide_id in list(slide_ids):
        deck.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)


def _widen(deck: Deck) -> None:
    """PowerPoint's default deck is 4:3: make it 16:9, its masters' and layouts' shapes stretched to match."""
    stretch = WIDE[0] / deck.slide_width
    deck.slide_width, deck.slide_height = WIDE
    # Read every position first: a layout's placeholder inherits its master's until it is given its own.
    shapes = [(shape, shape.left, shape.width) for master in deck.slide_masters
              for owner in (master, *master.slide_layouts) for shape in owner.shapes]
    for shape, left, width in shapes:
        if left is not None and width is not None:
            shape.left, shape.width = Emu(round(left * stretch)), Emu(round(width * stretch))


def _kinds(layout: SlideLayout) -> list:
    return [p.placeholder_format.type for p in layout.placeholders if p.placeholder_format.type not in ORDINARY_TYPES]


def title_layout(deck: Deck) -> SlideLayout:
    """The template's title-only layout: by name, else the one with only a title, else the one with a title
    at the top and the fewest other boxes (removed from each slide), else a blank one (the title is then a
    text box of its own)."""
    layouts = list(deck.slide_layouts)
    named = [lay for lay in layouts if lay.name.strip().lower() in TITLE_ONLY_NAMES]
    with_title = [lay for lay in layouts if title_placeholder(lay) is not None]
    blank = [lay for lay in layouts if not _kinds(lay)]

    def fewest_boxes_title_on_top(layout: SlideLayout) -> tuple:
        title = title_placeholder(layout)
        on_top = title.top is not None and title.top + (title.height or 0) <= 0.3 * deck.slide_height
        return len(_kinds(layout)), not on_top, title.placeholder_format.type != PP_PLACEHOLDER.TITLE

    if named:
        return named[0]
    if with_title:
        return min(with_title, key=fewest_boxes_title_on_top)  # the first of equals: the template's order
    return (blank or layouts)[0]


def title_placeholder(layout: SlideLayout):
    return next((p for p in layout.placeholders if p.placeholder_format.type in TITLE_TYPES), None)


def title_size(deck: Deck, layout: SlideLayout) -> float:
    """The title's font size in points as the layout or its master sets it."""
    placeholder = title_placeholder(layout)
    sizes = placeholder._element.xpath(".//a:defRPr/@sz | .//a:rPr/@sz") if placeholder is not None else []
    sizes = sizes or layout.slide_master.element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
    return int(sizes[0]) / 100 if sizes else DEFAULT_TITLE_SIZE
