"""Build the dated zones of control for the bundled Syria–Libya scenario.

Writes geodata/scenarios/syria-libya/zones.geojson: a FeatureCollection of
Polygon/MultiPolygon features in WGS84 with the properties actor, label,
valid_from, valid_to (inclusive last day; "" = still valid at the latest
reporting), confidence and source. Method, sources and what is approximate:
geodata/scenarios/syria-libya/ZONES.md.

No admin-boundary polygons can be downloaded here, so the zones are built from
 * the country outlines exactly as the basemap draws them
   (geodata/basemap/countries.geojson.gz, read by geodata/countries.py: Natural Earth
   1:10m via npm world-atlas 2.0.2, simplified by tools/build_basemap.py to finer than a
   pixel of its most detailed tiles), so a zone's outer edge is the drawn border,
 * the Euphrates line of the basemap's rivers layer (geodata/basemap/rivers.geojson),
 * hand-drawn lines along named towns (the lists below),
then clipped to the country. All these outlines are noded once into faces, and in
each dated state a face goes to the first zone in the state's list whose region
holds it; the last zone of each state takes the rest. So the zones tile the
country exactly and neighbours share identical edges. A zone whose faces do not
change between consecutive states becomes one feature spanning them.

Before writing, every row of town_checks.csv must find exactly one zone, of the
expected actor, at its point on its day; the point must lie inside the land as drawn.

    python tools/build_zones.py      # after any change to the basemap's countries.geojson.gz

The output is deterministic for given inputs.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, box, mapping, shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geodata.countries import COUNTRIES_FILE, country_outlines  # noqa: E402  the border the map draws

REPO = Path(__file__).resolve().parent.parent
SCENARIO = REPO / "geodata" / "scenarios" / "syria-libya"
BASEMAP = REPO / "geodata" / "basemap"
OUT = SCENARIO / "zones.geojson"
CHECKS = SCENARIO / "town_checks.csv"
CHECK_COLUMNS = ["place", "lat", "lon", "date", "holder", "source"]
COUNTRIES = ("Syria", "Israel", "Libya")  # Israel only for the Golan, which Natural Earth draws inside it

EXACT = 1e-9  # square degrees (~10 m²): a tile differing from its drawn region by more lacks an outline
SCENARIO_START = "2024-12-01"
LAST_KNOWN = "last known Feb 2026"
INSIDE_M = 100  # a check point this close to the drawn coast or border says nothing about the zones
ACTOR_ORDER = ("assad", "syria_gov", "sdf", "sna", "suwayda", "daraa_factions", "israel", "us_coalition", "lna", "gnu")
TANF = (38.6178, 33.5058)  # garrison, Wikipedia 33°30′21″N 38°37′04″E

# --- hand-drawn regions, (lon, lat); parts outside the country or across the
# --- Euphrates are cut away later, so edges may run through Turkey or Iraq.

# Afrin, Azaz (with Tell Rifaat, taken 1 Dec 2024), al-Bab and Jarabulus
# districts: south edge between Tell Rifaat and Nubl, south of al-Bab, then
# north along the Manbij district line to the Sajur.
SNA_NORTH_BELT = [(36.45, 37.10), (38.40, 37.10), (38.40, 36.66), (37.95, 36.66), (37.80, 36.62),
                  (37.72, 36.52), (37.68, 36.38), (37.62, 36.30), (37.45, 36.27), (37.30, 36.37),
                  (37.15, 36.42), (37.02, 36.42), (36.92, 36.38), (36.75, 36.36), (36.70, 36.35),
                  (36.60, 36.34), (36.45, 36.34)]
# Taken by the SNA on 1 Dec 2024 south of al-Bab: Tadef, Kuweires airbase and
# as-Safira; the Aleppo airport side stays with the HTS-led offensive.
SNA_DAWN_CORRIDOR = [(37.35, 36.33), (37.62, 36.33), (37.62, 36.30), (37.64, 36.24), (37.62, 36.05),
                     (37.45, 35.98), (37.30, 36.02), (37.28, 36.15), (37.35, 36.24)]
# Tell Abyad - Ras al-Ayn strip (2019 "Peace Spring" zone), ~30 km deep,
# north of Ain Issa and west of Tell Tamer.
SNA_PEACE_SPRING = [(38.85, 37.10), (40.25, 37.10), (40.25, 36.62), (40.00, 36.56), (39.60, 36.50),
                    (39.20, 36.47), (38.95, 36.45), (38.85, 36.50)]
# Manbij district west of the Euphrates, Sajur to the line north of Deir Hafer
# (the SDF held the Babiri pumping station south of al-Khafsah in Dec 2024).
MANBIJ = [(37.95, 36.66), (38.40, 36.66), (38.40, 36.12), (38.00, 36.14), (37.80, 36.20),
          (37.64, 36.24), (37.62, 36.30), (37.68, 36.38), (37.72, 36.52), (37.80, 36.62)]
# West-bank villages at the Tishrin Dam (36.3814N 38.1833E) the SDF held from
# Dec 2024 to 18 Jan 2026: Khirbet Tueni and Mahshiyet al-Tawahin ~5 km west,
# al-Sa'ideen, Qishla; the Qara Qozak bridge front ran along the river itself.
TISHRIN_BRIDGEHEAD = [(38.07, 36.43), (38.19, 36.45), (38.21, 36.38), (38.19, 36.33), (38.10, 36.33),
                      (38.05, 36.38)]
# The dam and both of its ends, taken by the government on 19 Jan 2026.
TISHRIN_DAM_AREA = [(38.05, 36.38), (38.07, 36.43), (38.19, 36.45), (38.23, 36.41), (38.23, 36.35),
                    (38.19, 36.33), (38.10, 36.33)]
# Deir Hafer - Maskanah pocket west of Lake Assad (SDF from 30 Nov 2024 to 17 Jan 2026).
DEIR_HAFER_POCKET = [(37.64, 36.24), (37.80, 36.20), (38.00, 36.14), (38.40, 36.12), (38.35, 35.80),
                     (38.05, 35.83), (37.85, 35.92), (37.62, 36.05)]
# South bank from Tabqa past Raqqa, short of Ma'dan; 15-25 km deep.
TABQA_SOUTH_BANK = [(38.35, 35.80), (38.40, 36.00), (39.60, 35.90), (39.55, 35.70), (38.90, 35.70),
                    (38.60, 35.72), (38.45, 35.75)]
# Right bank of Deir ez-Zor governorate, Tibni to Albu Kamal, ~20 km deep:
# Deir ez-Zor city and airport, Mayadin, Quriyah, Albu Kamal (SDF 6-9 Dec 2024).
DEZ_WEST_BANK = [(39.75, 35.75), (39.75, 35.55), (39.95, 35.40), (40.10, 35.25), (40.35, 35.05),
                 (40.60, 34.85), (40.85, 34.55), (40.95, 34.40), (41.05, 34.42), (41.10, 34.55),
                 (40.50, 35.30), (40.10, 35.60), (39.85, 35.85)]
# The government's "seven villages" on the left bank opposite Deir ez-Zor
# (Husseiniyah, Salhiyah, Hatla, Marrat, Mazlum, Tabiyeh, Khasham), to the SDF 6 Dec 2024.
SEVEN_VILLAGES = [(40.08, 35.41), (40.20, 35.43), (40.36, 35.31), (40.33, 35.22), (40.16, 35.25)]
# Qamishli airport around its reference point 37.0206N 41.1914E (Wikipedia = OurAirports OSKL); box drawn by eye.
QAMISHLI_AIRPORT_BOX = [(41.170, 37.010), (41.212, 37.010), (41.212, 37.031), (41.170, 37.031)]
# Sheikh Maqsood and Ashrafieh, Aleppo (lost by the SDF on 10 Jan 2026).
SHEIKH_MAQSOOD = [(37.138, 36.228), (37.150, 36.222), (37.165, 36.232), (37.162, 36.247),
                  (37.145, 36.248), (37.136, 36.238)]
# Ayn al-Arab (Kobani) district east of the river with Sarrin and Qara Qozak,
# and Ain Issa on the M4: what the SDF still held west of Hasakah on 18-19 Jan 2026.
KOBANI_AIN_ISSA = [(37.95, 37.10), (38.85, 37.10), (38.95, 36.45), (38.97, 36.33), (38.75, 36.33),
                   (38.45, 36.45), (38.25, 36.47), (38.10, 36.55), (37.95, 36.70)]
# Kobani pocket after 20 Jan 2026: the town and its plain, south to the
# Kharab Ashk - Jalabiyah villages still SDF-held on 25-26 Jan; Sarrin and Qara Qozak outside.
KOBANI_POCKET = [(37.95, 37.10), (38.80, 37.10), (38.78, 36.66), (38.60, 36.58), (38.35, 36.66),
                 (38.15, 36.68), (37.95, 36.71)]
# Al-Hasakah governorate: Raqqa-governorate line west of Ras al-Ayn/Tell Tamer,
# Deir ez-Zor line south of Markada; Iraq border to the east.
HASAKAH_GOVERNORATE = [(39.85, 37.40), (42.80, 37.60), (42.80, 35.60), (41.60, 35.60), (40.80, 35.62),
                       (40.45, 35.80), (40.10, 36.05), (39.90, 36.35), (39.85, 36.60)]
# The same without al-Shaddadi and the south (lost 18-19 Jan 2026); al-Hol still inside.
HASAKAH_WITHOUT_SHADDADI = [(39.85, 37.40), (42.80, 37.60), (42.80, 36.25), (39.92, 36.25), (39.85, 36.60)]
# SDF after 20 Jan 2026: Hasakah city, Tell Tamer and the Khabur villages, Darbasiyah,
# Amuda, Qamishli, Qahtaniyah, Rmelan, al-Malikiyah and the Semalka crossing;
# al-Hol, Tell Brak, Tal Hamis and al-Yarubiyah outside.
HASAKAH_NORTH = [(40.22, 37.40), (42.80, 37.60), (42.80, 36.95), (42.10, 36.92), (41.80, 36.93),
                 (41.45, 36.92), (41.20, 36.85), (41.00, 36.68), (40.85, 36.45), (40.72, 36.40),
                 (40.58, 36.45), (40.45, 36.55), (40.30, 36.57), (40.22, 36.62)]
# HTS-led offensive fronts. 1 Dec 2024: Idlib, Aleppo city and its west and south,
# north Hama to Morek and Latamneh. 5 Dec: Hama city. 6 Dec: Salamiyah and
# Rastan/Talbiseh; Homs, Masyaf and the coast still with Assad.
HTS_DEC_1 = [(36.45, 37.10), (37.75, 37.10), (37.75, 36.10), (37.60, 35.95), (37.45, 35.75),
             (37.30, 35.50), (37.10, 35.40), (36.85, 35.37), (36.62, 35.40), (36.50, 35.47),
             (36.38, 35.55), (36.25, 35.62), (36.18, 35.80), (36.22, 35.95), (36.30, 36.10), (36.45, 36.40)]
HTS_DEC_5 = [(36.45, 37.10), (37.75, 37.10), (37.75, 36.10), (37.60, 35.95), (37.52, 35.70),
             (37.40, 35.40), (37.20, 35.15), (36.95, 35.07), (36.75, 35.06), (36.58, 35.12),
             (36.45, 35.25), (36.35, 35.40), (36.25, 35.60), (36.18, 35.80), (36.22, 35.95),
             (36.30, 36.10), (36.45, 36.40)]
HTS_DEC_6 = [(36.45, 37.10), (37.75, 37.10), (37.75, 36.10), (37.60, 35.95), (37.52, 35.70),
             (37.40, 35.40), (37.20, 35.10), (37.10, 34.96), (36.85, 34.83), (36.68, 34.83),
             (36.55, 34.95), (36.42, 35.12), (36.30, 35.35), (36.25, 35.60), (36.18, 35.80),
             (36.22, 35.95), (36.30, 36.10), (36.45, 36.40)]
# Daraa governorate and the Syrian-held Quneitra governorate (Southern Operations
# Room factions from 7 Dec 2024); Jordan, the Golan line and Suwayda cut it.
DARAA_QUNEITRA = [(35.60, 32.60), (35.60, 33.35), (35.90, 33.36), (36.00, 33.30), (36.10, 33.22),
                  (36.25, 33.22), (36.45, 33.10), (36.58, 33.05), (36.60, 32.50), (36.55, 32.30),
                  (35.90, 32.30)]
AS_SUWAYDA = [(36.52, 32.20), (36.53, 32.55), (36.45, 32.65), (36.38, 32.72), (36.42, 32.85),
              (36.50, 32.95), (36.55, 33.05), (36.80, 33.10), (37.10, 33.15), (37.35, 33.00),
              (37.30, 32.60), (37.05, 32.20)]
# Syrian side of Mt Hermon around the summit (33.416N 35.858E).
HERMON = [(35.78, 33.33), (35.82, 33.42), (35.86, 33.46), (35.92, 33.46), (35.94, 33.38),
          (35.88, 33.30), (35.82, 33.29)]
# West edge of the occupied Golan: the 1923 line along the upper Jordan and the
# east shore of the Sea of Galilee, to the Yarmouk.
GOLAN_WEST_EDGE = [(35.62, 33.35), (35.625, 33.25), (35.63, 33.10), (35.63, 33.00), (35.625, 32.90),
                   (35.645, 32.83), (35.65, 32.76), (35.64, 32.70), (35.645, 32.60)]
ISRAEL_BUFFER_M = 4000  # the UNDOF area of separation is 0.5-10 km wide; IDF posts sit on and past it
TANF_RADIUS_M = 55_000
# GNU north-west: the Sirte-Jufra line between Buerat al-Hassoun and Wadi Jarif,
# west of Sokna, then south-west to the Algerian border, keeping Bani Walid,
# Mizda, Ghadames and Derj (Tripolitania's desert districts).
GNU_NORTH_WEST = [(8.0, 34.5), (15.95, 34.5), (15.95, 31.20), (15.55, 30.60), (15.40, 29.90),
                  (13.50, 29.60), (11.50, 29.20), (10.00, 28.60), (8.0, 28.60)]

# Every hand-drawn region of Syria: their outlines, with the computed ones, cut the country into faces.
SYRIA_HAND_DRAWN = (SNA_NORTH_BELT, SNA_DAWN_CORRIDOR, SNA_PEACE_SPRING, MANBIJ, TISHRIN_BRIDGEHEAD, TISHRIN_DAM_AREA,
                    DEIR_HAFER_POCKET, TABQA_SOUTH_BANK, DEZ_WEST_BANK, SEVEN_VILLAGES, QAMISHLI_AIRPORT_BOX,
                    SHEIKH_MAQSOOD, KOBANI_AIN_ISSA, KOBANI_POCKET, HASAKAH_GOVERNORATE, HASAKAH_WITHOUT_SHADDADI,
                    HASAKAH_NORTH, HTS_DEC_1, HTS_DEC_5, HTS_DEC_6, DARAA_QUNEITRA, AS_SUWAYDA, HERMON)

HAND = "approximate boundary drawn by hand along "
RIVER = "the Euphrates (basemap rivers, WDBII)"
BORDER = "the border as the basemap draws it (Natural Earth 1:10m via world-atlas 2.0.2)"


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


@dataclass(frozen=True)
class Drawing:
    """A country's dated states and every outline their regions are made of."""

    states: list[State]
    outlines: list[shapely.Geometry]


