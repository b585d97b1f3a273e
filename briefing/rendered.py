"""What a renderer hands back for one slide."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    data: bytes  # PNG or one-page PDF
    page_text: str  # the frame's words as the page showed them, read before the capture
