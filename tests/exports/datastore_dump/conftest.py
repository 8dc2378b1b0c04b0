"""The DataStore dump's formats (exports/datastore_dump.py) read tables the loader put in the DataStore: the loader
tests' fixtures (a world of users and datasets, an uploaded table and its load), which replace the exports' own
module-wide world here."""
from loader.conftest import (  # noqa: F401 - fixtures
    empty_datastore,
    loaded,
    public_dataset,
    terbatas_dataset,
    upload,
    world,
)