@dataclass(frozen=True)
class Check:
    """One row of town_checks.csv: who should hold the zone at a point on a day."""

    row: int
    place: str
    point: Point
    day: str
    holder: str


def basemap_file(layer: str) -> Path:
    """A basemap layer's file as manifest.json names it: the same file the dashboard draws."""
    return BASEMAP / json.loads((BASEMAP / "manifest.json").read_text())["files"][layer]


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the areal parts: overlays can leave stray lines and points on shared edges."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def area(coords: list[tuple[float, float]]) -> shapely.Geometry:
    return Polygon(coords)


def union(*geometries: shapely.Geometry) -> shapely.Geometry:
    return shapely.union_all(geometries)


def minus(geometry: shapely.Geometry, *cut: shapely.Geometry) -> shapely.Geometry:
    return polygonal(shapely.difference(geometry, union(*cut)))


def within(region: shapely.Geometry, *coords: list[tuple[float, float]]) -> shapely.Geometry:
    """The hand-drawn areas, cut to `region` (a country or one bank of the Euphrates)."""
    return polygonal(shapely.intersection(union(*(area(c) for c in coords)), region))


def to_4_decimals(geometry: shapely.Geometry) -> shapely.Geometry:
    """Computed outlines (buffers, circles) at ~10 m, so the file does not carry 17-digit noise."""
    return shapely.make_valid(shapely.transform(geometry, lambda xy: np.round(xy, 4)))


