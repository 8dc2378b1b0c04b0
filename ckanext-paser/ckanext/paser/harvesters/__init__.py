"""Harvesters bringing agency sources into the portal: ``bps`` (BPS WebAPI). ``base`` holds what every harvester
shares: bounded HTTP reads with clear errors, the Paser dataset defaults and secret redaction."""
from __future__ import annotations


def config_declaration() -> dict:
    import os

    import yaml

    with open(os.path.join(os.path.dirname(__file__), "config_declaration.yaml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)
