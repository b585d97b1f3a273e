"""Pack tables, for the PDF pages and the PowerPoint slides alike: measured, paginated, never cut or dropped."""

import datetime as dt

import pandas as pd

from briefing.fonts import text_width, wrap
from briefing.frame import SIDE_GAP, SIDE_TABLE, TABLE_NOTE_HEIGHT, TITLE_HEIGHT, legend_height
from briefing.sizes import A4, SLIDE
from briefing.slides import SlideOptions, build_slide
from briefing.table import MAX_ROWS, Row, movement_rows, paginate, part_note, table_parts
from geodata import load_scenario
from layers.view import MapView

D = dt.date


def test_text_wraps_at_spaces_within_the_width_and_a_word_too_long_is_cut_where_the_line_ends():
    text = "Qamishli International Airport → Benina International Airport"
    lines = wrap(text, 18, 200)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(text_width(line, 18) <= 200 for line in lines)
    pieces = wrap("Supercalifragilisticexpialidocious", 18, 80)
    assert "".join(pieces) == "Supercalifragilisticexpialidocious" and len(pieces) > 2
    assert all(text_width(piece, 18) <= 80 for piece in pieces)


def test_rows_are_split_into_pages_in_order_each_within_its_room():
    rows = [Row(f"{i} Dec", "A → B", "cargo · air", "reported") for i in range(1, 12)]
    height = {row: 10 + (row.date == "3 Dec") * 15 for row in rows}  # one tall row
    pages = paginate(rows, 30, 50, height.get, height.get)
    assert [row for page in pages for row in page] == rows, "every row, in order"
    assert [len(page) for page in pages] == [2, 3, 5, 1]  # the tall third row moves to the next page
    assert all(sum(map(height.get, page)) <= 50 for page in pages)
    assert paginate(rows[:2], 5, 50, height.get, height.get) == [(), tuple(rows[:2])], "no room beside the map"
    assert paginate([], 5, 50, height.get, height.get) == [()]


def test_a_pack_slide_lists_every_movement_of_its_window_and_its_table_leaves_the_legend_room():
    scenario = load_scenario(None)
    view = MapView(D(2024, 12, 1), D(2024, 12, 15))
    movements = scenario.movements_in(view.start, view.end)
    for size in (SLIDE, A4):
        slide = build_slide(scenario, view, SlideOptions(size, with_table=True))
        frame, layout = slide.frame, slide.layout
        parts = (frame.table, *frame.continued)
        assert sum(len(part.rows) for part in parts) == len(movements) and len(parts) > 1
        assert [part.part for part in parts] == list(range(1, len(parts) + 1))
        width, height = layout.side.width / layout.unit, layout.side.height / layout.unit
        table = TITLE_HEIGHT + sum(SIDE_TABLE.row_height(row, width) for row in frame.table.rows) + TABLE_NOTE_HEIGHT
        assert legend_height(list(frame.legend), True, width) + SIDE_GAP + table <= height
        assert part_note(frame.table) == f"continued on the next page (1 of {len(parts)})"


def test_a_window_too_long_for_slides_says_how_many_it_leaves_out():
    movements = pd.concat([load_scenario(None).movements] * 7, ignore_index=True)
    rows, left_out = movement_rows(movements)
    assert len(rows) == MAX_ROWS and left_out == len(movements) - MAX_ROWS
    parts = table_parts([rows[:100], rows[100:]], left_out)
    assert part_note(parts[0]) == "continued on the next page (1 of 2)"
    assert part_note(parts[1]).startswith(f"and {left_out:,} more movements in this window")


def test_rows_are_oldest_first_with_whole_place_names():
    scenario = load_scenario(None)
    rows, _ = movement_rows(scenario.movements_in(D(2024, 12, 1), D(2024, 12, 31)))
    days = [dt.datetime.strptime(f"{row.date} 2024", "%d %b %Y") for row in rows]
    assert days == sorted(days)
    assert any("Hmeimim" in row.route for row in rows) and not any("…" in row.route for row in rows)
