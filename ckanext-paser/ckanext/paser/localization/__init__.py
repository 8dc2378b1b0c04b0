"""The bundle's message catalogues: a babel extractor for scheming schemas and the catalogue upkeep.

The catalogues themselves live in ``ckanext/paser/i18n/`` (CKAN's ITranslation layout); this package holds
no messages, only the code that extracts, compiles and checks them, and the marker below.
"""
from __future__ import annotations


def N_(message: str) -> str:  # gettext's conventional name, one of babel's default keywords
    """Mark a message for extraction where it is written, and translate it later with ``tk._(variable)``.

    For messages kept in constants or passed as arguments: ``tk._`` of a variable is invisible to babel, so
    without this mark the message never reaches the catalogue and shows in English on the Indonesian site.
    """
    return message
