"""The Export control: the current view as a framed PNG, PDF or standalone HTML map, for download.

Nothing is drawn until "Prepare" is pressed; the file is kept for the view it was made
for, and offered again only while the view and the options stay the same.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path
from typing import Final

import streamlit as st

from briefing.errors import one_line
from briefing.export import ExportRequest, export
from briefing.sizes import A4, SLIDE, SLIDE_4K
from geodata import Scenario
from layers.view import MapView

FORMATS: Final = {"PNG": ("png", "image/png"), "PDF": ("pdf", "application/pdf"), "HTML": ("html", "text/html")}
SIZES: Final = {"1920×1080 slide": SLIDE, "3840×2160 slide": SLIDE_4K, "A4 landscape": A4}
SIZES_FOR: Final = {"PNG": ("1920×1080 slide", "3840×2160 slide"), "PDF": ("A4 landscape", "1920×1080 slide"),
                    "HTML": ("1920×1080 slide",)}
READY_KEY: Final = "export_ready"
LOG = logging.getLogger("footprint.export")


def _file_name(scenario: Scenario, view: MapView, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", scenario.name).strip("-") or "footprint"
    return f"{stem}_{view.start:%Y-%m-%d}_{view.end:%Y-%m-%d}.{extension}"


def _prepare(scenario: Scenario, view: MapView, fmt: str, size_name: str, title: str, banner: str) -> dict:
    extension, mime = FORMATS[fmt]
    name = _file_name(scenario, view, extension)
    with tempfile.TemporaryDirectory(prefix="footprint-export-") as folder:
        out = Path(folder) / name
        result = export(ExportRequest(scenario, (view,), out, SIZES[size_name],
                                      title="" if title == scenario.meta.title else title, banner=banner))
        return {"data": out.read_bytes(), "name": name, "mime": mime, "notice": result.notice}


def export_panel(scenario: Scenario, view: MapView) -> None:
    st.subheader("Export")
    title = st.text_input("Title", value=scenario.meta.title, key="export_title", max_chars=160)
    banner = st.text_input("Banner (top and bottom)", key="export_banner", max_chars=160,
                           placeholder="e.g. UNCLASSIFIED // FOR TRAINING")
    fmt = st.radio("Format", list(FORMATS), key="export_format", horizontal=True,
                   help="PNG for slides, PDF for print, HTML for a map that opens offline in any browser.")
    size_name = st.selectbox("Size", SIZES_FOR[fmt], key=f"export_size_{fmt}")
    if view.online_tiles:
        st.caption("Exports use the offline basemap, so they open anywhere without a network.")
    wanted = (view, fmt, size_name, " ".join(title.split()), " ".join(banner.split()))
    if st.button("Prepare", key="export_prepare", width="stretch"):
        with st.spinner("Drawing the map…"):
            try:
                st.session_state[READY_KEY] = {"for": wanted, **_prepare(scenario, view, *wanted[1:])}
            except Exception as err:  # one line for the analyst, the traceback to the server's log
                LOG.exception("export of %s failed", view)
                st.session_state.pop(READY_KEY, None)
                st.error(f"Export failed: {one_line(err)}")
    ready = st.session_state.get(READY_KEY)
    if not ready:
        return
    if ready["for"] != wanted:
        st.caption("The view or the options changed: prepare the export again.")
        return
    if ready["notice"]:
        st.info(ready["notice"])
    st.download_button(f"Download {ready['name']}", ready["data"], ready["name"], ready["mime"],
                       key="export_download", width="stretch")
