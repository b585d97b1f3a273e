"""Build the dated zones of control for the bundled Syria–Libya scenario.

Writes geodata/scenarios/syria-libya/zones.geojson: a FeatureCollection of
Polygon/MultiPolygon features in WGS84 with the properties actor, label,
valid_from, valid_to (inclusive last day; "" = still valid at the latest
reporting), confidence and source. Method, sources and what is approximate:
geodata/scenarios/syria-libya/ZONES.md.

No admin-boundary polygons can be downloaded here, so the zones are built from
 * the Natural Earth 1:10m country polygons (npm package world-atlas 2.0.2),
 * the Euphrates line of the basemap (geodata/basemap/rivers.geojson),
 * hand-drawn lines along named towns (coordinates in TOWNS),
then clipped to the country. For each dated state the zones tile the country:
overlays first (Israel, al-Tanf), then SNA, SDF, Suwayda, and the remainder
goes to the government of the day. A zone whose shape does not change between
consecutive states becomes one feature spanning them.

    cd /tmp && npm pack world-atlas@2.0.2
    python tools/build_zones.py --world-atlas /tmp/world-atlas-2.0.2.tgz

The output is deterministic for given inputs.
"""

from __future__ import annotations

import argparse
import io
import json
import tarfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parent.parent
WORLD_ATLAS = Path("/tmp/world-atlas-2.0.2.tgz")
COUNTRIES_MEMBER = "package/countries-10m.json"
COUNTRIES = ("Syria", "Israel", "Libya")  # Israel only for the Golan, which Natural Earth draws inside it
RIVERS = REPO / "geodata" / "basemap" / "rivers.geojson"
OUT = REPO / "geodata" / "scenarios" / "syria-libya" / "zones.geojson"

GRID = 1e-4  # degrees; every overlay runs on this grid so the pieces share exact edges
SCENARIO_START = "2024-12-01"
LAST_KNOWN = "last known Feb 2026"
NEAR = 0.05  # degrees (~5 km): how far a checked town may lie outside every zone
ACTOR_ORDER = ("assad", "syria_gov", "sdf", "sna", "suwayda", "israel", "us_coalition", "lna", "gnu")

# (lon, lat). Wikipedia coordinate boxes seen on mirrors unless marked approx.
TOWNS = {
    "Afrin": (36.8692, 36.5083),
    "Azaz": (37.0444, 36.5861),
    "Tell Rifaat": (37.0972, 36.4733),
    "al-Bab": (37.5178, 36.3725),
    "Jarabulus": (38.0113, 36.8175),
    "Manbij": (37.9547, 36.5281),
    "Deir Hafer": (37.7078, 36.1569),
    "Maskanah": (38.04, 35.96),  # approx
    "Kobani": (38.3536, 36.8910),
    "Sarrin": (38.2997, 36.5875),
    "Tell Abyad": (38.9567, 36.6975),
    "Ras al-Ayn": (40.0706, 36.8503),
    "Ain Issa": (38.8594, 36.3853),
    "Tabqa": (38.548, 35.836),
    "Raqqa": (39.01, 35.95),
    "Deir ez-Zor": (40.14, 35.336),
    "Busayrah": (40.4308, 35.1425),  # Khabur mouth
    "Mayadin": (40.45, 35.02),
    "Tell Tamer": (40.37, 36.65),  # approx
    "Hasakah": (40.75, 36.50),  # approx
    "Amuda": (40.9333, 37.10),
    "Qamishli": (41.2333, 37.05),
    "al-Malikiyah": (42.133, 37.167),
    "al-Hol": (41.15, 36.38),  # approx
    "Sheikh Maqsood": (37.1517, 36.2361),
    "Aleppo": (37.16, 36.20),  # approx
    "Hama": (36.75, 35.13),  # approx
    "Rastan": (36.733, 34.917),
    "Salamiyah": (37.05, 35.01),  # approx
    "Homs": (36.7094, 34.7308),
    "Masyaf": (36.34, 35.065),  # approx
    "Damascus": (36.29, 33.51),  # approx
    "Quneitra": (35.824, 33.126),  # approx
    "Mt Hermon": (35.8575, 33.4161),
    "Suwayda": (36.57, 32.71),  # approx
    "Shahba": (36.63, 32.855),  # approx
    "Salkhad": (36.71, 32.49),  # approx
    "al-Tanf": (38.6178, 33.5058),
    "Tripoli": (13.19, 32.89),  # approx
    "Misrata": (15.09, 32.38),  # approx
    "Sirte": (16.59, 31.21),  # approx
    "Hun": (15.95, 29.12),  # approx
    "Ghadames": (9.50, 30.13),  # approx
    "Benghazi": (20.07, 32.12),  # approx
    "Sabha": (14.43, 27.04),  # approx
}

