"""Output sizes: pixels for images, a page for PDF, and the CSS layout each is drawn at."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

DESIGN_WIDTH: Final = 1920  # the frame is designed for a 1920×1080 slide and scaled from there
DESIGN_HEIGHT: Final = 1080
MIN_SIDE: Final = 480
MAX_SIDE: Final = 7680
PDF_DPI: Final = 96  # CSS pixels per inch, as Chromium prints
HIGH_DENSITY_FROM: Final = 2880  # wider images are drawn at pixel ratio 2, so labels keep their size


@dataclass(frozen=True)
class Size:
    """A page of `width`×`height` CSS pixels, drawn at `pixel_ratio` device pixels per CSS pixel."""

    name: str
    width: int
    height: int
    pixel_ratio: int = 1
    pdf_scale: float = 1.0  # CSS pixels are shrunk by this much onto the PDF page
    frame_scale: float = 0.0  # fonts and margins relative to the 1920×1080 design; 0: fit the page

    @property
    def pixels(self) -> tuple[int, int]:
        return self.width * self.pixel_ratio, self.height * self.pixel_ratio

    @property
    def unit(self) -> float:
        """How much larger than the 1920×1080 design every font and margin is drawn."""
        return self.frame_scale or min(self.width / DESIGN_WIDTH, self.height / DESIGN_HEIGHT)

    @property
    def pdf_inches(self) -> tuple[float, float]:
        return self.width * self.pdf_scale / PDF_DPI, self.height * self.pdf_scale / PDF_DPI


SLIDE: Final = Size("1920x1080", 1920, 1080)
SLIDE_4K: Final = Size("3840x2160", 1920, 1080, pixel_ratio=2)
# A4 landscape is 1122.5×793.7 CSS px; it is laid out 1.41× larger and printed shrunk, so the map
# shows about the area a slide shows. The frame keeps the slide's design sizes: about 9 pt on paper.
A4: Final = Size("a4", 1584, 1120, pixel_ratio=2, pdf_scale=1122 / 1584, frame_scale=1.0)
NAMED: Final = {"a4": A4, "A4": A4}


class SizeError(ValueError):
    pass


def parse_size(text: str) -> Size:
    """'1920x1080', '3840x2160' (drawn at twice the pixel ratio), any WxH in range, or 'a4'."""
    if text in NAMED:
        return NAMED[text]
    match = re.fullmatch(r"(\d+)[x×X](\d+)", text.strip())
    if not match:
        raise SizeError(f"--size {text!r}: use WxH in pixels, e.g. 1920x1080, or a4")
    width, height = int(match[1]), int(match[2])
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE // 2 <= height <= MAX_SIDE):
        raise SizeError(f"--size {text}: width {MIN_SIDE}–{MAX_SIDE} and height {MIN_SIDE // 2}–{MAX_SIDE} pixels")
    ratio = 2 if width >= HIGH_DENSITY_FROM and width % 2 == 0 and height % 2 == 0 else 1
    return Size(f"{width}x{height}", width // ratio, height // ratio, pixel_ratio=ratio)
