"""What every role asks for besides the crawl: each dataset's pages and RDF outputs, the catalogue, every download,
export and dump, and every GET-callable action with the ids the portal holds (private ones included: an outsider
asking for them must get what a missing one gets). The ids come from the database after the build, so the sweep
reaches what a crawl as an outsider could never find a link to."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import sqlalchemy as sa

RDF_SUFFIXES = ("ttl", "rdf", "jsonld", "xml", "n3")
DUMP_QUERIES = ("", "format=csv", "format=tsv", "format=json", "format=xml", "format=xlsx", "excel=1", "bom=true")
TURTLE_ITEM = ("Accept", "text/turtle")
# Actions asked only with the values below (not every id): their answers are pages of everything.
PUBLIC_SAMPLE = 4
ACTION_SAMPLE = 2  # an action is asked about every private object and this many public ones


@dataclass(frozen=True)
class Target:
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    # The same request with a missing object in place of a private one: an outsider must get the same status.
    twin: str | None = None
    sql_echo: bool = False  # the request itself carries SQL, which an error may quote back
    # Asked by every role, or only by anonymous and the sysadmin (a public object's page: whether it breaks does
    # not depend on who asks, and what a member sees of it the crawl covers), to keep the sweep in its budget.
    everyone: bool = True


@dataclass
class Pools:
    """The portal's objects after the build, by kind; ``private`` holds the names and ids of the private ones."""

    datasets: list[str] = field(default_factory=list)
    dataset_ids: dict[str, str] = field(default_factory=dict)
    resources: list[dict[str, Any]] = field(default_factory=list)  # id, package, url, url_type
    organizations: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    jobs: list[tuple[str, str]] = field(default_factory=list)  # (source name, job id)
    objects: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    private: set[str] = field(default_factory=set)
    private_owners: set[str] = field(default_factory=set)

    def is_private(self, value: str) -> bool:
        return value in self.private

    def sample(self, values: list[str], public: int = PUBLIC_SAMPLE) -> list[str]:
        """Every private value and a few public ones."""
        return [v for v in values if v in self.private] + [v for v in values if v not in self.private][:public]


def collect_pools(private_names: list[str]) -> Pools:
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.model import meta

    pools = Pools()
    context = {"ignore_auth": True}
    packages = model.Session.query(model.Package).filter(model.Package.state == "active").order_by(model.Package.name)
    for package in packages:
        if package.type == "harvest":
            pools.sources.append(package.name)
            pools.source_ids.append(package.id)
            continue
        pools.datasets.append(package.name)
        pools.dataset_ids[package.name] = package.id
        shown = tk.get_action("package_show")(dict(context), {"id": package.id})
        for resource in shown["resources"]:
            pools.resources.append({"id": resource["id"], "package": package.name, "url": resource.get("url") or "",
                                    "url_type": resource.get("url_type") or ""})
            if package.name in private_names:
                pools.private.add(resource["id"])
        if package.name in private_names:
            pools.private.update({package.name, package.id})
            pools.private_owners.add(package.owner_org and model.Group.get(package.owner_org).name)
    pools.organizations = [g.name for g in model.Session.query(model.Group).filter_by(is_organization=True,
                                                                                       state="active")]
    pools.groups = [g.name for g in model.Session.query(model.Group).filter_by(is_organization=False,
                                                                                state="active")]
    pools.users = [u.name for u in model.Session.query(model.User).filter(model.User.state == "active")]
    pools.tags = sorted({t.name for t in model.Session.query(model.Tag)})
    with meta.engine.connect() as connection:
        def column(sql: str) -> list[str]:
            return [str(row[0]) for row in connection.execute(sa.text(sql))]

        pools.jobs = [(row[0], row[1]) for row in connection.execute(sa.text(
            "SELECT p.name, j.id FROM harvest_job j JOIN package p ON p.id = j.source_id"))]
        pools.objects = column("SELECT id FROM harvest_object ORDER BY gathered LIMIT 6")
        private_ids = [pools.dataset_ids[name] for name in private_names]
        pools.activities = column("SELECT id FROM activity WHERE object_id = ANY(:ids) ORDER BY timestamp"
                                  .replace(":ids", "ARRAY[" + ",".join(f"'{i}'" for i in private_ids) + "]"))
        pools.private.update(pools.activities)
        pools.activities += column("SELECT id FROM activity ORDER BY timestamp DESC LIMIT 3")
        pools.views = column("SELECT id FROM resource_view ORDER BY id LIMIT 4")
        pools.flags = column("SELECT id FROM paser_flag ORDER BY id")
        private_flags = column("SELECT DISTINCT f.id FROM paser_flag f JOIN paser_flag_dataset d ON d.flag_id = f.id "
                               "WHERE d.package_id = ANY(ARRAY[" + ",".join(f"'{i}'" for i in private_ids) + "])") \
            if _has_column(connection, "paser_flag_dataset", "flag_id") else []
        pools.private.update(private_flags)
        pools.indicators = column("SELECT DISTINCT indicator FROM paser_figure WHERE indicator IS NOT NULL "
                                  "ORDER BY indicator")
        pools.regions = column("SELECT DISTINCT region_code FROM paser_figure WHERE region_level = 'kecamatan' "
                               "ORDER BY region_code LIMIT 3")
    return pools


