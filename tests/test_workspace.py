"""The workspace in both stores (a GeoPackage, a PostGIS schema): create, change, undo, conflicts,
a writer killed mid-save, writers at once, the lock's time-out. Every test runs once per store."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from geodata import BUNDLED, load_scenario
from geodata.workspace import (
    ConflictError,
    add_record,
    changes_of,
    create_workspace,
    delete_record,
    edit_record,
    open_workspace,
    undo,
    update,
)
from geodata.workspace_store import WorkspaceError, store_for
from scenario_files import write_scenario

ROOT = Path(__file__).resolve().parent.parent
MOVEMENT = {"date": "2025-02-01", "origin": "alpha", "destination": "charlie", "mode": "air", "category": "cargo",
            "asset": "Il-76", "quantity": "1", "confidence": "reported", "source": "Test", "notes": ""}
PRESENCE_CSV = ("base,actor,role,from,to,confidence,source,notes\n"
                "alpha,red,holds,2024-06-01,,confirmed,Test source,\n"
                "alpha,blue,present,2025-01-10,2025-02-20,reported,Test source,Advisers\n")
SYSTEMS_CSV = "id,name,kind,range_km,notes,source,confidence\ns400,S-400,air-defence,400,48N6,Test source,reported\n"
AIRSPACE = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"name": "Closed", "closed_to": "red", "valid_from": "2025-01-01",
                                      "valid_to": "", "source": "Test source", "confidence": "reported"},
    "geometry": {"type": "Polygon", "coordinates": [[[30, 36], [35, 36], [35, 40], [30, 40], [30, 36]]]}}]}


def every_movement(scenario) -> list[str]:
    """All movement ids, whether the scenario holds them or leaves them in the database."""
    return list(scenario.movements_in(dt.date(1900, 1, 1), dt.date(2100, 1, 1))["id"])


def label(target: Path | str) -> str:
    return store_for(target).label


def saved_state(target: Path | str) -> tuple:
    """What a refused or killed save must leave as it was."""
    workspace = open_workspace(target)
    return store_for(target).revision(), len(workspace.history), sorted(every_movement(load_scenario(target)))


def test_created_from_the_bundled_scenario_it_loads_the_same(tmp_path: Path, target) -> None:
    place = tmp_path / "bundled.gpkg" if isinstance(target, Path) else target.replace("?schema=", "?schema=b")
    create_workspace(place)
    copy, original = load_scenario(place), load_scenario(BUNDLED)
    assert (len(copy.bases), len(copy.zones)) == (len(original.bases), len(original.zones))
    assert every_movement(copy) == every_movement(original)
    assert copy.meta == original.meta
    notes = copy.movements_in(original.meta.start, original.meta.end)["notes"].tolist()
    assert notes == original.movements_in(original.meta.start, original.meta.end)["notes"].tolist()
    with pytest.raises(WorkspaceError, match="already"):
        create_workspace(place)


def test_an_empty_workspace_loads(tmp_path: Path, target) -> None:
    place = tmp_path / "empty.gpkg" if isinstance(target, Path) else target.replace("?schema=", "?schema=e")
    create_workspace(place, from_scenario=None, title="My theatre")
    scenario = load_scenario(place)
    assert scenario.meta.title == "My theatre" and every_movement(scenario) == []


def test_add_edit_delete_and_undo_each(target) -> None:
    added, movement_id = add_record(target, "movements", MOVEMENT, "Ann")
    assert movement_id == "m005" and movement_id in every_movement(load_scenario(target))  # after m1..m4
    before = open_workspace(target).record("movements", movement_id)
    edited = edit_record(target, "movements", before, {**before, "quantity": "4"}, "Bob")
    quantity = load_scenario(target).movements_in(dt.date(2025, 2, 1), dt.date(2025, 2, 1)).set_index("id")
    assert quantity.loc[movement_id, "quantity"] == 4
    base = open_workspace(target).record("bases", "bravo")
    with pytest.raises(WorkspaceError, match="unknown base id 'bravo'"):
        delete_record(target, "bases", base, "Ann")  # a movement still starts there: refused, nothing saved
    zone = open_workspace(target).record("zones", "z001")
    deleted = delete_record(target, "zones", zone, "Ann")
    assert len(load_scenario(target).zones) == 2
    undo(target, deleted, "Ann")
    assert len(load_scenario(target).zones) == 3
    undo(target, edited, "Ann")
    quantity = load_scenario(target).movements_in(dt.date(2025, 2, 1), dt.date(2025, 2, 1)).set_index("id")
    assert quantity.loc[movement_id, "quantity"] == 1
    undo(target, added, "Ann")
    assert movement_id not in every_movement(load_scenario(target))
    history = open_workspace(target).history
    assert history["author"].tolist() == ["Ann", "Bob", "Ann", "Ann", "Ann", "Ann"]
    assert history["undoes"].tolist() == ["", "", "", str(deleted), str(edited), str(added)]


def test_history_lines_say_which_record(target) -> None:
    add_record(target, "movements", MOVEMENT, "Ann")
    base = open_workspace(target).record("bases", "alpha")
    edit_record(target, "bases", base, {**base, "description": "New words."}, "Ann")
    summaries = open_workspace(target).history["summary"].tolist()
    assert summaries == ["add movement m005 · 2025-02-01 · Il-76 · alpha → charlie",
                         "edit base alpha · Alpha air base"]


def test_undo_is_refused_when_the_record_changed_since(target) -> None:
    added, movement_id = add_record(target, "movements", MOVEMENT, "Ann")
    record = open_workspace(target).record("movements", movement_id)
    edit_record(target, "movements", record, {**record, "asset": "An-124"}, "Bob")
    with pytest.raises(ConflictError, match=rf"cannot undo change #{added}: .*by Bob"):
        undo(target, added, "Ann")


def test_an_edit_of_a_record_changed_since_it_was_read_is_refused(target) -> None:
    seen_by_ann = open_workspace(target).record("bases", "alpha")
    seen_by_bob = open_workspace(target).record("bases", "alpha")
    number = edit_record(target, "bases", seen_by_ann, {**seen_by_ann, "description": "Ann's words"}, "Ann")
    with pytest.raises(ConflictError, match=rf"changed since you opened it \(change #{number} by Ann"):
        edit_record(target, "bases", seen_by_bob, {**seen_by_bob, "description": "Bob's words"}, "Bob")
    assert load_scenario(target).bases.loc["alpha", "description"] == "Ann's words"


def test_a_zone_change_with_a_new_polygon(target) -> None:
    square = Polygon([(38, 35), (39, 35), (39, 36), (38, 36)])
    zone = {"actor": "blue", "label": "", "valid_from": "2025-03-01", "valid_to": "", "confidence": "claimed",
            "source": "Test", "geometry": square}
    number, zone_id = add_record(target, "zones", zone, "Ann")
    assert open_workspace(target).record("zones", zone_id)["geometry"].equals(square)
    kept = changes_of(open_workspace(target), number)  # the history keeps the shape, and undo puts it back
    assert kept[0].after["geometry"].equals(square) and kept[0].before is None
    undo(target, number, "Ann")
    assert open_workspace(target).record("zones", zone_id) is None


def test_changes_need_an_author(target) -> None:
    with pytest.raises(WorkspaceError, match="type your name"):
        add_record(target, "movements", MOVEMENT, "  ")


def test_a_bad_record_is_refused_with_its_id_and_nothing_saved(target) -> None:
    before = saved_state(target)
    where = label(target).replace(".", r"\.")
    with pytest.raises(WorkspaceError, match=rf"{where}\[movements\] id m005: date: '2025-02-30' is not a date"):
        add_record(target, "movements", {**MOVEMENT, "date": "2025-02-30"}, "Ann")
    assert saved_state(target) == before


def test_strings_are_kept_as_written_never_run(target) -> None:
    name = "'); DROP TABLE bases; --"
    base = {"name": name, "country": "Syria\"; DELETE FROM movements; --", "kind": "garrison", "lat": "35.1",
            "lon": "36.2", "operator": "red", "description": "$$ \\ ' \" %s %(x)s", "source": "Test",
            "confidence": "claimed", "id": "x'); DROP TABLE history; --"}
    add_record(target, "bases", base, "O'Brien")
    scenario = load_scenario(target)
    kept = scenario.bases.loc["x'); DROP TABLE history; --"]
    assert (kept["name"], kept["country"], kept["description"]) == (name, base["country"], base["description"])
    assert len(every_movement(scenario)) == 4 and open_workspace(target).history["author"].tolist() == ["O'Brien"]


def test_presence_is_edited_with_history_and_undo(tmp_path: Path, target) -> None:
    folder = write_scenario(tmp_path / "with-presence", presence_csv=PRESENCE_CSV, systems_csv=SYSTEMS_CSV,
                            airspace_geojson=json.dumps(AIRSPACE))
    place = tmp_path / "p.gpkg" if isinstance(target, Path) else target.replace("?schema=", "?schema=p")
    create_workspace(place, from_scenario=folder)
    scenario = load_scenario(place)
    assert len(scenario.systems) == 1 and scenario.systems.loc["s400", "range_km"] == 400
    assert list(scenario.airspace["name"]) == ["Closed"]
    assert scenario.sites_on(dt.date(2025, 2, 1)).loc["alpha", "present"] == ("blue",)
    row = open_workspace(place).record("presence", "p002")
    assert row["notes"] == "Advisers"
    number = edit_record(place, "presence", row, {**row, "to": "2025-01-31"}, "Ann")
    assert load_scenario(place).sites_on(dt.date(2025, 2, 1)).loc["alpha", "present"] == ()
    assert open_workspace(place).history["summary"].iloc[-1] == "edit presence p002 · blue · present · alpha · 2025-01-10"
    undo(place, number, "Ann")
    assert load_scenario(place).sites_on(dt.date(2025, 2, 1)).loc["alpha", "present"] == ("blue",)
    with pytest.raises(WorkspaceError, match=r"presence\] id p003: role: 'owns' is not one of"):
        add_record(place, "presence", {"base": "bravo", "actor": "red", "role": "owns", "from": "2025-01-01",
                                       "to": "", "confidence": "reported", "source": "Test"}, "Ann")


def test_a_workspace_without_presence_reads_as_empty_presence(target) -> None:
    assert open_workspace(target).size("presence") == 0
    scenario = load_scenario(target)
    assert scenario.sites_on(dt.date(2025, 2, 1)).loc["alpha", "holder"] == "red"  # bases.csv's operator
    assert len(scenario.systems) == 0 and len(scenario.airspace) == 0


SLOW_SAVE = """
import sys, time
from pathlib import Path
from geodata import store_gpkg, store_postgis
from geodata.workspace import add_record

