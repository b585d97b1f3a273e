"""The bundled scenario's own check list of sites: who held each one, and who else was there, by date."""

import csv
import datetime as dt

import pytest

from geodata import BUNDLED, load_scenario

with open(BUNDLED / "site_checks.csv", newline="", encoding="utf-8") as handle:
    CHECKS = list(csv.DictReader(handle))


def test_every_russian_site_is_checked_on_three_dates_or_more():
    scenario = load_scenario()
    presence = scenario.presence
    russian = set(presence.loc[presence["actor"] == "russia", "base"])
    dates = {}
    for check in CHECKS:
        dates.setdefault(check["base"], set()).add(check["date"])
    assert {base for base in russian if len(dates.get(base, ())) < 3} == set()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c['base']}@{c['date']}")
def test_site_holder_and_presences(check):
    sites = load_scenario().sites_on(dt.date.fromisoformat(check["date"]))
    site = sites.loc[check["base"]]
    expected_present = tuple(sorted(filter(None, check["present"].split(";"))))
    assert (site["holder"], site["present"]) == (check["holder"], expected_present), check["source"]