def _has_column(connection: Any, table: str, name: str) -> bool:
    return bool(connection.execute(sa.text(
        "SELECT 1 FROM information_schema.columns WHERE table_name = :t AND column_name = :c"),
        {"t": table, "c": name}).first())


def _missing_like(value: str) -> str:
    """A value of the same form that names nothing."""
    try:
        uuid.UUID(value)
        return str(uuid.uuid4())
    except ValueError:
        return "tidak-ada-" + uuid.uuid4().hex[:10]


def templated(template: str, values: list[str], pools: Pools, **extra: str) -> list[Target]:
    targets = []
    for value in values:
        url = template.format(v=quote(value, safe=""), **extra)
        twin = template.format(v=quote(_missing_like(value), safe=""), **extra) if pools.is_private(value) else None
        targets.append(Target(url, twin=twin, everyone=pools.is_private(value)))
    return targets


def page_targets(pools: Pools) -> list[Target]:
    """The pages, RDF outputs, downloads, exports and dumps of every object."""
    t: list[Target] = [Target(u) for u in (
        "/", "/dataset/", "/organization/", "/group/", "/harvest/", "/walidata", "/api/3/action/status_show",
        "/ekspor/daftar-data.csv", "/ekspor/daftar-data.csv?excel=1", "/dataset/?q=penanda", "/catalog.ttl?q=penanda",
        "/api/2/util/tag/autocomplete?incomplete=pen", "/api/2/util/tag/autocomplete?incomplete=penanda",
        "/datastore/dump/_table_metadata", "/datastore/dump/_table_metadata?format=json")]
    t += [Target(f"/catalog.{suffix}") for suffix in RDF_SUFFIXES]
    t += [Target("/catalog.ttl?page=2"), Target("/", headers=(TURTLE_ITEM,)),
          Target("/dataset/", headers=(TURTLE_ITEM,))]
    for name in pools.datasets:
        t += templated("/dataset/{v}", [name], pools)
        t += templated("/dataset/{v}", [pools.dataset_ids[name]], pools)
        t += [Target(x.url, headers=(TURTLE_ITEM,), twin=x.twin) for x in templated("/dataset/{v}", [name], pools)]
        for suffix in RDF_SUFFIXES:
            t += templated("/dataset/{v}." + suffix, [name], pools)
        t += templated("/dataset/activity/{v}", [name], pools)
        t += templated("/dataset/groups/{v}", [name], pools)
    dump_sample = set(pools.sample([r["id"] for r in pools.resources]))
    for resource in pools.resources:
        rid = resource["id"]
        t += templated("/dataset/{p}/resource/{v}", [rid], pools, p=quote(resource["package"]))
        t += templated("/dataset/{p}/resource/{v}/download", [rid], pools, p=quote(resource["package"]))
        if resource["url_type"] == "upload" and resource["url"].startswith("http"):
            t += templated(urlsplit(resource["url"]).path.replace(rid, "{v}"), [rid], pools)
        # every output of a few tables (the private ones among them), the plain dump of every table
        queries = DUMP_QUERIES if rid in dump_sample else DUMP_QUERIES[:1]
        for query in queries:
            t += templated("/datastore/dump/{v}" + (f"?{query}" if query else ""), [rid], pools)
    for view in pools.views:
        t.append(Target(f"/dataset/{pools.resources[0]['package']}/resource/{pools.resources[0]['id']}/view/{view}",
                        everyone=False))
    for name in pools.organizations:
        # the owners of the private datasets by every role, the others by anonymous and the sysadmin
        everyone = name in pools.private_owners
        t += [Target(f"/organization/{quote(name)}", everyone=everyone),
              Target(f"/organization/about/{quote(name)}", everyone=everyone),
              Target(f"/organization/activity/{quote(name)}", everyone=everyone)]
    for name in pools.groups:
        t += [Target(f"/group/{quote(name)}"), Target(f"/group/about/{quote(name)}"),
              Target(f"/group/activity/{quote(name)}")]
    for name in pools.users:
        t += [Target(f"/user/{quote(name)}", everyone=False), Target(f"/user/activity/{quote(name)}", everyone=False)]
    for name in pools.sources:
        for template in ("/harvest/{v}", "/harvest/about/{v}", "/harvest/admin/{v}", "/harvest/edit/{v}",
                         "/harvest/{v}/job", "/harvest/{v}/job/last", "/dataset/{v}", "/harvest/{v}.ttl"):
            t += templated(template, [name], pools)
    for source, job in pools.jobs:
        t.append(Target(f"/harvest/{quote(source)}/job/{job}"))
    for obj in pools.objects:
        t.append(Target(f"/harvest/object/{obj}"))
    for activity in pools.activities:
        t += templated("/dataset/changes/{v}", [activity], pools)
    for flag in pools.flags:  # a flag's page may quote the figures it involves
        t += [Target(x.url, twin=x.twin) for x in templated("/flag/{v}", [flag], pools)]
    for indicator in pools.indicators:
        t += [Target(f"/ekspor/indikator/{quote(indicator, safe='')}.csv"),
              Target(f"/ekspor/indikator/{quote(indicator, safe='')}.csv?excel=1")]
    for region in pools.regions:
        t.append(Target(f"/ekspor/kecamatan/{quote(region, safe='')}.csv"))
    return t