# --- hand-drawn regions, (lon, lat); parts outside the country or across the
# --- Euphrates are cut away later, so edges may run through Turkey or Iraq.

# Afrin, Azaz (with Tell Rifaat, taken ~1-2 Dec 2024), al-Bab and Jarabulus
# districts: south edge between Tell Rifaat and Nubl, south of al-Bab, then
# north along the Manbij district line to the Sajur.
SNA_NORTH_BELT = [(36.45, 37.10), (38.40, 37.10), (38.40, 36.66), (37.95, 36.66), (37.80, 36.62),
                  (37.72, 36.52), (37.68, 36.38), (37.62, 36.30), (37.45, 36.27), (37.30, 36.37),
                  (37.15, 36.42), (37.02, 36.42), (36.92, 36.38), (36.75, 36.36), (36.70, 36.35),
                  (36.60, 36.34), (36.45, 36.34)]
# Tell Abyad - Ras al-Ayn strip (2019 "Peace Spring" zone), ~30 km deep,
# north of Ain Issa and west of Tell Tamer.
SNA_PEACE_SPRING = [(38.85, 37.10), (40.25, 37.10), (40.25, 36.62), (40.00, 36.56), (39.60, 36.50),
                    (39.20, 36.47), (38.95, 36.45), (38.85, 36.50)]
# Manbij district west of the Euphrates, Sajur to the line north of Deir Hafer
# (the SDF held the Babiri pumping station south of al-Khafsa in Dec 2024).
MANBIJ = [(37.95, 36.66), (38.40, 36.66), (38.40, 36.12), (38.00, 36.14), (37.80, 36.20),
          (37.64, 36.24), (37.62, 36.30), (37.68, 36.38), (37.72, 36.52), (37.80, 36.62)]
# Deir Hafer - Maskanah pocket west of Lake Assad (SDF from 30 Nov 2024 to 17 Jan 2026).
DEIR_HAFER_POCKET = [(37.64, 36.24), (37.80, 36.20), (38.00, 36.14), (38.40, 36.12), (38.35, 35.80),
                     (38.05, 35.83), (37.85, 35.92), (37.62, 36.05)]
# South bank from Tabqa past Raqqa, short of Ma'dan; 15-25 km deep.
TABQA_SOUTH_BANK = [(38.35, 35.80), (38.40, 36.00), (39.60, 35.90), (39.55, 35.70), (38.90, 35.70),
                    (38.60, 35.72), (38.45, 35.75)]
# Sheikh Maqsood and Ashrafieh, Aleppo (lost by the SDF on 10 Jan 2026).
SHEIKH_MAQSOOD = [(37.138, 36.228), (37.150, 36.222), (37.165, 36.232), (37.162, 36.247),
                  (37.145, 36.248), (37.136, 36.238)]
# Kobani pocket after 18 Jan 2026: the town and its plain, south to the
# Kharab al-Ashiq - Jalabiyah villages still SDF-held on 26 Jan; Sarrin outside.
KOBANI_POCKET = [(37.95, 37.10), (38.80, 37.10), (38.78, 36.66), (38.60, 36.58), (38.35, 36.64),
                 (38.15, 36.66), (37.95, 36.70)]
# Al-Hasakah governorate: Raqqa-governorate line west of Ras al-Ayn/Tell Tamer,
# Deir ez-Zor line south of Markada; Iraq border to the east.
HASAKAH_GOVERNORATE = [(39.85, 37.40), (42.80, 37.60), (42.80, 35.60), (41.60, 35.60), (40.80, 35.62),
                       (40.45, 35.80), (40.10, 36.05), (39.90, 36.35), (39.85, 36.60)]
