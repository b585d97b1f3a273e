"""Layer builders, tested on the deck JSON they produce."""

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from geodata import MovementFilter, load_scenario
from layers.bases import base_marks, bases_layers
from layers.routes import BOW_RIGHT, RouteLook, count_text, drawn_arcs, eastward, movement_arcs, routes_layer
from layers.style import CONFIDENCE_ALPHA, LIGHT
from layers.view import MapView, compose
from layers.zones import outline_segments, zone_marks, zones_layers
from scenario_files import BASES_CSV, write_scenario

FIXTURES = Path(__file__).parent / "fixtures"
D = dt.date
HOSTILE = "<img src=x onerror=alert(1)>"


def deck_layers(composed) -> dict[str, dict]:
    return {layer["id"]: layer for layer in json.loads(composed.deck.to_json())["layers"]}


@pytest.fixture
def scenario(scenario_dir):
    return load_scenario(scenario_dir)


FOLDING = RouteLook(max_arcs=3)  # the test window holds 4 movements: more than 3 arcs fold into routes


def test_a_sparse_window_draws_each_movement_with_its_own_words(scenario):
    routes = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places)
    assert routes.one_by_one and len(routes.drawn) == 4
    assert routes.total_movements == 4 and routes.total_routes == 3
    records = [r for r in json.loads(routes_layer(routes.drawn).to_json())["data"]
               if r["tt_title"] == "Alpha air base → Charlie field"]
    assert [r["tt_detail"] for r in records] == ["05 Jan 2025 · confirmed", "20 Jan 2025 – 22 Jan 2025 · reported"]
    assert [r["tc"][3] for r in records] == [CONFIDENCE_ALPHA["confirmed"], CONFIDENCE_ALPHA["reported"]]


def test_arcs_bow_to_their_right_and_arcs_between_the_same_ends_fan_out(scenario):
    movements = scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31))

    def bends(look: RouteLook) -> dict:
        routes = movement_arcs(movements, scenario.places, look)
        return routes.drawn.groupby(["origin_key", "destination_key"])["bend"].apply(list).to_dict()

    look = RouteLook()
    layer = json.loads(routes_layer(movement_arcs(movements, scenario.places, look).drawn).to_json())
    assert layer["getTilt"] == BOW_RIGHT and layer["getHeight"] == "@@=h" and "greatCircle" not in layer
    assert bends(look)[("alpha", "bravo")] == [look.bend], "a lone arc bows the least"
    unbounded = RouteLook(fan_km=1e6)
    assert bends(unbounded)[("alpha", "charlie")] == [look.bend, look.bend + look.fan_step]
    first, second = bends(look)[("alpha", "charlie")]
    assert first == look.bend < second < look.bend + look.fan_step, "a long route (1,400 km) fans out less"


def test_arcs_cross_the_antimeridian_the_short_way(scenario):
    assert (eastward(179.0, -179.0), eastward(-179.0, 179.0), eastward(10.0, 20.0)) == (2.0, -2.0, 10.0)
    layer = json.loads(routes_layer(movement_arcs(scenario.movements, scenario.places).drawn).to_json())
    assert layer["wrapLongitude"] is True


def test_a_crowded_pair_of_ends_keeps_its_fan_within_bounds(scenario):
    look = RouteLook()
    movements = scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31))
    routes = movement_arcs(pd.concat([movements] * 100), scenario.places, look)
    bends = routes.drawn.loc[routes.drawn["origin_key"].eq("alpha") & routes.drawn["destination_key"].eq("charlie"),
                             "bend"]
    assert routes.one_by_one and len(bends) == 200
    assert bends.min() == look.bend and bends.max() <= look.max_bend and bends.is_monotonic_increasing
    assert bends.diff().dropna().gt(0).all(), "every arc bows a little further than the one before"


def test_a_busy_window_folds_movements_on_one_route_into_one_arc_with_a_count(scenario):
    routes = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places, FOLDING)
    assert not routes.one_by_one and routes.total_movements == 4 and routes.total_routes == 3
    alpha_charlie = routes.drawn.set_index(["origin_key", "destination_key"]).loc[("alpha", "charlie")]
    assert alpha_charlie["count"] == 2 and alpha_charlie["quantity"] == 3
    assert alpha_charlie["confidence"] == "confirmed"  # the best word among its movements
    assert alpha_charlie["confidences"] == "1 confirmed, 1 reported"


