"""Briefing export: the files it writes, the frame they carry, its options, and the fallback without Chromium."""

import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageStat

from briefing.chromium import CHROMIUM_ARGS, CHROMIUM_ENV, chromium_path
from briefing.cli import main, parse_request
from briefing.export import export
from briefing.layout import layout
from layers.mercator import metres_per_pixel, scale_bar
from briefing.page import regions, split_basemap
from briefing.sizes import A4, SLIDE, SLIDE_4K, SizeError, parse_size
from briefing.slides import SlideOptions, build_slide
from geodata.citations import source_names
from geodata.windows import dated_windows, stepped_windows
from geodata import load_scenario
from layers.bases import short_name
from layers.mercator import Camera
from layers.view import MapView
from scenario_files import ACTORS_CSV, BASES_CSV, SCENARIO_TOML, write_scenario

D = dt.date
BANNER = "UNCLASSIFIED // FOR TRAINING"
HOSTILE = "<img src=x onerror=alert(1)>"
needs_chromium = pytest.mark.skipif(not chromium_path().is_file(),
                                    reason=f"needs Chromium at {chromium_path()} (apt-get install chromium)")


def spread(image: Image.Image) -> float:
    """How much a picture varies: near zero for a blank or one-colour image."""
    return sum(ImageStat.Stat(image.convert("RGB")).stddev) / 3


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))


# --- What the frame says and where it goes (no browser) ---------------------------------------

def test_scale_bar_uses_deck_gl_512_pixel_tiles_and_round_distances():
    assert metres_per_pixel(0, 0) == pytest.approx(40_075_016.686 / 512)
    assert metres_per_pixel(60, 3) == pytest.approx(40_075_016.686 * 0.5 / 512 / 8)
    bar = scale_bar(31.8, 4.3, 320)
    assert bar.label == "1,000 km" and bar.pixels <= 320
    assert scale_bar(35, 14, 200).label == "500 m"


def test_export_zooms_so_its_map_spans_what_the_dashboard_map_spans(scenario_dir):
    from streamlit.testing.v1 import AppTest
    app = AppTest.from_file(str(Path(__file__).parent.parent / "dashboard.py"), default_timeout=60)
    app.run()
    sent = json.loads(next(e for e in app.get("bidi_component") if e.key == "map").proto.json)
    dashboard_height, camera = sent["height"], Camera(**{k: sent["camera"][k] for k in ("latitude", "longitude", "zoom")})
    view = MapView(D(2024, 12, 1), D(2024, 12, 31), camera=camera)
    for size in (SLIDE, SLIDE_4K):
        slide = build_slide(load_scenario(), view, SlideOptions(size))
        exported = metres_per_pixel(camera.latitude, slide.view.camera.zoom) * slide.layout.map.height
        assert exported == pytest.approx(metres_per_pixel(camera.latitude, camera.zoom) * dashboard_height, rel=1e-3)


def test_sizes():
    assert parse_size("1920x1080") .pixels == (1920, 1080)
    assert parse_size("3840x2160").pixels == (3840, 2160) == SLIDE_4K.pixels
    assert parse_size("3840x2160").width == 1920  # drawn at pixel ratio 2: labels keep their size
    assert parse_size("a4") is A4 and A4.pdf_inches == pytest.approx((11.69, 8.26), abs=0.01)
    for bad in ("big", "10x10", "1920*1080", "99999x1080"):
        with pytest.raises(SizeError):
            parse_size(bad)


def test_layout_boxes_tile_the_page_without_overlap():
    for size in (SLIDE, A4, parse_size("1280x720")):
        for banner in (True, False):
            boxes = layout(size, banner=banner, table=True)
            assert boxes.map.right < boxes.side.x and boxes.header.bottom <= boxes.map.y
            assert boxes.map.bottom <= boxes.footer.y and boxes.footer.bottom <= size.height - (
                boxes.banner_bottom.height if banner else 0)


