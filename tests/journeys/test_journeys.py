"""The users' journeys as the gate (issue 14, item 6).

The demo of `make run` is built by its own commands (demo_build.py), with a terbatas and a tertutup dataset whose
title, notes, tag, resource name, cells and figures carry marker values (markers/). The portal is then served as
`make run` serves it (threaded, CSRF on) and, as anonymous, an editor of another OPD, a plain user, the walidata
and a sysadmin (each logged in through the login form), crawled from the home page (bounded) and swept over every
dataset's pages and RDF outputs, the catalogue, every download, export and dump and every GET-callable action
(targets.py). Every answer is checked (crawl.py): no 5xx, no traceback or SQL text, no harvest secret to who may not
edit the source, no private marker to who may not read the dataset (the walidata and the sysadmin must see them),
and the same status for a private object as for a missing one. All failures are listed at the end, at once.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers
from ckanext.paser.demo import harvest as demo_harvest
from live_portal import ROOT, derived_ini, free_port, start_portal

from . import crawl, demo_build, targets

PASSWORD = "Perjalanan-Paser-2025"
OUTSIDERS = ("anonim", "editor-opd-lain", "pengguna-biasa")
# Who asks for every target of the sweep; the others ask for what involves private objects, lists and searches.
FULL_SWEEP = ("anonim", "sysadmin")
# Which of the two portals serves each role (the heavy full sweeps on different ones).
PORTAL_OF = {"anonim": 0, "editor-opd-lain": 0, "walidata": 0, "sysadmin": 1, "pengguna-biasa": 1}
ROLES = (*OUTSIDERS, "walidata", "sysadmin")
FINDINGS_FILE = os.environ.get("PASER_JOURNEY_FINDINGS")
PORTAL_SETTINGS = """
# as in production (config/production.ini): forms carry a CSRF token
WTF_CSRF_ENABLED = true
# as make run serves it (ckan run --threaded)
ckan.devserver.threaded = true
"""


@pytest.fixture(scope="module")
def site(pytestconfig, reset_bundle_db, reset_redis, tmp_path_factory):
    """The demo, built for the port the portal will serve on, and the portal serving it."""
    ini = os.path.abspath(pytestconfig.getoption("ckan_ini") or os.path.join(ROOT, "config", "test.ini"))
    workdir = str(tmp_path_factory.mktemp("journeys"))
    ports = [free_port(), free_port()]
    url = f"http://127.0.0.1:{ports[0]}"
    original_site_url = tk.config["ckan.site_url"]
    started = time.monotonic()
    server, demo_url = demo_build.start_demo_server(ini, os.path.join(workdir, "demo-server.log"))
    portals: list = []
    try:
        demo_build.reset_everything(reset_bundle_db, reset_redis)
        demo_build.wait_for(demo_url + "/ckan/api/3/action/package_search", server)
        demo = demo_build.build(ini, url, workdir, demo_url)
        tk.config["ckan.site_url"] = url
        accounts = _accounts()
        pools = targets.collect_pools(list(demo.private_datasets))
        actions = targets.get_callable_actions()
        built = time.monotonic() - started
        portal_ini = derived_ini(os.path.join(workdir, "portal.ini"), ini, PORTAL_SETTINGS)
        os.makedirs(os.path.join(ROOT, ".data"), exist_ok=True)

        def serve(index: int):
            # Two portals on the same databases, one per core (a portal is one Python process), each serving
            # some of the roles; the first is the one the demo was built for.
            log = open(os.path.join(ROOT, ".data", f"journeys-portal-{index}.log"), "w")  # noqa: SIM115
            base = f"http://127.0.0.1:{ports[index]}"
            process = start_portal(portal_ini, ports[index], log, env=dict(os.environ, CKAN_SITE_URL=base),
                                   args=["--disable-debugger"])  # as make run serves it
            portals.append(process)
            return base

        with ThreadPoolExecutor(2) as starting:
            bases = list(starting.map(serve, range(2)))
        yield {"bases": bases, "demo": demo, "accounts": accounts, "pools": pools, "actions": actions,
               "built_s": built, "started": started, "assets": _web_assets()}
    finally:
        tk.config["ckan.site_url"] = original_site_url
        for process in portals:
            process.terminate()
        for process in portals:
            process.wait(timeout=30)
        server.terminate()
        server.wait(timeout=10)


def _accounts() -> dict[str, str]:
    """The roles' users (the sysadmin is make run's `admin`); name -> role."""
    editor = factories.User(name="editor-dinkes", password=PASSWORD)
    plain = factories.User(name="warga-paser", password=PASSWORD)
    walidata = factories.User(name="walidata-kominfo", password=PASSWORD)
    site_user = helpers.call_action("get_site_user", {"ignore_auth": True})["name"]
    for user, org, capacity in ((editor, "dinkes", "editor"), (walidata, "diskominfostaper", "member")):
        helpers.call_action("organization_member_create", {"user": site_user, "ignore_auth": True}, id=org,
                            username=user["name"], role=capacity)
    return {"editor-opd-lain": editor["name"], "pengguna-biasa": plain["name"], "walidata": walidata["name"],
            "sysadmin": "admin"}


def test_journeys_of_every_role(site):
    bases, demo, pools = site["bases"], site["demo"], site["pools"]
    markers = ["penandaterbatasnama", "penandaterbatasjudul", "penandaterbatascatatan", "penandaterbatastag",
               "penandaterbatasresource", "penandaterbatassel", "penandatertutupnama", "penandatertutupjudul",
               "penandatertutupcatatan", "penandatertutuptag", "penandatertutupresource", "penandatertutupsel"]
    private_ids = sorted(pools.private)
    policy = crawl.Policy(markers=markers + private_ids, numeric_markers=["918273645", "918.273.645",
                                                                          "827364519", "827.364.519"],
                          secrets=list(demo_harvest.DEMO_SECRETS), sees_private={"walidata", "sysadmin"},
                          sees_secrets={"sysadmin"})
    findings: list[crawl.Finding] = [crawl.Finding("demo build", "build", "(make run's steps)", 0, problem)
                                     for problem in demo.problems]
    report = findings.append
    clients = {"anonim": crawl.Client(bases[PORTAL_OF["anonim"]], "anonim")}
    for role, name in site["accounts"].items():
        password = demo.admin_password if role == "sysadmin" else PASSWORD
        base = bases[PORTAL_OF[role]]
        clients[role] = crawl.Client(base, role, crawl.login(base, name, password))
    sweep = targets.page_targets(pools) + targets.action_targets(pools, site["actions"])
    crawl_started = time.monotonic()
    seen_markers: dict[str, Counter[str]] = {role: Counter() for role in ROLES}
    crawls: dict[str, crawl.Crawl] = {}

    def check(answer: crawl.Answer, sql_echo: bool = False) -> None:
        policy.check(_without_request_echo(answer), report, sql_echo=sql_echo)
        lowered = answer.body.lower()
        for marker in markers:
            if marker in lowered:
                seen_markers[answer.role][marker] += 1

    def journey(role: str) -> None:
        """One role: the crawl from the home page, then the sweep, on a small pool of its own."""
        client = clients[role]
        mine = [target for target in sweep if target.everyone or role in FULL_SWEEP]

        crawled: dict[str, crawl.Answer] = {}

        def one(target: targets.Target) -> None:
            answer = crawled.get(target.url) if not target.headers and not target.sql_echo else None
            if answer is None:
                answer = client.get(target.url, headers=dict(target.headers))
                check(answer, sql_echo=target.sql_echo)
            if target.twin and role in OUTSIDERS:
                twin = client.get(target.twin, headers=dict(target.headers))
                check(twin, sql_echo=target.sql_echo)
                if twin.status != answer.status:
                    report(crawl.Finding("existence oracle", role, target.url, answer.status,
                                         f"a missing one answers {twin.status} ({target.twin}): "
                                         + crawl.snippet(answer.body)))

        with ThreadPoolExecutor(crawl.WORKERS) as pool:
            crawls[role] = crawl.Crawl(client, max_pages=crawl.MAX_PAGES if role in FULL_SWEEP
                                       else crawl.MAX_PAGES_MEMBER)
            crawls[role].run(pool, check)
            # A target the crawl already asked for as this role was checked then: its answer serves again.
            crawled.update((page.url, page) for page in crawls[role].pages)
            list(pool.map(one, mine))

    with ThreadPoolExecutor(len(ROLES)) as roles:
        list(roles.map(journey, ROLES))
    # the markers are real: the walidata and the sysadmin see every one of them
    for role in ("walidata", "sysadmin"):
        for marker in markers:
            if not seen_markers[role][marker]:
                report(crawl.Finding("marker never seen", role, "(whole crawl)", 0,
                                     f"{marker} appeared in no answer to {role}: the check proves nothing"))
    secret_seen = clients["sysadmin"].get(f"/api/3/action/harvest_source_show?id={demo_harvest.DEMO_SOURCES[2].name}")
    if demo_harvest.DEMO_BPS_KEY not in secret_seen.body:
        report(crawl.Finding("secret never seen", "sysadmin", secret_seen.url, secret_seen.status,
                             "the sysadmin does not see the BPS source's key: the secret check proves nothing"))

    # make run builds the web assets before it serves: a bundle built while serving is one the first concurrent
    # requests raced to build (a fresh clone's CI answered the DataTables view with webassets' BundleError).
    built_while_serving = sorted(set(_web_assets().items()) - set(site["assets"].items()))
    if built_while_serving:
        report(crawl.Finding("web assets built while serving", "(portals)", "(whole crawl)", 0,
                             ", ".join(path for path, _ in built_while_serving[:10])))
    requests_made = sum(client.count for client in clients.values())
    duration = time.monotonic() - site["started"]
    counts = (f"journeys: {len(ROLES)} roles, {sum(len(c.pages) for c in crawls.values())} pages crawled "
              f"({', '.join(f'{r} {len(c.pages)}' for r, c in crawls.items())}), {len(sweep)} sweep targets "
              f"({len(site['actions'])} GET-callable actions), {requests_made} requests; demo built in "
              f"{site['built_s']:.0f} s (harvested {len(demo.harvested)} datasets, {demo.table_resources} tables "
              f"loaded and checked), crawl {time.monotonic() - crawl_started:.0f} s, total {duration:.0f} s; "
              f"{len(findings)} failures")
    print("\n" + counts)
    print("journeys: build steps " + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in demo.timings))
    slowest = sorted((a for c in clients.values() for a in c.answers), key=lambda a: -a.elapsed)[:12]
    print("journeys: slowest answers\n" + "\n".join(f"  {a.elapsed:5.1f} s {a.status} {a.role} {a.url}"
                                                     for a in slowest))
    if FINDINGS_FILE:
        _write_findings(FINDINGS_FILE, counts, findings)
    assert not findings, counts + "\n" + _listing(findings) + _server_tracebacks()


def _without_request_echo(answer: crawl.Answer) -> crawl.Answer:
    """An answer may quote what was asked (a 404 naming the id sent): that is no leak, so the request's own
    values are blanked out of the body before the markers are looked for."""
    from urllib.parse import unquote_plus

    body = answer.body
    for part in set(unquote_plus(answer.url).replace("?", "/").replace("&", "/").replace("=", "/").split("/")):
        stripped = part.strip()
        for suffix in (".ttl", ".rdf", ".jsonld", ".xml", ".n3", ".csv"):
            stripped = stripped.removesuffix(suffix)
        if len(stripped) >= 8:
            body = body.replace(stripped, "")
    return crawl.Answer(answer.role, answer.url, answer.status, body, answer.content_type, answer.elapsed)


def _listing(findings: list[crawl.Finding], limit: int = 400) -> str:
    lines = []
    for kind, group in crawl.group_findings(findings).items():
        lines.append(f"== {kind}: {len(group)}")
        lines += [f.line() for f in group[:limit]]
    return "\n".join(lines)


def _web_assets() -> dict[str, float]:
    """The built web assets (path -> modification time) of the portals' storage."""
    root = tk.config.get("ckan.webassets.path") or os.path.join(tk.config["ckan.storage_path"], "webassets")
    return {os.path.relpath(os.path.join(folder, name), root): os.path.getmtime(os.path.join(folder, name))
            for folder, _, names in os.walk(root) for name in names}


