"""A small valid scenario, written by tests and changed one file at a time."""

from __future__ import annotations

import json
from pathlib import Path

SCENARIO_TOML = """title = "Test theatre"
caveat = "Test data only."
start = "2025-01-01"
end = "2025-03-31"

[view]
latitude = 35.0
longitude = 37.0
zoom = 5
"""

ACTORS_CSV = """id,name,color
red,Red force,#d62728
blue,Blue force,#1f77b4
"""

BASES_CSV = """id,name,country,kind,lat,lon,operator,description,source,confidence
alpha,Alpha air base,Syria,air base,35.41,35.95,red,Main base.,Test source 2025-01-01,confirmed
bravo,Bravo port,Syria,naval base,34.91,35.87,red,Port.,Test source 2025-01-01,reported
charlie,Charlie field,Libya,airport,32.05,21.18,blue,Field.,Test source 2025-01-01,claimed
"""

MOVEMENTS_CSV = """id,date,origin,destination,mode,category,asset,quantity,confidence,source,notes,end_date
m1,2025-01-05,alpha,charlie,air,cargo,Il-76,2,confirmed,Test source,,
m2,2025-01-20,alpha,charlie,air,cargo,Il-76,1,reported,Test source,,2025-01-22
m3,2025-02-10,bravo,charlie,sea,naval,Ship,1,claimed,Test source,,
m4,2025-03-01,alpha,bravo,land,armour,Convoy,30,reported,Test source,,
"""


def square(lon: float, lat: float, size: float = 1.0) -> list:
    return [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]


def zone_feature(actor: str, valid_from: str, valid_to: str, coordinates: list, **extra) -> dict:
    properties = {"actor": actor, "label": f"{actor} zone", "valid_from": valid_from, "valid_to": valid_to,
                  "confidence": "reported", "source": "Test source"}
    properties.update(extra)
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": coordinates}}


def zones_geojson(features: list[dict] | None = None) -> str:
    if features is None:
        features = [
            zone_feature("red", "2025-01-01", "2025-01-31", square(36, 34)),
            zone_feature("red", "2025-02-01", "", square(36, 34, 2)),
            zone_feature("blue", "2025-01-01", "", square(20, 31)),
        ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def write_scenario(folder: Path, **replace: str | bytes) -> Path:
    """Write the test scenario into `folder`; keyword = file name with '.' as '_'."""
    files = {
        "scenario.toml": SCENARIO_TOML,
        "actors.csv": ACTORS_CSV,
        "bases.csv": BASES_CSV,
        "movements.csv": MOVEMENTS_CSV,
        "zones.geojson": zones_geojson(),
    }
    for key, content in replace.items():
        files[key.replace("_", ".", 1) if "." not in key else key] = content
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


# A handover worked out by hand (tests of Compare and the change report): red holds a degree square
# (36–37°E, 34–35°N) in January; from 1 Feb blue holds its eastern half. Alpha passes from red to blue
# on 10 Feb; blue's forces are at Bravo (held by red) from 10 Jan to 20 Feb.
HALF_WEST = [[[36, 34], [36.5, 34], [36.5, 35], [36, 35], [36, 34]]]
HALF_EAST = [[[36.5, 34], [37, 34], [37, 35], [36.5, 35], [36.5, 34]]]
HANDOVER_PRESENCE_CSV = """base,actor,role,from,to,confidence,source,notes
alpha,red,holds,2025-01-01,2025-02-09,confirmed,Red statement 2025-01-01,
alpha,blue,holds,2025-02-10,,reported,Wire report 2025-02-10,
bravo,red,holds,2025-01-01,,confirmed,Red statement 2025-01-01,
bravo,blue,present,2025-01-10,2025-02-20,claimed,Blue claim 2025-01-10,
"""
