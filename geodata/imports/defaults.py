"""Values an import fills in where a file gives none, so a plain file imports with no flags.

Each filled column is said in the preview as a warning naming the rows, so nothing is
filled silently: a base's country comes from where it stands, its kind is `other`, a base
with no operator is run by an `unknown` actor, a record with no confidence word is
`claimed` (the least certain), and a zone with no dates holds for the scenario's period.
What cannot be told this way (a name, a position) is still refused by the validator.
"""

from __future__ import annotations

import pandas as pd

from geodata.countries import NEAREST_WITHIN_KM, country_at
from geodata.problems import Problems

KIND: str = "other"
CONFIDENCE: str = "claimed"
UNKNOWN_ACTOR: str = "unknown"
_SHOWN_ROWS = 6  # rows named in one warning; the rest are counted


def _rows(rows: list) -> str:
    shown = ", ".join(str(row) for row in rows[:_SHOWN_ROWS])
    more = f" and {len(rows) - _SHOWN_ROWS:,} more" if len(rows) > _SHOWN_ROWS else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def _fill(records: pd.DataFrame, column: str, value: str, why: str, label: str, problems: Problems) -> None:
    empty = list(records.index[records[column] == ""])
    if empty:
        records.loc[empty, column] = value
        problems.warn(label, None, column, f"{_rows(empty)}: none given, set to {value!r} ({why})")


def _degrees(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is no position


def _countries(records: pd.DataFrame, label: str, problems: Problems) -> None:
    """A base's country is the one it stands in; at sea, the nearest within NEAREST_WITHIN_KM."""
    given, offshore, none = {}, [], []
    for row in records.index[records["country"] == ""]:
        lat, lon = _degrees(records.at[row, "lat"]), _degrees(records.at[row, "lon"])
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue  # the validator names the bad position
        country = country_at(lon, lat)
        if country.name:
            records.at[row, "country"] = country.name
            given.setdefault(country.name, []).append(row)
            if country.distance_km:
                offshore.append(f"{row} ({country.name}, {max(country.distance_km, 1):.0f} km)")
        else:
            none.append(row)
    for name, rows in given.items():
        problems.warn(label, None, "country", f"{_rows(rows)}: none given, set to {name!r} from the position "
                      "(Natural Earth outlines)")
    if offshore:
        problems.warn(label, None, "country", f"at sea, given the nearest country: {', '.join(offshore[:_SHOWN_ROWS])}"
                      + (f" and {len(offshore) - _SHOWN_ROWS:,} more" if len(offshore) > _SHOWN_ROWS else ""))
    if none:
        problems.warn(label, None, "country", f"{_rows(none)}: at sea, no country within {NEAREST_WITHIN_KM:.0f} km; "
                      "left empty")


def fill_bases(records: pd.DataFrame, label: str, problems: Problems) -> None:
    _countries(records, label, problems)
    _fill(records, "kind", KIND, "--set kind=WORD gives another", label, problems)
    _fill(records, "operator", UNKNOWN_ACTOR, "an actor for sites whose operator is not known", label, problems)
    fill_confidence(records, label, problems)


def fill_confidence(records: pd.DataFrame, label: str, problems: Problems) -> None:
    """No confidence word is `claimed`; that is all a movement or a presence is given (places, dates, who and
    role cannot be guessed)."""
    _fill(records, "confidence", CONFIDENCE, "the least certain word; --confidence gives another", label, problems)


def fill_zones(records: pd.DataFrame, period: tuple[str, str], label: str, problems: Problems) -> None:
    """Zones without dates hold for the scenario's period: from its start, to its end if no date is given."""
    start, end = period
    undated = list(records.index[(records["valid_from"] == "") & (records["valid_to"] == "")])
    if undated:
        records.loc[undated, "valid_to"] = end
        problems.warn(label, None, "valid_to", f"{_rows(undated)}: no dates given, set to the scenario's end, {end}")
    _fill(records, "valid_from", start, "the scenario's start", label, problems)
    fill_confidence(records, label, problems)
