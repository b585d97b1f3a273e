"""Match the columns of a file to the scenario format, and keep a confirmed match for reuse.

The importer proposes a mapping from the headers it sees (our own names,
common synonyms, ACLED and kepler.gl exports); the analyst confirms or
changes it, and may save it as JSON to import the next file of that kind.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Final

from geodata.problems import Problems
from geodata.workspace_store import columns

_SOURCE = ("source", "sources", "reference", "references", "citation", "url", "link")
_CONFIDENCE = ("confidence", "certainty", "reliability")

# Our column -> the header names it is recognised by, best first (compared lowercased, '_' for spaces).
ALIASES: Final = {
    "bases": {
        "id": ("id", "base_id", "event_id_cnty", "identifier", "uid"),
        "name": ("name", "base_name", "title", "location", "placename", "site"),
        "country": ("country", "country_name", "admin0", "nation"),
        "kind": ("kind", "type", "base_type", "facility_type"),
        "lat": ("lat", "latitude", "y", "lat_dd", "point_y"),
        "lon": ("lon", "longitude", "lng", "long", "x", "lon_dd", "point_x"),
        "operator": ("operator", "actor", "actor1", "owner", "force"),
        "description": ("description", "notes", "note", "comment", "comments", "details"),
        "source": _SOURCE,
        "confidence": _CONFIDENCE,
        "active_from": ("active_from", "from", "since", "opened", "start", "start_date", "begin", "event_date", "date"),
        "active_to": ("active_to", "to", "until", "closed", "end", "end_date"),
    },
    "movements": {
        "id": ("id", "movement_id", "event_id_cnty", "uid"),
        "date": ("date", "event_date", "start_date", "begin", "timestamp", "day"),
        "end_date": ("end_date", "until", "date_end", "end", "arrival_date"),
        # A movement goes from a place to a place: in this table "from" and "to" are its ends, not dates.
        "origin": ("origin", "from_base", "origin_base", "source_base", "from", "origin_id"),
        "destination": ("destination", "to_base", "destination_base", "target_base", "dest", "to", "destination_id"),
        "origin_lat": ("origin_lat", "source_lat", "from_lat", "start_lat", "lat_from", "origin_latitude", "lat1"),
        "origin_lon": ("origin_lon", "source_lng", "source_lon", "from_lon", "from_lng", "start_lng", "start_lon",
                       "lon_from", "origin_lng", "origin_longitude", "lon1", "lng1"),
        # A single-point event (ACLED) is where something arrived or was seen.
        "destination_lat": ("destination_lat", "target_lat", "dest_lat", "to_lat", "end_lat", "lat_to",
                            "destination_latitude", "lat2", "latitude", "lat"),
        "destination_lon": ("destination_lon", "target_lng", "target_lon", "dest_lon", "dest_lng", "to_lon",
                            "to_lng", "end_lng", "end_lon", "lon_to", "destination_lng", "destination_longitude",
                            "lon2", "lng2", "longitude", "lon", "lng"),
        "mode": ("mode", "transport", "transport_mode", "domain"),
        "category": ("category", "type", "asset_type", "unit_type"),
        "asset": ("asset", "assets", "equipment", "unit", "platform", "aircraft", "vessel", "what"),
        "quantity": ("quantity", "qty", "count", "number", "amount"),
        "confidence": _CONFIDENCE,
        "source": _SOURCE,
        "notes": ("notes", "note", "description", "comment", "comments", "details"),
    },
    "zones": {
        "id": ("id", "zone_id", "uid"),
        "actor": ("actor", "controlled_by", "control", "faction", "owner", "operator", "actor1", "party", "side"),
        "label": ("label", "name", "title", "description"),
        "valid_from": ("valid_from", "from", "start", "start_date", "begin", "since", "date", "event_date",
                       "timestamp"),
        "valid_to": ("valid_to", "to", "end", "end_date", "until"),
        "confidence": _CONFIDENCE,
        "source": _SOURCE,
    },
    # Who holds a site or is there, when: "from" and "to" are dates here, as in zones.
    "presence": {
        "id": ("id", "presence_id", "uid"),
        "base": ("base", "base_id", "site", "site_id", "location", "place", "facility"),
        "actor": ("actor", "actor_id", "force", "holder", "who", "operator", "owner", "actor1", "party", "side"),
        "role": ("role", "status", "presence"),
        "from": ("from", "start", "start_date", "valid_from", "since", "begin", "date", "event_date"),
        "to": ("to", "end", "end_date", "valid_to", "until"),
        "confidence": _CONFIDENCE,
        "source": _SOURCE,
        "notes": ("notes", "note", "comment", "comments", "details", "description"),
    },
}
TARGETS: Final = tuple(ALIASES)  # the tables an import can fill
FORMAT: Final = "footprint-mapping/1"
# Headers of a column that gives the display name of the actor a record names by id.
ACTOR_NAME_HEADERS: Final = ("operator_name", "actor_name", "actor1_name", "owner_name", "force_name", "operator_full_name")


@dataclass(frozen=True)
class Mapping:
    """Which of the file's columns fills each of ours, and values for rows that give none."""

    table: str
    columns: dict[str, str] = field(default_factory=dict)  # ours -> theirs
    defaults: dict[str, str] = field(default_factory=dict)  # ours -> value where the row gives none

    def ignored(self, headers: list[str]) -> list[str]:
        used = set(self.columns.values())
        return [header for header in headers if header not in used]


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header).lower()).strip("_")


