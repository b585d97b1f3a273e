"""Generate a synthetic scenario of N movements for benchmarks (clearly labelled as not real data).

Sites are spread over the bundled theatre; routes follow a Zipf law, as real traffic does: a few
busy routes and a long tail. Zones are the bundled scenario's, so map weight is realistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from geodata import BUNDLED
from geodata.schema import CATEGORIES, CONFIDENCES, MODES

SOURCE = "Synthetic benchmark data, not real reporting"


def make_scenario(folder: Path, movements: int, sites: int = 300, routes: int = 20_000, seed: int = 1,
                  start: dt.date = dt.date(2024, 1, 1), days: int = 730) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    end = start + dt.timedelta(days=days - 1)
    (folder / "scenario.toml").write_text(
        f'title = "Synthetic theatre: {movements:,} movements"\ncaveat = "{SOURCE}."\n'
        f'start = "{start}"\nend = "{end}"\n\n[view]\nlatitude = 33.0\nlongitude = 28.0\nzoom = 3.6\n')
    shutil.copy(BUNDLED / "actors.csv", folder / "actors.csv")
    shutil.copy(BUNDLED / "zones.geojson", folder / "zones.geojson")
    actors = pd.read_csv(BUNDLED / "actors.csv")["id"].to_numpy()

    ids = [f"s{i:04d}" for i in range(sites)]
    pd.DataFrame({
        "id": ids, "name": [f"Site {i}" for i in range(sites)], "country": "Synthetic",
        "kind": rng.choice(["air base", "naval base", "airport", "heliport", "garrison", "other"], sites),
        "lat": rng.uniform(12, 50, sites).round(4), "lon": rng.uniform(-8, 48, sites).round(4),
        "operator": rng.choice(actors, sites), "description": "Synthetic site.", "source": SOURCE,
        "confidence": "claimed",
    }).to_csv(folder / "bases.csv", index=False)

    # A pool of routes with Zipf-distributed popularity.
    route_ends = rng.integers(0, sites, size=(routes, 2))
    route_ends[:, 1] = np.where(route_ends[:, 0] == route_ends[:, 1], (route_ends[:, 1] + 1) % sites,
                                route_ends[:, 1])
    popularity = 1 / np.arange(1, routes + 1) ** 1.1
    route = rng.choice(routes, size=movements, p=popularity / popularity.sum())
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, movements), unit="D")
    site_ids = np.array(ids)
    pd.DataFrame({
        "id": [f"m{i}" for i in range(movements)],
        "date": dates.strftime("%Y-%m-%d"),
        "origin": site_ids[route_ends[route, 0]],
        "destination": site_ids[route_ends[route, 1]],
        "mode": rng.choice(MODES, movements),
        "category": rng.choice(CATEGORIES, movements),
        "asset": rng.choice(["Il-76", "An-124", "convoy", "landing ship", "Mi-8"], movements),
        "quantity": rng.integers(1, 40, movements),
        "confidence": rng.choice(CONFIDENCES, movements),
        "source": SOURCE,
        "notes": "",
    }).to_csv(folder / "movements.csv", index=False)
    return folder


def synthetic_workspace(url: str, movements: int, sites: int, scratch: Path) -> str:
    """A PostGIS workspace at `url` holding `make_scenario`'s data; a schema already holding it is reused."""
    from geodata.copy import copy
    from geodata.postgis_scenario import load_database
    from geodata.store_postgis import PostgisStore

    if PostgisStore(url).exists():
        found = load_database(url).database.extent()[0]
        if found != movements:
            raise RuntimeError(f"{url}: holds {found:,} movements, not {movements:,}: name another schema")
        return url
    folder = make_scenario(scratch / f"synthetic-{movements}", movements, sites)
    copy(str(folder), url)
    shutil.rmtree(folder)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--movements", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=300)
    args = parser.parse_args()
    make_scenario(args.folder, args.movements, args.sites)
    print(f"wrote {args.folder}")


if __name__ == "__main__":
    main()
