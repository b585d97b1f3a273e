"""Changing a workspace from the dashboard: import a file, add, edit or delete a record, undo a change.

Every write goes through geodata.workspace, which works on the workspace as it
is while holding the write lock, so two browser sessions' changes both land;
ui/follow.py shows each session the others' changes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely
import streamlit as st
from shapely.geometry import shape

from geodata.dburl import is_database_url, masked
from geodata.imports.apply import import_into, preview_import
from geodata.imports.infer import infer_table
from geodata.imports.mapping import TARGETS, Mapping, load_mapping, mapping_json, propose
from geodata.imports.preview import ImportPlan, Source
from geodata.imports.sources import MAX_FILE_BYTES, SUFFIXES, Part, read_bytes
from geodata.problems import Problems
from geodata.readers import is_polygonal
from geodata.schema import BASE_KINDS, CATEGORIES, CONFIDENCES, MODES, ROLES
from geodata.workspace import (
    Target,
    Workspace,
    add_record,
    add_zone_change,
    delete_record,
    describe,
    edit_record,
    open_workspace,
    target_of,
    undo,
)
from geodata.workspace_store import WorkspaceError, columns

EDIT_TABLES = ("movements", "bases", "zones", "presence")
TABS = ("Import a file", "Add", "Edit or delete", "History")
HISTORY_SHOWN = 50
LISTED = 500  # records offered in the edit list; a bigger table is searched by id
LOG = logging.getLogger("footprint.workspace")
IMPORT_LIMIT = 200_000  # records a table may hold for imports from the browser: duplicates are found in memory
PANEL_KEY = "workspace_panel"  # the panel's expander: open or closed, kept by the session
NOTICE_KEY = "workspace_notice"
_AUTHOR = "workspace_author"
_TAB = "workspace_tab"


@dataclass(frozen=True)
class Notice:
    """What a session's last attempt at a change came to, said at the top of the panel until its next one."""

    text: str
    kind: str = "success"  # or "warning", "error": nothing was saved
    detail: str = ""  # the reasons, one per line


_SHOW = {"success": st.success, "warning": st.warning, "error": st.error}


def shown(target: Target) -> str:
    return masked(str(target)) if is_database_url(str(target)) else Path(target).name


def workspace_expander(target: Target) -> None:
    """The panel in an expander that the session keeps open across reruns, whatever reruns them (another
    session's change, a poll); its content runs only while it is open, so idle sessions skip it."""
    expander = st.expander("Workspace: import files, add, edit or delete records, history and undo",
                           key=PANEL_KEY, on_change="rerun")
    if expander.open:
        with expander:
            workspace_panel(target)


def workspace_panel(target: Target) -> None:
    """The whole panel for the workspace at `target` (a .gpkg path or a postgresql:// address)."""
    target = target_of(target)
    # What this session's last attempt at a change came to stays said until its next attempt: a rerun
    # that another session's change starts right after must not take the confirmation, or the reason
    # nothing was saved, away.
    if notice := st.session_state.get(NOTICE_KEY):
        _SHOW[notice.kind](notice.text)
        if notice.detail:
            st.code(notice.detail, language=None)
    # The session's own name is the default: a busy server can send this box to a browser that draws it
    # afresh, which would otherwise report an empty name as the analyst's choice (seen with thirty sessions
    # on two cores: "Type your name" after the name was typed).
    st.text_input("Your name", value=st.session_state.get(_AUTHOR, ""), key=_AUTHOR,
                  help="Recorded with each change you make in this session.")
    try:
        workspace = open_workspace(target)
    except (OSError, WorkspaceError) as err:
        st.error(f"{shown(target)} cannot be opened as a workspace: {err}")
        return
    # A key keeps the tab across the rerun after a save; only the open tab's content runs. No `default`:
    # Streamlit makes it part of the tabs' identity, and a click on tabs drawn before a rerun that changed
    # their identity names tabs the server has forgotten, so it is lost (the load benchmark's Add tab).
    tabs = dict(zip(TABS, st.tabs(TABS, key=_TAB, on_change="rerun"), strict=True))
    parts = {"Import a file": _import_tab, "Add": _add_tab, "Edit or delete": _edit_tab, "History": _history_tab}
    for label, tab in tabs.items():
        if tab.open:
            with tab:
                parts[label](target, workspace)


def _author() -> str:
    return str(st.session_state.get(_AUTHOR, "")).strip()


