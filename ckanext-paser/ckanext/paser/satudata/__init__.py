"""Satu Data dataset metadata: choices from the reference data, validators, search index fields and facets.

The dataset schema itself is data (`ckanext/paser/schemas/dataset.yaml`, read by ckanext-scheming); this package
holds the code the schema names: choices helpers, validators, and what the search index and facets derive.
"""