def read_countries() -> dict[str, shapely.Geometry]:
    """The outlines of COUNTRIES exactly as the basemap draws them."""
    drawn = country_outlines()
    missing = [name for name in COUNTRIES if name not in drawn]
    if missing:
        raise SystemExit(f"{COUNTRIES_FILE}: no feature named {', '.join(missing)}")
    return {name: drawn[name] for name in COUNTRIES}


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
    return polygonal(shapely.intersection(israel, east))


def metric_buffer(geometry: shapely.Geometry, metres: float) -> shapely.Geometry:
    """Buffer in UTM 36N, where the Golan sits, so the width is in metres everywhere."""
    to_utm = Transformer.from_crs(4326, 32636, always_xy=True).transform
    to_lonlat = Transformer.from_crs(32636, 4326, always_xy=True).transform
    buffered = shapely.transform(geometry, to_utm, interleaved=False).buffer(metres)
    return to_4_decimals(shapely.transform(buffered, to_lonlat, interleaved=False))


def geodesic_circle(lon: float, lat: float, metres: float) -> shapely.Geometry:
    geod = Geod(ellps="WGS84")
    azimuths = range(0, 360, 5)
    lons, lats, _ = geod.fwd([lon] * len(azimuths), [lat] * len(azimuths), list(azimuths), [metres] * len(azimuths))
    return to_4_decimals(area(list(zip(lons, lats))))