# Kurdish north of Hasakah governorate after 20 Jan 2026: Hasakah city, Darbasiyah,
# Amuda, Qamishli, Qahtaniyah, Rmelan, al-Malikiyah and the Semalka crossing;
# Tell Tamer, Tell Brak, al-Hol and al-Yarubiyah outside.
HASAKAH_NORTH = [(40.45, 37.40), (42.80, 37.60), (42.80, 36.95), (42.10, 36.92), (41.80, 36.93),
                 (41.45, 36.92), (41.20, 36.85), (41.00, 36.68), (40.85, 36.45), (40.72, 36.40),
                 (40.58, 36.45), (40.50, 36.62), (40.48, 36.85)]
# HTS-led offensive around 6 Dec 2024: Idlib, Aleppo city and countryside to
# Khanasir, Hama (fell 5 Dec), Salamiyah, and Rastan/Talbiseh (reached 6 Dec);
# Homs, Masyaf and the coast still with Assad.
HTS_DEC_6 = [(36.45, 37.10), (37.75, 37.10), (37.75, 36.10), (37.60, 35.95), (37.52, 35.70),
             (37.40, 35.40), (37.20, 35.10), (37.10, 34.96), (36.85, 34.83), (36.68, 34.83),
             (36.55, 34.95), (36.42, 35.12), (36.30, 35.35), (36.25, 35.60), (36.18, 35.80),
             (36.22, 35.95), (36.30, 36.10), (36.45, 36.40)]
# Syrian side of Mt Hermon around the summit (33.416N 35.858E).
HERMON = [(35.78, 33.33), (35.82, 33.42), (35.86, 33.46), (35.92, 33.46), (35.94, 33.38),
          (35.88, 33.30), (35.82, 33.29)]
# West edge of the occupied Golan: the 1923 line along the upper Jordan and the
# east shore of the Sea of Galilee, to the Yarmouk.
GOLAN_WEST_EDGE = [(35.62, 33.35), (35.625, 33.25), (35.63, 33.10), (35.63, 33.00), (35.625, 32.90),
                   (35.645, 32.83), (35.65, 32.76), (35.64, 32.70), (35.645, 32.60)]
ISRAEL_BUFFER_M = 4000  # the UNDOF area of separation is 0.5-10 km wide; IDF posts sit on and past it
AS_SUWAYDA = [(36.52, 32.20), (36.53, 32.55), (36.45, 32.65), (36.38, 32.72), (36.42, 32.85),
              (36.50, 32.95), (36.55, 33.05), (36.80, 33.10), (37.10, 33.15), (37.35, 33.00),
              (37.30, 32.60), (37.05, 32.20)]
TANF_RADIUS_M = 55_000
# GNU north-west: the Sirte-Jufra line between Buerat al-Hassoun and Wadi Jarif,
# west of Sokna, then south-west to the Algerian border, keeping Bani Walid,
# Mizda, Ghadames and Derj (Tripolitania's desert districts).
GNU_NORTH_WEST = [(8.0, 34.5), (15.95, 34.5), (15.95, 31.20), (15.55, 30.60), (15.40, 29.90),
                  (13.50, 29.60), (11.50, 29.20), (10.00, 28.60), (8.0, 28.60)]

