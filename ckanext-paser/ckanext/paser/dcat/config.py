"""Declared options of the Paser DCAT catalogue (config_declaration.yaml): the catalogue's own metadata that
ckanext-dcat takes from CKAN's site settings (title, description, homepage, language) is completed here with the
publisher and the licence DCAT-AP asks for."""
from __future__ import annotations

from ckan.plugins import toolkit

PUBLISHER_NAME = "ckanext.paser.dcat.publisher_name"
PUBLISHER_URI = "ckanext.paser.dcat.publisher_uri"
PUBLISHER_HOMEPAGE = "ckanext.paser.dcat.publisher_homepage"
CATALOGUE_LICENSE = "ckanext.paser.dcat.catalog_license"
CATALOGUE_DESCRIPTION = "ckanext.paser.dcat.catalog_description"

DEFAULTS = {
    PUBLISHER_NAME: "Pemerintah Kabupaten Paser",
    PUBLISHER_URI: "https://paserkab.go.id/",
    PUBLISHER_HOMEPAGE: "https://paserkab.go.id/",
    CATALOGUE_LICENSE: "https://creativecommons.org/licenses/by/4.0/",
    CATALOGUE_DESCRIPTION: "Katalog data Satu Data Kabupaten Paser.",
}


def catalogue_settings() -> dict[str, str]:
    def value(key: str) -> str:
        return (toolkit.config.get(key) or DEFAULTS[key]).strip()

    return {
        "publisher_name": value(PUBLISHER_NAME),
        "publisher_uri": value(PUBLISHER_URI),
        "publisher_homepage": value(PUBLISHER_HOMEPAGE),
        "license": value(CATALOGUE_LICENSE),
        "description": value(CATALOGUE_DESCRIPTION),
    }
