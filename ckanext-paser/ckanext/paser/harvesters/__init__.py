"""Harvesters bringing agency sources into the portal: ``bps`` (BPS WebAPI), ``spreadsheet`` (OPD workbooks) and
``portals`` (other CKAN and DCAT portals). ``base`` holds what every harvester shares: reads within the
configured bounds (through ``fetch``), source configurations with clear errors, the Paser dataset defaults;
``stages`` the gather, fetch and import stages of the harvesters with one dataset per listed item (bps,
spreadsheet)."""
from __future__ import annotations