# (town, day, actor expected there): guards the hand-drawn lines and the river.
EXPECTED = [
    ("Homs", "2024-12-06", "assad"), ("Masyaf", "2024-12-06", "assad"), ("Hama", "2024-12-06", "syria_gov"),
    ("Rastan", "2024-12-06", "syria_gov"), ("Salamiyah", "2024-12-06", "syria_gov"), ("Aleppo", "2024-12-06", "syria_gov"),
    ("Azaz", "2024-12-06", "sna"), ("Amuda", "2026-02-20", "sdf"), ("Shahba", "2025-08-01", "suwayda"),
    ("Salkhad", "2025-08-01", "suwayda"),
    ("Manbij", "2024-12-06", "sdf"), ("Manbij", "2024-12-20", "sna"),
    ("Tell Rifaat", "2024-12-06", "sna"), ("Afrin", "2025-03-01", "sna"), ("al-Bab", "2025-03-01", "sna"),
    ("Jarabulus", "2025-03-01", "sna"), ("Tell Abyad", "2025-03-01", "sna"), ("Ras al-Ayn", "2025-03-01", "sna"),
    ("Kobani", "2025-03-01", "sdf"), ("Ain Issa", "2025-03-01", "sdf"), ("Tabqa", "2025-03-01", "sdf"),
    ("Raqqa", "2025-03-01", "sdf"), ("Deir Hafer", "2025-03-01", "sdf"), ("Maskanah", "2025-03-01", "sdf"),
    ("Busayrah", "2025-03-01", "sdf"), ("Deir ez-Zor", "2025-03-01", "syria_gov"),
    ("Mayadin", "2025-03-01", "syria_gov"), ("Sheikh Maqsood", "2026-01-05", "sdf"),
    ("Sheikh Maqsood", "2026-01-12", "syria_gov"), ("Deir Hafer", "2026-01-17", "syria_gov"),
    ("Tabqa", "2026-01-17", "sdf"), ("Raqqa", "2026-01-18", "syria_gov"), ("al-Hol", "2026-01-19", "sdf"),
    ("al-Hol", "2026-01-20", "syria_gov"), ("Hasakah", "2026-02-20", "sdf"), ("Qamishli", "2026-02-20", "sdf"),
    ("al-Malikiyah", "2026-02-20", "sdf"), ("Kobani", "2026-02-20", "sdf"), ("Sarrin", "2026-02-20", "syria_gov"),
    ("Tell Tamer", "2026-02-20", "syria_gov"), ("Suwayda", "2025-07-16", "syria_gov"),
    ("Suwayda", "2025-07-17", "suwayda"), ("Quneitra", "2024-12-07", "assad"), ("Quneitra", "2024-12-08", "israel"),
    ("Mt Hermon", "2024-12-10", "israel"), ("al-Tanf", "2026-02-10", "us_coalition"),
    ("al-Tanf", "2026-02-11", "syria_gov"), ("Damascus", "2026-02-20", "syria_gov"),
    ("Sirte", "2025-06-01", "lna"), ("Hun", "2025-06-01", "lna"),
    ("Sabha", "2025-06-01", "lna"), ("Benghazi", "2025-06-01", "lna"), ("Misrata", "2025-06-01", "gnu"),
    ("Tripoli", "2025-06-01", "gnu"), ("Ghadames", "2025-06-01", "gnu"),
]


@dataclass(frozen=True)
class Zone:
    """What a piece of map says; the same Zone in consecutive states may merge."""

    actor: str
    label: str
    confidence: str
    source: str


@dataclass(frozen=True)
class State:
    """From `start` on, zones in priority order; a region of None takes the rest."""

    start: str
    pieces: tuple[tuple[Zone, shapely.Geometry | None], ...]


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the areal parts: overlays can leave stray lines and points on shared edges."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts, grid_size=GRID) if parts else Polygon()


def area(coords: list[tuple[float, float]]) -> shapely.Geometry:
    return shapely.set_precision(Polygon(coords), GRID)


def read_countries(world_atlas: Path) -> dict[str, shapely.Geometry]:
    """The Natural Earth 10m polygons of COUNTRIES, straight from the npm tarball."""
    with tarfile.open(world_atlas) as archive:
        data = archive.extractfile(COUNTRIES_MEMBER).read()
    countries = gpd.read_file(io.BytesIO(data), layer="countries").set_index("name")
    return {name: shapely.set_precision(countries.geometry[name], GRID) for name in COUNTRIES}


def east_of_euphrates(rivers: Path) -> shapely.Geometry:
    """Everything left (east/north) of the Euphrates from Turkey to Iraq, closed through both."""
    lines = gpd.read_file(rivers)
    course = lines.loc[lines["name"] == "Euphrates"].geometry.iloc[0]
    course = shapely.line_merge(course.intersection(box(37.5, 34.0, 41.6, 37.0)))
    if course.geom_type != "LineString":
        raise SystemExit(f"Euphrates is a {course.geom_type} inside Syria; expected one line")
    coords = list(course.coords)
    if coords[0][1] < coords[-1][1]:  # run it downstream, north to south-east
        coords.reverse()
    ring = coords + [(43.5, 33.5), (43.5, 37.8), (coords[0][0], 37.8)]
    return area(ring)


