"""`ckan paser ...` commands."""
from __future__ import annotations

import click


@click.group(short_help="Kabupaten Paser portal commands")
def paser() -> None:
    """Commands of the Kabupaten Paser Satu Data portal."""


@paser.command()
def demo() -> None:
    """Load the demo organisations, groups and datasets (skips what exists)."""
    from .demo import loader

    click.echo("Loading the demo catalogue")
    try:
        created = loader.load(echo=click.echo)
    except loader.MissingOrganizations as error:
        raise click.ClickException(str(error)) from None
    summary = ", ".join(f"{count} {kind}(s)" for kind, count in created.items())
    click.secho(f"Demo catalogue loaded: created {summary}", fg="green")


@paser.command()
@click.argument("name", default="admin")
@click.option("--email", default="admin@example.com", show_default=True)
@click.option("--password-file", required=True, type=click.Path(dir_okay=False),
              help="Where the generated password is kept (and read from on later runs).")
def sysadmin(name: str, email: str, password_file: str) -> None:
    """Create sysadmin NAME with a generated password unless it exists; print its password."""
    from .demo import accounts

    password, created = accounts.ensure_sysadmin(name, email, password_file)
    if created:
        click.secho(f"Created sysadmin '{name}'. Password (also in {password_file}): {password}",
                    fg="green", bold=True)
    elif password:
        click.echo(f"Sysadmin '{name}' exists. Password (from {password_file}): {password}")
    else:
        click.echo(f"Sysadmin '{name}' exists; it was not created by this command, so its password is yours.")


@paser.command()
def seed() -> None:
    """Create or update the kecamatan and dinas (OPD) organisations from the reference data."""
    from .publishers import seed as seeding
    from .reference import ReferenceFileError, configured_opd_file

    try:
        specs = seeding.all_specs()
    except ReferenceFileError as error:
        raise click.ClickException(str(error)) from None
    kecamatan = sum(1 for spec in specs if spec.type == "kecamatan")
    click.echo(f"Seeding {kecamatan} kecamatan and {len(specs) - kecamatan} agencies (OPD list: {configured_opd_file()})")
    seeder = seeding.Seeder()
    with click.progressbar(specs, label="  organisations", show_pos=True,
                           item_show_func=lambda spec: spec.name if spec else None) as bar:
        outcomes = [seeder.apply(spec) for spec in bar]
    strays = seeder.strays(specs)
    for outcome in outcomes:
        if outcome.action == seeding.CREATED:
            click.echo(f"  {outcome.spec.type} {outcome.spec.name}: created")
        elif outcome.action == seeding.UPDATED:
            click.echo(f"  {outcome.spec.type} {outcome.spec.name}: updated {', '.join(outcome.changed)}")
        elif outcome.action == seeding.SKIPPED:
            click.echo(f"  {outcome.spec.type} {outcome.spec.name}: {outcome.note}")
    for name in strays:
        click.echo(f"  dinas {name}: not in the OPD list, left alone")
    counts = {action: sum(1 for o in outcomes if o.action == action)
              for action in (seeding.CREATED, seeding.UPDATED, seeding.UNCHANGED, seeding.SKIPPED)}
    if counts[seeding.CREATED] == counts[seeding.UPDATED] == 0:
        skipped = f", {counts[seeding.SKIPPED]} skipped" if counts[seeding.SKIPPED] else ""
        click.secho(f"Nothing changed: {counts[seeding.UNCHANGED]} organisations up to date{skipped}.", fg="green")
    else:
        summary = ", ".join(f"{count} {action}" for action, count in counts.items() if count)
        click.secho(f"Organisations seeded: {summary}.", fg="green")


@paser.group()
def checks() -> None:
    """Consistency checks: re-read figures and re-evaluate the flags."""


@checks.command()
def evaluate() -> None:
    """Re-evaluate every rule over the stored figures (after changing config/checks.yaml, or restoring a
    dataset), without re-reading files."""
    from .checks import evaluation, flags
    from .checks.rules_config import RulesFileError

    try:
        touched = evaluation.evaluate_all()
    except RulesFileError as error:
        raise click.ClickException(str(error)) from None
    opened = len(flags.packages_with_open_flags())
    click.secho(f"Flags evaluated: {len(touched)} dataset(s) changed; {opened} dataset(s) have open flags.",
                fg="green")


