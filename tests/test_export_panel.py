"""The dashboard's Export control: every kind and format of the command line, progress, and the file kept
only for the view and options it was made for."""

import datetime as dt
import io

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from briefing.chromium import CHROMIUM_ENV
from briefing.export import FORMATS
from ui.export_panel import FORMATS as PANEL_FORMATS, KINDS, InputError, parse_dates

D = dt.date
DATES = "2024-12-15, 2024-12-31, 2025-02-28, 2025-06-30, 2026-02-28"


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))


def _panel_app():
    import datetime as dt

    from geodata import load_scenario
    from layers.view import MapView
    from ui.export_panel import export_panel

    export_panel(load_scenario(None), MapView(dt.date(2024, 12, 1), dt.date(2024, 12, 31)))


def panel() -> AppTest:
    return AppTest.from_function(_panel_app, default_timeout=300).run()


def test_every_format_of_the_command_line_is_offered_by_a_kind():
    offered = {PANEL_FORMATS[fmt][0] for kind in KINDS.values() for fmt in kind.formats}
    assert offered == set(FORMATS)
    assert {"PPTX", "PDF"} <= set(KINDS["Pack: a slide per date"].formats)
    assert set(KINDS["Timelapse"].formats) == {"GIF", "MP4"}


def test_typed_dates_are_checked():
    assert parse_dates("2024-12-15, 2025-01-31", D(2024, 12, 1), D(2026, 2, 28)) == (D(2024, 12, 15), D(2025, 1, 31))
    for text, message in (("", "one date"), ("2024-12-15, tomorrow", "'tomorrow' is not a date"),
                          ("2024-11-30", "outside"), ("2025-01-31, 2024-12-15", "increasing")):
        with pytest.raises(InputError, match=message):
            parse_dates(text, D(2024, 12, 1), D(2026, 2, 28))


def test_a_pack_per_date_is_drawn_only_when_asked_shows_its_progress_and_is_a_pptx_with_every_slide(
        no_chromium, monkeypatch):
    import ui.export_panel
    calls = []
    real_export = ui.export_panel.export

    def watched(request, *, progress=None):
        def seen(done, total):
            calls.append((done, total))
            progress(done, total)
        return real_export(request, progress=seen)

    monkeypatch.setattr(ui.export_panel, "export", watched)
    app = panel()
    assert not app.exception and not app.get("download_button") and calls == []
    app.radio(key="export_kind").set_value("Pack: a slide per date").run()
    assert app.radio(key="export_format_pack_a_slide_per_date").value == "PPTX"
    assert app.button(key="export_prepare").disabled, "no dates typed yet"
    app.text_input(key="export_dates").input(DATES).run()
    assert "5 slides, 1 Dec 2024 to 28 Feb 2026" in " ".join(c.value for c in app.caption)
    app.button(key="export_prepare").click().run()
    assert not app.exception and not app.error
    assert calls == [(n, 5) for n in range(1, 6)]
    ready = app.session_state["export_ready"]
    assert ready["name"] == "syria-libya_2024-12-01_2026-02-28_pack.pptx"
    deck = Presentation(io.BytesIO(ready["data"]))
    assert len(deck.slides) == ready["slides"] > 5, "five map slides, and the tables continued"
    assert all(any(shape.has_table for shape in slide.shapes) for slide in deck.slides)
    app.radio(key="export_format_pack_a_slide_per_date").set_value("PDF").run()
    assert not app.get("download_button"), "a file made for other options is not offered"


def test_bad_dates_are_named_and_nothing_is_prepared():
    app = panel()
    app.radio(key="export_kind").set_value("Pack: a slide per date").run()
    app.text_input(key="export_dates").input("2024-12-15, 2024-12-10").run()
    assert "Cannot prepare: give the dates in increasing order" in " ".join(c.value for c in app.caption)
    assert app.button(key="export_prepare").disabled


def test_a_timelapse_counts_its_frames_over_the_slider_s_window():
    app = panel()
    app.radio(key="export_kind").set_value("Timelapse").run()
    assert app.radio(key="export_format_timelapse").options == ["GIF", "MP4"]
    assert "5 frames, 1 Dec 2024 to 31 Dec 2024" in " ".join(c.value for c in app.caption)  # weeks of December
    app.radio(key="export_step").set_value("month").run()
    assert not any("frames" in c.value for c in app.caption), "one month: a single frame"


def test_what_changed_from_a_to_b_is_a_slide_of_the_two_dates_with_its_report_in_the_notes(no_chromium):
    app = panel()
    app.radio(key="export_kind").set_value("What changed: A to B").run()
    assert app.radio(key="export_format_what_changed_a_to_b").options == ["PNG", "PDF", "PPTX"]
    sides = app.text_input(key="export_compare_2024-12-01_2024-12-31")
    assert sides.value == "2024-12-01,2024-12-31", "a month before the window's end, and that day"
    sides.input("2025-01-15,2024-12-20").run()
    assert "Cannot prepare: B (2024-12-20) is before A (2025-01-15)" in " ".join(c.value for c in app.caption)
    assert app.button(key="export_prepare").disabled
    app.text_input(key="export_compare_2024-12-01_2024-12-31").input("2024-12-01,2025-02-01").run()
    app.radio(key="export_format_what_changed_a_to_b").set_value("PPTX").run()
    assert not app.get("file_uploader"), "the comparison is one picture: no house template"
    app.button(key="export_prepare").click().run()
    assert not app.exception and not app.error
    ready = app.session_state["export_ready"]
    assert ready["name"] == "syria-libya_2024-12-01_2025-02-01_changes.pptx", "A (its days cut at the start) to B"
    slide, = Presentation(io.BytesIO(ready["data"])).slides
    notes = slide.notes_slide.notes_text_frame.text
    assert "Hmeimim" in notes or "hmeimim" in notes.lower()
