"""A short list of who reported what the map shows, from the records' free-text source fields.

Source cells read like "Reuters (Planet Labs image), 2024-12-10 (via JPost https://…) ;
Maxar imagery". A slide has room for names, not citations: a cell is cut at the
semicolons outside brackets, and each citation is named by its first words,
before any date, link, bracket or "via".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Final

from geodata.downloads import URL

_BRACKETS: Final = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NAME_ENDS: Final = re.compile(r",| via | citing | reported by | dated | \d{4}-\d{2}|['‘’\"“]")
MAX_NAME: Final = 40


def citations(text: str) -> list[str]:
    """The parts of a source cell between semicolons that are not inside brackets."""
    parts, current, depth = [], [], 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == ";" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return parts + ["".join(current)]


def citation_name(citation: str) -> str:
    text = URL.sub("", citation)
    while _BRACKETS.search(text):
        text = _BRACKETS.sub("", text)
    text = re.sub(r"[(\[].*", "", text).replace(")", "").replace("]", "")  # what an unclosed bracket left
    name = _NAME_ENDS.split(text, maxsplit=1)[0].strip(" .:-–")
    return re.sub(r"\s+", " ", name)


def source_names(texts: Iterable[str]) -> list[str]:
    """Distinct source names, the most cited first; notes written in lower case are not names."""
    counts: Counter[str] = Counter()
    for text in texts:
        names = {citation_name(part) for part in citations(str(text))}
        counts.update(n for n in names if n and n[0].isupper() and len(n) <= MAX_NAME)
    return [name for name, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
