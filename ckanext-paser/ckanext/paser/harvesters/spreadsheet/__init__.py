"""The spreadsheet harvester: an OPD's workbooks (XLSX, CSV; links or a directory listing page) as datasets with a
clean CSV and the original file. ``config`` (source configuration and mapping), ``listing`` (links of a directory
listing page), ``convert`` (workbook → tidy table through the checks' figures reader) and ``harvester`` (the
IHarvester plugin ``spreadsheet_harvester``)."""
from __future__ import annotations

from .harvester import SpreadsheetHarvester

__all__ = ["SpreadsheetHarvester"]
