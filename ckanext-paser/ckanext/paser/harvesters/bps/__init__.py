"""The BPS WebAPI harvester: ``client`` (configuration, paging, datacontent), ``mapping`` (Satu Data dataset and
tidy CSV) and ``harvester`` (the IHarvester plugin ``bps_harvester``)."""
from __future__ import annotations

from .harvester import BpsHarvester

__all__ = ["BpsHarvester"]
