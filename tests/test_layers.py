"""Layer builders, tested on the deck JSON they produce."""

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from geodata import MovementFilter, load_scenario
from layers.bases import Presence, base_records, bases_layers, presence
from layers.labels import _box, _overlaps, Placement, _pixels
from layers.routes import BOW_RIGHT, RouteLook, count_text, eastward, movement_arcs, routes_layer
from layers.style import CONFIDENCE_ALPHA, LIGHT
from layers.view import MapView, compose
from layers.zones import zones_layer
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
    assert [r["a"] for r in records] == [CONFIDENCE_ALPHA["confirmed"], CONFIDENCE_ALPHA["reported"]]


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
    def routes_of(view: MapView):
        return next(layer for layer in compose(scenario, view).deck.layers if layer.id == "routes")

    quarter = MapView(D(2025, 1, 1), D(2025, 3, 31))
    assert routes_of(quarter) is routes_of(MapView(D(2025, 1, 1), D(2025, 3, 31), theme="dark"))
    assert routes_of(quarter) is not routes_of(MapView(D(2025, 1, 1), D(2025, 2, 28)))
    assert routes_of(quarter) is not routes_of(MapView(D(2025, 1, 1), D(2025, 3, 31), MovementFilter(modes=frozenset({"air"}))))


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


def test_arcs_show_direction_confidence_and_volume(scenario):
    routes = movement_arcs(scenario.movements_in(D(2025, 1, 1), D(2025, 3, 31)), scenario.places, FOLDING)
    records = {r["tt_title"]: r for r in json.loads(routes_layer(routes.drawn).to_json())["data"]}
    busy = records["Alpha air base → Charlie field"]
    claimed = records["Bravo port → Charlie field"]
    layer = json.loads(routes_layer(routes.drawn).to_json())
    assert layer["getSourceColor"] == "@@=[c[0], c[1], c[2], a * 0.25]", "the origin end is fainter"
    assert layer["getTargetColor"] == "@@=[c[0], c[1], c[2], a]"
    assert busy["a"] == CONFIDENCE_ALPHA["confirmed"] and claimed["a"] == CONFIDENCE_ALPHA["claimed"]
    assert busy["w"] > claimed["w"]
    assert busy["tt_kind"] == "cargo by air · 2 movements · quantity 3"


def test_tooltip_text_is_escaped_only_for_html_exports(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("Alpha air base", HOSTILE))
    scenario = load_scenario(folder)
    for_html = base_records(scenario.bases, scenario.actors, set(), LIGHT, Presence(), for_html=True)
    raw = base_records(scenario.bases, scenario.actors, set(), LIGHT, Presence(), for_html=False)
    assert for_html[0]["tt_title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert raw[0]["tt_title"] == HOSTILE  # the dashboard's map element escapes values itself


def test_data_never_becomes_a_javascript_expression(tmp_path):
    folder = write_scenario(tmp_path / "s", bases_csv=BASES_CSV.replace("Alpha air base", "@@=alert(1)"))
    composed = compose(load_scenario(folder), MapView(D(2025, 1, 1), D(2025, 3, 31)))
    spec = json.loads(composed.deck.to_json())
    expressions = [value for layer in spec["layers"] for key, value in layer.items()
                   if isinstance(value, str) and value.startswith("@@=")]
    assert all("alert" not in e for e in expressions)
    units = {layer["id"]: layer.get("radiusUnits") for layer in spec["layers"]}
    assert units["bases"] == "pixels", "enum values are literals, not expressions"


def test_zone_layer_carries_actor_colours_and_dates(scenario):
    zones = scenario.zones_on(D(2025, 2, 15))
    spec = json.loads(zones_layer(zones, scenario.actors, LIGHT).to_json())
    features = spec["data"]["features"]
    assert len(features) == 2
    red = next(f for f in features if f["properties"]["tt_title"] == "Red force")
    assert red["properties"]["fill"] == [214, 39, 40, LIGHT.zone_fill_alpha]
    assert red["properties"]["tt_detail"] == "01 Feb 2025 → still valid at last report"


def test_headline_bases_stand_out_and_former_bases_fade(tmp_path):
    bases = BASES_CSV.splitlines()
    bases[0] += ",active_from,active_to"
    bases[1:] = [line + ",," for line in bases[1:]]
    bases[2] = bases[2][:-2] + ",2024-01-01,2025-01-15"
    scenario = load_scenario(write_scenario(tmp_path / "s", bases_csv="\n".join(bases) + "\n"))
    present = presence(scenario.bases, D(2025, 2, 1), D(2025, 2, 28))
    assert present == Presence(former=frozenset({"bravo"}))
    records = base_records(scenario.bases, scenario.actors, {"alpha"}, LIGHT, present, for_html=False)
    by_id = {r["id"]: r for r in records}
    assert by_id["alpha"]["headline"] and not by_id["charlie"]["headline"]
    assert by_id["bravo"]["fill"][3] < by_id["alpha"]["fill"][3]
    assert "presence ended 15 Jan 2025" in by_id["bravo"]["tt_kind"]
    marker = json.loads(bases_layers(records, LIGHT, zoom=5)[0].to_json())
    assert marker["getRadius"].startswith("@@=headline ?")


def test_labels_do_not_overlap_each_other(scenario):
    records = base_records(scenario.bases, scenario.actors, {"alpha"}, LIGHT, Presence(), for_html=False)
    bases_layers(records, LIGHT, zoom=5)
    boxes = []
    for record in records:
        if record["label"]:
            centre = _pixels(*record["position"], 5)
            size = 15 if record["headline"] else 13
            width = 0.58 * size * len(record["name"]) + 6
            boxes.append(_box(*centre, Placement(record["anchor"], record["baseline"], tuple(record["offset"])),
                              width, size * 1.3))
    assert len(boxes) >= 2
    assert not any(_overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_toggles_and_tiles_choose_the_layers(scenario):
    window = MapView(D(2025, 1, 1), D(2025, 3, 31))
    everything = deck_layers(compose(scenario, window))
    assert {"basemap-tiles", "zones", "routes", "bases", "base-labels"} <= set(everything)
    assert everything["basemap-tiles"]["basemap"]["palette"]["reliefOpacity"] > 0
    bare = deck_layers(compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), show=frozenset({"bases"}))))
    assert "zones" not in bare and "routes" not in bare and "base-labels" not in bare
    assert bare["basemap-tiles"]["basemap"]["palette"]["reliefOpacity"] == 0  # relief off: land and lines only
    online = json.loads(compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), online_tiles=True)).deck.to_json())
    assert not any(layer["id"].startswith("basemap") for layer in online["layers"])
    assert not online.get("mapStyle"), "no style to fetch: the map element draws online tiles itself"


def test_filters_reach_the_map(scenario):
    sea_only = compose(scenario, MapView(D(2025, 1, 1), D(2025, 3, 31), keep=MovementFilter(modes=frozenset({"sea"}))))
    assert len(deck_layers(sea_only)["routes"]["data"]) == 1
    assert list(sea_only.movements["id"]) == ["m3"]