def golan_heights(israel: shapely.Geometry) -> shapely.Geometry:
    """Natural Earth's de facto Israel includes the Golan; keep what lies east of the 1923 line."""
    east = Polygon(GOLAN_WEST_EDGE + [(36.2, 32.60), (36.2, 33.35)])
    return polygonal(shapely.intersection(israel, east, grid_size=GRID))


def metric_buffer(geometry: shapely.Geometry, metres: float) -> shapely.Geometry:
    """Buffer in UTM 36N, where the Golan sits, so the width is in metres everywhere."""
    to_utm = Transformer.from_crs(4326, 32636, always_xy=True).transform
    to_lonlat = Transformer.from_crs(32636, 4326, always_xy=True).transform
    buffered = shapely.transform(geometry, to_utm, interleaved=False).buffer(metres)
    return shapely.set_precision(shapely.transform(buffered, to_lonlat, interleaved=False), GRID)


def geodesic_circle(lon: float, lat: float, metres: float) -> shapely.Geometry:
    geod = Geod(ellps="WGS84")
    azimuths = range(0, 360, 5)
    lons, lats, _ = geod.fwd([lon] * len(azimuths), [lat] * len(azimuths), list(azimuths), [metres] * len(azimuths))
    return area(list(zip(lons, lats)))


def union(*geometries: shapely.Geometry) -> shapely.Geometry:
    return shapely.union_all(geometries, grid_size=GRID)


def syria_outline(countries: dict[str, shapely.Geometry]) -> shapely.Geometry:
    """Natural Earth's Syria plus the occupied Golan, which it draws inside Israel."""
    return union(countries["Syria"], golan_heights(countries["Israel"]))