def _write(action: Callable[[], object], done: Callable[[object], str]) -> None:
    """Run a write; the panel then says what it came to: saved, or why nothing was.

    Called back by its button, before the script runs: a click counts for one run only, and a later rerun
    request (another widget, another session's change) stops that run wherever it is, so a write left to
    the panel's own code, drawn last, was lost when the run stopped before reaching it (load run 25).
    The run that follows the callback draws the page with the change."""
    if not _author():
        notice = Notice("Type your name at the top first: each change records who made it.", "warning")
        LOG.warning("refused a change without a name")
    else:
        try:
            notice = Notice(done(action()))
        except WorkspaceError as err:
            notice = Notice("Nothing was saved:", "error", "\n".join(err.lines))
            # The server's log says it too, as for a missing name: whoever runs a team's dashboards can see
            # why a save was refused.
            # As repr: a reason may quote a file's text, whose line breaks must not forge log lines.
            LOG.warning("refused a change by %r: %r", _author(), err.lines)
    st.session_state[NOTICE_KEY] = notice


def _lines(problems: Problems) -> str:
    return "\n".join(problems.lines())


# Import -------------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read_upload(name: str, data: bytes) -> tuple[list[Part], Problems]:
    problems = Problems()
    return read_bytes(name, data, problems), problems


def _import_tab(target: Target, workspace: Workspace) -> None:
    upload = st.file_uploader("File to import", type=[suffix[1:] for suffix in SUFFIXES], key="import_file",
                              help="CSV, Excel or a GeoPackage table without shapes: bases, movements or presence. "
                                   "GeoJSON, GeoPackage, KML/KMZ or a zipped shapefile: bases or zones. "
                                   f"At most {MAX_FILE_BYTES >> 20} MB.")
    if upload is None:
        return
    if upload.size > MAX_FILE_BYTES:
        st.error(f"{upload.name} is larger than the {MAX_FILE_BYTES >> 20} MB import limit.")
        return
    parts, problems = _read_upload(upload.name, upload.getvalue())
    if problems.errors or not parts:
        st.error("This file cannot be imported; nothing was saved.")
        st.code(_lines(problems), language=None)
        return
    labels = [part.label for part in parts]
    chosen = labels[0] if len(parts) == 1 else st.selectbox("Layer", labels, key="import_layer")
    part = parts[labels.index(chosen)]
    inferred = infer_table(part)
    table = st.radio("It holds", TARGETS, index=TARGETS.index(inferred) if inferred else None,
                     horizontal=True, key=f"import_table:{part.label}", help="Guessed from the geometry or the columns.")
    if table is None:
        st.info("Say what the file holds: its geometry and columns do not tell.")
        return
    if workspace.size(table) > IMPORT_LIMIT:
        st.info(f"This workspace holds more than {IMPORT_LIMIT:,} {table}: import into it from the command line, "
                f"`python -m geodata import FILE --into WORKSPACE`, which finds duplicates with the memory it needs.")
        return
    mapping = _mapping_editor(part, table)
    source = Source(part, mapping)
    plan = preview_import(target, [source])
    _show_preview(plan)
    st.button(f"Import {plan.added:,} records", type="primary", disabled=plan.refused or not plan.added,
              key="import_go", on_click=_write,
              args=(lambda: import_into(target, [source], _author()),
                    lambda result: f"Imported {result[1].added:,} records from {part.label} (change #{result[0]})."))


def _mapping_editor(part: Part, table: str) -> Mapping:
    """Their column (or one value) for each of ours, proposed from the headers and editable."""
    headers = [str(c) for c in part.frame.columns if c != "geometry"]
    saved = st.file_uploader("Reuse a saved mapping", type=["json"], key="import_mapping")
    problems = Problems()
    loaded = load_mapping(saved.getvalue().decode("utf-8", "replace"), saved.name, problems) if saved else None
    if problems.errors:
        st.error(_lines(problems))
    start = loaded if loaded and loaded.table == table else propose(table, headers)
    ours = [name for name in columns(table) if name != "id" or "id" in start.columns]
    rows = pd.DataFrame({"column": ours,
                         "from their column": [start.columns.get(name, "") for name in ours],
                         "or this value for every row without one": [start.defaults.get(name, "") for name in ours]})
    edited = st.data_editor(
        rows, hide_index=True, width="stretch", key=f"import_mapping:{part.label}:{table}:{saved and saved.file_id}",
        column_config={"column": st.column_config.TextColumn(disabled=True),
                       "from their column": st.column_config.SelectboxColumn(options=["", *headers])})
    mapping = Mapping(
        table,
        {r["column"]: r["from their column"] for r in edited.to_dict("records") if r["from their column"]},
        {r["column"]: str(r["or this value for every row without one"]).strip()
         for r in edited.to_dict("records") if str(r["or this value for every row without one"] or "").strip()})
    st.download_button("Save this mapping", mapping_json(mapping), f"{table}-mapping.json", "application/json",
                       key="import_save_mapping")
    return mapping


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


