"""PowerPoint packs made of PowerPoint's own parts: title, text, legend, tables, notes, template."""

import datetime as dt
import io
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.util import Emu

from briefing.chromium import CHROMIUM_ENV, chromium_path
from briefing.cli import main
from geodata import load_scenario
from layers.bases import short_name

DATES = "2024-12-15,2024-12-31,2025-02-28,2025-06-30,2026-02-28"
CAVEAT = "Open-source reporting only"
SYRIA = "35.2,38.4,6.2"
needs_chromium = pytest.mark.skipif(not chromium_path().is_file(),
                                    reason=f"needs Chromium at {chromium_path()} (apt-get install chromium)")


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))


def texts(slide) -> list[str]:
    """Every text on the slide, groups opened."""
    found = []
    for shape in slide.shapes:
        members = shape.shapes if shape.shape_type == MSO_SHAPE_TYPE.GROUP else [shape]
        found += [m.text_frame.text for m in members if m.has_text_frame]
    return found


def named(slide, name: str):
    return next(shape for shape in slide.shapes if shape.name == name)


def table_rows(slide) -> list[list[str]]:
    """The body rows of the slide's movements table (the headings left out)."""
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in list(table.rows)[1:]]


def legend_labels(slide) -> list[str]:
    legend = named(slide, "Legend")
    return [shape.text_frame.text for shape in legend.shapes if shape.name.startswith("Legend: ")]


def export(tmp_path, *argv: str) -> Path:
    out = tmp_path / "pack.pptx"
    assert main(["export", *argv, "--out", str(out)]) == 0
    return out


def check_pack(deck, scenario, dates: str) -> None:
    """On every slide the title, the caveat and a table; over a window's slides, every movement of the window."""
    rows_by_window: dict[str, list[list[str]]] = defaultdict(list)
    for slide in deck.slides:
        assert slide.shapes.title.text == scenario.meta.title
        assert any(CAVEAT in text for text in texts(slide)), "the caveat as text"
        window = named(slide, "Date window and counts").text_frame.text.split(" · ")[0]
        rows_by_window[window] += table_rows(slide)

    days = [dt.date.fromisoformat(d.strip()) for d in dates.split(",")]
    starts = [scenario.meta.start] + [d + dt.timedelta(days=1) for d in days[:-1]]
    assert len(rows_by_window) == len(days)
    for start, end in zip(starts, days):
        window = f"{start:%-d %b %Y} – {end:%-d %b %Y}"
        movements = scenario.movements_in(start, end)
        rows = [row for row in rows_by_window[window] if row[0] != "No movements in this window."]
        assert len(rows) == len(movements), window
        assert Counter(row[0] for row in rows) == Counter(f"{d:%-d %b}" for d in movements["date"])
        routes = " ".join(row[1] for row in rows)
        for name in {*movements["origin_name"], *movements["destination_name"]} - {""}:
            assert short_name(name) in routes, f"{name} in the table of {window}"
        assert "…" not in routes, "no text is cut"


def test_every_slide_of_a_five_date_pack_has_the_title_every_movement_in_a_table_and_the_caveat(tmp_path, no_chromium):
    deck = Presentation(str(export(tmp_path, "--dates", DATES)))
    check_pack(deck, load_scenario(None), DATES)
    assert len(deck.slides) > 5, "the long December table continues on a slide of its own"


def test_a_slide_has_its_map_as_a_picture_and_its_legend_and_scale_as_shapes(tmp_path, no_chromium):
    deck = Presentation(str(export(tmp_path, "--from", "2024-12-01", "--to", "2024-12-31",
                                   "--banner", "UNCLASSIFIED // FOR TRAINING")))
    (slide,) = deck.slides
    picture = named(slide, "Map")
    assert picture.shape_type == MSO_SHAPE_TYPE.PICTURE
    image = Image.open(io.BytesIO(picture.image.blob))
    assert sum(ImageStat.Stat(image.convert("RGB")).stddev) / 3 > 20, "a drawn map"
    assert image.width / image.height == pytest.approx(picture.width / picture.height, rel=0.01)
    assert not any(shape.has_table for shape in slide.shapes), "a single slide has no table"
    assert "Russian Armed Forces" in legend_labels(slide) and "cargo" in legend_labels(slide)
    scale = named(slide, "Scale bar")
    assert any(s.text_frame.text.endswith(" km") for s in scale.shapes if s.has_text_frame)
    words = texts(slide)
    assert words.count("UNCLASSIFIED // FOR TRAINING") == 2 and "1 Dec 2024 – 31 Dec 2024" in " ".join(words)
    assert slide.notes_slide.notes_text_frame.text.count("Source: ") >= 20, "every movement and zone with its source"