# --- actions -----------------------------------------------------------------------------------------------

def get_callable_actions() -> list[str]:
    """Every registered action the API answers on GET (CKAN's side_effect_free), from CKAN's own registry."""
    from ckan import logic

    logic.get_action("package_show")  # builds the registry
    return sorted(name for name, action in logic._actions.items() if getattr(action, "side_effect_free", False))


def action_url(name: str, params: dict[str, Any]) -> str:
    return f"/api/3/action/{name}" + (f"?{urlencode(params)}" if params else "")


# The pool an action's ``id`` names, by the action's prefix (longest first).
ID_POOLS = (
    ("harvest_source", "sources"), ("harvest_job", "job_ids"), ("harvest_object", "objects"),
    ("resource_view", "views"), ("datastore", "resource_ids"), ("paser_resource_check", "resource_ids"),
    ("paser_flag", "flags"), ("package", "datasets_and_sources"), ("dcat_dataset", "datasets"),
    ("resource", "resource_ids"), ("organization", "organizations"), ("group", "groups"), ("member", "groups_all"),
    ("user", "users"), ("tag", "tags"), ("activity", "activities"), ("dataset", "datasets"),
    ("api_token", "users"), ("followee", "users"),
)


def _pool(pools: Pools, kind: str) -> list[str]:
    if kind == "datasets":
        return pools.sample(pools.datasets, ACTION_SAMPLE)
    if kind == "datasets_and_sources":
        return pools.sample(pools.datasets, ACTION_SAMPLE) + [pools.dataset_ids[n] for n in pools.datasets
                                                              if n in pools.private] + pools.sources[:2]
    if kind == "resource_ids":
        return pools.sample([r["id"] for r in pools.resources], ACTION_SAMPLE) + ["_table_metadata"]
    if kind == "job_ids":
        return [job for _, job in pools.jobs][:4]
    if kind == "groups_all":
        return pools.sample(pools.organizations, ACTION_SAMPLE) + pools.groups[:3]
    return pools.sample(getattr(pools, kind), ACTION_SAMPLE)


