"""The frame's fonts, and how much room a text takes: lines are counted here before anything is drawn,
so tables and legends are laid out to fit, never cut.

Chromium draws the page with the first of these fonts that is installed, as frame.css asks, and the
static renderer draws with the same one, so a count made here holds for both.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from PIL import ImageFont

FONT_FILES: Final = {
    False: ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: ("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
           "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
MEASURE_SIZE: Final = 100  # widths are measured at this size and scaled: hinting at small sizes would skew them


@functools.lru_cache(maxsize=64)
def font(pixels: int, bold: bool = False) -> ImageFont.ImageFont:
    for path in FONT_FILES[bold]:
        if Path(path).is_file():
            return ImageFont.truetype(path, pixels)
    return ImageFont.load_default(pixels)


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of `text` at font size `size`, in the unit of `size` (pixels or points)."""
    return font(MEASURE_SIZE, bold).getlength(text) * size / MEASURE_SIZE


def _pieces(word: str, size: float, width: float, bold: bool) -> list[str]:
    """A word too long for a line, cut where the line ends, as CSS `overflow-wrap: anywhere` does."""
    pieces, piece = [], ""
    for char in word:
        if piece and text_width(piece + char, size, bold) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return pieces + [piece]


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """`text` broken into lines of at most `width` at spaces, as a browser or PowerPoint breaks it."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = _pieces(word, size, width, bold) if text_width(word, size, bold) > width else [word]
        lines += pieces[:-1]
        line = pieces[-1]
    return lines + [line] if line else lines or [""]


def line_count(text: str, size: float, width: float, bold: bool = False) -> int:
    return len(wrap(text, size, width, bold))