def syria_states(countries: dict[str, shapely.Geometry], east: shapely.Geometry) -> list[State]:
    """The dated states of Syria, oldest first."""
    israel_golan = golan_heights(countries["Israel"])
    syria = syria_outline(countries)
    west = shapely.difference(syria, east, grid_size=GRID)
    east = shapely.intersection(syria, east, grid_size=GRID)

    golan = (Zone("israel", "Israel – occupied Golan Heights (since 1967)", "confirmed",
                  "Natural Earth 1:10m admin-0 (de facto Israel polygon, world-atlas 2.0.2) cut by hand along the "
                  "1923 line (upper Jordan, east shore of the Sea of Galilee); held since 1967"), israel_golan)
    buffer_zone = (Zone("israel", "Israel – Mt Hermon + UNDOF buffer zone (approximate)", "confirmed",
                        "AP via Hurriyet, 2024-12-17; TRT, 2024-12-17; approximate boundary drawn by hand: a 4-km "
                        "band east of the Golan line plus the Syrian side of Mt Hermon (summit 33.416N 35.858E)"),
                   union(metric_buffer(israel_golan, ISRAEL_BUFFER_M), area(HERMON)))
    tanf = (Zone("us_coalition", "US-led coalition – al-Tanf 55-km zone", "confirmed",
                 "CENTCOM via Shafaq News, 2026-02-12; Reuters via devdiscourse, 2026-02-12 (handover 11 Feb 2026); "
                 "zone = 55-km circle around the garrison (33.5058N 38.6178E, Wikipedia) clipped to Syria"),
            geodesic_circle(*TOWNS["al-Tanf"], TANF_RADIUS_M))

    hand = "approximate boundary drawn by hand along "
    river = "the Euphrates (basemap rivers, Natural Earth/WDBII)"
    sna_before = (Zone("sna", "Turkish-backed SNA – Afrin–Azaz–al-Bab–Jarabulus belt (with Tell Rifaat) and Tell "
                              "Abyad–Ras al-Ayn strip (approximate)", "confirmed",
                       "Anadolu via anews, 2024-12-06 (Tell Rifaat, Dawn of Freedom from 1 Dec); Wikipedia 'Manbij "
                       f"offensive (2024)'; {hand}Afrin, Azaz, Tell Rifaat, al-Bab, the Sajur, Tell Abyad and "
                       "Ras al-Ayn"),
                  union(shapely.intersection(area(SNA_NORTH_BELT), west, grid_size=GRID), area(SNA_PEACE_SPRING)))
    sna_after = (Zone("sna", "Turkish-backed SNA (in the MoD from Jan 2025) – northern belt, Manbij and Tell Abyad–Ras "
                             "al-Ayn strip (approximate)", "confirmed",
                      "Wikipedia 'Manbij offensive (2024)' and 'East Aleppo offensive (2024)' (Manbij taken 9–11 Dec, "
                      "SDF out 12 Dec); TRT, 2024-12-17; Shafaq News, 2024-12-26; "
                      f"{hand}Afrin, Azaz, al-Bab, Manbij, {river}, Tell Abyad and Ras al-Ayn"),
                 union(shapely.intersection(union(area(SNA_NORTH_BELT), area(MANBIJ)), west, grid_size=GRID),
                       area(SNA_PEACE_SPRING)))

    def sdf(label: str, confidence: str, source: str, *regions: shapely.Geometry) -> tuple[Zone, shapely.Geometry]:
        return Zone("sdf", f"SDF / AANES – {label} (approximate)", confidence, source), union(*regions)

    west_pockets = (shapely.intersection(union(area(DEIR_HAFER_POCKET), area(TABQA_SOUTH_BANK)), west, grid_size=GRID),
                    area(SHEIKH_MAQSOOD))
    sdf_with_manbij = sdf("east of the Euphrates, Manbij, Deir Hafer–Maskanah, Tabqa", "confirmed",
                          "Wikipedia 'Manbij offensive (2024)' and 'Dayr Hafir' (SDF from 30 Nov 2024); AP, 2024-12; "
                          f"{hand}{river}, the Sajur and the towns of the Deir Hafer–Maskanah pocket",
                          east, shapely.intersection(area(MANBIJ), west, grid_size=GRID), *west_pockets)
    sdf_2025 = sdf("east of the Euphrates, Deir Hafer–Maskanah pocket, Tabqa/Raqqa south bank", "confirmed",
                   "Shafaq News, 2024-12-26; RIC, 2024-12-23; Tehran Times/Reuters, 2025-03-11 (10 Mar agreement); "
                   f"Okaz, 2026-01-04; {hand}{river} and the Deir Hafer–Maskanah pocket", east, *west_pockets)
    sdf_no_maqsood = sdf("east of the Euphrates, Deir Hafer–Maskanah pocket, Tabqa/Raqqa south bank", "confirmed",
                         "ecoi.net (Schmidinger), 2026-01-23 and Wikipedia '2026 northeastern Syria offensive' "
                         f"(Sheikh Maqsood lost 10 Jan 2026); {hand}{river}", east, west_pockets[0])
    sdf_no_pocket = sdf("east of the Euphrates, Tabqa/Raqqa south bank", "confirmed",
                        "France 24, 2026-01-17 (Deir Hafer); AFP via Taipei Times, 2026-01-18 (Maskanah); etana, "
                        f"2026-01 (Shamiyeh); {hand}{river}", east,
                        shapely.intersection(area(TABQA_SOUTH_BANK), west, grid_size=GRID))
    sdf_hasakah = sdf("Hasakah governorate and Kobani pocket", "reported",
                      "Al Jazeera, 2026-01-18; AP via LA Times, 2026-01-18; Reuters via worldenergynews, 2026-01-19; "
                      f"{hand}the Raqqa/Deir ez-Zor governorate lines and around Kobani",
                      shapely.intersection(union(area(HASAKAH_GOVERNORATE), area(KOBANI_POCKET)), east, grid_size=GRID))
    sdf_north = sdf("Hasakah–Amuda–Qamishli–al-Malikiyah and Kobani, government police inside from 30 Jan",
                    "reported",
                    "AFP via LBC, 2026-01-20 (al-Hol); Hurriyet Daily News, 2026-01-21; The National, 2026-01-27; "
                    f"Al Majalla (30 Jan deal); {hand}Hasakah, Darbasiyah, Amuda, Qamishli, al-Malikiyah and Kobani",
                    shapely.intersection(union(area(HASAKAH_NORTH), area(KOBANI_POCKET)), east, grid_size=GRID))

    suwayda = (Zone("suwayda", "Suwayda Druze factions – As-Suwayda governorate (approximate)", "reported",
                    "Reuters via devdiscourse, 2025-07-17 and 2025-07-20; Wikipedia 'Southern Syria clashes'; "
                    f"{hand}the governorate around Suwayda, Shahba and Salkhad"), area(AS_SUWAYDA))
    hts = (Zone("syria_gov", "HTS-led opposition (later transitional government) – front ~6 Dec 2024 (approximate)",
                "reported", "Anadolu via anews, 2024-12-06; devdiscourse, 2024-12-05 (Hama); "
                f"{hand}Khanasir, Salamiyah, Rastan, the Ghab and the Idlib–Latakia line"), area(HTS_DEC_6))
    assad = (Zone("assad", "Assad government – front ~6 Dec 2024 (approximate)", "reported",
                  "Anadolu via anews, 2024-12-06; AP, 2024-12-17; Assad flown out 8 Dec 2024; remainder of Syria"),
             None)

    def government(label: str, source: str) -> tuple[Zone, None]:
        return Zone("syria_gov", f"Syrian transitional government – {label} (approximate)", "confirmed", source), None

    return [
        State(SCENARIO_START, (golan, tanf, sna_before, sdf_with_manbij, hts, assad)),
        State("2024-12-08", (golan, buffer_zone, tanf, sna_before, sdf_with_manbij,
                             government("rest of Syria; Daraa and Suwayda under local factions",
                                        "AP, 2024-12-17; TRT, 2024-12-17; Assad's fall 8 Dec 2024"))),
        State("2024-12-11", (golan, buffer_zone, tanf, sna_after, sdf_2025,
                             government("rest of Syria; Daraa and Suwayda under local factions",
                                        "Shafaq News, 2024-12-26; Tehran Times/Reuters, 2025-03-11"))),
        State("2025-07-17", (golan, buffer_zone, tanf, sna_after, sdf_2025, suwayda,
                             government("rest of Syria, without Suwayda",
                                        "Reuters via devdiscourse, 2025-07-17/20; Okaz, 2026-01-04"))),
        State("2026-01-10", (golan, buffer_zone, tanf, sna_after, sdf_no_maqsood, suwayda,
                             government("rest of Syria, with all of Aleppo city",
                                        "ecoi.net (Schmidinger), 2026-01-23; Wikipedia '2026 northeastern Syria "
                                        "offensive'"))),
        State("2026-01-17", (golan, buffer_zone, tanf, sna_after, sdf_no_pocket, suwayda,
                             government("rest of Syria, with Deir Hafer and Maskanah",
                                        "France 24, 2026-01-17; AFP via Taipei Times, 2026-01-18"))),
        State("2026-01-18", (golan, buffer_zone, tanf, sna_after, sdf_hasakah, suwayda,
                             government("rest of Syria, with Raqqa, Tabqa and Deir ez-Zor east bank",
                                        "Al Jazeera, 2026-01-18; AP via LA Times, 2026-01-18; Reuters, 2026-01-18"))),
        State("2026-01-20", (golan, buffer_zone, tanf, sna_after, sdf_north, suwayda,
                             government("rest of Syria, with al-Hol and al-Shaddadi",
                                        "AFP via LBC, 2026-01-20; Hurriyet Daily News, 2026-01-21; The National, "
                                        "2026-01-27; Al Majalla (30 Jan deal)"))),
        State("2026-02-11", (golan, buffer_zone, sna_after, sdf_north, suwayda,
                             government("rest of Syria, with al-Tanf",
                                        "CENTCOM via Shafaq News, 2026-02-12; Reuters via devdiscourse, "
                                        "2026-02-12"))),
    ]


