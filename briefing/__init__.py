"""Briefing export: the dashboard's view as a framed slide, PDF, slide pack, timelapse or standalone map.

`python -m briefing export ...` and the dashboard's Export control share one renderer:
an HTML page (the map plus its frame) that headless Chromium turns into pixels or
pages, with a Pillow renderer standing in where Chromium is not installed.
"""