def syria_outline(countries: dict[str, shapely.Geometry]) -> shapely.Geometry:
    """The drawn Syria plus the occupied Golan, which Natural Earth draws inside Israel."""
    return union(countries["Syria"], golan_heights(countries["Israel"]))


def syria_states(countries: dict[str, shapely.Geometry], east_side: shapely.Geometry) -> Drawing:
    """The dated states of Syria, oldest first."""
    golan_area = golan_heights(countries["Israel"])
    syria = syria_outline(countries)
    west = minus(syria, east_side)
    east = polygonal(shapely.intersection(syria, east_side))

    golan = (Zone("israel", "Israel – occupied Golan Heights, since 1967 (approximate west edge)", "confirmed",
                  "Natural Earth 1:10m admin-0 as the basemap draws it (de facto Israel polygon, world-atlas "
                  "2.0.2) cut by hand along the 1923 line (upper Jordan, east shore of the Sea of Galilee)"),
             golan_area)
    buffer_zone = (Zone("israel", "Israel – Mt Hermon + UNDOF buffer zone, from 8 Dec 2024 (approximate)",
                        "confirmed",
                        "AP via Hurriyet, 2024-12-17; TRT, 2024-12-17; approximate boundary drawn by hand: a 4-km "
                        "band east of the Golan line plus the Syrian side of Mt Hermon (summit 33.416N 35.858E)"),
                   union(metric_buffer(golan_area, ISRAEL_BUFFER_M), area(HERMON)))
    tanf = (Zone("us_coalition", "US-led coalition – al-Tanf 55-km zone", "confirmed",
                 "CENTCOM via Shafaq News, 2026-02-12; Reuters via devdiscourse, 2026-02-12 (handover 11 Feb 2026); "
                 "zone = 55-km circle around the garrison (33.5058N 38.6178E, Wikipedia) clipped to Syria"),
            geodesic_circle(*TANF, TANF_RADIUS_M))

    # --- Assad before the fall: enclaves inside the SDF's north-east, then the rest.
    airport = area(QAMISHLI_AIRPORT_BOX)
    assad_enclaves = (Zone("assad", "Assad government – Qamishli airport and the seven villages east of "
                                    "Deir ez-Zor (approximate)", "reported",
                           "Anadolu via usmuslims.com, 2024-12-07 (army left Hasakah and Qamishli); TRT, 2024-12-06 "
                           "(SDF took the seven villages and Deir ez-Zor airport); Wikipedia 'Qamishli Airport' "
                           f"(SDF 7 Dec); {HAND}the airport and the villages"),
                      union(airport, within(east, SEVEN_VILLAGES)))
    assad_airport = (Zone("assad", "Assad government – Qamishli airport (approximate)", "reported",
                          "Anadolu via usmuslims.com, 2024-12-07; Wikipedia 'Qamishli Airport' (SDF took it 7 Dec "
                          f"2024); {HAND}the airport"), airport)
    assad = (Zone("assad", "Assad government – until the fall on 8 Dec 2024 (approximate)", "reported",
                  "Anadolu via anews, 2024-12-06; Reuters via devdiscourse, 2024-12-05 and 2024-12-08 (Homs); "
                  "Guardian via hathalyoum, 2024-12-08; remainder of Syria"), None)

    # --- HTS-led offensive, later the transitional government.
    hts_source = "Anadolu via anews, 2024-12-06; Shafaq News, 2024-12-02"

    def hts(day: str, towns: str, source: str, coords: list[tuple[float, float]]) -> tuple[Zone, shapely.Geometry]:
        return (Zone("syria_gov", f"HTS-led opposition (later transitional government) – front of {day} "
                                  "(approximate)", "reported", f"{source}; {HAND}{towns}"), area(coords))

    hts_dec1 = hts("1 Dec 2024", "Khan Shaykhun, Morek, Aleppo airport and the Idlib–Latakia line",
                   f"{hts_source}; Wikipedia '2024 Hama offensive'", HTS_DEC_1)
    hts_dec5 = hts("5 Dec 2024", "Hama's southern edge", f"{hts_source}; Reuters via devdiscourse, 2024-12-05 "
                   "(Hama)", HTS_DEC_5)
    hts_dec6 = hts("6–7 Dec 2024", "Salamiyah, Rastan, Talbiseh and the Ghab",
                   f"{hts_source} (Rastan, Talbiseh); dpa via bluewin, 2024-12-06", HTS_DEC_6)

    # --- SNA.
    sna_corridor = (Zone("sna", "Turkish-backed SNA – Tadef, Kuweires airbase and as-Safira, taken 1 Dec 2024 "
                                "(approximate)", "reported",
                         "TRT/Anadolu, 2024-12-01 (Kuweires); Wikipedia 'Operation Dawn of Freedom' (as-Safira, "
                         "Kuweires, 1 Dec); no later change found, so kept as last documented; "
                         f"{HAND}al-Bab, Tadef, Kuweires and as-Safira"),
                    within(west, SNA_DAWN_CORRIDOR))
    sna_before = (Zone("sna", "Turkish-backed SNA – Afrin–Azaz–al-Bab–Jarabulus belt (with Tell Rifaat) and Tell "
                              "Abyad–Ras al-Ayn strip (approximate)", "confirmed",
                       "Anadolu via anews, 2024-12-01 (Tell Rifaat); Shafaq News/SOHR, 2024-12-02; Wikipedia 'Manbij "
                       f"offensive (2024)'; {HAND}Afrin, Azaz, Tell Rifaat, al-Bab, the Sajur, Tell Abyad, Ras "
                       f"al-Ayn and {BORDER}"),
                  union(within(west, SNA_NORTH_BELT), within(syria, SNA_PEACE_SPRING)))
    sna_after = (Zone("sna", "Turkish-backed SNA (in the MoD from Jan 2025) – northern belt, Manbij and Tell Abyad–Ras "
                             "al-Ayn strip (approximate)", "confirmed",
                      "Wikipedia 'Manbij offensive (2024)' and 'East Aleppo offensive (2024–2025)' (Manbij taken "
                      "9–11 Dec, SDF out 12 Dec); TRT, 2024-12-17; Shafaq News, 2024-12-26; "
                      f"{HAND}Afrin, Azaz, al-Bab, Manbij, {RIVER}, Tell Abyad, Ras al-Ayn and {BORDER}"),
                 minus(union(within(west, SNA_NORTH_BELT, MANBIJ), within(syria, SNA_PEACE_SPRING)),
                       area(TISHRIN_BRIDGEHEAD)))

    # --- SDF.
    def sdf(label: str, confidence: str, source: str, *regions: shapely.Geometry) -> tuple[Zone, shapely.Geometry]:
        return Zone("sdf", f"SDF / AANES – {label} (approximate)", confidence, source), union(*regions)

    pocket = within(west, DEIR_HAFER_POCKET)
    south_bank = within(west, TABQA_SOUTH_BANK)
    maqsood = area(SHEIKH_MAQSOOD)
    bridgehead = within(west, TISHRIN_BRIDGEHEAD)
    manbij = within(west, MANBIJ)
    east_dec1 = minus(east, airport, within(east, SEVEN_VILLAGES))
    dec_source = ("Wikipedia 'Manbij offensive (2024)' and 'Dayr Hafir' (SDF from 30 Nov 2024); Shafaq News/SOHR, "
                  "2024-12-02 (Tell Rifaat lost 1 Dec)")
    sdf_dec1 = sdf("east of the Euphrates, Manbij, Deir Hafer–Maskanah, Tabqa, Sheikh Maqsood", "confirmed",
                   f"{dec_source}; {HAND}{RIVER}, the Sajur and the towns of the Deir Hafer–Maskanah pocket",
                   east_dec1, manbij, pocket, south_bank, maqsood)
    sdf_dec6 = sdf("east of the Euphrates and Deir ez-Zor's right bank (city, Mayadin, Albu Kamal), Manbij, Deir "
                   "Hafer–Maskanah, Tabqa, Sheikh Maqsood", "confirmed",
                   "Reuters via babel.ua, 2024-12-06; AFP/SOHR via LBC, 2024-12-06; TRT, 2024-12-06; Reuters video "
                   f"via Yahoo, 2024-12-07; {dec_source}; {HAND}{RIVER} and the right bank from Tibni to Albu Kamal",
                   minus(east, airport), within(west, DEZ_WEST_BANK), manbij, pocket, south_bank, maqsood)
    sdf_dec7 = sdf("east of the Euphrates with Qamishli airport, Deir ez-Zor's right bank, Manbij, Deir "
                   "Hafer–Maskanah, Tabqa, Sheikh Maqsood", "reported",
                   "Anadolu via usmuslims.com, 2024-12-07 (Hasakah, Qamishli); Rudaw, 2024-12-08 (SDF still in "
                   f"Deir ez-Zor); Reuters via babel.ua, 2024-12-06; {dec_source}; {HAND}{RIVER}",
                   east, within(west, DEZ_WEST_BANK), manbij, pocket, south_bank, maqsood)
    sdf_dec10 = sdf("east of the Euphrates, Manbij, Deir Hafer–Maskanah, Tabqa, Sheikh Maqsood", "confirmed",
                    "AFP via NDTV, 2024-12-11 (rebels took Deir ez-Zor city on 10 Dec, SOHR: Kurdish forces "
                    f"withdrew); North Press via nlka.net; {dec_source}; {HAND}{RIVER}",
                    east, manbij, pocket, south_bank, maqsood)
    tishrin = ("Tishrin Dam held with its west-bank villages (Wikipedia 'East Aleppo offensive (2024–2025)'; "
               "The New Arab via plawiuk, 2024-12-26; Shafaq News, 2025-04-09 and 2025-05-05 (joint force with "
               "government troops from 12 Apr 2025, dam kept under AANES administration, Middle East Eye via "
               "hathalyoum 2025-04-12); Anadolu via BirGün, 2026-01-19 (still SDF-held))")
    sdf_2025 = sdf("east of the Euphrates, Tishrin Dam bridgehead, Deir Hafer–Maskanah, Tabqa/Raqqa south bank, "
                   "Sheikh Maqsood", "confirmed",
                   f"{tishrin}; Tehran Times/Reuters, 2025-03-11 (10 Mar agreement); Enab Baladi via Syrian "
                   "Observer, 2025-10-14 (SDF on the Deir ez-Zor east bank; The National's 2025-01-21 report of a "
                   f"withdrawal from four towns is not mapped); Okaz, 2026-01-04; {HAND}{RIVER} and the pockets",
                   east, bridgehead, pocket, south_bank, maqsood)
    sdf_no_maqsood = sdf("east of the Euphrates, Tishrin Dam bridgehead, Deir Hafer–Maskanah pocket, Tabqa/Raqqa "
                         "south bank", "confirmed",
                         "ecoi.net (Schmidinger), 2026-01-23 and Wikipedia '2026 northeastern Syria offensive' "
                         f"(Sheikh Maqsood lost 10 Jan 2026); {tishrin}; {HAND}{RIVER}",
                         east, bridgehead, pocket, south_bank)
    sdf_no_pocket = sdf("east of the Euphrates, Tishrin Dam bridgehead, Tabqa/Raqqa south bank", "confirmed",
                        "AP via siasat, 2026-01-17 and Anadolu via anews, 2026-01-17 (Deir Hafer, Jarrah airbase, "
                        f"Maskanah, Dibsi Afnan); {tishrin}; {HAND}{RIVER}", east, bridgehead, south_bank)
    sdf_jan18 = sdf("Hasakah governorate, Kobani district with Sarrin, Ain Issa, Tishrin Dam", "reported",
                    "Al Jazeera, 2026-01-18; AP via the Independent, 2026-01-18 (Tabqa); Anadolu via Türkiye Today, "
                    "2026-01-18 (Deir ez-Zor east bank to tribal forces); Anadolu via anews, 2026-01-18 (army "
                    "pushes from Tell Abyad to cut Kobani from Hasakah); SDF statement via Shafaq News, 2026-01-19 "
                    f"(fighting in Ain Issa); {HAND}the Raqqa/Deir ez-Zor governorate lines and the M4",
                    within(east, HASAKAH_GOVERNORATE, KOBANI_AIN_ISSA), bridgehead)
    sdf_jan19 = sdf("Hasakah governorate without al-Shaddadi, Kobani district with Sarrin, Ain Issa", "reported",
                    "Anadolu via BirGün, 2026-01-19 and ABACA photo 2026-01-19 (Tishrin Dam to the army); Shafaq "
                    "News, 2026-01-19 (army in al-Shaddadi and its prison); SDF statement via Shafaq News, "
                    f"2026-01-19 (Ain Issa); {HAND}the Raqqa/Deir ez-Zor governorate lines",
                    minus(within(east, HASAKAH_WITHOUT_SHADDADI, KOBANI_AIN_ISSA), area(TISHRIN_DAM_AREA)))
    north_source = ("AFP via LBC, 2026-01-20 (al-Hol); TRT/Anadolu, 2026-01-20 and Daily Sabah (Sarrin, Qara Qozak "
                    "taken before the 8 pm ceasefire); The New Region, 2026-01-20 (Tal Hamis, al-Yarubiyah, Tell "
                    "Brak left); Enab Baladi via AINA, 2026-01-30 (SDF in Tell Tamer, no change in the lines); Arab48, "
                    "2026-01-26 (Kharab Ashk, Jalabiyah); AP via yalibnan, 2026-02-03 (Interior Ministry police in "
                    "Hasakah 2 Feb, Qamishli 3 Feb); Kurdistan24, 2026-02-02 (Kobani)")
    sdf_north = sdf("Hasakah–Tell Tamer–Amuda–Qamishli–al-Malikiyah and Kobani; government police inside from "
                    "2 Feb 2026", "reported",
                    f"{north_source}; {HAND}Hasakah, Tell Tamer, Darbasiyah, Amuda, Qamishli, al-Malikiyah, Kobani "
                    f"and {BORDER}", within(east, HASAKAH_NORTH, KOBANI_POCKET))
    sdf_north_no_airport = sdf("Hasakah–Tell Tamer–Amuda–Qamishli–al-Malikiyah and Kobani, without Qamishli "
                               "airport; government police inside from 2 Feb 2026", "reported",
                               f"{north_source}; Okaz/SANA and Kurdistan24, 2026-02-08 (airport); {HAND}Hasakah, "
                               f"Tell Tamer, Amuda, Qamishli, al-Malikiyah, Kobani and {BORDER}",
                               minus(within(east, HASAKAH_NORTH, KOBANI_POCKET), airport))

    # --- Southern local factions: Druze in Suwayda, Southern Operations Room in Daraa and Quneitra.
    suwayda = (Zone("suwayda", "Suwayda Druze factions – As-Suwayda governorate from 7 Dec 2024; government "
                               "forces in the west and the city 14–16 Jul 2025 not drawn (approximate)", "confirmed",
                    "AFP/SOHR via LBC, 2024-12-06 (officials left); Anadolu via anews, 2024-12-06 (ultimatum, police "
                    "HQ taken); Syria Direct, 2025-02-06 (army fled the day before Assad fell; Men of Dignity); "
                    "Reuters via devdiscourse, 2025-07-17 and 2025-07-20; Al Jazeera via vgchartz (withdrawal); "
                    f"{HAND}the governorate around Suwayda, Shahba and Salkhad"), area(AS_SUWAYDA))
    southern = (Zone("daraa_factions", "Southern Operations Room – Daraa and Quneitra under local factions (8th "
                                       "Brigade in Busra al-Sham), aligned with the transitional government "
                                       "(approximate)", "reported",
                     "TRT/Anadolu, 2024-12-06 (room formed; Daraa city centre taken early 7 Dec); Reuters via "
                     "pravda.com.ua and voi.id, 2024-12-07; AFP/SOHR (90% of Daraa province); Anadolu via Türkiye "
                     "Today (Quneitra by 7 Dec); Al Majalla (8th Brigade's own prisons and security forces); "
                     "North Press and JPost, 2025-04-12/15 (8th Brigade dissolved 12–13 Apr 2025, General Security "
                     f"into Busra al-Sham); {HAND}the Daraa and Quneitra governorate lines"), area(DARAA_QUNEITRA))

    def government(label: str, source: str) -> tuple[Zone, None]:
        return Zone("syria_gov", f"Syrian transitional government – {label} (approximate)", "confirmed", source), None

    kobani_south = (Zone("syria_gov", "Syrian transitional government – Sarrin, Qara Qozak and Ain Issa, from 20 Jan "
                                      "2026; Ain Issa's date inferred (approximate)", "reported",
                         "TRT/Anadolu, 2026-01-20 and Daily Sabah (Sarrin, then Qara Qozak ~7 pm before the 8 pm "
                         "ceasefire); Ain Issa: no dated report found, the SDF said it fought there on 19 Jan (Shafaq "
                         "News, 2026-01-19) and Kobani was cut off from Hasakah by the ceasefire (Al Jazeera, "
                         f"2026-01-23); {HAND}the M4 and the Kobani plain"),
                    minus(within(east, KOBANI_AIN_ISSA), area(KOBANI_POCKET)))
    airport_gov = (Zone("syria_gov", "Syrian transitional government – Qamishli airport, from 8 Feb 2026 "
                                     "(approximate)", "reported",
                        "SANA via Okaz, 2026-02-08 ('officially received'); Kurdistan24, 2026-02-08 (delegation at "
                        "the airport, talks on the handover); MENAFN, 2026-02-22 (Civil Aviation Authority has "
                        f"assumed management); {HAND}the airport"), airport)

    before_fall = (golan, tanf)
    held = (golan, buffer_zone, tanf)
    outlines = [east_side, golan_area, buffer_zone[1], tanf[1], *(area(c) for c in SYRIA_HAND_DRAWN)]
    return Drawing(outlines=outlines, states=[
        State(SCENARIO_START, (*before_fall, assad_enclaves, sna_corridor, sna_before, sdf_dec1, hts_dec1, assad)),
        State("2024-12-05", (*before_fall, assad_enclaves, sna_corridor, sna_before, sdf_dec1, hts_dec5, assad)),
        State("2024-12-06", (*before_fall, assad_airport, sna_corridor, sna_before, sdf_dec6, hts_dec6, assad)),
        State("2024-12-07", (*before_fall, sna_corridor, sna_before, sdf_dec7, suwayda, southern, hts_dec6, assad)),
        State("2024-12-08", (*held, sna_corridor, sna_before, sdf_dec7, suwayda, southern,
                             government("rest of Syria from Assad's fall", "AP via Hurriyet, 2024-12-17; TRT, "
                                        "2024-12-17; Reuters via devdiscourse, 2024-12-08; Assad flown out 8 Dec "
                                        "2024"))),
        State("2024-12-10", (*held, sna_corridor, sna_before, sdf_dec10, suwayda, southern,
                             government("rest of Syria, with Deir ez-Zor's right bank",
                                        "AFP via NDTV, 2024-12-11; North Press via nlka.net"))),
        State("2024-12-11", (*held, sna_corridor, sna_after, sdf_2025, suwayda, southern,
                             government("rest of Syria", "Shafaq News, 2024-12-26; Tehran Times/Reuters, "
                                        "2025-03-11"))),
        State("2025-04-13", (*held, sna_corridor, sna_after, sdf_2025, suwayda,
                             government("rest of Syria, with Daraa and Quneitra after the 8th Brigade dissolved",
                                        "North Press, 2025-04; JPost, 2025-04-15; Al Majalla; AFP via Jang"))),
        State("2026-01-10", (*held, sna_corridor, sna_after, sdf_no_maqsood, suwayda,
                             government("rest of Syria, with all of Aleppo city",
                                        "ecoi.net (Schmidinger), 2026-01-23; Wikipedia '2026 northeastern Syria "
                                        "offensive'"))),
        State("2026-01-17", (*held, sna_corridor, sna_after, sdf_no_pocket, suwayda,
                             government("rest of Syria, with Deir Hafer and Maskanah",
                                        "AP via siasat, 2026-01-17; Anadolu via anews, 2026-01-17"))),
        State("2026-01-18", (*held, sna_corridor, sna_after, sdf_jan18, suwayda,
                             government("rest of Syria, with Tabqa, the Euphrates and Freedom dams, Raqqa and "
                                        "Deir ez-Zor's east bank",
                                        "Al Jazeera, 2026-01-18; Reuters via devdiscourse, 2026-01-18; AFP via Taipei "
                                        "Times, 2026-01-18; Anadolu via Türkiye Today, 2026-01-18"))),
        State("2026-01-19", (*held, sna_corridor, sna_after, sdf_jan19, suwayda,
                             government("rest of Syria, with the Tishrin Dam and al-Shaddadi",
                                        "Anadolu via BirGün, 2026-01-19; Shafaq News, 2026-01-19"))),
        State("2026-01-20", (*held, sna_corridor, sna_after, kobani_south, sdf_north, suwayda,
                             government("rest of Syria, with al-Hol and Tell Brak",
                                        "AFP via LBC, 2026-01-20; Al Jazeera via mova.su, 2026-01-21; The New "
                                        "Region, 2026-01-20"))),
        State("2026-02-08", (*held, airport_gov, sna_corridor, sna_after, kobani_south, sdf_north_no_airport, suwayda,
                             government("rest of Syria", "AFP via LBC, 2026-01-20; The New Region, 2026-01-20"))),
        State("2026-02-11", (golan, buffer_zone, airport_gov, sna_corridor, sna_after, kobani_south,
                             sdf_north_no_airport, suwayda,
                             government("rest of Syria, with al-Tanf",
                                        "CENTCOM via Shafaq News, 2026-02-12; Reuters via devdiscourse, "
                                        "2026-02-12"))),
    ])