def test_widths_follow_the_busiest_arc_of_the_window(scenario):
    movements = scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31))

    def widths(rows) -> dict:
        drawn = movement_arcs(rows, scenario.places, FOLDING).drawn
        return drawn.set_index(["origin_key", "destination_key"])["width"].to_dict()

    look = FOLDING
    busy = widths(pd.concat([movements] * 100))  # Alpha → Charlie 200 movements, Alpha → Bravo 100
    assert busy[("alpha", "charlie")] == look.max_width
    assert busy[("alpha", "bravo")] == pytest.approx((look.min_width + look.max_width) / 2, abs=0.1)
    quiet = widths(movements)  # 2 and 1: far below a full-width route
    assert look.min_width < quiet[("alpha", "charlie")] < 3 and quiet[("alpha", "bravo")] < quiet[("alpha", "charlie")]


def test_sessions_showing_the_same_window_share_its_arcs(scenario):
    from ui.shared_parts import SHARED

    def routes_of(view: MapView):
        return next(layer for layer in compose(scenario, view, parts=SHARED).deck.layers if layer.id == "routes")

    quarter = MapView(D(2025, 1, 1), D(2025, 3, 31))
    assert routes_of(quarter) is routes_of(MapView(D(2025, 1, 1), D(2025, 3, 31), theme="dark"))
    assert routes_of(quarter) is not routes_of(MapView(D(2025, 1, 1), D(2025, 2, 28)))
    assert routes_of(quarter) is not routes_of(MapView(D(2025, 1, 1), D(2025, 3, 31), MovementFilter(modes=frozenset({"air"}))))


def test_drawing_a_folded_window_leaves_the_cached_arcs_as_they_were(scenario):
    # A database window's arcs are cached and drawn by every session of a process at once: drawing them
    # must not write into them (sessions met half-written frames: "duplicate field name", a missing column).
    folded = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places, FOLDING).drawn
    arcs = folded[["route", "count", "quantity", "first", "last", "confidence_rank", "km",
                   "assets", "sources", "modes", "confidences"]]
    cached = arcs.copy()
    first = drawn_arcs(arcs, scenario.places, FOLDING, 3, 4, one_by_one=False)
    second = drawn_arcs(arcs, scenario.places, FOLDING, 3, 4, one_by_one=False)
    pd.testing.assert_frame_equal(arcs, cached)
    pd.testing.assert_frame_equal(first.drawn, second.drawn)
    pd.testing.assert_frame_equal(first.drawn[folded.columns], folded)


def test_counts_read_as_words(scenario):
    january = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 1, 31)), scenario.places)
    quarter = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places)
    assert count_text(january) == "2 movements on 1 route"
    assert count_text(quarter) == "4 movements on 3 routes"


def test_only_the_busiest_routes_are_drawn(scenario):
    routes = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places,
                           RouteLook(max_arcs=1))
    assert len(routes.drawn) == 1 and routes.total_routes == 3 and routes.drawn.iloc[0]["count"] == 2


def test_arc_layer_json_matches_the_golden_file(scenario):
    routes = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places, FOLDING)
    produced = json.loads(routes_layer(routes.drawn).to_json())
    golden = FIXTURES / "routes_layer.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(produced, indent=1, sort_keys=True, ensure_ascii=False))
    assert produced == json.loads(golden.read_text())


def test_arcs_show_direction_confidence_volume_and_distance(scenario):
    routes = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places, FOLDING)
    records = {r["tt_title"]: r for r in json.loads(routes_layer(routes.drawn).to_json())["data"]}
    busy = records["Alpha air base → Charlie field"]
    claimed = records["Bravo port → Charlie field"]
    layer = json.loads(routes_layer(routes.drawn).to_json())
    assert (layer["getSourceColor"], layer["getTargetColor"]) == ("@@=sc", "@@=tc"), "colours are data, not code"
    assert busy["sc"][:3] == busy["tc"][:3] and busy["sc"][3] == round(busy["tc"][3] * 0.25), "the origin is fainter"
    assert busy["tc"][3] == CONFIDENCE_ALPHA["confirmed"] and claimed["tc"][3] == CONFIDENCE_ALPHA["claimed"]
    assert busy["w"] > claimed["w"]
    from pyproj import Geod
    km = Geod(ellps="WGS84").inv(35.95, 35.41, 21.18, 32.05)[2] / 1000  # Alpha → Charlie, from the test bases
    assert busy["tt_kind"] == f"cargo by air · 2 movements · quantity 3 · {km:,.0f} km ({km / 1.852:,.0f} nm)"


