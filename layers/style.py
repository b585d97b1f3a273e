"""Colours and themes shared by every layer, the legend and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

RGB = tuple[int, int, int]
NEUTRAL: Final[RGB] = (136, 136, 136)  # an actor the scenario does not list, or nobody


def literal(value: str) -> str:
    """A string pydeck passes through as text; a bare string would become a JavaScript expression."""
    return f'"{value}"'


PIXELS: Final = literal("pixels")
FONT_FAMILY: Final = literal("'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif")


def hex_to_rgb(color: str) -> RGB:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def rgb_to_hex(color: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color)


@dataclass(frozen=True)
class Theme:
    name: str
    water: RGB
    land: RGB
    border: RGB
    coast: RGB
    river: RGB
    text: RGB
    halo: RGB  # outline behind labels so they read over any zone colour
    relief_opacity: float
    zone_fill_alpha: int


LIGHT: Final = Theme(
    name="light", water=(205, 220, 232), land=(244, 242, 236), border=(120, 120, 130), coast=(140, 160, 180),
    river=(120, 160, 200), text=(25, 25, 35), halo=(255, 255, 255), relief_opacity=0.55, zone_fill_alpha=80,
)
DARK: Final = Theme(
    name="dark", water=(22, 30, 44), land=(48, 52, 60), border=(150, 150, 165), coast=(90, 110, 135),
    river=(70, 110, 150), text=(235, 235, 240), halo=(20, 22, 30), relief_opacity=0.15, zone_fill_alpha=90,
)
THEMES: Final = {theme.name: theme for theme in (LIGHT, DARK)}

# Okabe–Ito based: distinguishable for colour-blind readers, and on both themes.
CATEGORY_COLORS: Final[dict[str, RGB]] = {
    "troops": (213, 94, 0),
    "helicopters": (86, 180, 233),
    "aircraft": (0, 114, 178),
    "armour": (140, 90, 50),
    "air-defence": (204, 121, 167),
    "naval": (0, 158, 115),
    "cargo": (230, 159, 0),
    "other": (128, 128, 128),
}

# Lower confidence is drawn fainter: opacity of an arc or marker by its confidence word.
CONFIDENCE_ALPHA: Final = {"confirmed": 235, "reported": 165, "claimed": 90}
