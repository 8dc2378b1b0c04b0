"""ckanext-paser: the Kabupaten Paser Satu Data portal bundle for CKAN 2.11."""
from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-paser",
    version="0.1.0",
    description="Satu Data portal bundle for Kabupaten Paser on CKAN 2.11",
    license="AGPL-3.0",
    python_requires=">=3.10",
    package_dir={"": "ckanext-paser"},
    packages=find_namespace_packages("ckanext-paser", include=["ckanext.paser", "ckanext.paser.*"]),
    include_package_data=True,
    package_data={"ckanext.paser": ["**/*.yml", "**/*.yaml", "**/*.html", "**/*.ini", "**/*.mako", "**/*.sql",
                                    "**/*.po", "**/*.mo", "**/*.json", "**/*.csv", "**/*.txt",
                                    "**/*.ttl", "**/*.xlsx"]},
    install_requires=[
        "ckan[requirements]==2.11.6",
        "ckanext-scheming==3.1.0",
        "ckanext-dcat==2.4.4",
        "pyoxigraph==0.5.13",  # the DCAT catalogue's Turtle and RDF/XML writer (dcat/oxigraph_writer.py)
        "ckanext-harvest==1.6.3",
        "ckanext-spatial==2.3.2",
        "luqum==1.0.0",
        "rapidfuzz==3.14.6",
        # checks: reading agency tables (CSV dialects and encodings, XLSX) and Indonesian number formats
        "clevercsv==0.8.5",
        "chardet==7.7.0",  # clevercsv's dependency, pinned: requests also prefers it for guessing encodings
        "charset-normalizer==3.3.2",
        "openpyxl==3.1.5",
        "babel==2.15.0",
    ],
    extras_require={
        "dev": ["ckan[dev]==2.11.6", "ruff==0.17.6", "pytest-xdist==3.6.1", "playwright==1.65.2", "pyshacl==0.40.1",
            "hypothesis==6.170.17"],
    },
    entry_points={
        "ckan.plugins": [
            "paser_search = ckanext.paser.plugin:PaserSearchPlugin",
            "paser = ckanext.paser.plugin:PaserPlugin",
            "paser_checks = ckanext.paser.plugin:PaserChecksPlugin",
            "paser_loader = ckanext.paser.plugin:PaserLoaderPlugin",
            "paser_exports = ckanext.paser.plugin:PaserExportsPlugin",
            "paser_dcat = ckanext.paser.plugin:PaserDcatPlugin",
            "bps_harvester = ckanext.paser.harvesters.bps:BpsHarvester",
            "spreadsheet_harvester = ckanext.paser.harvesters.spreadsheet:SpreadsheetHarvester",
            "paser_harvest = ckanext.paser.harvesters.portals.plugin:PaserHarvestPlugin",
            "paser_ckan_harvester = ckanext.paser.harvesters.portals.ckan:PaserCkanHarvester",
        ],
        "ckan.rdf.profiles": [
            "paser_dcat_ap = ckanext.paser.dcat.profile:PaserDCATAPProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
)
