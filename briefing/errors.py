"""How a failure reads to the analyst: one line, the traceback going to the log."""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    """'ValueError: the first line of its message'."""
    text = str(error)
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")
