"""Build the dated airspace closures for the bundled Syria–Libya scenario.

Writes geodata/scenarios/syria-libya/airspace.geojson: a FeatureCollection of
Polygon/MultiPolygon features in WGS84 with the properties name, closed_to (an
actor id), valid_from, valid_to (inclusive last day; "" = still in force at the
latest reporting), source, confidence, notes and only_legs_to_from (a country
as spelled in bases.csv: the closure covers only legs that take off or land
there; "" = every leg). Sources and method: geodata/scenarios/syria-libya/REACH.md.

Geometry: Natural Earth 1:50m country outlines (npm package world-atlas 2.0.2),
simplified to ~0.05°, widened by the 12-nautical-mile territorial sea where the
closure is of national airspace (which covers the territorial sea) but never
over a neighbour's land, then simplified again. Every shape is approximate.

    cd /tmp && npm pack world-atlas@2.0.2
    python tools/build_airspace.py --world-atlas /tmp/world-atlas-2.0.2.tgz

The output is deterministic for given inputs.
"""

from __future__ import annotations

import argparse
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import box, mapping

REPO = Path(__file__).resolve().parent.parent
WORLD_ATLAS = Path("/tmp/world-atlas-2.0.2.tgz")
COUNTRIES_MEMBER = "package/countries-50m.json"
OUT = REPO / "geodata" / "scenarios" / "syria-libya" / "airspace.geojson"

OUTLINE_TOLERANCE = 0.05  # degrees (~5 km): the brief's simplification of the country outlines
BUFFER_TOLERANCE = 0.02  # degrees: thins the arcs the territorial-sea buffer adds
TERRITORIAL_SEA_M = 12 * 1852.0
# Europe and its Mediterranean islands, Canaries, Madeira and Azores included;
# the EU's Caribbean, Guianese and Indian Ocean regions lie far off every route.
EUROPE = box(-32.0, 26.0, 45.0, 72.0)

EU_MEMBERS = (
    "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia", "Finland",
    "Åland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia", "Lithuania",
    "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania", "Slovakia", "Slovenia",
    "Spain", "Sweden",
)


@dataclass(frozen=True)
class Closure:
    name: str
    countries: tuple[str, ...]  # Natural Earth names
    closed_to: str
    valid_from: str
    valid_to: str
    source: str
    confidence: str
    notes: str
    only_legs_to_from: str = ""
    territorial_sea: bool = True
    clip: shapely.Geometry | None = None


TURKIYE_SYRIA = Closure(
    name="Türkiye – closed to Russian military flights (and civil flights carrying troops) bound for Syria",
    countries=("Turkey",),
    closed_to="russia",
    valid_from="2022-04-23",
    valid_to="",
    only_legs_to_from="Syria",
    source=("FM Mevlüt Çavuşoğlu to reporters, quoted by Sabah and TRT, 2022-04-23: Sputnik "
            "https://sputniknews.com/20220423/turkey-closes-airspace-for-russian-military--civilian-planes-heading-to-syria-1094996283.html ; "
            "AFP (via https://thewall.fyi/they-had-until-april-turkey-shuts-airspace-to-syria-bound-russian-jets/) ; "
            "Financial Times, 2022-04-23 ; ch-aviation, 2022-04 "
            "https://ch-aviation.com/news/114902-turkey-closes-airspace-to-russian-aircraft-flying-to-syria ; "
            "ItaMilRadar, 2025-11-26 https://www.itamilradar.com/2025/11/26/another-russian-air-force-flight-crosses-turkish-airspace-en-route-to-libya/"),
    confidence="confirmed",
    notes=("Scope: Russian military aircraft and civil aircraft carrying troops, flying to Syria (FT/TRT wording); "
           "Türkiye had granted overflight in 3-month permits, the last until April 2022, and said the ban would "
           "run 3 months. No report of it being lifted was found; Russian flights to Syria used the Caspian–Iran–Iraq "
           "corridor instead (ch-aviation 2022). Flights to Libya were NOT covered: ItaMilRadar (2025-11-26) tracked a "
           "VKS Il-62M Russia→eastern Libya across the whole length of Türkiye and calls Türkiye the only NATO member "
           "still granting routine overflight to Russian military aircraft. Hence only_legs_to_from=Syria: a route "
           "finder that ignores that property will wrongly block Libya-bound legs. Whether legs FROM Syria are "
           "covered is not stated (Russia asked Ankara's help to evacuate troops, NTV/CNN Türk 2024-12-09). "
           "Geometry: Natural Earth 1:50m outline simplified to ~0.05° plus 12 nm territorial sea (Türkiye claims "
           "6 nm in the Aegean) – approximate."),
)

