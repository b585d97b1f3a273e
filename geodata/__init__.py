"""Scenario data for Footprint: the format, loading, validation and the bundled scenario."""

from geodata.loader import BUNDLED, check_scenario, load_scenario
from geodata.model import MovementFilter, Scenario
from geodata.problems import Problem, ScenarioError

__all__ = ["BUNDLED", "MovementFilter", "Problem", "Scenario", "ScenarioError", "check_scenario", "load_scenario"]
