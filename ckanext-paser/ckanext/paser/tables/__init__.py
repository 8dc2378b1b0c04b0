"""Agency tables (CSV in any common dialect and encoding, XLSX) read into sheets of rows of cells: what the
DataStore loader, the consistency checks and the spreadsheet harvester all read files with (``reading``)."""
from __future__ import annotations

from .reading import CSV_FORMATS, UNREADABLE_FILE, XLSX_FORMATS, Cell, Sheet, TableReadError, read_table

__all__ = ["CSV_FORMATS", "UNREADABLE_FILE", "XLSX_FORMATS", "Cell", "Sheet", "TableReadError", "read_table"]