def _marks(scenario, day=D(2025, 2, 15), *, headline=frozenset(), faded=frozenset(), for_html=False):
    return base_marks(scenario.bases, scenario.sites_on(day), scenario.presence, scenario.actors, headline, faded,
                      LIGHT, day_text=f"{day:%d %b %Y}", for_html=for_html)


def test_tooltip_text_is_escaped_only_for_html_exports(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("Alpha air base", HOSTILE))
    scenario = load_scenario(folder)
    for_html = {r["id"]: r for r in _marks(scenario, for_html=True)}
    raw = {r["id"]: r for r in _marks(scenario)}
    assert for_html["alpha"]["tt_title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert raw["alpha"]["tt_title"] == HOSTILE  # the dashboard's map element escapes values itself


def test_text_from_data_reaches_the_layers_as_data_only(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("Alpha air base", "@@=alert(1)"))
    spec = json.loads(compose(load_scenario(folder), MapView(D(2025, 1, 1), D(2025, 3, 31))).deck.to_json())
    settings = [value for layer in spec["layers"] for key, value in layer.items() if key != "data"]
    data = json.dumps([layer.get("data") for layer in spec["layers"]])
    assert "@@=alert(1)" in data, "the name is kept as written, inside the layers' data"
    assert not any("alert" in json.dumps(value) for value in settings), "and never in a layer's settings"
    units = {layer["id"]: layer.get("radiusUnits") for layer in spec["layers"]}
    assert units["bases"] == "pixels", "enum values are literals, not expressions"


def test_zones_carry_actor_colours_and_dates_and_uncertain_control_is_hatched(scenario):
    zones = scenario.zones_on(D(2025, 2, 15))
    features, hatches = zone_marks(zones, scenario.actors, LIGHT, zoom=6, for_html=False)
    assert len(features["features"]) == 2 and all(f["properties"]["hatched"] for f in features["features"])
    red = next(f for f in features["features"] if f["properties"]["tt_title"] == "Red force")
    assert red["properties"]["fill"] == [214, 39, 40, round(LIGHT.zone_fill_alpha * 0.5)], "reported: lighter fill"
    assert red["properties"]["tt_detail"] == "01 Feb 2025 → still valid at last report"
    # The test zones are 'reported': hatched with lines inside them, spaced for the zoom.
    assert hatches and all(h["color"][:3] in ([214, 39, 40], [31, 119, 180]) for h in hatches)
    import shapely
    red_shape = zones.geometry[zones["actor"] == "red"].iloc[0].buffer(1e-3)
    red_lines = [shapely.LineString(h["path"]) for h in hatches if h["color"][:3] == [214, 39, 40]]
    assert red_lines and all(red_shape.contains(line) for line in red_lines)
    denser = zone_marks(zones, scenario.actors, LIGHT, zoom=7, for_html=False)[1]
    assert len(denser) > 1.5 * len(hatches), "a closer zoom spreads the same pixel spacing over more lines"


def test_zone_outlines_and_hatching_are_segments_that_trace_every_ring_and_line(scenario):
    import shapely
    zones = scenario.zones_on(D(2025, 2, 15))
    features, hatches = zone_marks(zones, scenario.actors, LIGHT, zoom=6, for_html=False)
    holed = {"type": "Feature", "properties": {"line": [1, 2, 3, 220]}, "geometry": shapely.geometry.mapping(
        shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 1)]]))}
    segments = outline_segments({"features": [*features["features"], holed]})
    traced = shapely.MultiLineString([[s["s"], s["t"]] for s in segments])
    for feature in [*features["features"], holed]:
        boundary = shapely.geometry.shape(feature["geometry"]).boundary
        assert traced.buffer(1e-9).contains(boundary), "every ring, holes too, is outlined"
    assert {tuple(s["c"]) for s in segments[-7:]} == {(1, 2, 3, 220)}, "in the zone's line colour"
    # No PathLayer on the lower plane: its shader is the slowest to prepare without a GPU.
    layers = {layer.id: layer for layer in zones_layers(features, hatches)}
    assert {layer.type for layer in layers.values()} == {"GeoJsonLayer", "LineLayer"}
    assert layers["zones"].stroked is False and layers["zones"].pickable
    drawn = [shapely.LineString([h["s"], h["t"]]) for h in layers["zones-hatch"].data]
    assert [line.length for line in drawn] == pytest.approx([shapely.LineString(h["path"]).length for h in hatches])


