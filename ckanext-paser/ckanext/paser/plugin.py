"""Plugin classes: they only wire CKAN interfaces to the subpackages that do the work."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .search import install as search_install


class PaserSearchPlugin(p.SingletonPlugin):
    """`paser_search`: CKAN's search served from PostgreSQL instead of Solr (the embedded default)."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    def update_config(self, config: Any) -> None:
        # Before CKAN checks Solr (later in environment.update_config) and before anything indexes.
        search_install.install()

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.load_dict(search_install.config_declaration())



class PaserPlugin(p.SingletonPlugin):
    """`paser`: the Satu Data portal (templates, helpers, reference data and CLI)."""

    p.implements(p.IConfigurer)
    p.implements(p.IClick)

    def get_commands(self) -> list[Any]:
        from .cli import paser

        return [paser]

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