def _show_preview(plan: ImportPlan) -> None:
    preview = plan.previews[0]
    added, duplicates, actors = st.columns(3)
    added.metric("To add", f"{len(preview.added):,}")
    duplicates.metric("Already in the workspace", f"{len(preview.duplicates):,}")
    actors.metric("New actors", f"{len(preview.new_actors):,}")
    if preview.problems.errors:
        st.error("Fix these before importing (row numbers are the file's):")
    elif preview.problems.items:
        st.warning("Please check:")
    if preview.problems.items:
        st.code(_lines(preview.problems), language=None)
    if len(preview.added):
        st.dataframe(_shown(preview.added), height=220, key="import_added")
    if len(preview.duplicates):
        with st.expander(f"{len(preview.duplicates):,} rows already in the workspace (not imported)"):
            st.dataframe(_shown(preview.duplicates), height=220, key="import_duplicates")
    if plan.period:
        st.caption(f"The scenario period widens to {plan.period.after['start']} – {plan.period.after['end']}.")


# Add ----------------------------------------------------------------------------------------------------------


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _point(text: str) -> tuple[str, str]:
    """'lat, lon' as two texts; anything else is passed on for the validator to name."""
    lat, _, lon = text.partition(",")
    return lat.strip(), lon.strip()


def _names(workspace: Workspace, table: str) -> dict[str, str]:
    frame = workspace.tables[table]
    return dict(zip(frame["id"], frame["name"], strict=True))


def _text(key: str) -> str:
    """What a form's box or list holds now, read in its submit button's callback."""
    return str(st.session_state.get(key) or "")


def _date(key: str) -> str:
    return _day(st.session_state.get(key))


def _submit(label: str, write: Callable[[], object], done: Callable[[object], str]) -> None:
    st.form_submit_button(label, type="primary", on_click=_write, args=(write, done))


def _add_tab(target: Target, workspace: Workspace) -> None:
    kind = st.radio("Add a", ("movement", "base", "zone change", "presence"), horizontal=True, key="add_kind")
    {"movement": _movement_form, "base": _base_form, "zone change": _zone_form,
     "presence": _presence_form}[kind](target, workspace)


def _end(label: str, bases: dict[str, str], key: str) -> None:
    left, right = st.columns(2)
    left.selectbox(label, ["", *bases], format_func=lambda b: bases.get(b, "—"), key=f"{key}_base")
    right.text_input("or lat, lon", key=f"{key}_point", placeholder="35.41, 35.95")


def _end_values(key: str, field: str) -> dict[str, str]:
    lat, lon = _point(_text(f"{key}_point"))
    return {field: _text(f"{key}_base"), f"{field}_lat": lat, f"{field}_lon": lon}


def _added(table: str) -> Callable[[tuple[int, str]], str]:
    return lambda result: f"Added {table} {result[1]} (change #{result[0]})."


def _movement_form(target: Target, workspace: Workspace) -> None:
    bases = _names(workspace, "bases")
    with st.form("add_movement"):
        first, last = st.columns(2)
        first.date_input("Date", key="movement_date")
        last.date_input("Until (optional)", value=None, key="movement_end")
        _end("From base", bases, "movement_origin")
        _end("To base", bases, "movement_destination")
        mode, category = st.columns(2)
        mode.selectbox("Mode", MODES, key="movement_mode")
        category.selectbox("Category", CATEGORIES, key="movement_category")
        st.text_input("Asset", key="movement_asset")
        st.text_input("Quantity (optional)", key="movement_quantity")
        st.selectbox("Confidence", CONFIDENCES, index=1, key="movement_confidence")
        st.text_input("Source", key="movement_source", help="Who reported it, when; a URL helps.")
        st.text_area("Notes", key="movement_notes")
        _submit("Add movement", lambda: add_record(target, "movements", _movement_values(), _author()),
                _added("movement"))


