"""Plugin classes: they only wire CKAN interfaces to the subpackages that do the work."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import capabilities, config_declarations, guards, privacy, reference, upstream, validation
from .access import walidata
from .checks import actions as check_actions
from .checks import auth as check_auth
from .checks import helpers as checks_helpers
from .checks import jobs as check_jobs
from .checks import rules_config as check_rules_config
from .checks import views as check_views
from .exports import actions as export_actions
from .exports import datastore_dump
from .exports import helpers as export_helpers
from .exports import views as export_views
from .loader import display as loader_display
from .loader import jobs as loader_jobs
from .privacy import existence as privacy_existence
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
    """`paser`: the Satu Data portal (schemas' validators, publishers, templates, read access and privacy, CLI).
    The capabilities beside it are plugins of their own: paser_checks, paser_loader, paser_exports, paser_dcat."""

    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurable)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IPermissionLabels)
    p.implements(p.IMiddleware, inherit=True)
    # Catalogues in ckanext/paser/i18n/<locale>/LC_MESSAGES/ckanext-paser.mo (DefaultTranslation's layout).
    p.implements(p.ITranslation)

    def get_commands(self) -> list[Any]:
        from .cli import paser

        return [paser]

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        for subpackage in ("reference", "access", "tables", "harvesters", "runtime"):
            declaration.load_dict(config_declarations.load(subpackage))

    def configure(self, config: Any) -> None:
        # A missing or malformed official OPD file stops the portal here, naming the file.
        reference.opd_list()

    def get_validators(self) -> dict[str, Any]:
        # Each subpackage contributes its validators by name (satudata: dataset rules).
        return {**publisher_validators.validators(), **satudata_validators.all_validators(),
                **validation.validators()}

    def get_helpers(self) -> dict[str, Any]:
        return {**publisher_helpers.helpers(), **satudata_helpers.all_helpers(), **capabilities.helpers()}

    def get_actions(self) -> dict[str, Any]:
        # privacy last: it chains core's actions.
        return {**satudata_visibility.actions(), **privacy.actions(), **search_guard.actions(),
                **upstream.actions()}

    def get_auth_functions(self) -> dict[str, Any]:
        return {**walidata.auth_functions(), **upstream.auth_functions()}

    # IPermissionLabels: CKAN's labels, plus the walidata reading every private dataset.
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        from ckan.lib.plugins import DefaultPermissionLabels

        return walidata.dataset_labels(dataset_obj, DefaultPermissionLabels().get_dataset_labels(dataset_obj))

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        from ckan.lib.plugins import DefaultPermissionLabels

        return walidata.user_labels(user_obj, DefaultPermissionLabels().get_user_dataset_labels(user_obj))

    # IPackageController: Satu Data facet fields in the index, readable facet values in results.
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return satudata_indexing.before_dataset_index(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return satudata_facets.label_search_facets(search_results)

    # IMiddleware: the start-up heap frozen out of garbage collection at the first request (runtime.gc_freeze);
    # ckanext-harvest's source actions by POST only (security.harvest_routes); upstream views checked for bad
    # input (guards); the dataset search page's sort checked before CKAN splits it (search.pages).
    def make_middleware(self, app: Any, config: Any) -> Any:
        return gc_freeze.install(harvest_routes.install(guards.install(search_pages.install(app))))

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


def _is_dataset(pkg_dict: dict[str, Any]) -> bool:
    return pkg_dict.get("type", "dataset") == "dataset"


class PaserChecksPlugin(p.SingletonPlugin):
    """`paser_checks`: the consistency checker. Every table's figures are read in the background, compared by the
    rules (config/checks.yaml) and flagged for the walidata (flags on the dataset and resource pages, /walidata)."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurable)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.load_dict(config_declarations.load("checks"))

    def configure(self, config: Any) -> None:
        capabilities.require("paser_checks", "paser")
        # A missing or malformed rules file stops the portal here, naming the file.
        check_rules_config.rules()

    def get_helpers(self) -> dict[str, Any]:
        return checks_helpers.helpers()

    def get_actions(self) -> dict[str, Any]:
        # A resource's check answers for a private dataset as for a missing one (privacy.existence).
        return {**check_actions.actions(), **privacy_existence.bundle_actions(check_actions.actions())}

    def get_auth_functions(self) -> dict[str, Any]:
        return check_auth.auth_functions()

    def get_blueprint(self) -> list[Any]:
        return check_views.blueprints()

    # A dataset's own findings, its resources' checks (package_create/update of harvesters call no resource hooks)
    # and the flags it takes part in follow every change, in the background.
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _is_dataset(pkg_dict):
            check_jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _is_dataset(pkg_dict):
            check_jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _is_dataset(pkg_dict):
            check_jobs.enqueue_dataset(pkg_dict["id"])

    # A table's figures are read in the background (checks.jobs), its check left pending.
    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        check_jobs.enqueue_check(resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        check_jobs.enqueue_check(resource)

    def before_resource_delete(self, context: Any, resource: dict[str, Any], resources: list[dict[str, Any]]) -> None:
        check_jobs.forget_check(resource["id"])


class PaserLoaderPlugin(p.SingletonPlugin):
    """`paser_loader`: table resources (CSV, XLSX) loaded into the DataStore in the background, typed, with the
    table preview (docs/datastore.md). Needs the `datastore` plugin."""

    p.implements(p.IConfigurable)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)

    def configure(self, config: Any) -> None:
        capabilities.require("paser_loader", "datastore", "paser")

    def get_helpers(self) -> dict[str, Any]:
        return loader_display.helpers()

    # A dataset's tables are loaded when their files changed (harvesters write resources through
    # package_create/update, which call no resource hooks).
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _is_dataset(pkg_dict):
            loader_jobs.enqueue_dataset(pkg_dict["id"])

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _is_dataset(pkg_dict):
            loader_jobs.enqueue_dataset(pkg_dict["id"])

    # A resource's file is loaded when it changed (core drops the DataStore table of a deleted resource).
    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        loader_jobs.enqueue_load(resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        loader_jobs.enqueue_load(resource)

    def before_resource_delete(self, context: Any, resource: dict[str, Any], resources: list[dict[str, Any]]) -> None:
        loader_jobs.forget(resource["id"])


class PaserExportsPlugin(p.SingletonPlugin):
    """`paser_exports`: downloads for analysts: tidy figures per indicator and per kecamatan, the Daftar Data
    catalogue, and XLSX and Excel-friendly CSV on the DataStore's /datastore/dump/<id>."""

    p.implements(p.IConfigurable)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IMiddleware, inherit=True)

    def configure(self, config: Any) -> None:
        capabilities.require("paser_exports", "paser")

    def get_helpers(self) -> dict[str, Any]:
        return export_helpers.helpers()

    def get_actions(self) -> dict[str, Any]:
        return export_actions.actions()

    def get_auth_functions(self) -> dict[str, Any]:
        return export_actions.auth_functions()

    def get_blueprint(self) -> list[Any]:
        return export_views.blueprints()

    # XLSX and Excel-friendly CSV in front of core's dump view (exports.datastore_dump).
    def make_middleware(self, app: Any, config: Any) -> Any:
        return datastore_dump.install(app)


class PaserDcatPlugin(p.SingletonPlugin):
    """`paser_dcat`: ckanext-dcat's catalogue and dataset endpoints with the Paser rules: only what the visitor may
    read, in the `paser_dcat_ap` profile (docs/dcat.md). Needs ckanext-dcat's `dcat` plugin."""

    p.implements(p.IConfigDeclaration)
    p.implements(p.IConfigurable)
    p.implements(p.IActions)

    def declare_config_options(self, declaration: Any, key: Any) -> None:
        declaration.load_dict(config_declarations.load("dcat"))

    def configure(self, config: Any) -> None:
        capabilities.require("paser_dcat", "dcat", "paser")
        from .dcat import actions  # imports ckanext-dcat: only when this plugin is loaded

        actions.check_upstream()

    def get_actions(self) -> dict[str, Any]:
        from .dcat import actions

        return actions.actions()
