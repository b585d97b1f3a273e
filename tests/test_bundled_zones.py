"""The bundled zones of control: one holder for every point of land on every day, and the scenario's town checks.

"Land" is Syria and Libya exactly as the basemap draws them (its land layer), plus the Golan,
which Natural Earth draws inside Israel. The town checks are town_checks.csv, the list the zone
builder (tools/build_zones.py) also runs before it writes zones.geojson.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.countries import country_outlines
from pyproj import Geod

from geodata import BUNDLED, load_scenario

BASEMAP = Path(__file__).resolve().parent.parent / "geodata" / "basemap"
CHECKS = BUNDLED / "town_checks.csv"
CHECK_COLUMNS = ["place", "lat", "lon", "date", "holder", "source"]
# Every town and crossing the issue names, as `place` spells it in town_checks.csv.
NAMED_PLACES = ("Kobani", "Tell Abyad", "Jarabulus", "Ras al-Ayn", "al-Malikiyah (Derik)", "Manbij", "Tabqa", "Raqqa",
                "Deir ez-Zor", "Qamishli", "Hasakah", "Amuda", "Ain Issa", "Tell Tamer", "Daraa", "Suwayda",
                "Tishrin Dam", "Tabqa Dam (Euphrates Dam)", "Qara Qozak bridge (east end)")
BASE_CHECK_RADIUS_M = 3000  # a base's check may sit a little off the marker: town centre, or moved onto the drawn land
INSIDE_M = 100  # check points must lie at least this far inside the drawn land
# Grid spacing in degrees (~2 km in Syria, ~5 km in Libya, ~0.5 km over the Israeli pieces and al-Tanf).
SPACING = {"Syria": 0.02, "Libya": 0.05, "Golan, buffer zone and al-Tanf": 0.005}
OVERLAYS_BOX = [(35.55, 32.55, 36.15, 33.55), (37.95, 32.95, 39.35, 34.05)]  # Golan + buffer; al-Tanf circle
EDGE_STEP = 0.01  # degrees between samples along every zone's edge
EDGE_OFFSET = 0.0005  # degrees (~50 m) to each side of an edge
AREA_TOLERANCE = 1e-9  # square degrees (~10 m²): float noise, not a gap or an overlap
GEOD = Geod(ellps="WGS84")


@dataclass
class Coverage:
    """What a set of zones does to the land: counts of sample points and areas off by more than noise."""

    maps: int = 0
    grid_points: int = 0
    edge_points: int = 0
    outside_points: int = 0
    gaps: int = 0  # land points in no zone
    doubles: int = 0  # land points in two or more zones
    strays: int = 0  # points off the land inside some zone
    overlap_area: float = 0.0  # square degrees covered twice
    missing_area: float = 0.0  # land not covered, or zones off the land

    def add(self, other: Coverage) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def clean(self) -> bool:
        sampled_clean = not (self.gaps or self.doubles or self.strays)
        return sampled_clean and max(self.overlap_area, self.missing_area) < AREA_TOLERANCE


def drawn_land() -> dict[str, shapely.Geometry]:
    """Country outlines as the basemap draws them."""
    return country_outlines()


def grid(bounds: tuple[float, float, float, float], spacing: float) -> np.ndarray:
    """Regular sample points, offset off round numbers so none falls on a hand-drawn vertex."""
    west, south, east, north = bounds
    xs = np.arange(west + spacing * 0.3711, east, spacing)
    ys = np.arange(south + spacing * 0.6173, north, spacing)
    x, y = np.meshgrid(xs, ys)
    return np.column_stack([x.ravel(), y.ravel()])


def edge_points(zones: list[shapely.Geometry]) -> np.ndarray:
    """Points just either side of every zone edge, one pair per EDGE_STEP of edge."""
    rings = shapely.get_parts(shapely.boundary(zones))
    dense = shapely.segmentize(rings, EDGE_STEP)
    pairs = []
    for ring in dense:
        xy = shapely.get_coordinates(ring)
        middle = (xy[1:] + xy[:-1]) / 2
        step = xy[1:] - xy[:-1]
        length = np.hypot(step[:, 0], step[:, 1])
        keep = length > 0
        normal = np.column_stack([-step[keep, 1], step[keep, 0]]) / length[keep, None] * EDGE_OFFSET
        pairs += [middle[keep] + normal, middle[keep] - normal]
    return np.concatenate(pairs) if pairs else np.empty((0, 2))


def zone_counts(zones: list[shapely.Geometry], points: np.ndarray) -> np.ndarray:
    """How many of the zones cover each point (a point on an edge counts for both sides)."""
    counts = np.zeros(len(points), dtype=int)
    for zone in zones:
        shapely.prepare(zone)
        counts += shapely.intersects_xy(zone, points[:, 0], points[:, 1])
    return counts


def coverage(zones: list[shapely.Geometry], land: shapely.Geometry, grids: list[np.ndarray]) -> Coverage:
    """Sample `land` on the grids and along every zone edge; compare the areas too."""
    found = Coverage()
    union = shapely.union_all(zones)
    found.overlap_area = max(0.0, sum(shapely.area(zones)) - union.area)
    found.missing_area = shapely.symmetric_difference(union, land).area
    edges = edge_points(zones)
    shapely.prepare(land)
    for points, is_edge in [(g, False) for g in grids] + [(edges, True)]:
        on_land = shapely.contains_xy(land, points[:, 0], points[:, 1])
        counts = zone_counts(zones, points)
        found.gaps += int(np.sum(on_land & (counts == 0)))
        found.doubles += int(np.sum(on_land & (counts > 1)))
        found.strays += int(np.sum(~on_land & (counts > 0)))
        found.outside_points += int(np.sum(~on_land))
        if is_edge:
            found.edge_points += int(np.sum(on_land))
        else:
            found.grid_points += int(np.sum(on_land))
    return found


def days_to_check(scenario) -> list[dt.date]:
    """The first and last day, every day the map changes, and the day before each change."""
    changes = scenario.zone_change_dates()
    days = {scenario.meta.start, scenario.meta.end, *changes, *(d - dt.timedelta(days=1) for d in changes)}
    return sorted(d for d in days if scenario.meta.start <= d <= scenario.meta.end)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


@pytest.fixture(scope="module")
def land(scenario) -> dict[str, shapely.Geometry]:
    """Syria (with the Golan, as the Israeli zone on the first day has it) and Libya, as drawn."""
    drawn = drawn_land()
    first = scenario.zones_on(scenario.meta.start)
    golan = shapely.intersection(shapely.union_all(first[first["actor"] == "israel"].geometry.values), drawn["Israel"])
    return {"Syria": shapely.union(drawn["Syria"], golan), "Libya": drawn["Libya"]}


@pytest.fixture(scope="module")
def checks() -> pd.DataFrame:
    with CHECKS.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == CHECK_COLUMNS
        rows = list(reader)
    table = pd.DataFrame(rows)
    table["row"] = range(2, len(table) + 2)
    table["lat"] = table["lat"].astype(float)
    table["lon"] = table["lon"].astype(float)
    table["date"] = pd.to_datetime(table["date"], format="%Y-%m-%d").dt.date
    return table


def country_of(zones: gpd.GeoDataFrame, land: dict[str, shapely.Geometry]) -> dict[str, gpd.GeoDataFrame]:
    """The zones of each country: a zone belongs where its area lies."""
    home = [max(land, key=lambda n: shapely.intersection(geometry, land[n]).area) for geometry in zones.geometry]
    return {name: zones[[h == name for h in home]] for name in land}


def coverage_by_country(scenario, land) -> dict[str, Coverage]:
    """Coverage summed over each country's distinct maps among days_to_check (a map shared by days counts once)."""
    grids = {"Syria": [grid(land["Syria"].bounds, SPACING["Syria"])]
             + [grid(b, SPACING["Golan, buffer zone and al-Tanf"]) for b in OVERLAYS_BOX],
             "Libya": [grid(land["Libya"].bounds, SPACING["Libya"])]}
    totals = {name: Coverage() for name in land}
    seen: set[tuple[str, frozenset]] = set()
    for day in days_to_check(scenario):
        for name, zones in country_of(scenario.zones_on(day), land).items():
            if (name, frozenset(zones.index)) not in seen:
                seen.add((name, frozenset(zones.index)))
                totals[name].maps += 1
                totals[name].add(coverage(list(zones.geometry), land[name], grids[name]))
    return totals