def test_windows_of_packs_and_timelapses_follow_each_other():
    assert stepped_windows(D(2025, 1, 1), D(2025, 1, 20), "week") == [
        (D(2025, 1, 1), D(2025, 1, 7)), (D(2025, 1, 8), D(2025, 1, 14)), (D(2025, 1, 15), D(2025, 1, 20))]
    assert stepped_windows(D(2025, 1, 31), D(2025, 3, 31), "month") == [
        (D(2025, 1, 31), D(2025, 2, 27)), (D(2025, 2, 28), D(2025, 3, 30)), (D(2025, 3, 31), D(2025, 3, 31))]
    assert dated_windows([D(2025, 1, 10), D(2025, 2, 1)], D(2025, 1, 1)) == [
        (D(2025, 1, 1), D(2025, 1, 10)), (D(2025, 1, 11), D(2025, 2, 1))]


def test_source_names_are_short_and_the_most_cited_come_first():
    texts = ["Reuters (Planet Labs image 9 Dec), 2024-12-10 (via JPost https://x.example/a ; AP) ; Maxar imagery",
             "Reuters, 2024-12-14 https://y.example/b", "approximate boundary drawn by hand; AP, 2024-12-17"]
    assert source_names(texts) == ["Reuters", "AP", "Maxar imagery"]


def test_page_escapes_every_text_from_data_and_shares_the_basemap(scenario_dir):
    write_scenario(scenario_dir, actors_csv=ACTORS_CSV.replace("Red force", HOSTILE))
    scenario = load_scenario(scenario_dir)
    view = MapView(D(2025, 1, 1), D(2025, 1, 31))
    slide = build_slide(scenario, view, SlideOptions(SLIDE, title=HOSTILE, banner=HOSTILE, with_table=True))
    html = slide.page().html()
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert all(HOSTILE not in part for part in regions(slide.frame).values())
    deck, shared = split_basemap(json.loads(slide.composed.deck.to_json()), slide.layout.map, slide.layout.size.pixel_ratio)
    assert {name.split(":")[0] for name in shared} == {"basemap-world", "basemap-view"}
    assert all(url.startswith("data:image/webp;base64,") for url in shared.values())
    embedded = [layer for layer in deck["layers"] if layer["id"].startswith("basemap-")]
    assert [layer["id"] for layer in embedded] == ["basemap-world", "basemap-view"]
    assert all(layer["image"].startswith("@@#") and layer["image"][3:] in shared for layer in embedded)
    assert "mapStyle" not in deck  # nothing for the page to fetch


def test_a_long_legend_is_compacted_and_capped(scenario_dir):
    from geodata.schema import BASE_KINDS, CATEGORIES
    from scenario_files import MOVEMENTS_CSV
    actors = "".join(f"a{i},Actor number {i},#{i * 12:02x}3366\n" for i in range(20))
    bases = "".join(f"b{i},Base {i},Syria,{BASE_KINDS[i % 6]},{33 + i / 10},{36 + i / 10},a{i},,Test,reported\n"
                    for i in range(20))
    moves = "".join(f"n{i},2025-01-10,b{i},b{i + 1},air,{c},Plane,1,reported,Test,,\n" for i, c in enumerate(CATEGORIES))
    write_scenario(scenario_dir, actors_csv=ACTORS_CSV + actors, bases_csv=BASES_CSV + bases,
                   movements_csv=MOVEMENTS_CSV + moves)
    slide = build_slide(load_scenario(scenario_dir), MapView(D(2025, 1, 1), D(2025, 1, 31)), SlideOptions(SLIDE))
    actors_section = slide.frame.legend[0]
    # 21 actors in view (Blue's zone and base lie in Libya, outside the slide's camera on Syria)
    assert len(actors_section.entries) == 14 and actors_section.note == "+7 more"
    assert slide.frame.compact_legend and "class='columns'" in regions(slide.frame)["side"]


