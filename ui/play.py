"""Play: the browser steps the map through the period from frames prepared here.

A Streamlit rerun per step cannot keep up with an animation, so frames are
computed a chunk at a time and drawn by the map itself, each after the last is
on screen. The map asks for the next chunk while it still has frames to show,
and reports where it stopped so the slider, counts and tables catch up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Final

from geodata import Scenario
from layers.routes import Routes, count_text
from layers.view import MapView, compose
from ui.deck_map import layer_items
from ui.shared_parts import SHARED
from geodata.windows import at_end, shift_window

CHUNK_FRAMES: Final = 12
FIRST_CHUNK_FRAMES: Final = 3  # the animation starts as soon as these are ready; the next chunk follows meanwhile


def frame_windows(window: tuple[dt.date, dt.date], unit: str, period: tuple[dt.date, dt.date],
                  count: int = CHUNK_FRAMES) -> list[tuple[dt.date, dt.date]]:
    """The next `count` windows after `window`, stopping at the end of the period."""
    windows = []
    while len(windows) < count and not at_end(window, period):
        window = shift_window(window, unit, 1, period)
        windows.append(window)
    return windows


def play_token(counter: int, view: MapView) -> str:
    """Names one run of the animation: a new Play, or new filters, theme or layers, start a new run."""
    steady = dataclasses.replace(view, start=dt.date.min, end=dt.date.min, camera=None)
    return f"{counter}:{hashlib.blake2b(repr(steady).encode(), digest_size=6).hexdigest()}"


def caption(start: dt.date, end: dt.date, routes: Routes) -> str:
    return f"{start:%d %b %Y} – {end:%d %b %Y} · {count_text(routes)}"


def play_chunk(scenario: Scenario, view: MapView, *, unit: str, period: tuple[dt.date, dt.date], token: str,
               interval: float, viewport_size: tuple[float, float], count: int = CHUNK_FRAMES) -> dict:
    """The `count` frames that follow the view's window, with each distinct layer once."""
    windows = frame_windows((view.start, view.end), unit, period, count)
    layers: dict[str, dict] = {}
    frames = []
    for start, end in windows:
        composed = compose(scenario, dataclasses.replace(view, start=start, end=end), animated=True,
                           viewport_size=viewport_size, parts=SHARED)
        items = layer_items(composed.deck.layers)
        layers.update((item["key"], {"spec": item["spec"], "under": item["under"]}) for item in items)
        frames.append({"window": [start.isoformat(), end.isoformat()], "layers": [item["key"] for item in items],
                       "caption": caption(start, end, composed.routes)})
    return {
        "token": token,
        "chunk": view.start.isoformat(),
        "frames": frames,
        "layers": layers,
        "interval": interval,
        "ahead": CHUNK_FRAMES // 2,  # frames still to show when the map asks for the next chunk
        "last": not windows or at_end(windows[-1], period),
    }
