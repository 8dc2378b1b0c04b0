"""The Paser DCAT profile (`paser_dcat_ap`, profile.py), its namespace, stable URIs, catalogue options, the
catalogue's visibility filter and the chained catalogue actions of the `paser_dcat` plugin (actions.py).
docs/dcat.md describes the mapping."""