def test_the_legend_lists_only_what_the_slide_s_camera_shows(tmp_path, no_chromium):
    theatre = Presentation(str(export(tmp_path, "--from", "2024-12-01", "--to", "2024-12-31"))).slides[0]
    syria = Presentation(str(export(tmp_path, "--from", "2024-12-01", "--to", "2024-12-31", "--camera", SYRIA))).slides[0]
    assert "Libyan National Army (Haftar)" in legend_labels(theatre)
    assert "SDF / AANES" in legend_labels(syria)
    for outside in ("Libyan National Army (Haftar)", "Mali (transitional government)", "Niger (CNSP junta)",
                    "Burkina Faso (transitional government)", "Sudan (Sudanese Armed Forces)"):
        assert outside not in legend_labels(syria), outside


def test_speaker_notes_hold_every_source_in_full(tmp_path, no_chromium):
    scenario = load_scenario(None)
    deck = Presentation(str(export(tmp_path, "--dates", "2024-12-31")))
    notes = "\n".join(slide.notes_slide.notes_text_frame.text for slide in deck.slides)
    for source in scenario.movements_in(scenario.meta.start, dt.date(2024, 12, 31))["source"]:
        assert source in notes


def house_template(path: Path, *, title_only: bool = True, size=(Emu(12_192_000), Emu(6_858_000))) -> Path:
    """A template as a house would make one: its own slide size, a renamed title-only layout, a sample slide."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = size
    layouts = deck.slide_layouts
    layouts[5].name = "House heading"
    if not title_only:
        layouts.remove(layouts[5])
    deck.slides.add_slide(layouts[0]).shapes.title.text = "A sample slide of the template"
    deck.save(str(path))
    return path


def test_a_template_s_title_only_layout_is_found_by_its_placeholders_and_its_samples_are_dropped(tmp_path, no_chromium):
    template = house_template(tmp_path / "house.pptx")
    deck = Presentation(str(export(tmp_path, "--dates", "2024-12-15", "--template", str(template))))
    assert len(deck.slides) >= 2 and all(slide.slide_layout.name == "House heading" for slide in deck.slides)
    assert all("sample slide" not in " ".join(texts(slide)) for slide in deck.slides)
    title = deck.slides[0].shapes.title
    run = title.text_frame.paragraphs[0].runs[0]
    assert run.font.color.type is None and title._element.spPr.find(
        "{http://schemas.openxmlformats.org/drawingml/2006/main}xfrm") is None, "the template styles and places it"


def test_without_a_title_only_layout_a_layout_with_a_title_is_used_and_its_other_boxes_removed(tmp_path, no_chromium):
    template = house_template(tmp_path / "house.pptx", title_only=False, size=(Emu(9_144_000), Emu(6_858_000)))
    deck = Presentation(str(export(tmp_path, "--from", "2025-01-01", "--to", "2025-01-31",
                                   "--template", str(template))))
    (slide,) = deck.slides
    assert slide.shapes.title.text and slide.slide_layout.name == "Title and Content"
    assert [p.placeholder_format.type for p in slide.placeholders] == [PP_PLACEHOLDER.TITLE]
    picture = named(slide, "Map")
    assert (deck.slide_width, deck.slide_height) == (Emu(9_144_000), Emu(6_858_000))
    assert picture.left + picture.width < deck.slide_width and picture.top + picture.height < deck.slide_height
    image = Image.open(io.BytesIO(picture.image.blob))
    assert image.width / image.height == pytest.approx(picture.width / picture.height, rel=0.01)


@pytest.mark.parametrize("argv, message", [
    (["--template", "missing.pptx"], "no such file"),
    (["--template", "README.md"], "not a PowerPoint .pptx file"),
])
def test_a_bad_template_is_refused_in_one_line(tmp_path, capsys, argv, message):
    argv = [str(Path(__file__).parent.parent / a) if a.endswith((".md", ".pptx")) else a for a in argv]
    assert main(["export", *argv, "--out", str(tmp_path / "pack.pptx")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not list(tmp_path.iterdir())


def test_a_template_is_for_pptx_only(tmp_path, capsys):
    template = house_template(tmp_path / "house.pptx")
    assert main(["export", "--template", str(template), "--out", str(tmp_path / "map.png")]) == 2
    assert "for .pptx output" in capsys.readouterr().err


@needs_chromium
def test_with_chromium_the_picture_is_the_map_alone(tmp_path):
    from briefing.cli import parse_request
    from briefing.export import export as run
    result = run(parse_request(["export", "--camera", SYRIA, "--out", str(tmp_path / "map.pptx")]))
    assert result.renderer == "chromium"
    (slide,) = Presentation(str(result.path)).slides
    picture = named(slide, "Map")
    image = Image.open(io.BytesIO(picture.image.blob)).convert("RGB")
    assert image.width / image.height == pytest.approx(picture.width / picture.height, rel=0.01)
    assert sum(ImageStat.Stat(image).stddev) / 3 > 15, "the map is drawn"
    # The scale bar is a shape on the slide, not a picture's pixels: the lower left corner is map, not a white card.
    corner = image.crop((10, image.height - 40, 120, image.height - 10))
    assert ImageStat.Stat(corner).mean != pytest.approx([255, 255, 255], abs=3)
    assert "SDF / AANES" in result.page_texts[0]