def test_every_point_of_land_lies_in_exactly_one_zone_on_every_change_day(scenario, land):
    totals = coverage_by_country(scenario, land)
    for name, found in totals.items():
        assert found.maps >= 1 and found.grid_points > 10_000 * found.maps, f"{name}: too few samples {found}"
        assert found.edge_points > 1_000 * found.maps, f"{name}: too few samples {found}"
        assert found.clean, f"{name}: {found}"


def test_the_coverage_check_finds_a_gap_and_an_overlap(scenario, land):
    zones = list(country_of(scenario.zones_on(dt.date(2025, 6, 1)), land)["Syria"].geometry)
    grids = [grid(land["Syria"].bounds, SPACING["Syria"])]
    assert coverage(zones, land["Syria"], grids).clean
    biggest = max(range(len(zones)), key=lambda i: zones[i].area)
    with_gap = coverage(zones[:biggest] + zones[biggest + 1:], land["Syria"], grids)
    assert with_gap.gaps > 0 and with_gap.missing_area > 1
    doubled = coverage(zones + [shapely.buffer(zones[biggest], 0.05)], land["Syria"], grids)
    assert doubled.doubles > 0 and doubled.strays > 0 and doubled.overlap_area > 0.01


def test_the_israeli_pieces_and_al_tanf_sit_in_holes_of_the_zone_around_them(scenario, land):
    for day in (dt.date(2024, 12, 1), dt.date(2025, 6, 1), dt.date(2026, 2, 10)):
        zones = scenario.zones_on(day)
        overlays = zones[zones["actor"].isin(["israel", "us_coalition"])]
        others = zones[~zones["actor"].isin(["israel", "us_coalition", "lna", "gnu"])]
        assert len(overlays) >= 2
        for geometry in overlays.geometry:
            assert shapely.intersection(geometry, shapely.union_all(others.geometry.values)).area < AREA_TOLERANCE
            ring = shapely.difference(shapely.buffer(geometry, 0.02), geometry)
            ring = shapely.intersection(ring, land["Syria"])
            assert shapely.difference(ring, shapely.union_all(zones.geometry.values)).area < AREA_TOLERANCE