def stalled(real):
    def write_then_stall(*args, **kwargs):
        real(*args, **kwargs)
        Path(sys.argv[2]).touch()  # tells the test that the save is half done
        time.sleep(60)
    return write_then_stall

store_gpkg.pyogrio.write_dataframe = stalled(store_gpkg.pyogrio.write_dataframe)
store_postgis.PostgisWriter._write = stalled(store_postgis.PostgisWriter._write)
target = sys.argv[1] if sys.argv[1].startswith("postgresql://") else Path(sys.argv[1])
add_record(target, "movements", MOVEMENT, "killed")
"""


def test_a_kill_in_the_middle_of_a_save_leaves_the_last_good_state(target, tmp_path: Path) -> None:
    good = saved_state(target)
    marker = tmp_path / "half-written"
    child = subprocess.Popen([sys.executable, "-c", SLOW_SAVE.replace("MOVEMENT", repr(MOVEMENT)),
                              str(target), str(marker)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the child never reached the middle of its save"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    if isinstance(target, Path):
        assert list(tmp_path.glob(".work.gpkg.*.tmp.gpkg"))  # the half-written file it left
    assert saved_state(target) == good
    add_record(target, "movements", MOVEMENT, "Ann")  # the lock died with the child; its leftovers are cleaned
    assert len(every_movement(load_scenario(target))) == 5
    assert not list(tmp_path.glob(".work.gpkg.*.tmp.gpkg"))


WRITER = """
import sys
from pathlib import Path
from geodata.workspace import add_record
target = sys.argv[1] if sys.argv[1].startswith("postgresql://") else Path(sys.argv[1])
for number in range(12):
    add_record(target, "movements", {**MOVEMENT, "notes": f"{sys.argv[2]} {number}"}, sys.argv[2])