def action_targets(pools: Pools, actions: list[str]) -> list[Target]:
    """Each GET-callable action with no parameter, then with each id of its kind (private ones with their twin),
    and the calls the issue names."""
    out: list[Target] = []

    def add(name: str, params: dict[str, Any], private_value: str | None = None, key: str = "id",
            sql_echo: bool = False) -> None:
        twin = None
        if private_value is not None and pools.is_private(private_value):
            twin = action_url(name, {**params, key: _missing_like(private_value)})
        everyone = private_value is None or pools.is_private(private_value)
        out.append(Target(action_url(name, params), twin=twin, sql_echo=sql_echo, everyone=everyone))

    for name in actions:
        add(name, {})
        kind = next((pool for start, pool in ID_POOLS if name.startswith(start)), None)
        if kind and name not in ("package_search", "package_list", "tag_list", "organization_list", "group_list",
                                 "user_list", "harvest_source_list", "resource_search", "tag_search",
                                 "datastore_search_sql", "package_autocomplete", "tag_autocomplete",
                                 "user_autocomplete", "group_autocomplete", "organization_autocomplete",
                                 "harvest_job_list", "member_roles_list", "organization_list_for_user",
                                 "group_list_authz", "recently_changed_packages_activity_list"):
            for value in _pool(pools, kind):
                key = "resource_id" if name.startswith("datastore") and name != "datastore_info" else "id"
                add(name, {key: value}, value, key)
    resources = [r["id"] for r in pools.resources]
    for value in pools.sample(pools.datasets):
        add("paser_flag_list", {"dataset_id": value}, value, "dataset_id")
        add("package_activity_list", {"id": value}, value)
        add("package_relationships_list", {"id": value}, value)
    for value in pools.sample(resources):
        add("paser_flag_list", {"resource_id": value}, value, "resource_id")
        add("datastore_search_sql", {"sql": f'SELECT * FROM "{value}"'}, sql_echo=True)
        add("datastore_search_sql", {"sql": f"SELECT '{value}'::regclass::oid"}, sql_echo=True)
        add("datastore_info", {"id": value}, value)
        add("datastore_search", {"resource_id": value, "q": "penanda"}, value, "resource_id")
    for name in pools.organizations[:3] + [g for g in pools.groups]:
        add("member_list", {"id": name, "object_type": "package"})
    for name in pools.sample(pools.organizations):
        add("organization_activity_list", {"id": name})
        add("member_list", {"id": name})
    for name in pools.sources:
        add("harvest_source_show", {"id": name})
        add("harvest_source_show_status", {"id": name})
        add("harvest_job_list", {"source_id": name})
        add("package_show", {"id": name})
    for query in ("pen", "penanda", "penandaterbatastag", "penandatertutuptag"):
        add("tag_autocomplete", {"q": query})
        add("tag_search", {"query": query})
        add("package_autocomplete", {"q": query})
        add("package_search", {"q": query})
        add("package_search", {"q": query, "include_private": "true"})
        add("resource_search", {"query": f"name:{query}"})
    for params in ({"fq": "dataset_type:harvest"}, {"fq": "dataset_type:harvest", "include_private": "true"},
                   {"include_private": "true", "rows": "1000"}, {"facet.field": '["tags","organization"]',
                                                                 "facet.limit": "-1"},
                   {"fq": "tags:penandaterbatastag"}):
        add("package_search", params)
    for params in ({"all_fields": "true"}, {"all_fields": "true", "include_dataset_count": "true"}):
        add("organization_list", params)
        add("group_list", params)
    add("tag_list", {"all_fields": "true"})
    add("recently_changed_packages_activity_list", {"limit": "100"})
    add("current_package_list_with_resources", {"limit": "1000"})
    add("package_list", {"limit": "1000"})
    add("paser_daftar_data", {"limit": "1000"})
    for indicator in pools.indicators:
        add("paser_indicator_figures", {"indikator": indicator})
    for region in pools.regions:
        add("paser_kecamatan_figures", {"kecamatan": region})
    add("help_show", {"name": "package_show"})
    return out
