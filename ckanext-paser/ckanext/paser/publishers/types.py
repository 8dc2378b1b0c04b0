"""The organisation types of the portal (ckanext-scheming custom organisation types, one schema each)."""
from __future__ import annotations

DINAS = "dinas"  # agencies (OPD) and vertical agencies: schemas/organization_dinas.yaml, URL /dinas/
KECAMATAN = "kecamatan"  # kecamatan offices: schemas/organization_kecamatan.yaml, URL /kecamatan/
ORGANIZATION_TYPES = (DINAS, KECAMATAN)
