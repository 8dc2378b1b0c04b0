"""Consistency checks of published figures. This first block reads agency tables (CSV, XLSX) and normalises
their figures (indicator, Kemendagri region, period, value, unit); the figures store and the rules build on it."""
from __future__ import annotations

from .normalise import Figure, Problem, Result, TableDescription, figures_from_file, normalise_sheets
from .reading import Sheet, TableReadError, read_table

__all__ = [
    "Figure", "Problem", "Result", "Sheet", "TableDescription", "TableReadError", "figures_from_file",
    "normalise_sheets", "read_table",
]
