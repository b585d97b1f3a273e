"""Pure builders: scenario data in, pydeck layers out."""
