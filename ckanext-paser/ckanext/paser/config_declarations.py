"""The declared config options of the bundle: each subpackage keeps its own ``config_declaration.yaml`` (CKAN's
declaration format) beside its code; the plugins load them here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent
# Each plugin loads the declarations of its subpackages (plugin.py): paser reference, harvesters and runtime;
# paser_search search; paser_checks checks; paser_dcat dcat.


def load(subpackage: str) -> dict[str, Any]:
    with open(ROOT / subpackage / "config_declaration.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# The subpackages in the order docs/configuration.md lists them.
DOCUMENTED = ("reference", "access", "tables", "search", "checks", "harvesters", "dcat", "runtime")
MARKDOWN_HEAD = """# Configuration options

Every option the bundle declares (CKAN's `IConfigDeclaration`: one `config_declaration.yaml` per subpackage, loaded
by the plugin that owns it), with its default and what it does. This file is generated from the declarations:
`.venv/bin/python -m ckanext.paser.config_declarations > docs/configuration.md` (`tests/test_config_documented.py`
fails when it is out of date or an option has no description). `ckan config declaration paser paser_checks ...`
prints the options of the plugins named.

Set them in the `[app:main]` section of the ini (`config/common.ini` holds the portal's choices, `config/production.ini`
those of a production site) or as environment variables in CKAN's form (`CKANEXT__PASER__CHECKS__MAX_ROWS`).
"""


def markdown() -> str:
    """docs/configuration.md: every declared option, with its default and description."""
    out = [MARKDOWN_HEAD]
    for subpackage in DOCUMENTED:
        for group in load(subpackage)["groups"]:
            out += [f"## {group['annotation']}", "",
                    f"Declared in `ckanext-paser/ckanext/paser/{subpackage}/config_declaration.yaml`.", ""]
            for option in group["options"]:
                default = option.get("default", "")
                shown = f"`{default}`" if default != "" else "empty"
                kind = f" ({option['type']})" if option.get("type") else ""
                out += [f"### `{option['key']}`", "", f"Default: {shown}{kind}", "",
                        " ".join(str(option.get("description") or "").split()), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