def test_confirmed_zones_are_not_hatched(tmp_path):
    from scenario_files import square, zone_feature, zones_geojson
    confirmed = zones_geojson([zone_feature("red", "2025-01-01", "", square(36, 34), confidence="confirmed")])
    scenario = load_scenario(write_scenario(tmp_path / "s", zones_geojson=confirmed))
    features, hatches = zone_marks(scenario.zones, scenario.actors, LIGHT, zoom=6, for_html=False)
    assert hatches == [] and features["features"][0]["properties"]["fill"][3] == LIGHT.zone_fill_alpha


def test_markers_take_the_holders_colour_and_rings_for_others_present(tmp_path):
    presence = ("base,actor,role,from,to,confidence,source,notes\n"
                "alpha,red,holds,2020-01-01,2025-01-31,confirmed,S,\n"
                "alpha,blue,holds,2025-02-01,,confirmed,S,\n"
                "alpha,red,present,2025-02-01,2025-02-20,reported,S,\n"
                "bravo,red,holds,2020-01-01,2025-01-15,confirmed,S,\n")
    scenario = load_scenario(write_scenario(tmp_path / "s", presence_csv=presence))
    january = {r["id"]: r for r in _marks(scenario, D(2025, 1, 10))}
    february = {r["id"]: r for r in _marks(scenario, D(2025, 2, 10), faded=frozenset({"bravo"}))}
    assert january["alpha"]["fill"][:3] == [214, 39, 40] and january["alpha"]["rings"] == []
    assert february["alpha"]["fill"][:3] == [31, 119, 180], "blue holds alpha in February"
    assert [ring["color"][:3] for ring in february["alpha"]["rings"]] == [[214, 39, 40]], "red is still there"
    assert february["alpha"]["rings"][0]["radius"] > february["alpha"]["radius"]
    assert "held by Blue force · Red force present" in february["alpha"]["tt_kind"]
    assert "Red force present 1 Feb 2025 – 20 Feb 2025 (reported; S)" in february["alpha"]["tt_detail"]
    assert february["bravo"]["fill"][3] < 255 and "nobody holds it" in february["bravo"]["tt_kind"]
    layers = {layer.id: layer for layer in bases_layers(list(february.values()), LIGHT)}
    rings = json.loads(layers["base-presence"].to_json())
    assert len(rings["data"]) == 1 and rings["getLineColor"] == "@@=color"


def test_headline_markers_are_drawn_last_so_they_win_a_click(scenario):
    records = _marks(scenario, headline=frozenset({"alpha"}))
    assert records[-1]["id"] == "alpha" and records[-1]["radius"] > records[0]["radius"]


def test_the_ends_of_kept_arcs_stay_on_the_map_faded(scenario):
    view = MapView(D(2025, 1, 1), D(2025, 3, 31), keep=MovementFilter(operators=frozenset({"blue"})))
    records = {r["id"]: r for r in compose(scenario, view).base_records}
    assert set(records) == {"alpha", "bravo", "charlie"}, "Charlie is blue's; Alpha and Bravo start its arcs"
    assert records["charlie"]["fill"][3] == 255 and records["alpha"]["fill"][3] < 255


def test_labels_stay_inside_the_map_and_off_each_other_measured_in_a_real_font(tmp_path):
    from briefing.static_map import font
    from layers.labels import place_labels
    from layers.mercator import Camera, Viewport
    crowded = BASES_CSV + "".join(f"d{i},Delta post number {i},Syria,garrison,{33 + i * 0.12},{36.3 + i % 2 * 0.1},"
                                  "red,,S,reported\n" for i in range(8))
    scenario = load_scenario(write_scenario(tmp_path / "s", bases_csv=crowded))
    records = _marks(scenario, headline=frozenset({"alpha"}))
    viewport = Viewport(Camera(34.0, 32.0, 5.5), 700, 500)  # Alpha's name would run off the right edge
    place_labels(records, viewport)
    boxes = []
    for record in (r for r in records if r["label"]):
        x, y = (float(v[0]) for v in viewport.to_screen([record["position"][0]], [record["position"][1]]))
        face = font(round(record["label_size"]), record["headline"])
        left, top, right, bottom = face.getbbox(record["label"], anchor={"start": "lm", "end": "rm", "middle": "mm"}[
            record["anchor"]] if record["baseline"] == "center" else {"bottom": "md", "top": "ma"}[record["baseline"]])
        box = (x + record["offset"][0] + left, y + record["offset"][1] + top, x + record["offset"][0] + right,
               y + record["offset"][1] + bottom)
        assert 0 <= box[0] and box[2] <= viewport.width and 0 <= box[1] and box[3] <= viewport.height, record["label"]
        boxes.append(box)
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    assert len(boxes) >= 4 and overlapping == []
    assert any(r["label"] == "" for r in records), "a crowded post's name is left out rather than overlap"
    alpha = next(r for r in records if r["id"] == "alpha")
    assert alpha["label"] and alpha["anchor"] == "end", "the headline name flips left instead of being cut"