EUROPEAN_UNION = Closure(
    name="European Union – closed to Russian-registered, Russian-operated and Russian-controlled aircraft",
    countries=EU_MEMBERS,
    closed_to="russia",
    valid_from="2022-02-28",
    valid_to="",
    source=("Council Regulation (EU) 2022/334 of 28 Feb 2022 (Art. 3d of Reg. 833/2014), in force on publication in "
            "the Official Journal 2022-02-28 (TASS via SB.by https://www.sb.by/en/eu-s-airspace-closed-for-russia-since-february-28th.html ; "
            "Trend/Interfax via https://jqpublicblog.com/eu-closes-airspace-for-russian-registered-aircraft-with-emergency-landing-exception/) ; "
            "announced by Commission President von der Leyen 2022-02-27 (CAPA https://centreforaviation.com/news/european-commission-to-close-eu-airspace-to-russian-aircraft-1121787) ; "
            "ItaMilRadar, 2025-11-26 (all NATO members but Türkiye closed to Russian state and military traffic) ; "
            "member and non-member closures: Hozint, 2022-02-27 https://www.hozint.com/2022/02/european-countries-closing-airspace-to-russian-air-traffic/ ; "
            "Interfax, 2022-02-27 https://interfax.com/newsroom/top-stories/74620/ ; Reuters via National Post, 2022-02-27 ; The Local Norway, 2022-02-28"),
    confidence="confirmed",
    notes=("Bars landing, take-off and overflight of 'the territory of the Union' by aircraft operated by Russian "
           "carriers, Russian-registered aircraft and aircraft owned, chartered or controlled by Russians (humanitarian "
           "exceptions). The VKS transports in this scenario fly with Russian (RA-) registrations, and military "
           "aircraft also need diplomatic clearance, which ItaMilRadar says NATO members other than Türkiye deny. "
           "Territory includes the territorial sea (Chicago Convention art. 2), so 12 nm is added everywhere (narrower "
           "Aegean claims are not modelled). Northern Cyprus is left out: EU law is suspended there (Protocol 10) and it lies "
           "under Turkish control. Outermost regions outside Europe (French Guiana, Réunion, the Antilles) are left "
           "out as far from every route. Many members had already closed their airspace individually on 24–27 Feb 2022 (Hozint, Interfax). "
           "The UK (25 Feb, Interfax), Iceland (27 Feb, Reuters), Norway (28 Feb, The Local) and Moldova (Hozint) "
           "closed theirs too, but every Russia–Libya great circle through them crosses EU members or Ukraine first, "
           "so they are not bundled. The great circles Hmeimim–Benina and Hmeimim–Al-Khadim cross Cyprus. "
           "Geometry: Natural Earth 1:50m outlines simplified to ~0.05° plus 12 nm – approximate."),
    clip=EUROPE,
)

UKRAINE = Closure(
    name="Ukraine – airspace closed (war since 24 Feb 2022)",
    countries=("Ukraine",),
    closed_to="russia",
    valid_from="2022-02-24",
    valid_to="",
    source=("UkSATSE NOTAM closing Ukrainian airspace to civil flights from 00:45Z 2022-02-24 (ch-aviation "
            "https://ch-aviation.com/portal/news/112957-ukraine-closes-airspace-as-russia-invades) ; EASA Conflict "
            "Zone Information Bulletin, 2022-02-24 (via CLECAT https://www.clecat.org/news/newsletters/easa-publishes-conflict-zone-information-bulletin-)"),
    confidence="confirmed",
    notes=("Closed to all civil aviation and an active air-defence war zone for Russian aircraft. Natural Earth "
           "(world-atlas) draws Crimea inside Russia, so Crimea is not in this polygon; the polygon does include "
           "the other Russian-occupied areas (parts of Donetsk, Luhansk, Zaporizhzhia and Kherson oblasts), over "
           "which Russian aircraft do fly – conservative there. It matters for the direct great circles from the "
           "Moscow region to Syria and Libya, which cross eastern Ukraine. Geometry: Natural Earth 1:50m outline "
           "simplified to ~0.05° plus 12 nm – approximate."),
)