def libya_states() -> Drawing:
    """One state for the whole period: no change in the Sirte-Jufra line was found."""
    gnu = (Zone("gnu", "GNU (Tripoli) – north-west, Tripolitania (approximate)", "confirmed",
                "AP (dumpling.news mirror), 2024-12; Jamestown EDM, 2025-04-17; approximate boundary drawn by hand "
                "along the Sirte–Jufra line (west of Wadi Jarif and Sokna), then south-west to the Algerian border, "
                "keeping Bani Walid, Mizda and Ghadames"), area(GNU_NORTH_WEST))
    lna = (Zone("lna", "LNA (Haftar) – east, Sirte, Jufra and Fezzan (approximate)", "confirmed",
                "AP (dumpling.news mirror), 2024-12; swedenherald; Jamestown EDM, 2025-04-17; defence-point, 2019 "
                "(Jufra since June 2017); Fezzan LNA-dominant; remainder of Libya"), None)
    return Drawing(states=[State(SCENARIO_START, (gnu, lna))], outlines=[gnu[1]])


def faces(country: shapely.Geometry, outlines: list[shapely.Geometry]) -> np.ndarray:
    """The country cut along every outline in one noding, so neighbouring faces share their edges exactly."""
    lines = shapely.union_all([shapely.boundary(g) for g in (country, *outlines)])
    candidates = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    return candidates[shapely.contains(country, shapely.point_on_surface(candidates))]