def propose(table: str, headers: list[str]) -> Mapping:
    """The mapping the headers suggest; each of their columns fills at most one of ours."""
    by_name = {}
    for header in headers:
        by_name.setdefault(_normal(header), header)
    chosen: dict[str, str] = {}
    for ours, aliases in ALIASES[table].items():
        for alias in aliases:
            theirs = by_name.get(alias)
            if theirs is not None and theirs not in chosen.values():
                chosen[ours] = theirs
                break
    return Mapping(table, chosen)


def actor_name_header(headers: list[str]) -> str | None:
    """The file's column of actor names, if it has one."""
    by_name = {_normal(header): header for header in headers}
    return next((by_name[alias] for alias in ACTOR_NAME_HEADERS if alias in by_name), None)


def map_pairs(option: str) -> list[tuple[str, str]]:
    """The (theirs, ours) pairs of a `--map THEIRS=OURS,...` option."""
    pairs = (pair.partition("=") for pair in option.split(",") if pair.strip())
    return [(theirs.strip(), ours.strip()) for theirs, _, ours in pairs]


def find_header(name: str, headers: list[str]) -> str | None:
    if name in headers:
        return name
    return {_normal(header): header for header in headers}.get(_normal(name))


def override(mapping: Mapping, option: str, headers: list[str], label: str, problems: Problems) -> Mapping:
    """`mapping` changed by a `--map THEIRS=OURS,...` option; pairs naming other files' columns are skipped."""
    chosen = dict(mapping.columns)
    for theirs, ours in map_pairs(option):
        header = find_header(theirs, headers)
        if header is None:
            continue
        if ours not in columns(mapping.table):
            problems.error(label, 1, ours or "-", f"--map {theirs}={ours}: {mapping.table} have no column "
                           f"{ours!r}; use one of {', '.join(columns(mapping.table))}")
        else:
            chosen = {key: value for key, value in chosen.items() if value != header}
            chosen[ours] = header
    return Mapping(mapping.table, chosen, dict(mapping.defaults))


def mapping_json(mapping: Mapping) -> str:
    """The mapping as JSON to save and reuse with `load_mapping`."""
    return json.dumps({"format": FORMAT, "table": mapping.table, "columns": mapping.columns,
                       "defaults": mapping.defaults}, indent=2, ensure_ascii=False)


def load_mapping(text: str, label: str, problems: Problems) -> Mapping | None:
    """A mapping saved from `mapping_json`, or None with a problem when it is not one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        problems.error(label, err.lineno, "-", f"not valid JSON: {err.msg}")
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("table") not in ALIASES:
        problems.error(label, None, "-", f"is not a saved mapping ({FORMAT})")
        return None
    known = set(columns(doc["table"]))
    entries = {key: {str(k): str(v) for k, v in (doc.get(key) or {}).items()} for key in ("columns", "defaults")}
    unknown = sorted((set(entries["columns"]) | set(entries["defaults"])) - known)
    if unknown:
        problems.error(label, None, "-", f"names columns the {doc['table']} format lacks: {', '.join(unknown)}")
        return None
    return Mapping(doc["table"], entries["columns"], entries["defaults"])
