"""Consistency checks of published figures. ``normalise`` turns agency tables (CSV, XLSX, read by ``tables``) into
normalised figures (indicator, Kemendagri region, period, value, unit); the figures store (``store``, filled by the
background job in ``jobs``, shown by ``actions``) keeps them per resource with each resource's check status; the
rules build on it."""
from __future__ import annotations

from ..tables.reading import Sheet, TableReadError, read_table
from .normalise import Figure, Problem, Result, TableDescription, figures_from_file, normalise_sheets

__all__ = [
    "Figure", "Problem", "Result", "Sheet", "TableDescription", "TableReadError", "figures_from_file",
    "normalise_sheets", "read_table",
]
