"""Write an import into a workspace: under its lock, against what it holds then, as one undoable change."""

from __future__ import annotations

import datetime as dt

from geodata.imports.preview import ImportPlan, Source, plan_import
from geodata.workspace import Target, Workspace, empty_tables, open_workspace, update, workspace_exists, workspace_name
from geodata.workspace_store import empty_history


class ImportRefused(Exception):
    """An import with errors; `plan.lines()` says what they are. Nothing was written."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        super().__init__("\n".join(plan.lines()))


def current_workspace(target: Target) -> Workspace:
    """The workspace at `target` (a .gpkg path or a postgresql:// address), or the empty one an import would start."""
    if workspace_exists(target):
        return open_workspace(target)
    return Workspace(empty_tables(workspace_name(target)), empty_history())


def preview_import(target: Target, sources: list[Source], today: dt.date | None = None) -> ImportPlan:
    return plan_import(sources, current_workspace(target), today)


def import_into(target: Target, sources: list[Source], author: str,
                today: dt.date | None = None) -> tuple[int | None, ImportPlan]:
    """Import `sources`, creating the workspace if needed; the change number (None: nothing new) and the plan.

    Raises ImportRefused when any source has errors: an import is all or nothing.
    """
    plans: list[ImportPlan] = []

    def plan(workspace: Workspace) -> list:
        result = plan_import(sources, workspace, today)
        plans.append(result)
        if result.refused:
            raise ImportRefused(result)
        return result.changes()

    labels = ", ".join(source.part.label for source in sources)
    number = update(target, author, f"import {labels}", plan, create=True)
    return number, plans[-1]
