"""Stable URIs of the things the Paser catalogue talks about, all under the catalogue's base URI
(`ckanext.dcat.base_uri`, else `ckan.site_url`): agencies by organisation name, regions by Kemendagri code,
sectors by group name and government affairs by urusan code. Names and codes never change when titles do."""
from __future__ import annotations

from ckanext.dcat.utils import catalog_uri


def base() -> str:
    """The catalogue's base URI without a trailing slash. Callers writing many URIs (a catalogue page) read it
    once and pass it on: reading the config costs more than building the URI."""
    return catalog_uri().rstrip("/")


def organization_uri(name: str, base_uri: str | None = None) -> str:
    """An agency (OPD) or kecamatan office, by its organisation name (`disdukcapil`); also its page."""
    return f"{base_uri or base()}/organization/{name}"


def contact_uri(name: str, base_uri: str | None = None) -> str:
    """The contact point (vcard) of an agency, a fragment of its organisation URI."""
    return f"{organization_uri(name, base_uri)}#kontak"


def region_uri(kode_kemendagri: str, base_uri: str | None = None) -> str:
    """The regency, a kecamatan or a desa/kelurahan, by its Kemendagri code (`64.01.04`)."""
    return f"{base_uri or base()}/wilayah/{kode_kemendagri}"


def sector_uri(group_name: str, base_uri: str | None = None) -> str:
    """A sektor (a CKAN group), by its name; also its page."""
    return f"{base_uri or base()}/group/{group_name}"


def sector_scheme_uri(base_uri: str | None = None) -> str:
    return f"{base_uri or base()}/group"


def urusan_uri(kode: str, base_uri: str | None = None) -> str:
    """A government affair of the Permendagri 90/2019 nomenclature, by its code (`2.12`)."""
    return f"{base_uri or base()}/urusan/{kode}"


def urusan_scheme_uri(base_uri: str | None = None) -> str:
    return f"{base_uri or base()}/urusan"


def last_segment(uri: str) -> str:
    """The code or name a stable URI ends with (what a harvester keeps of another portal's URI)."""
    return uri.rstrip("/").rsplit("#", 1)[0].rsplit("/", 1)[-1]
