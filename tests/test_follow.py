"""ui/follow.py: when a page reruns for a change saved elsewhere. Streamlit is replaced by a stand-in that
runs the poll when asked and records the reruns, so the polls' timing is set by the test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import ui.follow as follow
from geodata.workspace import add_record

MOVEMENT = {"date": "2025-02-01", "origin": "alpha", "destination": "charlie", "mode": "air", "category": "cargo",
            "asset": "Il-76", "quantity": "1", "confidence": "reported", "source": "Test", "notes": ""}


class Page:
    """One session of the dashboard: its full runs, its polls every POLL_SECONDS, and the reruns they ask for."""

    def __init__(self, monkeypatch, target) -> None:
        self.target, self.now, self.reruns, self.poll = str(target), 0.0, 0, None
        monkeypatch.setattr(follow, "st", SimpleNamespace(session_state={}, rerun=self._rerun))
        monkeypatch.setattr(follow, "contained_fragment", self._fragment)
        monkeypatch.setattr(follow, "monotonic", lambda: self.now)

    def _fragment(self, watch, *args, run_every: float) -> None:
        assert run_every == follow.POLL_SECONDS
        self.poll = lambda: watch(*args)
        watch(*args)  # Streamlit runs a fragment at once in the full run, then every run_every

    def _rerun(self) -> None:
        self.reruns += 1

    def run(self, at: float, loading=lambda: None) -> None:
        """A full run at `at`; `loading` happens between reading the revision and the end of the run."""
        self.now = at
        shown = follow.shown_revision(self.target)
        loading()
        follow.follow_changes(self.target, shown)

    def polls(self, *times: float) -> int:
        for at in times:
            self.now = at
            self.poll()
        return self.reruns


def save(target, notes: str = "") -> None:
    add_record(target, "movements", {**MOVEMENT, "notes": notes}, "Bob")


def test_an_idle_page_reruns_at_the_first_poll_after_a_change(monkeypatch, target) -> None:
    page = Page(monkeypatch, target)
    page.run(at=0.0)
    assert page.polls(5.0, 10.0) == 0  # nothing changed
    save(target)
    assert page.polls(15.0) == 1
    page.run(at=15.5)  # the rerun
    assert page.polls(20.0, 25.0) == 1


def test_a_page_in_use_is_left_to_its_own_next_run(monkeypatch, target) -> None:
    page = Page(monkeypatch, target)
    page.run(at=0.0)
    save(target)
    page.run(at=3.0)  # the analyst's own step shows the change
    assert page.polls(5.0, 10.0, 15.0) == 0
    page.run(at=16.0)  # another step, just before another change elsewhere
    save(target, "second")
    assert page.polls(20.0) == 0  # in use since the last poll: its next run would show it
    assert page.polls(25.0) == 1  # gone idle: rerun, 9 s after the change


def test_a_change_saved_while_a_run_loads_its_data_reruns_the_page(monkeypatch, target) -> None:
    page = Page(monkeypatch, target)
    page.run(at=0.0, loading=lambda: save(target))
    assert page.polls(5.0) == 1


@pytest.mark.parametrize("data, followed", [("team.gpkg", True), ("postgresql://u@h/db?schema=s", True),
                                            ("scenario_folder", False), (None, False)])
def test_only_workspaces_are_followed(data, followed) -> None:
    assert follow.is_workspace(data) is followed
