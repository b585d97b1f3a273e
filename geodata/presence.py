"""Who holds each site, and whose forces are there besides, day by day.

`presence.csv` lists dated `holds` and `present` rows per base. A base it leaves
out keeps the plain meaning of `bases.csv`: its operator holds it over
`active_from`–`active_to`. Both become one table here, so every question about
holders (the map, the story, reach, compare) reads the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from geodata.problems import Problems

COLUMNS = ("base", "actor", "role", "from", "to", "confidence", "source", "notes")
NO_HOLDER = ""


def presence_table(presence: pd.DataFrame | None, bases: pd.DataFrame) -> pd.DataFrame:
    """The dated rows of every base: presence.csv's, and `holds` rows made from bases.csv for the rest.

    `from`/`to` are Timestamps; NaT means open-ended (since before the record, or still so).
    `row` is the presence.csv row, or 0 for a row made from bases.csv.
    """
    listed = presence if presence is not None else pd.DataFrame(columns=COLUMNS)
    missing = bases[~bases["id"].isin(set(listed["base"]))]
    made = pd.DataFrame({
        "base": missing["id"].to_numpy(),
        "actor": missing["operator"].to_numpy(),
        "role": "holds",
        "from": pd.to_datetime(missing["active_from"]).to_numpy(),
        "to": pd.to_datetime(missing["active_to"]).to_numpy(),
        "confidence": missing["confidence"].to_numpy(),
        "source": missing["source"].to_numpy(),
        "notes": "",
        "row": 0,
    })
    rows = listed.reindex(columns=COLUMNS, fill_value="").assign(row=listed.index.to_numpy(dtype=int))
    table = pd.concat([rows, made], ignore_index=True) if len(rows) else made
    table["from"] = pd.to_datetime(table["from"])
    table["to"] = pd.to_datetime(table["to"])
    table["notes"] = table["notes"].fillna("").astype(str)
    return table.sort_values(["base", "from"], kind="stable", na_position="first").reset_index(drop=True)


def _in_force(table: pd.DataFrame, day: dt.date) -> pd.Series:
    when = pd.Timestamp(day)
    return (table["from"].isna() | (table["from"] <= when)) & (table["to"].isna() | (table["to"] >= when))


def sites_on(table: pd.DataFrame, day: dt.date, base_ids: pd.Index) -> pd.DataFrame:
    """Per base of `base_ids`: its `holder` on `day` ('' for none) and the other actors `present`."""
    today = table[_in_force(table, day)]
    holds = today[today["role"] == "holds"].drop_duplicates("base", keep="last").set_index("base")["actor"]
    present = today[today["role"] == "present"]
    present = present[present["actor"] != present["base"].map(holds)]
    others = present.groupby("base")["actor"].agg(lambda actors: tuple(sorted(set(actors))))
    return pd.DataFrame({
        "holder": holds.reindex(base_ids).fillna(NO_HOLDER).to_numpy(),
        "present": [others.get(base, ()) for base in base_ids],
    }, index=base_ids)


def bases_of(table: pd.DataFrame, actors: frozenset[str], start: dt.date, end: dt.date) -> frozenset[str]:
    """Bases that any of `actors` holds or is present at on some day from `start` to `end`."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    overlaps = (table["from"].isna() | (table["from"] <= last)) & (table["to"].isna() | (table["to"] >= first))
    return frozenset(table.loc[overlaps & table["actor"].isin(actors), "base"])


def _day(value: pd.Timestamp) -> str:
    return "…" if pd.isna(value) else f"{value:%Y-%m-%d}"


def _uncovered(first: pd.Timestamp, last: pd.Timestamp, periods: list[tuple]) -> tuple | None:
    """The first stretch of first..last that no (from, to) period covers, or None."""
    cursor = first
    for start, end in sorted(periods, key=lambda p: p[0] if pd.notna(p[0]) else pd.Timestamp.min):
        if pd.notna(start) and start > cursor:
            return cursor, min(last, start - pd.Timedelta(days=1))
        if pd.isna(end) or end >= last:
            return None
        cursor = max(cursor, end + pd.Timedelta(days=1))
    return (cursor, last) if cursor <= last else None


def outside_period(presence: pd.DataFrame, period: tuple[dt.date, dt.date]) -> Iterator[tuple[object, str, str]]:
    """(row, field, message) for each row wholly before or wholly after the scenario's period."""
    start, end = (pd.Timestamp(day) for day in period)
    for row, record in presence.iterrows():
        if pd.notna(record["to"]) and record["to"] < start:
            yield row, "to", f"{_day(record['to'])} ends before the scenario's period (from {period[0]})"
        elif pd.notna(record["from"]) and record["from"] > end:
            yield row, "from", f"{_day(record['from'])} starts after the scenario's period (to {period[1]})"


