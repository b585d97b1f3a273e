"""Issue #14's four dates: in what the map is sent, each north-east Syria site and Hmeimim takes the
colour of its holder and a ring per actor present, as the scenario's own check list has them."""

import csv
import datetime as dt
import json

import pytest

from geodata import BUNDLED, load_scenario
from layers.bases import LAYER_ID, RING_LAYER_ID
from layers.style import hex_to_rgb
from layers.view import MapView, compose

DAYS = ("2025-01-01", "2025-07-01", "2026-01-25", "2026-02-12")
SITES = ("qamishli", "tabqa", "manbij", "kobani", "amuda", "ain_issa", "hmeimim")

with open(BUNDLED / "site_checks.csv", newline="", encoding="utf-8") as handle:
    CHECKS = {(row["base"], row["date"]): row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario()


def drawn_layers(scenario, day: str) -> dict[str, list[dict]]:
    """The layers' data as the browser receives it, for the window of the month ending on `day`."""
    end = dt.date.fromisoformat(day)
    composed = compose(scenario, MapView(end - dt.timedelta(days=30), end, camera=None))
    return {layer["id"]: layer.get("data", []) for layer in json.loads(composed.deck.to_json())["layers"]}


@pytest.mark.parametrize("day", DAYS)
def test_markers_show_the_checked_holder_and_presences(scenario, day):
    layers = drawn_layers(scenario, day)
    markers = {marker["id"]: marker for marker in layers[LAYER_ID]}
    colour = {actor: hex_to_rgb(value) for actor, value in scenario.actors["color"].items()}
    for site in SITES:
        check = CHECKS[(site, day)]
        marker = markers[site]
        assert tuple(marker["fill"][:3]) == colour[check["holder"]], (site, day, check["source"])
        present = sorted(filter(None, check["present"].split(";")))
        rings = sorted(tuple(ring["color"][:3]) for ring in layers[RING_LAYER_ID]
                       if ring["position"] == marker["position"])
        assert rings == sorted(colour[actor] for actor in present), (site, day, check["source"])
        said = marker["tt_kind"]  # what the tooltip says under the name
        assert f"held by {scenario.actors.at[check['holder'], 'name']}" in said
        assert all(f"{scenario.actors.at[actor, 'name']} present" in said for actor in present), said
