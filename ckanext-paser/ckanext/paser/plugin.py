"""Plugin classes: they only wire CKAN interfaces to the subpackages that do the work."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import config_declarations, guards, privacy, reference, upstream, validation
from .checks import access as check_access
from .checks import actions as check_actions
from .checks import auth as check_auth
from .checks import helpers as checks_helpers
from .checks import jobs as check_jobs
from .checks import rules_config as check_rules_config
from .checks import views as check_views
from .dcat import actions as dcat_actions
from .exports import actions as export_actions
from .exports import datastore_dump
from .exports import helpers as export_helpers
from .exports import views as export_views
from .loader import display as loader_display
from .loader import jobs as loader_jobs
from .publishers import helpers as publisher_helpers
from .publishers import validators as publisher_validators
from .runtime import gc_freeze
from .satudata import facets as satudata_facets
from .satudata import helpers as satudata_helpers
from .satudata import indexing as satudata_indexing
from .satudata import validators as satudata_validators
from .satudata import visibility as satudata_visibility
from .search import guard as search_guard
from .search import install as search_install
from .search import pages as search_pages
from .security import cookies as security_cookies
from .security import harvest_routes


class PaserSearchPlugin(p.SingletonPlugin):
    """`paser_search`: CKAN's search served from PostgreSQL instead of Solr (the embedded default)."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    def update_config(self, config: Any) -> None:
        # Before CKAN checks Solr (later in environment.update_config) and before anything indexes.
        search_install.install()

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.load_dict(config_declarations.load("search"))



class PaserPlugin(p.SingletonPlugin, DefaultTranslation):
    """`paser`: the Satu Data portal (templates, helpers, reference data and CLI)."""

    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurable)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IPermissionLabels)
    p.implements(p.IBlueprint)
    p.implements(p.IMiddleware, inherit=True)
    # Catalogues in ckanext/paser/i18n/<locale>/LC_MESSAGES/ckanext-paser.mo (DefaultTranslation's layout).
    p.implements(p.ITranslation)

    def get_commands(self) -> list[Any]:
        from .cli import paser

        return [paser]

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        for subpackage in config_declarations.PASER_SUBPACKAGES:
            declaration.load_dict(config_declarations.load(subpackage))

    def configure(self, config: Any) -> None:
        # A missing or malformed official OPD file or rules file stops the portal here, naming the file.
        reference.opd_list()
        check_rules_config.rules()

    def get_validators(self) -> dict[str, Any]:
        # Each subpackage contributes its validators by name (satudata: dataset rules).
        return {**publisher_validators.validators(), **satudata_validators.all_validators(),
                **validation.validators()}

    def get_helpers(self) -> dict[str, Any]:
        return {**publisher_helpers.helpers(), **satudata_helpers.all_helpers(), **checks_helpers.helpers(),
                **export_helpers.helpers(), **loader_display.helpers()}

    def get_actions(self) -> dict[str, Any]:
        # privacy last: it chains core's actions and wraps some of the bundle's own.
        return {**satudata_visibility.actions(), **check_actions.actions(), **dcat_actions(),
                **export_actions.actions(), **privacy.actions(), **search_guard.actions(),
                **upstream.actions()}

    def get_auth_functions(self) -> dict[str, Any]:
        return {**check_auth.auth_functions(), **export_actions.auth_functions(), **upstream.auth_functions()}

    def get_blueprint(self) -> list[Any]:
        return [*check_views.blueprints(), *export_views.blueprints()]

    # IPermissionLabels: CKAN's labels, plus the walidata reading every private dataset.
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        from ckan.lib.plugins import DefaultPermissionLabels

        return check_access.dataset_labels(dataset_obj, DefaultPermissionLabels().get_dataset_labels(dataset_obj))

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        from ckan.lib.plugins import DefaultPermissionLabels

        return check_access.user_labels(user_obj, DefaultPermissionLabels().get_user_dataset_labels(user_obj))

    # IPackageController: Satu Data facet fields in the index, readable facet values in results.
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return satudata_indexing.before_dataset_index(pkg_dict)

    # A dataset's own findings, its resources' checks (package_create/update of harvesters call no resource hooks)
    # and the flags it takes part in follow every change, in the background.
    # Its tables are loaded into the DataStore when their files changed (loader.jobs), also in the background.
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("type", "dataset") == "dataset":
            check_jobs.enqueue_dataset(pkg_dict["id"])
            loader_jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("type", "dataset") == "dataset":
            check_jobs.enqueue_dataset(pkg_dict["id"])
            loader_jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("type", "dataset") == "dataset":
            check_jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return satudata_facets.label_search_facets(search_results)

    # IResourceController: a table's figures are read in the background (checks.jobs), its check left pending.
    # Its file is loaded into the DataStore when it changed (core drops the DataStore table of a deleted resource).
    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        check_jobs.enqueue_check(resource)
        loader_jobs.enqueue_load(resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        check_jobs.enqueue_check(resource)
        loader_jobs.enqueue_load(resource)

    def before_resource_delete(self, context: Any, resource: dict[str, Any], resources: list[dict[str, Any]]) -> None:
        check_jobs.forget_check(resource["id"])
        loader_jobs.forget(resource["id"])

    # IMiddleware: XLSX and Excel-friendly CSV on core's /datastore/dump/<id> (exports.datastore_dump); the
    # start-up heap frozen out of garbage collection at the first request (runtime.gc_freeze); ckanext-harvest's
    # source actions by POST only (security.harvest_routes); upstream views checked for bad input (guards).
    def make_middleware(self, app: Any, config: Any) -> Any:
        # The dataset search page's sort checked before CKAN splits it (search.pages).
        return gc_freeze.install(datastore_dump.install(harvest_routes.install(guards.install(
            search_pages.install(app)))))

    # IFacets
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return satudata_facets.dataset_facets(facets_dict, package_type)

    def group_facets(self, facets_dict: Any, group_type: str, package_type: str | None) -> Any:
        return satudata_facets.group_facets(facets_dict, package_type)

    def organization_facets(self, facets_dict: Any, organization_type: str, package_type: str | None) -> Any:
        return satudata_facets.group_facets(facets_dict, package_type)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        # Secure session and remember-me cookies when ckan.site_url is https; the harvest Stop button by POST.
        security_cookies.configure(config)
        harvest_routes.add_templates(config)