def overlapping_holds(presence: pd.DataFrame) -> Iterator[tuple[object, object]]:
    """(earlier, later) rows of one base's `holds` whose periods overlap, in order of `from`.

    `earlier` is the row before `later` whose period reaches furthest, so a period inside another is caught too.
    """
    holds = presence[presence["role"] == "holds"]
    for _, rows in holds.groupby("base", sort=False):
        reach: tuple[object, pd.Timestamp] | None = None
        for row, record in rows.sort_values("from", na_position="first", kind="stable").iterrows():
            if reach is not None and (pd.isna(reach[1]) or pd.isna(record["from"]) or record["from"] <= reach[1]):
                yield reach[0], row
            if reach is None or (pd.notna(reach[1]) and (pd.isna(record["to"]) or record["to"] > reach[1])):
                reach = (row, record["to"])


def overlap_message(held: pd.Series, where: str) -> str:
    """What a holds row clashes with: `held`, the other row, found at `where` ('row 3')."""
    return (f"{held['base']} is held by {held['actor']} from {_day(held['from'])} to {_day(held['to'])} ({where}): "
            "holds periods of one base must not overlap")


def unheld_presences(presence: pd.DataFrame, period: tuple[dt.date, dt.date]) -> Iterator[tuple[object, tuple]]:
    """(row, (first, last)) for each `present` row with days of the period on which nobody holds its base.

    Only bases with `holds` rows are asked: the others are held as bases.csv says, or by nobody.
    """
    start, end = (pd.Timestamp(day) for day in period)
    for _, rows in presence.groupby("base", sort=False):
        holds = rows[rows["role"] == "holds"]
        if holds.empty:
            continue
        periods = list(zip(holds["from"], holds["to"]))
        for row, record in rows[rows["role"] == "present"].iterrows():
            first = max(start, record["from"]) if pd.notna(record["from"]) else start
            last = min(end, record["to"]) if pd.notna(record["to"]) else end
            gap = _uncovered(first, last, periods) if first <= last else None
            if gap:
                yield row, gap


def unheld_message(record: pd.Series, gap: tuple) -> str:
    return (f"{record['actor']} present at {record['base']} on days nobody holds it "
            f"({_day(gap[0])} to {_day(gap[1])}): add the holder or shorten the period")


def check_presence(presence: pd.DataFrame, period: tuple[dt.date, dt.date], file: str, problems: Problems) -> None:
    """Overlapping holders, presences on days nobody holds the base, rows outside the scenario's period."""
    for row, field, message in outside_period(presence, period):
        problems.error(file, int(row), field, message)
    for earlier, later in overlapping_holds(presence):
        problems.error(file, int(later), "from", overlap_message(presence.loc[earlier], f"row {earlier}"))
    for row, gap in unheld_presences(presence, period):
        problems.error(file, int(row), "from", unheld_message(presence.loc[row], gap))


def period_text(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'14 Nov 2019 – 27 Jan 2026', 'from 8 Dec 2024', 'until 9 Dec 2024', or '' when open both ways."""
    if pd.isna(start) and pd.isna(end):
        return ""
    if pd.isna(end):
        return f"from {start:%-d %b %Y}"
    if pd.isna(start):
        return f"until {end:%-d %b %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def dated_lines(table: pd.DataFrame, base_id: str, actor_name) -> list[tuple[str, str, str]]:
    """A base's holders, then who else was there, oldest first: (text, confidence, source) each.

    'Held by SDF / AANES 7 Dec 2024 – 7 Feb 2026', 'Russian Armed Forces present from 14 Nov 2019'.
    """
    return lines_by_base(table[table["base"] == base_id], actor_name).get(base_id, [])


def lines_by_base(table: pd.DataFrame, actor_name) -> dict[str, list[tuple[str, str, str]]]:
    """`dated_lines` of every base of `table`, in one pass: the map draws hundreds of bases a step."""
    lines: dict[str, list[tuple[str, str, str]]] = {}
    for role in ("holds", "present"):
        for record in table[table["role"] == role].to_dict("records"):  # `from` is a keyword: no itertuples
            period = period_text(record["from"], record["to"])
            name = actor_name(record["actor"])
            text = f"Held by {name} {period}" if role == "holds" else f"{name} present {period}"
            line = (text.strip(), str(record["confidence"]), str(record["source"]))
            lines.setdefault(record["base"], []).append(line)
    return lines
