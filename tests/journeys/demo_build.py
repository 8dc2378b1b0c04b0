"""The demo portal of `make run`, built in the test process by the same commands and functions (scripts/run.sh,
scripts/demo.sh): the sysadmin, `ckan paser seed`, `ckan paser demo`, the demo harvest sources served by
`ckan paser harvest demo-server` and harvested through the gather and fetch consumers' own callbacks, and every
background job run to completion. Only the processes differ: the consumers' and the worker's loops are replaced
by draining their queues here, so nothing forks and nothing waits on a timer."""
from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import click
import sqlalchemy as sa
from ckan.lib import jobs
from ckanext.paser.demo import harvest as demo_harvest
from ckanext.paser.demo import loader
from click.testing import CliRunner
from live_portal import CKAN, ROOT, free_port

MARKERS_CATALOGUE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "markers", "catalogue.yaml")
DEMO_SOURCE_NAMES = tuple(source.name for source in demo_harvest.DEMO_SOURCES)


class BuildError(AssertionError):
    """A step of `make run` failed: the journeys cannot start, and `make run` would break the same way."""


def _commands(ini: str) -> click.Group:
    """The `ckan` commands make run calls, under a group that gives them what `ckan -c <ini>` gives them (the Flask
    app in ``ctx.meta``), on one app made once: the commands' code is the same, without an app per command."""
    from ckan.cli import load_config
    from ckan.cli.asset import asset
    from ckan.config.middleware import make_app
    from ckanext.harvest.cli import harvester
    from ckanext.paser.cli import paser

    app = make_app(load_config(ini))

    @click.group()
    @click.pass_context
    def commands(ctx: click.Context) -> None:
        ctx.meta["flask_app"] = app._wsgi_app

    commands.add_command(paser)
    commands.add_command(harvester)
    commands.add_command(asset)
    return commands


@dataclass
class Cli:
    """`ckan -c <ini> ...` in this process."""

    ini: str
    site_url: str
    outputs: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    group: click.Group | None = None

    def __call__(self, *args: str) -> str:
        started = time.monotonic()
        try:
            return self._invoke(*args)
        finally:
            self.timings.append((" ".join(args[:2]), time.monotonic() - started))

    def step(self, name: str, started: float) -> None:
        self.timings.append((name, time.monotonic() - started))

    def _invoke(self, *args: str) -> str:
        if self.group is None:
            self.group = _commands(self.ini)
            # make run exports CKAN_SITE_URL (the port it serves on) before any step
            tk.config["ckan.site_url"] = self.site_url
        result = CliRunner().invoke(self.group, list(args))
        self.outputs.append(f"$ ckan {' '.join(args)}\n{result.output}")
        if result.exit_code != 0:
            raise BuildError(f"`ckan {' '.join(args)}` failed ({result.exit_code}):\n{result.output}"
                             f"\n{result.exception!r}")
        return result.output


