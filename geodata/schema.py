"""The scenario format: file names, columns and vocabularies, in one place.

The loader, the checker, the importer and the README test all read these
constants, so the format is defined exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

BASE_KINDS: Final = ("air base", "naval base", "airport", "heliport", "garrison", "other")
MODES: Final = ("air", "sea", "land")
CATEGORIES: Final = (
    "troops",
    "helicopters",
    "aircraft",
    "armour",
    "air-defence",
    "naval",
    "cargo",
    "other",
)
CONFIDENCES: Final = ("confirmed", "reported", "claimed")
ROLES: Final = ("holds", "present")  # who controls a site, and whose forces are there besides
SYSTEM_KINDS: Final = ("aircraft", "missile", "air-defence", "ship")

ColumnKind = Literal["id", "text", "date", "latitude", "longitude", "count", "distance", "color", "word", "ref"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = True
    vocabulary: tuple[str, ...] = ()
    refers_to: str = ""  # table whose ids this column names


def _optional(column: Column) -> Column:
    return Column(column.name, column.kind, False, column.vocabulary, column.refers_to)


SOURCE = Column("source", "text")
CONFIDENCE = Column("confidence", "word", vocabulary=CONFIDENCES)

ACTOR_COLUMNS: Final = (
    Column("id", "id"),
    Column("name", "text"),
    Column("color", "color"),
)

BASE_COLUMNS: Final = (
    Column("id", "id"),
    Column("name", "text"),
    Column("country", "text"),
    Column("kind", "word", vocabulary=BASE_KINDS),
    Column("lat", "latitude"),
    Column("lon", "longitude"),
    Column("operator", "ref", refers_to="actors"),
    Column("description", "text"),
    SOURCE,
    CONFIDENCE,
    _optional(Column("active_from", "date")),
    _optional(Column("active_to", "date")),
)

MOVEMENT_COLUMNS: Final = (
    Column("id", "id"),
    Column("date", "date"),
    Column("origin", "ref", refers_to="bases"),
    Column("destination", "ref", refers_to="bases"),
    Column("mode", "word", vocabulary=MODES),
    Column("category", "word", vocabulary=CATEGORIES),
    Column("asset", "text"),
    Column("quantity", "count"),
    CONFIDENCE,
    SOURCE,
    Column("notes", "text"),
    _optional(Column("end_date", "date")),
    _optional(Column("origin_lat", "latitude")),
    _optional(Column("origin_lon", "longitude")),
    _optional(Column("destination_lat", "latitude")),
    _optional(Column("destination_lon", "longitude")),
)

PRESENCE_COLUMNS: Final = (
    Column("base", "ref", refers_to="bases"),
    Column("actor", "ref", refers_to="actors"),
    Column("role", "word", vocabulary=ROLES),
    Column("from", "date"),
    Column("to", "date"),
    CONFIDENCE,
    SOURCE,
    _optional(Column("notes", "text")),
)

SYSTEM_COLUMNS: Final = (
    Column("id", "id"),
    Column("name", "text"),
    Column("kind", "word", vocabulary=SYSTEM_KINDS),
    Column("range_km", "distance"),
    _optional(Column("notes", "text")),
    SOURCE,
    CONFIDENCE,
)

AIRSPACE_PROPERTIES: Final = (
    Column("name", "text"),
    Column("closed_to", "ref", refers_to="actors"),
    Column("valid_from", "date"),
    Column("valid_to", "date"),
    SOURCE,
    CONFIDENCE,
    _optional(Column("notes", "text")),
    _optional(Column("only_legs_to_from", "text")),  # a country of bases.csv: binds only legs to or from it
)

ZONE_PROPERTIES: Final = (
    Column("actor", "ref", refers_to="actors"),
    Column("label", "text"),
    Column("valid_from", "date"),
    Column("valid_to", "date"),
    CONFIDENCE,
    SOURCE,
)

# Columns that must be present in the header but may be empty in a row.
MAY_BE_EMPTY: Final = {
    "bases": {"description", "country"},  # a base at sea may stand in no country
    "movements": {"origin", "destination", "quantity", "notes", "asset"},
    "zones": {"valid_to", "label"},
    "presence": {"to", "notes"},
    "systems": {"range_km", "notes"},  # a system without a public range is kept, and says so
    "airspace": {"valid_to", "notes", "only_legs_to_from"},
}

SCENARIO_KEYS: Final = ("title", "caveat", "start", "end")
VIEW_KEYS: Final = ("latitude", "longitude", "zoom")

# File name of each table inside a scenario folder, and its GeoPackage layer name.
FILES: Final = {
    "scenario": "scenario.toml",
    "actors": "actors.csv",
    "bases": "bases.csv",
    "zones": "zones.geojson",
    "movements": "movements.csv",
    "presence": "presence.csv",
    "systems": "systems.csv",
    "airspace": "airspace.geojson",
}
# Tables a scenario may leave out: without presence.csv each base's operator holds it over its
# active_from–active_to; without systems.csv or airspace.geojson there are no rings or closures.
OPTIONAL_TABLES: Final = frozenset({"presence", "systems", "airspace"})
MOVEMENTS_PARQUET: Final = "movements.parquet"

COLUMNS: Final = {
    "actors": ACTOR_COLUMNS,
    "bases": BASE_COLUMNS,
    "movements": MOVEMENT_COLUMNS,
    "zones": ZONE_PROPERTIES,
    "presence": PRESENCE_COLUMNS,
    "systems": SYSTEM_COLUMNS,
    "airspace": AIRSPACE_PROPERTIES,
}
