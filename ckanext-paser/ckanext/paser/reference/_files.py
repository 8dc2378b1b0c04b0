"""Reading the packaged reference tables (CSV files in data/)."""
from __future__ import annotations

import csv
import os
from collections.abc import Iterator

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class ReferenceFileError(ValueError):
    """A reference file is missing, unreadable or does not have the expected columns and values."""


def packaged_path(filename: str) -> str:
    return os.path.join(DATA_DIR, filename)


def read_rows(path: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row with stripped values) of a UTF-8 CSV file that has the `required` columns."""
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in required if name not in columns]
            if missing:
                raise ReferenceFileError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected a CSV file with a header line "
                    f"naming at least {', '.join(required)} (found: {', '.join(columns) or 'nothing'})"
                )
            reader.fieldnames = columns
            for row in reader:
                if None in row:
                    raise ReferenceFileError(f"{path}, line {reader.line_num}: more values than columns")
                yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}
    except FileNotFoundError:
        raise ReferenceFileError(f"{path}: file not found") from None
    except OSError as error:
        raise ReferenceFileError(f"{path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise ReferenceFileError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise ReferenceFileError(f"{path}: not a readable CSV file ({error})") from None
