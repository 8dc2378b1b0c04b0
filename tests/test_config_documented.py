"""Every config option the bundle declares is documented: a description in its declaration, and its entry in
docs/configuration.md (what an operator reads), which is generated from the declarations and must be current."""
from __future__ import annotations

import glob
import os

import yaml
from ckanext.paser import config_declarations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def declared_options() -> dict[str, list[dict]]:
    """Subpackage -> its declared options, for every declaration file there is."""
    found = {}
    for path in sorted(glob.glob(os.path.join(str(config_declarations.ROOT), "*", "config_declaration.yaml"))):
        with open(path, encoding="utf-8") as handle:
            found[os.path.basename(os.path.dirname(path))] = [
                option for group in yaml.safe_load(handle)["groups"] for option in group["options"]]
    return found


def test_every_declared_option_is_described_and_documented():
    declared = declared_options()
    assert sorted(declared) == sorted(config_declarations.DOCUMENTED), "a declaration file is not documented"
    options = [option for group in declared.values() for option in group]
    assert len(options) >= 20
    undescribed = [option["key"] for option in options if not str(option.get("description") or "").strip()]
    assert not undescribed, f"declared without a description: {undescribed}"
    with open(os.path.join(ROOT, "docs", "configuration.md"), encoding="utf-8") as handle:
        documentation = handle.read()
    missing = [option["key"] for option in options if f"### `{option['key']}`" not in documentation]
    assert not missing, f"not in docs/configuration.md: {missing}"
    assert documentation == config_declarations.markdown(), (
        "docs/configuration.md is out of date: .venv/bin/python -m ckanext.paser.config_declarations "
        "> docs/configuration.md")


def test_every_plugin_declares_what_it_reads():
    """The declarations loaded by the plugins are every declaration there is: none is left unloaded."""
    from ckan.common import config
    from ckan.config.declaration import Declaration

    declaration = Declaration()
    for name in ("paser", "paser_search", "paser_checks", "paser_dcat"):
        declaration.load_plugin(name)
    keys = {str(key) for key in declaration.iter_options()}
    assert keys == {option["key"] for group in declared_options().values() for option in group}
    assert config["ckanext.paser.walidata_organization"] == "diskominfostaper"
