"""What an import would do, worked out before anything is written.

A preview says which records would be added (with their new ids), which
already are in the workspace, which actors would be created, and every
problem, in the words of `python -m geodata check`. The same code runs again
under the workspace lock when the import is applied, against the file as it
is then.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geodata.imports.convert import to_records
from geodata.imports.defaults import fill_bases, fill_confidence, fill_zones
from geodata.imports.mapping import Mapping, actor_name_header
from geodata.imports.presence_checks import check_presence_rows
from geodata.imports.sources import Part
from geodata.problems import Problems
from geodata.schema import COLUMNS, MAY_BE_EMPTY
from geodata.validate import (
    check_movement_ends,
    check_order,
    check_references,
    validate_table,
    validate_areas,
)
from geodata.workspace import RecordChange, Workspace, applied, id_maker, is_day, singular
from geodata.workspace_store import columns

# The actor column of records whose unknown actors an import creates; a presence must name a known actor.
_ACTOR_COLUMN = {"bases": "operator", "zones": "actor"}
_DATE_COLUMNS = {"bases": ("active_from", "active_to"), "zones": ("valid_from", "valid_to"),
                 "movements": ("date", "end_date"), "presence": ("from", "to")}
# A presence may start long before the period (a base held since 2015): only these tables' dates widen it.
_PERIOD_TABLES = ("bases", "zones", "movements")
# Colours for created actors, after the d3 "category10" scheme the bundled actors mostly use.
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf")


@dataclass(frozen=True)
class Source:
    """One part of a file, to import into `mapping.table` following `mapping`."""

    part: Part
    mapping: Mapping


@dataclass(frozen=True)
class Preview:
    label: str
    table: str
    mapping: Mapping
    added: pd.DataFrame  # records to add, with their ids; index = row in the file
    duplicates: pd.DataFrame  # rows already in the workspace; `same_as` names the record
    new_actors: pd.DataFrame
    ignored: tuple[str, ...]  # the file's columns that are not imported
    problems: Problems

    def changes(self) -> list[RecordChange]:
        """New actors first, so that the records naming them check out."""
        return [RecordChange(table, r["id"], None, r)
                for table, frame in (("actors", self.new_actors), (self.table, self.added))
                for r in frame.to_dict("records")]


def _number(text: str) -> object:
    try:
        return round(float(text), 3)  # ~100 m: the same place, reported twice
    except ValueError:
        return text


def _shape_key(geometry) -> str:
    if geometry is None:
        return ""
    if geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 1:
        geometry = geometry.geoms[0]  # the workspace stores every zone as a MultiPolygon
    return shapely.normalize(shapely.set_precision(geometry, 1e-7)).wkb_hex


def _key(record: dict, table: str) -> tuple:
    """What makes two records the same report, whatever their ids and sources."""
    if table == "bases":
        return record["name"].casefold(), _number(record["lat"]), _number(record["lon"])
    if table == "zones":
        return record["actor"], record["valid_from"], record["valid_to"], _shape_key(record["geometry"])
    if table == "presence":
        return record["base"], record["actor"], record["role"], record["from"], record["to"]
    ends = tuple(record[end] or (_number(record[f"{end}_lat"]), _number(record[f"{end}_lon"]))
                 for end in ("origin", "destination"))
    return (record["date"], record["end_date"], *ends, record["category"], record["asset"].casefold(),
            record["quantity"])


def _readable(value: str) -> str:
    """An actor id such as 'rus_mod' as a name ('Rus Mod'); a value that reads as a name is kept."""
    return value.replace("_", " ").replace("-", " ").title() if re.fullmatch(r"[a-z0-9_.\-]+", value) else value


def _resolve_actors(records: pd.DataFrame, table: str, workspace: Workspace, names: pd.Series | None, label: str,
                    problems: Problems) -> pd.DataFrame:
    """Actor names become ids; names the workspace lacks become new actors, with a warning.

    A new actor is named from the file's actor-name column (`names`) where it has one, else
    from its id made readable, and the warning says which.
    """
    column = _ACTOR_COLUMN.get(table)
    actors = workspace.tables["actors"]
    new: dict[str, dict] = {}
    if column is None:
        return pd.DataFrame(new.values(), columns=columns("actors"))
    known = set(actors["id"])
    by_name = {str(name).casefold(): actor_id for actor_id, name in zip(actors["id"], actors["name"], strict=True)}
    fresh = id_maker(workspace, "actors")
    for row, value in records[column].items():
        if value == "" or value in known:
            continue
        if value.casefold() not in by_name:
            actor_id = fresh(value)
            color = _PALETTE[(len(actors) + len(new)) % len(_PALETTE)]
            given = str(names[row]).strip() if names is not None else ""
            name = given or _readable(value)
            new[value.casefold()] = {"id": actor_id, "name": name, "color": color}
            by_name[value.casefold()] = actor_id
            named = f"named {name!r} from the file" if given else (
                f"named {name!r} (rename it in the workspace)" if name != value else "")
            problems.warn(label, int(row), column, f"actor {value!r} is not in the workspace; created as {actor_id!r}"
                          + (f", {named}" if named else ""))
        records.at[row, column] = by_name[value.casefold()]
    return pd.DataFrame(new.values(), columns=columns("actors"))


def _resolve_names(records: pd.DataFrame, table: str, workspace: Workspace) -> None:
    """Bases and actors given by their name (any case) rather than their id get their id.

    Actors that an import creates were resolved with them (`_resolve_actors`).
    """
    for spec in COLUMNS[table]:
        if not spec.refers_to or spec.name == _ACTOR_COLUMN.get(table):
            continue
        named = workspace.tables[spec.refers_to]
        by_name = {str(name).casefold(): record_id
                   for record_id, name in zip(named["id"], named["name"], strict=True)}
        names = records[spec.name].str.casefold()
        found = ~records[spec.name].isin(set(named["id"])) & names.isin(by_name.keys())
        records.loc[found, spec.name] = names[found].map(by_name)


def _same_as(records: pd.DataFrame, table: str, workspace: Workspace, label: str, problems: Problems) -> pd.Series:
    """The id of the workspace record each row repeats, or ''; an id taken by another record is a problem."""
    existing = workspace.tables[table]
    existing_rows = existing.to_dict("records")
    by_key = {_key(record, table): record["id"] for record in existing_rows}
    by_id = {record["id"]: _key(record, table) for record in existing_rows}
    same = pd.Series("", index=records.index, dtype=object)
    for row, record in zip(records.index, records.to_dict("records"), strict=True):
        key = _key(record, table)
        if record["id"] in by_id:
            if by_id[record["id"]] == key:
                same[row] = record["id"]
            else:
                problems.error(label, int(row), "id", f"{record['id']!r} is already the id of another record in "
                               "the workspace; give this row another id or leave it empty")
        elif key in by_key:
            same[row] = by_key[key]
    return same


def _unfilled(records: pd.DataFrame, mapping: Mapping) -> list[str]:
    """Required columns that no column of the file fills: reported once as missing, not once per row."""
    may_be_empty = MAY_BE_EMPTY.get(mapping.table, set())
    return [spec.name for spec in COLUMNS[mapping.table]
            if spec.required and spec.name not in may_be_empty and spec.name not in mapping.columns
            and (records[spec.name] == "").all()]


def _validate(records: pd.DataFrame, mapping: Mapping, workspace: Workspace, new_actors: pd.DataFrame, label: str,
              problems: Problems) -> pd.DataFrame:
    """The checks `geodata check` makes, on the new records against the workspace; repaired zones returned."""
    table = mapping.table
    if not len(records):
        return records
    attributes = pd.DataFrame(records.drop(columns=["geometry", *_unfilled(records, mapping)], errors="ignore"))
    if table == "zones":
        typed = validate_areas(gpd.GeoDataFrame(attributes, geometry=records.geometry.values, crs=records.crs),
                               "zones", label, problems)
    else:
        typed = validate_table(attributes, table, label, problems)
    if typed is None:
        return records
    known = {"actors": set(workspace.tables["actors"]["id"]) | set(new_actors["id"]),
             "bases": set(workspace.tables["bases"]["id"])}
    for spec in COLUMNS[table]:
        if spec.refers_to:
            check_references(typed[spec.name], known[spec.refers_to], singular(spec.refers_to), label, problems)
    first, last = _DATE_COLUMNS[table]
    check_order(typed[first], typed[last], label, problems)
    if table == "movements":
        check_movement_ends(typed, label, problems)
    if table == "presence":
        check_presence_rows(typed, workspace, label, problems)
    if table == "zones":
        records = records.set_geometry(typed.geometry.values, crs=records.crs)
    return records


def _fill_defaults(records: pd.DataFrame, table: str, workspace: Workspace, label: str, problems: Problems) -> None:
    if table == "bases":
        fill_bases(records, label, problems)
    elif table in ("movements", "presence"):
        fill_confidence(records, label, problems)
    else:
        scenario = workspace.tables["scenario"].iloc[0]
        fill_zones(records, (str(scenario["start"]), str(scenario["end"])), label, problems)


def preview(source: Source, workspace: Workspace, today: dt.date) -> Preview:
    part, mapping = source.part, source.mapping
    table, label, problems = mapping.table, part.label, Problems()
    empty = pd.DataFrame(columns=columns(table))
    headers = [str(c) for c in part.frame.columns if c != "geometry"]
    name_header = actor_name_header(headers) if table in _ACTOR_COLUMN else None
    ignored = tuple(header for header in mapping.ignored(headers) if header != name_header)
    if table == "zones" and not isinstance(part.frame, gpd.GeoDataFrame):
        problems.error(label, None, "-", "zones need polygons: import them from GeoJSON, GeoPackage, KML/KMZ or "
                       "a zipped shapefile")
        return Preview(label, table, mapping, empty, empty, pd.DataFrame(columns=columns("actors")), ignored,
                       problems)
    file_name = label.split("[")[0]
    records = to_records(part, mapping, f"{file_name}, imported {today.isoformat()}", problems)
    _fill_defaults(records, table, workspace, label, problems)
    names = part.frame[name_header].astype(str) if name_header else None
    new_actors = _resolve_actors(records, table, workspace, names, label, problems)
    _resolve_names(records, table, workspace)
    same = _same_as(records, table, workspace, label, problems)
    added = records[same == ""].copy()
    fresh = id_maker(workspace, table)
    for row in added.index[added["id"] == ""]:
        added.at[row, "id"] = fresh(added.at[row, "name"] if "name" in added.columns else "")
    added = _validate(added, mapping, workspace, new_actors, label, problems)
    used = set(added.get("operator", [])) | set(added.get("actor", []))
    new_actors = new_actors[new_actors["id"].isin(used)]  # an actor named only by duplicates is not needed
    if not len(records):
        problems.warn(label, None, "-", "holds no records")
    return Preview(label, table, mapping, added, records[same != ""].assign(same_as=same[same != ""]),
                   new_actors, ignored, problems)


@dataclass(frozen=True)
class ImportPlan:
    previews: tuple[Preview, ...]
    period: RecordChange | None  # the scenario period, widened to cover the new records' dates

    @property
    def refused(self) -> bool:
        return any(p.problems.errors for p in self.previews)

    @property
    def added(self) -> int:
        return sum(len(p.added) for p in self.previews)

    def changes(self) -> list[RecordChange]:
        changes = [change for p in self.previews for change in p.changes()]
        return changes + ([self.period] if self.period and changes else [])

    def lines(self) -> list[str]:
        """A summary per file, then every problem as `file:row: field: message`."""
        lines = []
        for p in self.previews:
            created = f", {len(p.new_actors)} new actors" if len(p.new_actors) else ""
            lines.append(f"{p.label}: {p.table}: {len(p.added):,} to add, {len(p.duplicates):,} already in the "
                         f"workspace{created}")
            pairs = ", ".join(f"{theirs}→{ours}" for ours, theirs in p.mapping.columns.items() if theirs != ours)
            if pairs:
                lines.append(f"{p.label}: mapping: {pairs}")
            if p.ignored:
                lines.append(f"{p.label}: not imported: {', '.join(p.ignored)}")
        if self.period:
            lines.append(f"scenario period: {self.period.after['start']} to {self.period.after['end']} "
                         "(widened to cover the new records)")
        return lines + [line for p in self.previews for line in p.problems.lines()]


def _period(workspace: Workspace, previews: list[Preview]) -> RecordChange | None:
    days = sorted(day for p in previews if p.table in _PERIOD_TABLES for column in _DATE_COLUMNS[p.table]
                  for day in p.added[column] if is_day(day))
    if not days:
        return None
    scenario = workspace.tables["scenario"].iloc[0].to_dict()
    if all(len(workspace.tables[t]) == 0 for t in ("bases", "zones", "movements")):
        start, end = days[0], days[-1]  # a new workspace spans its data
    else:
        start, end = min(days[0], scenario["start"]), max(days[-1], scenario["end"])
    if (start, end) == (scenario["start"], scenario["end"]):
        return None
    return RecordChange("scenario", "scenario", scenario, {**scenario, "start": start, "end": end})


def plan_import(sources: list[Source], workspace: Workspace, today: dt.date | None = None) -> ImportPlan:
    """Previews of `sources` in order, each seeing what the ones before it would add."""
    today = today or dt.date.today()
    previews, current = [], workspace
    for source in sources:
        # Each file is checked against the period the files before it widened (a presence in new months).
        period = _period(workspace, previews)
        result = preview(source, applied(current, [period]) if period else current, today)
        previews.append(result)
        if not result.problems.errors:
            current = applied(current, result.changes())
    return ImportPlan(tuple(previews), _period(workspace, previews))