def _movement_values() -> dict[str, str]:
    return {"date": _date("movement_date"), "end_date": _date("movement_end"),
            **_end_values("movement_origin", "origin"), **_end_values("movement_destination", "destination"),
            **{name: _text(f"movement_{name}")
               for name in ("mode", "category", "asset", "quantity", "confidence", "source", "notes")}}


def _base_form(target: Target, workspace: Workspace) -> None:
    actors = _names(workspace, "actors")
    with st.form("add_base"):
        name, country = st.columns(2)
        st.text_input("Lat, lon", key="base_point", placeholder="35.41, 35.95")
        first, last = st.columns(2)
        name.text_input("Name", key="base_name")
        country.text_input("Country", key="base_country")
        st.selectbox("Kind", BASE_KINDS, key="base_kind")
        st.selectbox("Operator", list(actors), format_func=actors.get, key="base_operator")
        st.text_area("Description", key="base_description")
        st.text_input("Source", key="base_source")
        st.selectbox("Confidence", CONFIDENCES, index=1, key="base_confidence")
        first.date_input("Active from (optional)", value=None, key="base_from")
        last.date_input("Active to (optional)", value=None, key="base_to")
        _submit("Add base", lambda: add_record(target, "bases", _base_values(), _author()), _added("base"))


def _base_values() -> dict[str, str]:
    lat, lon = _point(_text("base_point"))
    return {"lat": lat, "lon": lon, "active_from": _date("base_from"), "active_to": _date("base_to"),
            **{name: _text(f"base_{name}")
               for name in ("name", "country", "kind", "operator", "description", "source", "confidence")}}


def _presence_form(target: Target, workspace: Workspace) -> None:
    bases, actors = _names(workspace, "bases"), _names(workspace, "actors")
    with st.form("add_presence"):
        base, actor = st.columns(2)
        first, last = st.columns(2)
        base.selectbox("Base", list(bases), format_func=bases.get, key="presence_base")
        actor.selectbox("Actor", list(actors), format_func=actors.get, key="presence_actor")
        st.radio("Role", ROLES, horizontal=True, key="presence_role",
                 help="holds: controls the site; present: another actor's forces are there")
        first.date_input("From", key="presence_from")
        last.date_input("To (optional)", value=None, key="presence_to")
        st.selectbox("Confidence", CONFIDENCES, index=1, key="presence_confidence")
        st.text_input("Source", key="presence_source")
        st.text_area("Notes", key="presence_notes")
        _submit("Add presence", lambda: add_record(target, "presence", _presence_values(), _author()),
                _added("presence"))


def _presence_values() -> dict[str, str]:
    return {"from": _date("presence_from"), "to": _date("presence_to"),
            **{name: _text(f"presence_{name}") for name in ("base", "actor", "role", "confidence", "source", "notes")}}


def _polygon(text: str):
    """The polygon in pasted or uploaded GeoJSON (a geometry, a feature or a collection), or None."""
    try:
        doc = json.loads(text)
        features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
        shapes = [shape(f.get("geometry") if f.get("type") == "Feature" else f) for f in features]
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    merged = shapely.union_all(shapes) if shapes else None
    return merged if merged is not None and is_polygonal(merged) else None


def _zone_form(target: Target, workspace: Workspace) -> None:
    actors = _names(workspace, "actors")
    with st.form("add_zone"):
        st.selectbox("Actor", list(actors), format_func=actors.get, key="zone_actor")
        first, last = st.columns(2)
        first.date_input("In force from", key="zone_from")
        last.date_input("Last day (optional)", value=None, key="zone_to")
        st.file_uploader("Polygon as GeoJSON", type=["geojson", "json"], key="zone_file")
        st.text_area("or paste GeoJSON", key="zone_text", placeholder='{"type": "Polygon", ...}')
        st.text_input("Label", key="zone_label")
        st.selectbox("Confidence", CONFIDENCES, index=1, key="zone_confidence")
        st.text_input("Source", key="zone_source")
        st.checkbox("End this actor's shapes in force that day (on the day before)", value=True,
                    key="zone_end_current")
        _submit("Add zone change", lambda: _add_zone(target), _added("zone"))


