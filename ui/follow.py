"""Following a workspace that others change: other sessions, other processes and QGIS save to it too.

A session sees a change on its next run; an idle one is rerun by a poll within
POLL_SECONDS. Kept light, as the dashboard reads the revision before its data.
"""

from __future__ import annotations

from pathlib import Path
from time import monotonic

import streamlit as st

from geodata.dburl import is_database_url
from geodata.workspace import Target, target_of
from geodata.workspace_store import WorkspaceError, store_for
from ui.fragments import contained_fragment

POLL_SECONDS = 5  # an idle session sees others' changes within this
_REVISION = "workspace_revision"  # the revision the page shows
_RAN_AT = "workspace_ran_at"  # when the session last ran in full


def is_workspace(data: str | None) -> bool:
    """A .gpkg file or a database address is a workspace, edited in place; a folder is not."""
    return bool(data) and (is_database_url(data) or Path(data).suffix.lower() == ".gpkg")


def shown_revision(target: Target) -> tuple | None:
    """The workspace's revision, read before the run loads its data: a change saved while the run loads
    then still reruns the page. None when the workspace cannot be read."""
    try:
        return store_for(target_of(target)).revision()
    except WorkspaceError:
        return None


def follow_changes(target: Target, shown: tuple | None) -> None:
    """Note the revision `shown` by this run; poll for a newer one while the session is idle."""
    if shown is None:
        return
    st.session_state[_REVISION] = shown
    st.session_state[_RAN_AT] = monotonic()
    contained_fragment(_watch, str(target), run_every=POLL_SECONDS)


def _watch(target: str) -> None:
    # A session that ran since the last poll is in use: its next run shows the change, and a rerun now would
    # queue behind it and redraw the page twice (thirty sessions on two cores spent as much on these as on
    # their own steps). Only this poll is skipped: the next one reruns a session that has since gone idle.
    # (The full run itself calls this too, at once: skipped the same way.)
    if monotonic() - st.session_state.get(_RAN_AT, 0.0) < POLL_SECONDS:
        return
    try:
        revision = store_for(target_of(target)).revision()
    except WorkspaceError:
        return
    if revision != st.session_state.get(_REVISION):
        st.session_state[_REVISION] = revision
        st.rerun()
