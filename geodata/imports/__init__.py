"""Bring your own data: read CSV, Excel, GeoJSON, GeoPackage, KML/KMZ and zipped shapefiles into a workspace.

sources: file bytes -> raw parts, refusing hostile files; infer: what a part holds;
mapping: their columns -> ours; convert: rows in our format; preview: what an
import would add, skip and complain about; apply: write it as one change.
"""
