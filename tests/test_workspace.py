"""The workspace: create, change, undo; atomic saves under a kill; two writers at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from shapely.geometry import Polygon, mapping

from geodata import BUNDLED, load_scenario
from geodata.workspace import (
    ConflictError,
    add_record,
    create_workspace,
    delete_record,
    edit_record,
    open_workspace,
    undo,
)
from geodata.workspace_store import WorkspaceError

ROOT = Path(__file__).resolve().parent.parent
MOVEMENT = {"date": "2025-02-01", "origin": "alpha", "destination": "charlie", "mode": "air", "category": "cargo",
            "asset": "Il-76", "quantity": "1", "confidence": "reported", "source": "Test", "notes": ""}


def test_created_from_the_bundled_scenario_it_loads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "bundled.gpkg"
    create_workspace(path)
    copy, original = load_scenario(path), load_scenario(BUNDLED)
    assert (len(copy.bases), len(copy.zones), len(copy.movements)) == (
        len(original.bases), len(original.zones), len(original.movements))
    assert copy.meta == original.meta
    assert copy.movements["notes"].tolist() == original.movements["notes"].tolist()
    with pytest.raises(WorkspaceError, match="already exists"):
        create_workspace(path)


def test_an_empty_workspace_loads(tmp_path: Path) -> None:
    create_workspace(tmp_path / "empty.gpkg", from_scenario=None, title="My theatre")
    scenario = load_scenario(tmp_path / "empty.gpkg")
    assert scenario.meta.title == "My theatre" and len(scenario.movements) == 0


def test_add_edit_delete_and_undo_each(workspace: Path) -> None:
    added, movement_id = add_record(workspace, "movements", MOVEMENT, "Ann")
    assert movement_id == "m005" and movement_id in set(load_scenario(workspace).movements["id"])  # after m1..m4
    before = open_workspace(workspace).record("movements", movement_id)
    edited = edit_record(workspace, "movements", before, {**before, "quantity": "4"}, "Bob")
    assert load_scenario(workspace).movements.set_index("id").loc[movement_id, "quantity"] == 4
    base = open_workspace(workspace).record("bases", "bravo")
    with pytest.raises(WorkspaceError, match="unknown base id 'bravo'"):
        delete_record(workspace, "bases", base, "Ann")  # a movement still starts there: refused, nothing saved
    zone = open_workspace(workspace).record("zones", "z001")
    deleted = delete_record(workspace, "zones", zone, "Ann")
    assert len(load_scenario(workspace).zones) == 2
    undo(workspace, deleted, "Ann")
    assert len(load_scenario(workspace).zones) == 3
    undo(workspace, edited, "Ann")
    assert load_scenario(workspace).movements.set_index("id").loc[movement_id, "quantity"] == 1
    undo(workspace, added, "Ann")
    assert movement_id not in set(load_scenario(workspace).movements["id"])
    history = open_workspace(workspace).history
    assert history["author"].tolist() == ["Ann", "Bob", "Ann", "Ann", "Ann", "Ann"]
    assert history["undoes"].tolist() == ["", "", "", str(deleted), str(edited), str(added)]


def test_undo_is_refused_when_the_record_changed_since(workspace: Path) -> None:
    added, movement_id = add_record(workspace, "movements", MOVEMENT, "Ann")
    record = open_workspace(workspace).record("movements", movement_id)
    edit_record(workspace, "movements", record, {**record, "asset": "An-124"}, "Bob")
    with pytest.raises(ConflictError, match=rf"cannot undo change #{added}: .*by Bob"):
        undo(workspace, added, "Ann")


def test_an_edit_of_a_record_changed_since_it_was_read_is_refused(workspace: Path) -> None:
    seen_by_ann = open_workspace(workspace).record("bases", "alpha")
    seen_by_bob = open_workspace(workspace).record("bases", "alpha")
    edit_record(workspace, "bases", seen_by_ann, {**seen_by_ann, "description": "Ann's words"}, "Ann")
    with pytest.raises(ConflictError, match="changed since you opened it"):
        edit_record(workspace, "bases", seen_by_bob, {**seen_by_bob, "description": "Bob's words"}, "Bob")
    assert load_scenario(workspace).bases.loc["alpha", "description"] == "Ann's words"


def test_a_zone_change_with_a_new_polygon(workspace: Path) -> None:
    square = Polygon([(38, 35), (39, 35), (39, 36), (38, 36)])
    zone = {"actor": "blue", "label": "", "valid_from": "2025-03-01", "valid_to": "", "confidence": "claimed",
            "source": "Test", "geometry": square}
    number, zone_id = add_record(workspace, "zones", zone, "Ann")
    assert open_workspace(workspace).record("zones", zone_id)["geometry"].equals(square)
    undo(workspace, number, "Ann")
    assert open_workspace(workspace).record("zones", zone_id) is None
    assert mapping(square)  # geometry survives the JSON history round trip used by undo


def test_changes_need_an_author(workspace: Path) -> None:
    with pytest.raises(WorkspaceError, match="type your name"):
        add_record(workspace, "movements", MOVEMENT, "  ")


def test_a_bad_record_is_refused_with_its_id_and_nothing_saved(workspace: Path) -> None:
    before = workspace.read_bytes()
    with pytest.raises(WorkspaceError, match=r"work.gpkg\[movements\] id m005: date: '2025-02-30' is not a date"):
        add_record(workspace, "movements", {**MOVEMENT, "date": "2025-02-30"}, "Ann")
    assert workspace.read_bytes() == before


SLOW_SAVE = """
import os, sys, time
from pathlib import Path
import pyogrio
from geodata import workspace_store
from geodata.workspace import add_record

