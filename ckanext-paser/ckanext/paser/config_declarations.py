"""The declared config options of the bundle: each subpackage keeps its own ``config_declaration.yaml`` (CKAN's
declaration format) beside its code; the plugins load them here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent
# The subpackages of the `paser` plugin that declare options (paser_search declares "search").
PASER_SUBPACKAGES = ("reference", "checks", "harvesters", "dcat", "loader", "runtime")


def load(subpackage: str) -> dict[str, Any]:
    with open(ROOT / subpackage / "config_declaration.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)