def test_every_town_check_finds_its_holder_and_only_it(scenario, checks):
    wrong = []
    for check in checks.itertuples():
        zones = scenario.zones_on(check.date)
        holders = list(zones[zones.intersects(shapely.Point(check.lon, check.lat))]["actor"])
        if holders != [check.holder]:
            wrong.append(f"town_checks.csv:{check.row}: holder: {check.place} on {check.date} is in {holders}, "
                         f"expected {check.holder}")
    assert not wrong, "\n".join(wrong)


def test_check_points_lie_on_the_land_as_drawn_and_name_their_source(checks, scenario, land):
    everywhere = shapely.union(land["Syria"], land["Libya"])
    for check in checks.itertuples():
        point = shapely.Point(check.lon, check.lat)
        nearest = shapely.get_coordinates(shapely.shortest_line(shapely.boundary(everywhere), point))[0]
        inside = GEOD.inv(check.lon, check.lat, *nearest)[2]
        assert everywhere.contains(point) and inside >= INSIDE_M, f"town_checks.csv:{check.row}: {check.place}"
        assert check.source.strip(), f"town_checks.csv:{check.row}: source is empty"
        assert check.holder in scenario.actors.index, f"town_checks.csv:{check.row}: unknown holder"


def test_each_named_town_and_crossing_is_checked_on_three_dates_with_a_change_of_hands_covered(checks):
    for place in NAMED_PLACES:
        rows = checks[checks["place"] == place]
        assert rows["date"].nunique() >= 3, f"{place}: checked on {sorted(rows['date'])}"
    # Where a place changes hands, days on both sides of the change are checked, at most three days apart.
    for place, rows in checks.groupby("place"):
        rows = rows.sort_values("date")
        for before, after in zip(rows.itertuples(), rows.iloc[1:].itertuples()):
            if before.holder != after.holder:
                assert (after.date - before.date).days <= 3, f"{place}: {before.date} {before.holder} → {after.date}"


def test_every_base_in_syria_and_libya_is_checked_on_three_dates(scenario, checks):
    bases = scenario.bases[scenario.bases["country"].isin(["Syria", "Libya"])]
    for base_id, base in bases.iterrows():
        distances = GEOD.inv(np.full(len(checks), base["lon"]), np.full(len(checks), base["lat"]),
                             checks["lon"].to_numpy(), checks["lat"].to_numpy())[2]
        near = checks[distances <= BASE_CHECK_RADIUS_M]
        assert near["date"].nunique() >= 3, f"base {base_id}: checked on {sorted(near['date'])}"
