"""Template helpers of the exports: which tidy exports a dataset page links to."""
from __future__ import annotations

from typing import Any

from ..checks import store


def paser_export_indicators(package_id: str | None) -> list[str]:
    """The indicators of the dataset's stored figures, each with a tidy export (the page itself is shown only to
    readers of the dataset; the export then holds every figure of the indicator the reader may see)."""
    return sorted(store.indicators_of_package(package_id)) if package_id else []


def helpers() -> dict[str, Any]:
    return {"paser_export_indicators": paser_export_indicators}
