"""Shape validated movements for fast window queries and route folding.

Both ends of every movement become an integer code into one table of places
(bases and the bare points some movements name), and the worded columns become
categoricals: a million movements then fit in a few hundred megabytes and fold
into routes with integer arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.geodesy import distance_km
from geodata.schema import CATEGORIES, CONFIDENCES, MODES

# Text columns with few distinct values: categoricals save memory and speed up grouping.
_REPEATED_TEXT = ("asset", "source", "notes", "origin", "destination")


def point_key(lat: pd.Series, lon: pd.Series) -> pd.Series:
    return lat.round(3).astype(str) + "," + lon.round(3).astype(str)


def places_of(movements: pd.DataFrame, bases: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The table of places and, for each end, every movement's code into it."""
    keys = {}
    for end in ("origin", "destination"):
        ids = movements[end].astype(object)
        bare = (ids == "").to_numpy()
        if bare.any():  # most movements name bases; build point keys only for the rest
            ids[bare] = point_key(movements[f"{end}_lat"][bare], movements[f"{end}_lon"][bare]).to_numpy()
        keys[end] = ids
    codes, uniques = pd.factorize(pd.concat([keys["origin"], keys["destination"]], ignore_index=True))
    half = len(movements)
    places = place_table(uniques, bases)
    return places, {"origin": codes[:half].astype(np.int32), "destination": codes[half:].astype(np.int32)}


def place_table(keys, bases: pd.DataFrame) -> pd.DataFrame:
    """Each place key (a base id, or 'lat,lon' of a point that is not a base) with its name and position."""
    places = pd.DataFrame({"key": np.asarray(keys, dtype=object)})
    is_base = places["key"].isin(bases.index)
    base = bases.reindex(places["key"].where(is_base))
    lat_lon = places["key"].where(~is_base, "").str.split(",", expand=True).reindex(columns=[0, 1])
    places["lat"] = base["lat"].to_numpy(dtype=float, na_value=np.nan)
    places["lon"] = base["lon"].to_numpy(dtype=float, na_value=np.nan)
    places.loc[~is_base, "lat"] = pd.to_numeric(lat_lon[0], errors="coerce")[~is_base]
    places.loc[~is_base, "lon"] = pd.to_numeric(lat_lon[1], errors="coerce")[~is_base]
    places["name"] = base["name"].fillna("").to_numpy()
    return places


def _leg_km(codes: dict[str, np.ndarray], places: pd.DataFrame) -> np.ndarray:
    """Each movement's geodesic length, computed once per distinct pair of ends."""
    pairs, position = np.unique(np.stack([codes["origin"], codes["destination"]], axis=1), axis=0,
                                return_inverse=True)
    lat, lon = places["lat"].to_numpy(), places["lon"].to_numpy()
    km = distance_km(lon[pairs[:, 0]], lat[pairs[:, 0]], lon[pairs[:, 1]], lat[pairs[:, 1]])
    return np.round(km, 1)[position.ravel()]


def route_km(routes: np.ndarray, places: pd.DataFrame) -> np.ndarray:
    """The geodesic length of each route code (origin, destination and category, as `layers.routes` keys
    routes), for routes a database folded; rounded as each movement's is."""
    pairs = np.asarray(routes, dtype=np.int64) // len(CATEGORIES)
    codes = {"origin": pairs // len(places), "destination": pairs % len(places)}
    return _leg_km(codes, places)


def prepare_movements(movements: pd.DataFrame, bases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Movements sorted by date with coded ends, and the places those codes index."""
    places, codes = places_of(movements, bases)
    movements = movements.copy()
    for end in ("origin", "destination"):
        code = codes[end]
        movements[f"{end}_code"] = code
        movements[f"{end}_lat"] = places["lat"].to_numpy()[code]
        movements[f"{end}_lon"] = places["lon"].to_numpy()[code]
        movements[f"{end}_name"] = places["name"].to_numpy()[code]
    movements["distance_km"] = _leg_km(codes, places)
    for column, words in (("mode", MODES), ("category", CATEGORIES), ("confidence", CONFIDENCES)):
        movements[column] = pd.Categorical(movements[column], categories=words)
    for column in _REPEATED_TEXT:
        movements[column] = movements[column].astype("category")
    movements["until"] = movements["end_date"].fillna(movements["date"])
    return movements.sort_values("date", kind="stable"), places