def tile(state: State, country: shapely.Geometry, cut: np.ndarray) -> list[tuple[Zone, frozenset[int]]]:
    """Give each face to the first zone whose region holds it, so the pieces never overlap or leave gaps."""
    inside = shapely.point_on_surface(cut)
    free = np.ones(len(cut), dtype=bool)
    taken, pieces = Polygon(), []
    for zone, region in state.pieces:
        mine = free.copy() if region is None else free & shapely.contains(region, inside)
        drawn = minus(country if region is None else shapely.intersection(region, country), taken)
        if abs(shapely.union_all(cut[mine]).area - drawn.area) > EXACT:
            raise SystemExit(f"{state.start} {zone.label}: its region is not cut along an outline; "
                             "add it to the outlines")
        if mine.any():
            pieces.append((zone, frozenset(np.flatnonzero(mine).tolist())))
            free &= ~mine
        taken = union(taken, drawn)
    return pieces


def periods(drawing: Drawing, country: shapely.Geometry) -> list[dict]:
    """One record per unbroken run of an unchanged zone; valid_to is inclusive, None = open."""
    cut = faces(country, drawing.outlines)
    states = drawing.states
    ends = [date.fromisoformat(s.start) - timedelta(days=1) for s in states[1:]] + [None]
    open_runs: dict[Zone, dict] = {}
    closed = []
    for state, end in zip(states, ends):
        current = dict(tile(state, country, cut))
        for zone in list(open_runs):
            if current.get(zone) != open_runs[zone]["faces"]:
                closed.append(open_runs.pop(zone))
        for zone, ids in current.items():
            if zone in open_runs:
                open_runs[zone]["valid_to"] = end
            else:
                open_runs[zone] = {"zone": zone, "faces": ids, "valid_from": state.start, "valid_to": end}
    runs = closed + list(open_runs.values())
    return [{**run, "geometry": shapely.union_all(cut[sorted(run["faces"])])} for run in runs]


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
        "geometry": mapping(shapely.normalize(run["geometry"])),
    }