IRAQ_JUNE_2025 = Closure(
    name="Iraq – airspace closed during the Israel–Iran war (13–23 Jun 2025)",
    countries=("Iraq",),
    closed_to="russia",
    valid_from="2025-06-13",
    valid_to="2025-06-23",
    source=("Iraqi Ministry of Transport via INA, 2025-06-13 (https://english.alsiasi.com/?p=213071) ; Shafaq News, "
            "2025-06-14 https://www.shafaq.com/en/society/Iraq-extends-airspace-closure-until-Sunday-amid-Iran-Israel-escalations ; "
            "Iraqi Civil Aviation Authority reopening, 2025-06-24 (Shafaq https://www.shafaq.com/en/society/All-Iraqi-airports-resume-flights-after-Iran-Israel-ceasefire ; "
            "Xinhua via bne IntelliNews https://www.intellinews.com/iraq-reopens-airspace-after-security-situation-improves-387615)"),
    confidence="confirmed",
    notes=("Closed to all traffic late on 13 Jun 2025 after Israel's strikes on Iran; from 14 Jun only Basra airport "
           "and two short southern routes were open (daylight); fully reopened 24 Jun 2025. Bundled as closed to "
           "Russia because it shut the Iraq leg of the Caspian–Iran–Iraq corridor Russian flights to Syria used; "
           "no Russian state flight through it in those days was reported. Geometry: Natural Earth 1:50m outline "
           "simplified to ~0.05° plus 12 nm – approximate."),
)

IRAN_JUNE_2025 = Closure(
    name="Iran – airspace closed during the Israel–Iran war (13–27 Jun 2025)",
    countries=("Iran",),
    closed_to="russia",
    valid_from="2025-06-13",
    valid_to="2025-06-27",
    source=("ch-aviation, 2025-06 https://aws-production.ch-aviation.com/news/154959-israel-iran-iraq-close-airspace-due-to-missile-attacks ; "
            "Iranian transport ministry (Majid Akhavan) via IRNA/Rudaw, 2025-06-26 https://www.rudaw.net/english/middleeast/iran/26062025-amp ; "
            "via Nour News/Sputnik, 2025-06-28 https://news-pravda.com/world/2025/06/28/1476565.html ; Daijiworld, 2025-06-29 "
            "https://www.daijiworld.com/index.php/news/newsDisplay?newsID=1284828"),
    confidence="confirmed",
    notes=("Closed entirely on 13 Jun 2025; the eastern half reopened on 25 Jun, the central and western parts (the "
           "ones the Caspian–Iraq corridor crosses) only for international transit on 28 Jun, airports later. The "
           "whole country is kept closed to 27 Jun here. Bundled as closed to Russia because it shut the Iran leg of "
           "the corridor; no Russian state flight through it in those days was reported. Geometry: Natural Earth "
           "1:50m outline simplified to ~0.05° plus 12 nm – approximate."),
)

ALGERIA_MALI_SOURCE = (
    "Algerian Ministry of National Defence / Foreign Ministry, 2025-04-07 (Al Mayadeen via "
    "http://panafricannews.blogspot.com/2025/04/algeria-closes-airspace-to-mali-recalls.html) ; Reuters, 2025-04-08 "
    "(via Daily Maverick https://www.dailymaverick.co.za/article/2025-04-08-algeria-and-mali-ban-flights-amid-diplomatic-crisis/) ; "
    "ch-aviation, 2025-04 https://ch-aviation.com/news/152381-algeria-mali-ban-air-traffic-after-uav-downing")
ALGERIA_MALI_NOTES = (
    "Algeria closed its airspace to all air navigation coming from or going to Mali after the Tinzaouaten drone "
    "incident (1 Apr 2025); Mali closed its own to aircraft from or to Algeria the same day. No report of either "
    "being lifted was found. Geometry: Natural Earth 1:50m outline simplified to ~0.05° plus 12 nm – approximate.")

ALGERIA_TO_MALI_RUSSIA = Closure(
    name="Algeria – closed to all flights to or from Mali (Russian aircraft included)",
    countries=("Algeria",),
    closed_to="russia",
    valid_from="2025-04-07",
    valid_to="",
    only_legs_to_from="Mali",
    source=ALGERIA_MALI_SOURCE,
    confidence="confirmed",
    notes=("The ban covers every aircraft flying to or from Mali whatever its operator, so it binds Russian flights "
           "from Libya to Bamako, whose great circles cross Algeria. " + ALGERIA_MALI_NOTES),
)