def _add_zone(target: Target) -> tuple[int, str]:
    upload = st.session_state.get("zone_file")
    geometry = _polygon(upload.getvalue().decode("utf-8", "replace") if upload else _text("zone_text"))
    if geometry is None:
        raise WorkspaceError(["Give one Polygon or MultiPolygon in GeoJSON (WGS84 longitude/latitude)."])
    values = {"valid_from": _date("zone_from"), "valid_to": _date("zone_to"), "geometry": geometry,
              **{name: _text(f"zone_{name}") for name in ("actor", "label", "confidence", "source")}}
    return add_zone_change(target, values, _author(), bool(st.session_state.get("zone_end_current")))


# Edit and delete ----------------------------------------------------------------------------------------------


def _records(workspace: Workspace, table: str) -> dict[str, dict]:
    """The records offered in the list: all of a small table, the newest LISTED of a large one, and the one
    asked for by id."""
    records = {r["id"]: r for r in workspace.newest(table, LISTED).to_dict("records")}
    if workspace.size(table) > LISTED:
        wanted = st.text_input(f"Find a record by id (the list holds the newest {LISTED})",
                               key=f"edit_find:{table}").strip()
        found = workspace.record(table, wanted) if wanted else None
        if wanted and found is None:
            st.warning(f"No {table} record has the id {wanted!r}.")
        elif found is not None:
            records = {wanted: found, **records}
    return records


def _edit_tab(target: Target, workspace: Workspace) -> None:
    table = st.radio("Table", EDIT_TABLES, horizontal=True, key="edit_table")
    records = _records(workspace, table)
    if not records:
        st.info(f"No {table} yet.")
        return
    record_id = st.selectbox("Record", list(records), format_func=lambda i: describe(table, records[i]),
                             key=f"edit_pick:{table}")
    # What the analyst was shown is kept, so a save can tell whether someone changed the record meanwhile.
    shown_key = f"edit_shown:{table}:{record_id}"
    before = st.session_state.setdefault(shown_key, records[record_id])
    if before is not records[record_id] and not _same_text(before, records[record_id]):
        st.warning("Someone changed this record since you opened it; saving will be refused until you reload it.")
        if st.button("Reload it", key="edit_reload"):
            st.session_state.pop(shown_key)
            st.rerun()
    with st.form(f"edit:{table}:{record_id}"):
        keys = {name: f"edit:{table}:{record_id}:{name}" for name in columns(table) if name != "id"}
        for name, key in keys.items():
            st.text_input(name, value=str(before.get(name, "")), key=key)
        save, delete = st.columns(2)
        save.form_submit_button("Save changes", type="primary", on_click=_write, args=(
            lambda: _save_edit(target, table, shown_key, keys),
            lambda number: f"Saved {table} record {record_id} (change #{number})."))
        delete.form_submit_button("Delete this record", on_click=_write, args=(
            lambda: delete_record(target, table, st.session_state.pop(shown_key), _author()),
            lambda number: f"Deleted {table} record {record_id} (change #{number}); undo it under History."))


def _save_edit(target: Target, table: str, shown_key: str, keys: dict[str, str]) -> int:
    """Save the form's boxes over the record as it was shown (a change made since then is refused)."""
    before = st.session_state.pop(shown_key)
    return edit_record(target, table, before, {**before, **{name: _text(key) for name, key in keys.items()}},
                       _author())


def _same_text(first: dict, second: dict) -> bool:
    return all(str(first.get(k, "")) == str(second.get(k, "")) for k in first.keys() | second.keys()
               if k != "geometry")


# History ------------------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Text from records, shown as written: Markdown in it is not followed (no links, no images)."""
    return re.sub(r"([\\`*_{}\[\]()#!|<>~$:])", r"\\\1", str(text))


def _history_tab(target: Target, workspace: Workspace) -> None:
    recent = workspace.recent_changes(HISTORY_SHOWN)
    if not len(recent):
        st.info("No changes yet.")
        return
    for row in recent.to_dict("records"):
        number, undone_by = int(row["change"]), row["undone_by"]
        undone = undone_by is not None and not pd.isna(undone_by)
        what, button = st.columns([5, 1])
        status = f" — undone by #{int(undone_by)}" if undone else ""
        what.markdown(f"**#{number}** {_plain(row['summary'])}{status}  \n{_plain(row['author'])}, {row['at']}")
        button.button("Undo", key=f"undo:{number}", disabled=undone, on_click=_write,
                      args=(lambda n=number: undo(target, n, _author()),
                            lambda new, n=number: f"Undid change #{n} (as change #{new})."))