def _server_tracebacks(limit: int = 6) -> str:
    """The portals' own tracebacks (test.ini's `testing` lets errors reach the server's log): CI prints only the
    assertion, so a 5xx arrives with its cause. Each distinct traceback once, by its last line."""
    blocks: dict[str, str] = {}
    for index in range(2):
        path = os.path.join(ROOT, ".data", f"journeys-portal-{index}.log")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
        for start, line in enumerate(lines):
            if not line.startswith("Traceback (most recent call last)"):
                continue
            end = start + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
                end += 1
            block = "\n".join(lines[max(start - 1, 0):end + 1])
            blocks.setdefault(lines[end] if end < len(lines) else block, block)
    if not blocks:
        return ""
    return "\n== server tracebacks (.data/journeys-portal-*.log)\n" + "\n\n".join(list(blocks.values())[:limit])


def _write_findings(path: str, counts: str, findings: list[crawl.Finding]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"# Journey crawl findings\n\n{counts}\n\n")
        for kind, group in crawl.group_findings(findings).items():
            handle.write(f"## {kind} ({len(group)})\n\n")
            handle.writelines(f"- {finding.role} `{finding.url}` -> {finding.status}: {finding.snippet}\n" for finding in group)
            handle.write("\n")


def test_policy_reports_what_it_must():
    """The checks themselves: a marker, a figure, a secret, a traceback and a 5xx are each reported, to whom."""
    policy = crawl.Policy(markers=["penandax"], numeric_markers=["918.273.645"], secrets=["kunci-x"],
                          sees_private={"walidata"}, sees_secrets={"sysadmin"})
    found: list[crawl.Finding] = []
    body = "<p>PenandaX 918.273.645 kunci-x</p> Traceback (most recent call last): psycopg2 SELECT a FROM b"
    policy.check(crawl.Answer("anonim", "/x", 500, body, "text/html", 0.1), found.append)
    assert sorted(f.kind for f in found) == sorted([
        "5xx", "private marker penandax", "private figure 918.273.645", "secret", "traceback/SQL (traceback)",
        "traceback/SQL (psycopg2)", "traceback/SQL (SQL text)"])
    found.clear()
    policy.check(crawl.Answer("walidata", "/x", 200, "penandax 918.273.645", "text/html", 0.1), found.append)
    assert found == []
    echoed = _without_request_echo(crawl.Answer("anonim", "/dataset/penandax-nama", 404,
                                                "Dataset penandax-nama not found", "text/html", 0.1))
    assert "penandax" not in echoed.body