@checks.command()
@click.option("--dataset", "datasets", multiple=True, help="Only this dataset (id or name); repeatable.")
def recheck(datasets: tuple[str, ...]) -> None:
    """Re-read the figures of every CSV/XLSX resource (or of the given datasets) now, in this process, then
    re-evaluate the flags. Errors are recorded on each resource's check, as the background job does."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from .checks import evaluation, jobs, store

    context = {"ignore_auth": True}
    if datasets:
        try:
            packages = [tk.get_action("package_show")(dict(context), {"id": name}) for name in datasets]
        except tk.ObjectNotFound as error:
            raise click.ClickException(f"Dataset not found: {error}") from None
    else:
        ids = [row[0] for row in model.Session.query(model.Package.id).filter(
            model.Package.type == "dataset", model.Package.state == "active")]
        packages = [tk.get_action("package_show")(dict(context), {"id": package_id}) for package_id in ids]
    resources = [{**resource, "package_id": package["id"]} for package in packages
                 for resource in package.get("resources", []) if jobs.is_checked(resource)]
    errors = 0
    with click.progressbar(resources, label="  resources", show_pos=True) as bar:
        for resource in bar:
            jobs.check_resource(resource["id"], evaluate=False)  # evaluated once, below
            check = store.get_check(resource["id"])
            errors += bool(check and check["status"] == store.ERROR)
    touched = evaluation.evaluate_all()
    click.secho(f"Rechecked {len(resources)} resource(s) ({errors} with errors); flags changed on "
                f"{len(touched)} dataset(s).", fg="yellow" if errors else "green")


@paser.group()
def datastore() -> None:
    """The DataStore tables of the CSV/XLSX resources (loader)."""


@datastore.command("load")
@click.argument("resource_ids", nargs=-1)
@click.option("--all", "load_all", is_flag=True, help="Every CSV/XLSX resource of every active dataset.")
@click.option("--queue", is_flag=True, help="Queue the loads for `ckan jobs worker` instead of loading here.")
def datastore_load(resource_ids: tuple[str, ...], load_all: bool, queue: bool) -> None:
    """(Re)load RESOURCE_IDS (or --all) into the DataStore, whether or not their files changed. A failure is
    recorded on the resource (its earlier table stays), as the background job does."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from .loader import jobs, status

    if not jobs.enabled():
        raise click.ClickException("The loader is off (the paser_loader and datastore plugins are not both in ckan.plugins).")
    if bool(resource_ids) == load_all:
        raise click.UsageError("Give resource ids or --all.")
    context = {"ignore_auth": True}
    if load_all:
        ids = [row[0] for row in model.Session.query(model.Package.id).filter(
            model.Package.type == "dataset", model.Package.state == "active")]
        resources = [{**resource, "package_id": package["id"]}
                     for package in (tk.get_action("package_show")(dict(context), {"id": i}) for i in ids)
                     for resource in package.get("resources", []) if jobs.is_table(resource)]
    else:
        try:
            resources = [tk.get_action("resource_show")(dict(context), {"id": i}) for i in resource_ids]
        except tk.ObjectNotFound as error:
            raise click.ClickException(f"Resource not found: {error}") from None
    errors = 0
    with click.progressbar(resources, label="  resources", show_pos=True) as bar:
        for resource in bar:
            if queue:
                jobs.enqueue_load(resource, force=True)
                continue
            jobs.load_resource(resource["id"])
            row = status.get(resource["id"])
            errors += bool(row and row["status"] == status.ERROR)
    verb = "Queued" if queue else "Loaded"
    click.secho(f"{verb} {len(resources)} resource(s) ({errors} with errors).", fg="yellow" if errors else "green")


@paser.group()
def harvest() -> None:
    """Demo harvest sources (a local imitation of other portals and of the BPS WebAPI)."""


@harvest.command("demo-server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
def harvest_demo_server(host: str, port: int) -> None:
    """Serve the demo remote sources (CKAN action API at /ckan, DCAT catalogue at /dcat/catalog.ttl, BPS WebAPI
    at /bps/v1/api/) until stopped."""
    from .demo import harvest as demo_harvest

    click.echo(f"Demo harvest sources on http://{host}:{port}")
    demo_harvest.serve(host, port)


@harvest.command("demo-sources")
@click.option("--url", "base_url", required=True, help="Base URL of `ckan paser harvest demo-server`.")
@click.option("--user", default="admin", show_default=True, help="Sysadmin that owns the sources.")
def harvest_demo_sources(base_url: str, user: str) -> None:
    """Create the demo harvest sources (types paser_ckan, dcat_rdf, bps) or point them at BASE_URL; then run one
    with `ckan harvester run-test <name>`."""
    from .demo import harvest as demo_harvest

    for name, what in demo_harvest.ensure_sources(base_url, user):
        click.echo(f"  {name}: {what}")