def start_demo_server(ini: str, log_path: str) -> tuple[subprocess.Popen[bytes], str]:
    """`ckan paser harvest demo-server` on a free port, as make run starts it; returned once it answers."""
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 - the process writes to it until it is stopped
    process = subprocess.Popen([CKAN, "-c", ini, "paser", "harvest", "demo-server", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def wait_for(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BuildError(f"the demo harvest server did not start ({url})") from None
            time.sleep(0.2)


def run_background_jobs(max_rounds: int = 2000) -> list[str]:
    """Runs the default queue's jobs here, as `ckan jobs worker` would (jobs queue further jobs: a dataset's
    loads, the flags' evaluation), until it is empty; returns the titles of the jobs that raised."""
    queue = jobs.get_queue()
    failed: list[str] = []
    for _ in range(max_rounds):
        if queue.is_empty():
            return failed
        job_id = queue.pop_job_id()
        job = queue.fetch_job(job_id)
        if job is None:
            continue
        try:
            job.perform()
        except Exception as error:  # noqa: BLE001 - the worker records it; the build reports it
            failed.append(f"{(job.meta or {}).get('title') or job.func_name}: {error!r}")
    raise BuildError(f"background jobs still queued after {max_rounds} runs")


def drain_harvest_queues() -> None:
    """What `ckan harvester gather-consumer` and `fetch-consumer` do with each message, until both are empty."""
    from ckanext.harvest import queue

    gather, fetch = queue.get_gather_consumer(), queue.get_fetch_consumer()
    while True:
        progressed = False
        for consumer, callback in ((gather, queue.gather_callback), (fetch, queue.fetch_callback)):
            while True:
                method, header, body = consumer.basic_get(queue=None)
                if body is None:
                    break
                consumer.redis.set(consumer.persistance_key(body), "1")  # as RedisConsumer.consume marks it
                callback(consumer, method, header, body)
                progressed = True
        if not progressed:
            return


@dataclass
class Demo:
    """What the build made and the crawl needs."""

    admin_password: str
    demo_url: str
    private_datasets: dict[str, dict[str, Any]]  # name -> package_show
    harvested: list[str]
    table_resources: int
    cli_output: str
    problems: list[str]  # what is not whole (a table not loaded or not checked, a harvest error)
    timings: list[tuple[str, float]]


def reset_everything(reset_bundle_db: Any, reset_redis: Any) -> None:
    """An empty portal (the databases, search index, DataStore, Redis, built web assets), as a fresh `make run`
    finds it. (Web assets left from an earlier run hid, locally, the 500s their lazy building gave a fresh clone.)"""
    import shutil

    import ckan.plugins.toolkit as tk
    from ckan.lib import search
    from ckan.model import meta
    from ckanext.datastore.backend.postgres import get_write_engine

    webassets = tk.config.get("ckan.webassets.path") or os.path.join(tk.config["ckan.storage_path"], "webassets")
    shutil.rmtree(webassets, ignore_errors=True)

    reset_bundle_db()
    search.clear_all()
    reset_redis()
    with get_write_engine().begin() as connection:
        names = connection.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        for name in list(names):
            connection.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
    with meta.engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE paser_datastore_load"))


def build(ini: str, site_url: str, workdir: str, demo_server_url: str) -> Demo:
    """scripts/demo.sh then run.sh's harvest steps, against ``ini``; the demo server is already started."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.paser.checks import store
    from ckanext.paser.loader import jobs as loader_jobs
    from ckanext.paser.loader import status

    cli = Cli(ini, site_url)
    password_file = os.path.join(workdir, "admin-password")
    # scripts/demo.sh
    cli("paser", "sysadmin", "admin", "--password-file", password_file)
    cli("paser", "seed")
    cli("paser", "demo")
    # the journeys' terbatas and tertutup datasets, through the demo catalogue's loader
    started = time.monotonic()
    loader.load(echo=lambda _line: None, path=MARKERS_CATALOGUE)
    cli.step("markers", started)
    started = time.monotonic()
    failed = run_background_jobs()
    cli.step("jobs", started)
    # scripts/run.sh: the demo sources, one job each for the consumers, the scheduler's `harvester run`
    cli("paser", "harvest", "demo-sources", "--url", demo_server_url)
    for name in DEMO_SOURCE_NAMES:
        cli("harvester", "job", name)
    started = time.monotonic()
    drain_harvest_queues()
    cli.step("gather+fetch", started)
    cli("harvester", "run")
    started = time.monotonic()
    failed += run_background_jobs()
    cli.step("jobs", started)
    if failed:
        raise BuildError("background jobs raised:\n" + "\n".join(failed))
    # scripts/run.sh: the web assets, before the threaded server starts
    cli("asset", "build")

    context = {"ignore_auth": True}
    from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObjectError

    problems = [f"harvest job of {job.source.name}: {job.status}" for job in model.Session.query(HarvestJob)
                if job.status != "Finished"]
    problems += [f"gather error: {error.message}" for error in model.Session.query(HarvestGatherError)]
    problems += [f"object error: {error.message}" for error in model.Session.query(HarvestObjectError)]
    harvested = [package.name for package in model.Session.query(model.Package).filter(
        model.Package.type == "dataset", model.Package.state == "active") if _harvested(package.id)]
    if len(harvested) < len(DEMO_SOURCE_NAMES):
        problems.append(f"only {len(harvested)} harvested datasets: {harvested}")
    tables = 0
    for package_id, in model.Session.query(model.Package.id).filter(model.Package.type == "dataset",
                                                                    model.Package.state == "active"):
        package = tk.get_action("package_show")(dict(context), {"id": package_id})
        for resource in package["resources"]:
            if not loader_jobs.is_table({**resource, "package_id": package_id}):
                continue
            tables += 1
            loaded, checked = status.get(resource["id"]), store.get_check(resource["id"])
            where = f"{package['name']} / {resource['name']}"
            if not loaded or loaded["status"] != status.DONE:
                problems.append(f"{where}: DataStore load {loaded and loaded['status']}: {loaded}")
            if not checked or checked["status"] != store.DONE:
                problems.append(f"{where}: figures check {checked and checked['status']}: {checked}")
    private = {name: tk.get_action("package_show")(dict(context), {"id": name})
               for name in ("data-penandaterbatasnama", "data-penandatertutupnama")}
    with open(password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    return Demo(password, demo_server_url, private, harvested, tables, "\n".join(cli.outputs), problems,
                cli.timings)


def _harvested(package_id: str) -> bool:
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    return model.Session.query(HarvestObject).filter_by(package_id=package_id, current=True).count() > 0
