"""`ckan paser ...` commands."""
from __future__ import annotations

import click


@click.group(short_help="Kabupaten Paser portal commands")
def paser() -> None:
    """Commands of the Kabupaten Paser Satu Data portal."""