"""


def test_two_concurrent_writers_both_land(target) -> None:
    script = WRITER.replace("MOVEMENT", repr(MOVEMENT))
    writers = [subprocess.Popen([sys.executable, "-c", script, str(target), name], cwd=ROOT)
               for name in ("Ann", "Bob")]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    notes = set(load_scenario(target).movements_in(dt.date(2025, 2, 1), dt.date(2025, 2, 1))["notes"])
    assert {f"{name} {n}" for name in ("Ann", "Bob") for n in range(12)} <= notes
    history = open_workspace(target).history
    assert sorted(history["change"]) == list(range(1, 25))
    assert (history["author"] == "Ann").sum() == 12


SAME_RECORD = """
import json, sys
from pathlib import Path
from geodata.workspace import ConflictError, edit_record
target = sys.argv[1] if sys.argv[1].startswith("postgresql://") else Path(sys.argv[1])
before = json.loads(sys.argv[3])
try:
    edit_record(target, "bases", before, {**before, "description": sys.argv[2] + "'s words"}, sys.argv[2])
except ConflictError as err:
    print(err)
    sys.exit(3)
"""


def test_two_writers_on_one_record_one_wins_the_other_is_told(target) -> None:
    seen = open_workspace(target).record("bases", "alpha")
    shown = json.dumps({key: value for key, value in seen.items()})
    writers = [subprocess.Popen([sys.executable, "-c", SAME_RECORD, str(target), name, shown], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for name in ("Ann", "Bob")]
    results = sorted((writer.wait(timeout=120), writer.stdout.read()) for writer in writers)
    assert [code for code, _ in results] == [0, 3]
    winner = open_workspace(target).history["author"].tolist()
    assert len(winner) == 1
    assert f"was changed since you opened it (change #1 by {winner[0]}" in results[1][1]
    assert load_scenario(target).bases.loc["alpha", "description"] == f"{winner[0]}'s words"


def test_two_browser_sessions_in_one_server_both_land(target) -> None:
    """Streamlit runs each session in a thread of one process: the lock must hold between threads too."""
    def session(name: str) -> None:
        for number in range(4):
            add_record(target, "movements", {**MOVEMENT, "notes": f"{name} {number}"}, name)

    threads = [threading.Thread(target=session, args=(name,)) for name in ("Ann", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    notes = set(load_scenario(target).movements_in(dt.date(2025, 2, 1), dt.date(2025, 2, 1))["notes"])
    assert {f"{name} {n}" for name in ("Ann", "Bob") for n in range(4)} <= notes


@contextlib.contextmanager
def lock_held(target):
    """Another writer holding the workspace's write lock."""
    store = store_for(target)
    if isinstance(target, Path):
        with open(target.with_name(target.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        return
    with store.connect() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (store.lock_key,))
        yield


def test_a_writer_waits_for_the_lock_then_says_busy(target) -> None:
    before = saved_state(target)
    with lock_held(target):
        started = time.monotonic()
        with pytest.raises(WorkspaceError, match=r"busy: another save has held it for 1 s"):
            update(target, "Ann", "add", lambda workspace: [], timeout=1.0)
        assert time.monotonic() - started >= 0.9  # it waited for the lock before giving up
    assert saved_state(target) == before
    add_record(target, "movements", MOVEMENT, "Ann")  # free again