def libya_states(countries: dict[str, shapely.Geometry]) -> list[State]:
    """One state for the whole period: no change in the Sirte-Jufra line was found."""
    gnu = (Zone("gnu", "GNU (Tripoli) – north-west, Tripolitania (approximate)", "confirmed",
                "AP (dumpling.news mirror), 2024-12; Jamestown EDM, 2025-04-17; approximate boundary drawn by hand "
                "along the Sirte–Jufra line (west of Wadi Jarif and Sokna), then south-west to the Algerian border, "
                "keeping Bani Walid, Mizda and Ghadames"), area(GNU_NORTH_WEST))
    lna = (Zone("lna", "LNA (Haftar) – east, Sirte, Jufra and Fezzan (approximate)", "confirmed",
                "AP (dumpling.news mirror), 2024-12; swedenherald; Jamestown EDM, 2025-04-17; defence-point, 2019 "
                "(Jufra since June 2017); Fezzan LNA-dominant; remainder of Libya"), None)
    return [State(SCENARIO_START, (gnu, lna))]


def tile(state: State, country: shapely.Geometry) -> list[tuple[Zone, shapely.Geometry]]:
    """Cut each zone out of what the earlier ones took, so the pieces never overlap."""
    taken = Polygon()
    pieces = []
    for zone, region in state.pieces:
        piece = country if region is None else shapely.intersection(region, country, grid_size=GRID)
        piece = polygonal(shapely.difference(piece, taken, grid_size=GRID))
        if not piece.is_empty:
            pieces.append((zone, piece))
            taken = union(taken, piece)
    return pieces


