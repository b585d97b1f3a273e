"""Fragments in a container of their own, so that one that vanishes from the page takes nothing else with it.

Streamlit 1.67 drops a fragment's queued messages when a run of that fragment starts, including the
ones a full run has just queued and not yet sent: under load, a fragment run right after a full run
(the poll's timer, a step clicked meanwhile) leaves the browser without the fragment's container.
The full run's end then removes the old one, and the page shifts the blocks after it up a place; the
fragment run's container, sent to its own place, then lands on the next block and replaces it. That
was the workspace panel, with the analyst's unsent typing (bench/load.py, run 23's page trace).
Inside a container that the main script draws, the gap stays inside that container.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def contained_fragment(body: Callable[..., Any], *args: Any, run_every: float | None = None) -> None:
    """Run `body(*args)` as a fragment, in a container of the main script's."""
    with st.container():
        st.fragment(body, run_every=run_every)(*args)
