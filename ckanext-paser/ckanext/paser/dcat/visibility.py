"""Only terbuka, public, active datasets of type `dataset` are published in the DCAT catalogue.

ckanext-dcat's catalogue endpoint searches as the requesting user; package_search leaves private datasets out
unless asked, but a catalogue meant for national harvesting must not depend on that default nor on the private
flag alone: the classification decides. The portal's catalogue actions (actions.py) add the filter to whatever `fq`
the request brings.
"""
from __future__ import annotations

CATALOGUE_FILTER = "+dataset_type:dataset +klasifikasi:terbuka +capacity:public +state:active"


def catalogue_fq(requested: str | None) -> str:
    requested = (requested or "").strip()
    return f"{CATALOGUE_FILTER} +({requested})" if requested else CATALOGUE_FILTER
