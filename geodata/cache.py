"""A disk cache of validated, prepared movements, so a large scenario opens fast the second time.

Parsing and checking a million-row CSV takes seconds; reading the prepared table
back from Parquet takes a fraction of one. Entries are keyed by the scenario's
path and the size and modification time of each of its files, so any edit
misses the cache. Only what this process wrote is read back: Parquet, never pickle.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd

# Small scenarios load fast anyway; caching them would only litter the cache folder.
MIN_MOVEMENTS = 50_000
FORMAT = "2"  # bump when the prepared columns change


def cache_dir() -> Path:
    return Path(os.environ.get("FOOTPRINT_CACHE_DIR", Path.home() / ".cache" / "footprint"))


def _stem(path: Path, fingerprint: tuple) -> Path:
    key = hashlib.sha256(repr((FORMAT, str(path), fingerprint)).encode()).hexdigest()[:24]
    return cache_dir() / key


def read(path: Path, fingerprint: tuple) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    stem = _stem(path, fingerprint)
    try:
        return (pd.read_parquet(stem.with_suffix(".movements.parquet")),
                pd.read_parquet(stem.with_suffix(".places.parquet")))
    except (OSError, ValueError):
        return None


def write(path: Path, fingerprint: tuple, movements: pd.DataFrame, places: pd.DataFrame) -> None:
    """Best effort: a read-only or full disk only costs the next start its speed."""
    if len(movements) < MIN_MOVEMENTS:
        return
    stem = _stem(path, fingerprint)
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        for suffix, frame in ((".places.parquet", places), (".movements.parquet", movements)):
            with tempfile.NamedTemporaryFile(dir=stem.parent, delete=False, suffix=".tmp") as temporary:
                frame.to_parquet(temporary.name)
            os.replace(temporary.name, stem.with_suffix(suffix))
    except OSError:
        return