def periods(states: list[State], country: shapely.Geometry) -> list[dict]:
    """One record per unbroken run of an unchanged zone; valid_to is inclusive, None = open."""
    ends = [date.fromisoformat(s.start) - timedelta(days=1) for s in states[1:]] + [None]
    open_runs: dict[Zone, dict] = {}
    closed = []
    for state, end in zip(states, ends):
        current = dict(tile(state, country))
        for zone in list(open_runs):
            run = open_runs[zone]
            if zone not in current or not shapely.equals_exact(run["geometry"], current[zone], 0):
                closed.append(open_runs.pop(zone))
        for zone, piece in current.items():
            if zone in open_runs:
                open_runs[zone]["valid_to"] = end
            else:
                open_runs[zone] = {"zone": zone, "geometry": piece, "valid_from": state.start, "valid_to": end}
    return closed + list(open_runs.values())


def feature(run: dict) -> dict:
    zone = run["zone"]
    still_valid = run["valid_to"] is None
    label = f"{zone.label} – {LAST_KNOWN}" if still_valid else zone.label
    return {
        "type": "Feature",
        "properties": {
            "actor": zone.actor,
            "label": label,
            "valid_from": run["valid_from"],
            "valid_to": "" if still_valid else run["valid_to"].isoformat(),
            "confidence": zone.confidence,
            "source": zone.source,
        },
        "geometry": rounded(mapping(shapely.normalize(run["geometry"]))),
    }


def rounded(geometry: dict) -> dict:
    """4 decimals (~10 m); the coordinates already sit on that grid, so nothing moves."""
    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
            return [round(v, 4) for v in value]
        return [walk(v) for v in value]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def actor_at(features: list[dict], town: str, day: str) -> str | None:
    """The actor nearest the town that day; border towns can sit just outside the 1:10m outline."""
    point = Point(TOWNS[town])
    valid = [f for f in features if f["properties"]["valid_from"] <= day
             and (f["properties"]["valid_to"] == "" or day <= f["properties"]["valid_to"])]
    distance, actor = min((shape(f["geometry"]).distance(point), f["properties"]["actor"]) for f in valid)
    return actor if distance < NEAR else None


def check_towns(features: list[dict]) -> None:
    wrong = [(town, day, want, got) for town, day, want in EXPECTED
             if (got := actor_at(features, town, day)) != want]
    if wrong:
        raise SystemExit("towns in the wrong zone (town, day, expected, found):\n" + "\n".join(map(str, wrong)))


def write(features: list[dict], out: Path) -> None:
    """One feature per line: small diffs, easy to read."""
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    out.write_text('{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-atlas", type=Path, default=WORLD_ATLAS, help="world-atlas-2.0.2.tgz from npm pack")
    parser.add_argument("--rivers", type=Path, default=RIVERS, help="basemap rivers GeoJSON with a Euphrates line")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    countries = read_countries(args.world_atlas)
    east = east_of_euphrates(args.rivers)
    runs = periods(syria_states(countries, east), syria_outline(countries)) + periods(libya_states(countries), countries["Libya"])
    features = sorted((feature(r) for r in runs), key=lambda f: (
        f["properties"]["actor"] in ("lna", "gnu"), f["properties"]["valid_from"],
        ACTOR_ORDER.index(f["properties"]["actor"]), f["properties"]["label"]))
    check_towns(features)
    write(features, args.out)
    print(f"{args.out}: {len(features)} features, {args.out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
