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
    created = loader.load(echo=click.echo)
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
