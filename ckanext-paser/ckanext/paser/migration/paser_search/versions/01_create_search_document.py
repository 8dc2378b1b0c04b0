"""Create the search document table and its text-search functions.

Revision ID: 01a7c3e5d2b0
Revises:
Create Date: 2026-11-28
"""
from alembic import op

revision = "01a7c3e5d2b0"
down_revision = None
branch_labels = None
depends_on = None

# Text search combines the Indonesian stemmer (petani ~ pertanian) with the `simple` configuration
# (exact names, codes such as 64.01.03, and prefixes), because the stemmer alone misses affixes
# ("kependudukan" -> nduduk while "penduduk" -> duduk).
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION paser_search_vector(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('pg_catalog.indonesian', coalesce(body, ''))
      || to_tsvector('pg_catalog.simple', coalesce(body, ''))
$$;

CREATE OR REPLACE FUNCTION paser_search_weighted(a text, b text, d text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(paser_search_vector(a), 'A')
      || setweight(paser_search_vector(b), 'B')
      || setweight(paser_search_vector(d), 'D')
$$;

-- All values of one field as a text-search vector, for fielded queries on Solr text fields.
CREATE OR REPLACE FUNCTION paser_search_field_vector(fields jsonb, field text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT paser_search_vector(string_agg(value, E'\n'))
  FROM jsonb_array_elements_text(coalesce(fields -> field, '[]'::jsonb)) AS value
$$;

-- Prefix query over the words of a term: 'kebun' -> 'kebun':* (NULL when the term has no words)
CREATE OR REPLACE FUNCTION paser_search_prefix(term text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (SELECT string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''':*', ' & ')
            FROM unnest(to_tsvector('pg_catalog.simple', coalesce(term, ''))))::tsquery
$$;

-- One free-text word: stemmed or exact, and as a prefix when it is long enough.
CREATE OR REPLACE FUNCTION paser_search_word(term text, with_prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN with_prefix
    THEN coalesce(plainto_tsquery('pg_catalog.indonesian', term) || paser_search_prefix(term),
                  plainto_tsquery('pg_catalog.indonesian', term))
    ELSE plainto_tsquery('pg_catalog.indonesian', term) || plainto_tsquery('pg_catalog.simple', term)
  END
$$;

CREATE OR REPLACE FUNCTION paser_search_phrase(term text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT phraseto_tsquery('pg_catalog.indonesian', term) || phraseto_tsquery('pg_catalog.simple', term)
$$;
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE paser_search_document (
            index_id text PRIMARY KEY,
            id text NOT NULL,
            site_id text NOT NULL,
            stored jsonb NOT NULL,
            fields jsonb NOT NULL,
            terms text[] NOT NULL,
            fulltext tsvector NOT NULL,
            metadata_modified timestamptz,
            metadata_created timestamptz,
            title_string text COLLATE "C",
            indexed_ts timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX paser_search_document_terms_idx ON paser_search_document USING gin (terms)")
    op.execute("CREATE INDEX paser_search_document_fulltext_idx ON paser_search_document USING gin (fulltext)")
    op.execute("CREATE INDEX paser_search_document_modified_idx ON paser_search_document (metadata_modified)")
    op.execute("CREATE INDEX paser_search_document_created_idx ON paser_search_document (metadata_created)")
    op.execute("CREATE INDEX paser_search_document_title_idx ON paser_search_document (title_string)")
    op.execute("CREATE INDEX paser_search_document_id_idx ON paser_search_document (id)")
    op.execute(FUNCTIONS)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS paser_search_document")
    for signature in (
        "paser_search_phrase(text)",
        "paser_search_word(text, boolean)",
        "paser_search_prefix(text)",
        "paser_search_field_vector(jsonb, text)",
        "paser_search_weighted(text, text, text)",
        "paser_search_vector(text)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