ALGERIA_TO_MALI_MALI = Closure(
    name="Algeria – closed to all flights to or from Mali",
    countries=("Algeria",),
    closed_to="mali",
    valid_from="2025-04-07",
    valid_to="",
    only_legs_to_from="Mali",
    source=ALGERIA_MALI_SOURCE,
    confidence="confirmed",
    notes=ALGERIA_MALI_NOTES,
)

CLOSURES = (TURKIYE_SYRIA, EUROPEAN_UNION, UKRAINE, IRAQ_JUNE_2025, IRAN_JUNE_2025,
            ALGERIA_TO_MALI_RUSSIA, ALGERIA_TO_MALI_MALI)


def read_countries(world_atlas: Path) -> dict[str, shapely.Geometry]:
    """Natural Earth 1:50m country polygons, straight from the npm tarball."""
    with tarfile.open(world_atlas) as archive:
        data = archive.extractfile(COUNTRIES_MEMBER).read()
    countries = gpd.read_file(io.BytesIO(data), layer="countries").set_index("name")
    return {name: shapely.make_valid(geometry) for name, geometry in countries.geometry.items()}  # Russia's is not


def buffered_metres(polygon: shapely.Geometry, metres: float) -> shapely.Geometry:
    """Buffer in an azimuthal equidistant projection centred on the polygon, so the width is metres."""
    centre = polygon.representative_point()
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
    to_local = Transformer.from_crs(4326, local, always_xy=True).transform
    to_lonlat = Transformer.from_crs(local, 4326, always_xy=True).transform
    widened = shapely.transform(polygon, to_local, interleaved=False).buffer(metres, quad_segs=4)
    return shapely.transform(widened, to_lonlat, interleaved=False)


def closure_shape(closure: Closure, countries: dict[str, shapely.Geometry]) -> shapely.Geometry:
    missing = [name for name in closure.countries if name not in countries]
    if missing:
        raise SystemExit(f"{closure.name}: not in Natural Earth: {', '.join(missing)}")
    outline = shapely.union_all([countries[name] for name in closure.countries])
    if closure.clip is not None:
        outline = outline.intersection(closure.clip)
    outline = outline.simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    if closure.territorial_sea:
        parts = shapely.get_parts(outline)
        widened = shapely.union_all([buffered_metres(part, TERRITORIAL_SEA_M) for part in parts])
        # The territorial sea lies off the coast: the buffer must not spill over a land border.
        outline = widened.difference(foreign_land(closure, countries, widened))
        outline = outline.simplify(BUFFER_TOLERANCE, preserve_topology=True)
    return shapely.make_valid(shapely.normalize(outline))


def foreign_land(closure: Closure, countries: dict[str, shapely.Geometry], near: shapely.Geometry) -> shapely.Geometry:
    """Every other country's land that touches `near`."""
    others = [geometry for name, geometry in countries.items()
              if name not in closure.countries and geometry.intersects(near)]
    return shapely.union_all(others)


def feature(closure: Closure, geometry: shapely.Geometry) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "name": closure.name,
            "closed_to": closure.closed_to,
            "valid_from": closure.valid_from,
            "valid_to": closure.valid_to,
            "only_legs_to_from": closure.only_legs_to_from,
            "confidence": closure.confidence,
            "source": closure.source,
            "notes": closure.notes,
        },
        "geometry": rounded(mapping(geometry)),
    }


def rounded(geometry: dict) -> dict:
    """4 decimals (~10 m), far finer than the ~5 km the outlines were simplified to."""
    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
            return [round(v, 4) for v in value]
        return [walk(v) for v in value]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def write(features: list[dict], out: Path) -> None:
    """One feature per line: small diffs, easy to read."""
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    out.write_text('{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-atlas", type=Path, default=WORLD_ATLAS, help="world-atlas-2.0.2.tgz from npm pack")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    countries = read_countries(args.world_atlas)
    features = [feature(closure, closure_shape(closure, countries)) for closure in CLOSURES]
    write(features, args.out)
    print(f"{args.out}: {len(features)} features, {args.out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