def write_then_stall(*args, **kwargs):
    real_write(*args, **kwargs)
    Path(sys.argv[2]).touch()  # tells the test that the new file is half written
    time.sleep(60)

real_write = pyogrio.write_dataframe
workspace_store.pyogrio.write_dataframe = write_then_stall
add_record(Path(sys.argv[1]), "movements", {MOVEMENT!r}, "killed")
"""


def test_a_kill_in_the_middle_of_a_save_leaves_the_last_good_state(workspace: Path, tmp_path: Path) -> None:
    good = workspace.read_bytes()
    marker = tmp_path / "half-written"
    child = subprocess.Popen([sys.executable, "-c", SLOW_SAVE.replace("{MOVEMENT!r}", repr(MOVEMENT)),
                              str(workspace), str(marker)], cwd=ROOT)
    deadline = time.monotonic() + 30
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the child never reached the middle of its save"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert list(tmp_path.glob(".work.gpkg.*.tmp.gpkg"))  # the half-written file it left
    assert workspace.read_bytes() == good
    assert len(load_scenario(workspace).movements) == 4
    add_record(workspace, "movements", MOVEMENT, "Ann")  # the lock died with the child; its leftovers are cleaned
    assert len(load_scenario(workspace).movements) == 5
    assert not list(tmp_path.glob(".work.gpkg.*.tmp.gpkg"))


WRITER = """
import sys
import threading
from pathlib import Path
from geodata.workspace import add_record
for number in range(20):
    add_record(Path(sys.argv[1]), "movements", {**MOVEMENT, "notes": f"{sys.argv[2]} {number}"}, sys.argv[2])
"""


def test_two_concurrent_writers_both_land(workspace: Path) -> None:
    script = WRITER.replace("MOVEMENT", repr(MOVEMENT))
    writers = [subprocess.Popen([sys.executable, "-c", script, str(workspace), name], cwd=ROOT)
               for name in ("Ann", "Bob")]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    notes = set(load_scenario(workspace).movements["notes"])
    assert {f"{name} {n}" for name in ("Ann", "Bob") for n in range(20)} <= notes
    history = open_workspace(workspace).history
    assert sorted(history["change"]) == list(range(1, 41))
    assert (history["author"] == "Ann").sum() == 20


def test_two_browser_sessions_in_one_server_both_land(workspace: Path) -> None:
    """Streamlit runs each session in a thread of one process: the lock must hold between threads too."""
    def session(name: str) -> None:
        for number in range(5):
            add_record(workspace, "movements", {**MOVEMENT, "notes": f"{name} {number}"}, name)

    threads = [threading.Thread(target=session, args=(name,)) for name in ("Ann", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    notes = set(load_scenario(workspace).movements["notes"])
    assert {f"{name} {n}" for name in ("Ann", "Bob") for n in range(5)} <= notes