def test_toggles_and_tiles_choose_the_layers(scenario):
    window = MapView(D(2025, 1, 1), D(2025, 3, 31))
    everything = deck_layers(compose(scenario, window))
    assert {"basemap-tiles", "zones", "routes", "bases", "base-labels"} <= set(everything)
    assert everything["basemap-tiles"]["basemap"]["palette"]["reliefOpacity"] > 0
    bare = deck_layers(compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), show=frozenset({"bases"}))))
    assert "zones" not in bare and "routes" not in bare and "base-labels" not in bare
    assert bare["basemap-tiles"]["basemap"]["palette"]["reliefOpacity"] == 0  # relief off: land and lines only
    online = json.loads(compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), online_tiles=True)).deck.to_json())
    assert any(layer["id"] == "basemap-tiles" for layer in online["layers"]), "kept until tiles arrive, or if none do"
    assert not online.get("mapStyle"), "no style to fetch: the map element draws online tiles itself"


def test_filters_reach_the_map(scenario):
    sea_only = compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), keep=MovementFilter(modes=frozenset({"sea"}))))
    assert len(deck_layers(sea_only)["routes"]["data"]) == 1
    assert list(sea_only.movements["id"]) == ["m3"]


def test_place_names_name_the_main_cities_in_view_clear_of_the_bases(scenario):
    from layers.labels import label_box, overlaps, Placement
    from layers.mercator import Camera
    view = MapView(D(2025, 1, 1), D(2025, 3, 31), camera=Camera(35.0, 37.5, 6.0))
    composed = compose(scenario, view, viewport_size=(1000, 640))
    names = {m["name"] for m in composed.place_marks}
    assert {"Aleppo", "Damascus", "Homs", "SYRIA"} <= names, names
    assert "Cairo" not in names, "only what lies in the map box"
    taken = [label_box(*(float(v[0]) for v in composed.viewport.to_screen([r["position"][0]], [r["position"][1]])),
                       Placement(r["anchor"], r["baseline"], tuple(r["offset"])), r["label"], r["label_size"])
             for r in composed.base_records if r["label"]]
    for mark in composed.place_marks:
        x, y = (float(v[0]) for v in composed.viewport.to_screen([mark["position"][0]], [mark["position"][1]]))
        box = label_box(x, y, Placement(mark["anchor"], mark["baseline"], tuple(mark["offset"])), mark["name"],
                        mark["size"])
        assert not any(overlaps(box, other) for other in taken), f"{mark['name']} covers a base's name"
    world = compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), camera=Camera(20.0, 20.0, 1.5)))
    cities = [m["name"] for m in world.place_marks if m["kind"] == "city"]
    assert 0 < len(cities) < len([m for m in composed.place_marks if m["kind"] == "city"]) + 20
    hidden = compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), show=frozenset({"bases"})))
    assert hidden.place_marks == [] and "places" not in deck_layers(hidden)


def test_relief_gives_way_to_plain_land_where_it_would_be_a_blur(scenario):
    from layers.basemap import RELIEF_MAX_ZOOM
    from layers.mercator import Camera

    def relief(zoom: float) -> float:
        view = MapView(D(2025, 1, 1), D(2025, 3, 31), camera=Camera(35.0, 36.0, zoom))
        return deck_layers(compose(scenario, view))["basemap-tiles"]["basemap"]["palette"]["reliefOpacity"]

    assert relief(RELIEF_MAX_ZOOM) > 0 and relief(RELIEF_MAX_ZOOM + 0.5) == 0
