"""The README documents every column, key and word the loader enforces, and the set-up commands."""

import re
from pathlib import Path

import pytest

from geodata.schema import (BASE_KINDS, CATEGORIES, COLUMNS, CONFIDENCES, FILES, MODES, MOVEMENTS_PARQUET,
                            SCENARIO_KEYS, VIEW_KEYS)

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def section(heading_start: str) -> str:
    """The README text from a `### heading` that starts with `heading_start` to the next heading."""
    match = re.search(rf"^### {re.escape(heading_start)}.*?(?=^#)", README, flags=re.S | re.M)
    assert match, f"README has no section '### {heading_start}'"
    return match.group(0)


@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_every_column_is_documented_in_its_table_section(table):
    text = section(f"`{FILES[table]}`")
    missing = [column.name for column in COLUMNS[table] if f"`{column.name}`" not in text]
    assert not missing, f"{FILES[table]} columns missing from the README: {missing}"


def test_scenario_keys_and_vocabularies_are_documented():
    toml = section("`scenario.toml`")
    assert all(f"`{key}`" in toml for key in (*SCENARIO_KEYS, *VIEW_KEYS))
    for words in (BASE_KINDS, MODES, CATEGORIES, CONFIDENCES):
        assert all(f"`{word}`" in README for word in words)
    assert f"`{MOVEMENTS_PARQUET}`" in README


def test_the_two_setup_commands_are_there():
    commands = re.findall(r"^    (.+)$", README.split("## Set-up on a fresh machine")[1].split("## ")[0], re.M)
    assert len(commands) == 2
    assert "streamlit run dashboard.py" in commands[0] and "pytest" in commands[1]
    assert "python -m geodata check PATH" in README


def test_every_environment_variable_is_documented():
    root = Path(__file__).resolve().parent.parent
    used = {name for path in root.rglob("*.py") if ".git" not in path.parts
            for name in re.findall(r"FOOTPRINT_[A-Z_]+", path.read_text())}
    assert used, "the scan found the variables the code reads"
    assert {name for name in used if f"`{name}`" not in README} == set()
