"""The embedded search backend: CKAN's Solr connection contract served from PostgreSQL.

`schema` reads field types from a Solr schema.xml, `documents` turns index documents into rows,
`lucene` translates Lucene/Solr queries into SQL, `connection` is the pysolr-compatible object and
`install` puts it in place of every `make_connection` reference.
"""