# --- Options: one line, exit code 2, no file ------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--category", "tanks"], "--category 'tanks'"),
    (["--operator", "nobody"], "--operator 'nobody'"),
    (["--layers", "zones,clouds"], "--layers 'clouds'"),
    (["--from", "2025-02-01", "--to", "2025-01-01"], "before --from"),
    (["--from", "2025-13-01"], "not a date"),
    (["--from", "2019-01-01"], "outside the scenario's period"),
    (["--camera", "95,0,4"], "--camera"),
    (["--size", "12x12"], "--size"),
    (["--dates", "2025-01-01"], "one slide per date"),
    (["--every", "year"], "invalid choice"),
    (["--data", "/no/such/scenario"], "--data"),
])
def test_bad_options_get_one_line_and_exit_2(tmp_path, capsys, argv, message):
    code = main(["export", *argv, "--out", str(tmp_path / "map.png")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("out", ["map.txt", "map", "missing/map.png", "map.gif"])
def test_bad_outputs_exit_2_and_write_nothing(tmp_path, capsys, out):
    (tmp_path / "file").write_text("")
    code = main(["export", "--out", str(tmp_path / out)])
    assert code == 2 and capsys.readouterr().err.count("\n") == 1
    assert files_in(tmp_path) == ["file"]


def test_an_output_inside_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["export", "--out", str(tmp_path / "file" / "map.png")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_failed_render_leaves_no_file(tmp_path, capsys, monkeypatch, no_chromium):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed\nwith a second line")
    monkeypatch.setattr("briefing.static_map.StaticRenderer.render", broken)
    assert main(["export", "--out", str(tmp_path / "map.png")]) == 1
    assert capsys.readouterr().err.strip().endswith("RuntimeError: renderer crashed")
    assert files_in(tmp_path) == []


def test_filters_reach_the_map_and_the_frame():
    request = parse_request(["export", "--from", "2024-12-01", "--to", "2024-12-31", "--category", "cargo",
                             "--layers", "zones,routes", "--camera", "34,36,6", "--theme", "dark",
                             "--out", "/tmp/x.png"])
    view = request.views[0]
    assert view.keep.categories == {"cargo"} and view.show == {"zones", "routes"} and view.theme == "dark"
    slide = build_slide(request.scenario, view, SlideOptions(request.size))
    assert set(slide.composed.movements["category"]) == {"cargo"}
    assert "Filtered: category cargo" in slide.frame.text.filters and "hidden: bases" in slide.frame.text.filters
    assert slide.view.camera.latitude == 34 and slide.view.camera.zoom > 6  # zoomed to the export's map height


# --- Without Chromium: the static renderer, and the formats that need no browser -----------------

def test_without_chromium_the_static_renderer_gives_a_framed_png(tmp_path, capsys, no_chromium):
    out = tmp_path / "map.png"
    assert main(["export", "--from", "2024-12-01", "--to", "2024-12-31", "--banner", BANNER, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "static renderer" in err and "apt-get install chromium" in err and err.count("\n") == 1
    image = Image.open(out)
    assert image.size == (1920, 1080) and spread(image) > 30
    boxes = layout(SLIDE, banner=True, table=False)
    assert spread(image.crop((boxes.map.x, boxes.map.y, boxes.map.right, boxes.map.bottom))) > 20
    assert image.getpixel((5, 5)) == image.getpixel((5, 1075)) != image.getpixel((960, 540))  # banners top, bottom
    assert files_in(tmp_path) == ["map.png"] and oct(out.stat().st_mode & 0o777) != "0o600"


def test_static_arcs_bow_to_their_right_as_the_map_arcs_do(scenario_dir):
    from briefing.static_map import _MapCanvas
    scenario = load_scenario(scenario_dir)
    # February holds one movement, Bravo port → Charlie field: westwards, so its right is north.
    view = MapView(D(2025, 2, 1), D(2025, 2, 28), show=frozenset({"routes"}), camera=Camera(33.5, 28.5, 5))
    slide = build_slide(scenario, view, SlideOptions(SLIDE))
    with_arc = np.asarray(_MapCanvas(slide, 1).draw().convert("RGB"), dtype=int)
    without = np.asarray(_MapCanvas(build_slide(scenario, replace(view, show=frozenset()), SlideOptions(SLIDE)), 1)
                         .draw().convert("RGB"), dtype=int)
    arc = slide.composed.routes.drawn.iloc[0]
    (x0, y0), (x1, y1) = _MapCanvas(slide, 1).points(np.array([[arc.origin_lon, arc.origin_lat],
                                                               [arc.destination_lon, arc.destination_lat]]))
    rows = np.flatnonzero(np.abs(with_arc - without).sum(axis=2)[:, round((x0 + x1) / 2)])
    assert len(rows) and rows.max() < (y0 + y1) / 2 - 10, "the arc's middle lies north of its chord"


def test_timelapse_gif_and_mp4_have_a_frame_per_week(tmp_path, no_chromium):
    gif, mp4 = tmp_path / "t.gif", tmp_path / "t.mp4"
    for out in (gif, mp4):
        assert main(["export", "--from", "2025-01-01", "--to", "2025-01-21", "--every", "week",
                     "--size", "960x540", "--out", str(out)]) == 0
    image = Image.open(gif)
    assert image.n_frames == 3 and image.size == (960, 540)
    import imageio_ffmpeg
    frames = imageio_ffmpeg.read_frames(str(mp4))
    meta = next(frames)
    assert meta["size"] == (960, 540)
    assert sum(1 for _ in frames) == 2 + 3  # a second per week, the last held three seconds


# --- With Chromium: the real map -------------------------------------------------------------------

@needs_chromium
def test_png_is_a_framed_slide_of_the_view(tmp_path):
    request = parse_request(["export", "--from", "2024-12-01", "--to", "2024-12-31", "--banner", BANNER,
                             "--out", str(tmp_path / "map.png")])
    result = export(request)
    assert result.renderer == "chromium" and not result.notice
    text = result.page_texts[0]  # read from the rendered page, before the screenshot
    for words in (BANNER, "Russia's military footprint", "1 Dec 2024 – 31 Dec 2024", "ACTORS", "MOVEMENTS",
                  "CONFIDENCE", "Russian Armed Forces", "cargo", " km", "Open-source reporting only", "Sources:"):
        assert words in text, words
    assert text.count(BANNER) == 2
    image = Image.open(result.path)
    assert image.size == (1920, 1080)
    boxes = layout(SLIDE, banner=True, table=False)
    assert spread(image.crop((boxes.map.x, boxes.map.y, boxes.map.right, boxes.map.bottom))) > 20, "map is drawn"


@needs_chromium
def test_pdf_pack_has_an_a4_page_per_date_and_its_table_continues_on_pages_of_its_own(tmp_path):
    from pypdf import PdfReader
    out = tmp_path / "pack.pdf"
    request = parse_request(["export", "--dates", "2024-12-15,2024-12-31", "--out", str(out)])
    result = export(request)
    pages = PdfReader(out).pages
    first, second = (build_slide(request.scenario, view, SlideOptions(request.size, with_table=True))
                     for view in request.views)
    assert len(pages) == 2 + len(first.frame.continued) + len(second.frame.continued) > 2
    assert [round(float(v)) for v in pages[0].mediabox[2:]] == [842, 596]  # A4 landscape, in points
    text = " ".join(page.extract_text() for page in pages)  # vector text, searchable
    assert "MOVEMENTS 16 DEC 2024 – 31 DEC 2024" in text and "movements, continued" in text
    assert "MOVEMENTS 1 DEC 2024 – 15 DEC 2024" in result.page_texts[0]
    movements = request.scenario.movements_in(D(2024, 12, 1), D(2024, 12, 15))
    listed = " ".join(result.page_texts[:1 + len(first.frame.continued)])
    for name in {*movements["origin_name"], *movements["destination_name"]} - {""}:
        assert short_name(name) in listed, f"{name}: every movement is listed, none cut"
    assert "earlier in the window" not in listed


@needs_chromium
def test_html_map_opens_offline_with_its_frame_and_asks_for_nothing(tmp_path, scenario_dir):
    from playwright.sync_api import sync_playwright
    write_scenario(scenario_dir, actors_csv=ACTORS_CSV.replace("Red force", HOSTILE))
    out = tmp_path / "map.html"
    assert main(["export", "--data", str(scenario_dir), "--title", HOSTILE, "--banner", BANNER,
                 "--out", str(out)]) == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        requests, dialogs = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(out.as_uri())
        page.wait_for_function("window.footprint && footprint.ready()", timeout=60_000)
        text = page.inner_text("#slide")
        shot = Image.open(io.BytesIO(page.locator("#map").screenshot()))
        browser.close()
    assert requests == [out.as_uri()], "the page asked for something beyond itself"
    assert dialogs == [] and HOSTILE in text and text.count(BANNER) == 2 and "Test data only." in text
    assert spread(shot) > 10  # a blank map is near 0; the sea is one flat colour


CODE_LIKE = ("@@=constructor.constructor('alert(1)')()", "@@#COORDINATE_SYSTEM", "@@type")


def _code_like_scenario(folder):
    """Every text field of every file starts like deck.gl's JSON code, constants or class names."""
    import csv
    import io as text_io
    a, b, c = CODE_LIKE
    bases = BASES_CSV.replace("Alpha air base", a).replace("Main base.", b).replace("Test source 2025-01-01", c)
    bases = bases.replace(",Syria,", f",{b},", 1)
    moves = "id,date,origin,destination,mode,category,asset,quantity,confidence,source,notes,end_date\n" + "".join(
        f"m{i},2025-01-0{i + 1},alpha,charlie,air,cargo,{text},1,reported,{text},{text},\n"
        for i, text in enumerate(CODE_LIKE))
    actors = ACTORS_CSV.replace("Red force", c)
    write_scenario(folder, bases_csv=bases, movements_csv=moves, actors_csv=actors,
                   scenario_toml=SCENARIO_TOML.replace('title = "Test theatre"', f'title = "{a}"'))
    assert list(csv.DictReader(text_io.StringIO(moves)))[0]["asset"] == a


@pytest.mark.parametrize("suffix", ["html", "png", "pdf"])
def test_text_that_looks_like_deck_gl_code_is_drawn_as_text_in_every_format(tmp_path, scenario_dir, suffix):
    _code_like_scenario(scenario_dir)
    out = tmp_path / f"map.{suffix}"
    assert main(["export", "--data", str(scenario_dir), "--from", "2025-01-01", "--to", "2025-01-31",
                 "--out", str(out)]) == 0
    if suffix == "png":
        boxes = layout(SLIDE, banner=False, table=False)
        image = Image.open(out)
        assert spread(image.crop((boxes.map.x, boxes.map.y, boxes.map.right, boxes.map.bottom))) > 10
    if suffix == "html":
        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            errors, dialogs = [], []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(out.as_uri())
            page.wait_for_function("window.footprint && footprint.ready()", timeout=60_000)
            names = page.evaluate("footprint.deck.props.layers.find((l) => l.id === 'bases').props.data"
                                  ".map((base) => base.tt_title)")
            text = page.inner_text("#slide")
            browser.close()
        assert errors == [] and dialogs == []
        assert CODE_LIKE[0].replace("'", "&#x27;") in names, "the base's name reached the map as text"
        assert CODE_LIKE[0] in text


# --- The dashboard's Export control ----------------------------------------------------------------

def _export_panel_app():
    import datetime as dt

    from geodata import load_scenario
    from layers.view import MapView
    from ui.export_panel import export_panel

    export_panel(load_scenario(None), MapView(dt.date(2024, 12, 1), dt.date(2024, 12, 31)))


def test_export_panel_draws_nothing_until_asked_then_offers_the_file():
    from streamlit.testing.v1 import AppTest
    app = AppTest.from_function(_export_panel_app, default_timeout=60).run()
    assert not app.exception and not app.get("download_button")
    app.radio(key="export_format_one_slide").set_value("HTML").run()
    app.text_input(key="export_banner").input(BANNER).run()
    app.button(key="export_prepare").click().run()
    assert not app.exception and not app.error
    download = app.get("download_button")[0].proto
    assert download.label == "Download syria-libya_2024-12-01_2024-12-31.html"
    app.text_input(key="export_banner").input("SECRET").run()
    assert not app.get("download_button"), "a file made for other options is not offered"


def test_a_failed_export_logs_its_traceback_and_tells_the_user_one_line(tmp_path, capsys, caplog, monkeypatch):
    import briefing.cli

    def broken(*_args, **_kwargs):
        raise RuntimeError("renderer crashed\nsecond line")

    monkeypatch.setattr(briefing.cli, "export", broken)
    with caplog.at_level("ERROR", logger="footprint.briefing"):
        code = main(["export", "--out", str(tmp_path / "map.png")])
    assert code == 1
    assert capsys.readouterr().err.strip() == "python -m briefing: export failed: RuntimeError: renderer crashed"
    assert "Traceback" in caplog.text and "second line" in caplog.text


def test_without_chromium_a_pdf_is_a_framed_page_of_the_static_map(tmp_path, capsys, no_chromium):
    from pypdf import PdfReader
    out = tmp_path / "map.pdf"
    assert main(["export", "--from", "2025-01-01", "--to", "2025-01-31", "--out", str(out)]) == 0
    assert "static renderer" in capsys.readouterr().err
    reader = PdfReader(out)
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert len(reader.pages) == 1 and width / height == pytest.approx(297 / 210, rel=0.01), "A4 landscape"
    image = next(iter(reader.pages[0].images)).image
    assert spread(image) > 30, "a drawn page, not a blank one"
