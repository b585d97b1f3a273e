"""Problems found in scenario files, reported as `file:row: field: message`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# A table with thousands of bad rows would bury the first, most useful lines.
MAX_PER_FIELD = 20


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # spreadsheet row (header = 1) or GeoJSON feature number; None: whole file
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {self.field or '-'}: {prefix}{self.message}"


@dataclass
class Problems:
    """Collects problems, keeping at most MAX_PER_FIELD per file and field."""

    items: list[Problem] = field(default_factory=list)
    _dropped: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        key = (problem.file, problem.field)
        kept = sum(1 for p in self.items if (p.file, p.field) == key)
        if kept >= MAX_PER_FIELD:
            self._dropped[key] = self._dropped.get(key, 0) + 1
        else:
            self.items.append(problem)

    def error(self, file: str, row: int | None, field_name: str, message: str) -> None:
        self.add(Problem(file, row, field_name, message))

    def warn(self, file: str, row: int | None, field_name: str, message: str) -> None:
        self.add(Problem(file, row, field_name, message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def lines(self) -> list[str]:
        lines = [str(p) for p in self.items]
        for (file, field_name), count in self._dropped.items():
            lines.append(f"{file}: {field_name}: … and {count:,} more like this")
        return lines


class ScenarioError(Exception):
    """A scenario that cannot be loaded; `problems` says why, line by line."""

    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__("\n".join(problems.lines()))
