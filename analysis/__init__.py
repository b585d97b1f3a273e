"""Pure computations on a scenario: counts, distances, reach and changes.

The dashboard, the command line (`python -m analysis`) and the exports call the
same functions: model in, results out.
"""