def read_checks(path: Path, actors: set[str]) -> list[Check]:
    """town_checks.csv, each problem as `file:row: field: message` (header = row 1)."""
    problems, checks = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != CHECK_COLUMNS:
            raise SystemExit(f"{path}:1: header: expected {','.join(CHECK_COLUMNS)}")
        for row, record in enumerate(reader, start=2):
            try:
                lat, lon = float(record["lat"]), float(record["lon"])
            except ValueError:
                problems.append(f"{path}:{row}: lat/lon: not a number")
                continue
            try:
                date.fromisoformat(record["date"])
            except ValueError:
                problems.append(f"{path}:{row}: date: not YYYY-MM-DD: {record['date']!r}")
                continue
            if record["holder"] not in actors:
                problems.append(f"{path}:{row}: holder: unknown actor {record['holder']!r}")
            if not record["source"].strip():
                problems.append(f"{path}:{row}: source: empty")
            checks.append(Check(row, record["place"], Point(lon, lat), record["date"], record["holder"]))
    if problems:
        raise SystemExit("\n".join(problems))
    return checks


def check_towns(features: list[dict], checks: list[Check], land: shapely.Geometry, path: Path) -> None:
    """Each check point lies inside the drawn land and in exactly one zone, the expected actor's."""
    shapes = [shape(f["geometry"]) for f in features]
    inland = shapely.buffer(land, -INSIDE_M / 111_000)  # ~degrees; only a guard against points on the coast
    wrong = []
    for check in checks:
        if not inland.contains(check.point):
            wrong.append(f"{path}:{check.row}: lat/lon: {check.place} is not inside the land as drawn")
            continue
        found = [f["properties"]["actor"] for f, s in zip(features, shapes)
                 if f["properties"]["valid_from"] <= check.day
                 and (f["properties"]["valid_to"] == "" or check.day <= f["properties"]["valid_to"])
                 and s.contains(check.point)]
        if found != [check.holder]:
            wrong.append(f"{path}:{check.row}: holder: {check.place} on {check.day} is in {found or 'no zone'}, "
                         f"expected {check.holder}")
    if wrong:
        raise SystemExit("towns in the wrong zone:\n" + "\n".join(wrong))


def write(features: list[dict], out: Path) -> None:
    """One feature per line: small diffs, easy to read."""
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    out.write_text('{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rivers", type=Path, default=basemap_file("rivers"),
                        help="GeoJSON with a Euphrates line (default: the basemap's)")
    parser.add_argument("--checks", type=Path, default=CHECKS,
                        help="town checks CSV (place,lat,lon,date,holder,source)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    countries = read_countries()
    syria = syria_outline(countries)
    runs = (periods(syria_states(countries, east_of_euphrates(args.rivers)), syria)
            + periods(libya_states(), countries["Libya"]))
    features = sorted((feature(r) for r in runs), key=lambda f: (
        f["properties"]["actor"] in ("lna", "gnu"), f["properties"]["valid_from"],
        ACTOR_ORDER.index(f["properties"]["actor"]), f["properties"]["label"]))
    checks = read_checks(args.checks, set(ACTOR_ORDER))
    check_towns(features, checks, union(syria, countries["Libya"]), args.checks)
    write(features, args.out)
    print(f"{args.out}: {len(features)} features, {args.out.stat().st_size / 1024:.0f} KB; {len(checks)} town checks")


if __name__ == "__main__":
    main()
