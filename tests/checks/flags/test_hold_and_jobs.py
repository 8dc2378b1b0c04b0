"""The hold mode, the job's guard against the portal's own network, turning the checker off, and the CLI."""
from __future__ import annotations

import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import helpers
from ckanext.paser.checks import jobs, rules, store

from .conftest import BPS_2024, DUKCAPIL_2024, kabupaten_csv, run_jobs


def _public_names() -> set[str]:
    return {d["name"] for d in helpers.call_action("package_search", {"user": ""}, rows=100)["results"]}


@pytest.mark.ckan_config("ckanext.paser.checks.mode", "hold")
def test_hold_keeps_a_dataset_with_an_error_flag_private_until_resolved(portal):
    _, bps, _ = portal.population_conflict()
    assert _public_names() == set()
    assert helpers.call_action("package_show", {"user": portal.sysadmin["name"]}, id=bps["id"])["private"] is True
    # A steward's edit meanwhile does not publish it.
    helpers.call_action("package_patch", {"user": portal.sysadmin["name"]}, id=bps["id"], notes="Proyeksi BPS")
    assert helpers.call_action("package_show", {"user": portal.sysadmin["name"]}, id=bps["id"])["private"] is True
    # Acknowledged is not resolved: still held.
    flag = next(f for f in portal.flags() if f["rule"] == rules.CROSS_PRODUCER)
    helpers.call_action("paser_flag_update", {"user": portal.walidata["name"]}, id=flag["id"],
                        status="acknowledged", note="Sedang dikonfirmasi ke BPS.")
    assert _public_names() == set()
    helpers.call_action("paser_flag_update", {"user": portal.walidata["name"]}, id=flag["id"], status="resolved",
                        note="Angka resmi: Dukcapil untuk perencanaan, BPS untuk statistik.")
    assert _public_names() == {"penduduk-dukcapil", "penduduk-bps"}


@pytest.mark.ckan_config("ckanext.paser.checks.mode", "hold")
def test_hold_releases_when_the_figures_are_fixed_and_respects_klasifikasi(portal):
    _, _, bps_resource = portal.population_conflict()
    rahasia = portal.dataset("penduduk-terbatas", "distan", klasifikasi="terbatas")
    portal.table(rahasia, kabupaten_csv([(2024, 1)]))
    run_jobs()
    portal.replace(bps_resource, kabupaten_csv([(2024, DUKCAPIL_2024)]))
    helpers.call_action("package_delete", {"user": portal.sysadmin["name"]}, id=rahasia["id"])
    run_jobs()
    assert _public_names() == {"penduduk-dukcapil", "penduduk-bps"}


def test_flag_mode_publishes_flagged_datasets(portal):
    portal.population_conflict()
    assert _public_names() == {"penduduk-dukcapil", "penduduk-bps"}


@pytest.mark.ckan_config("ckanext.paser.checks.allow_private_urls", "false")
def test_linked_file_inside_the_portal_network_is_not_fetched(portal, flag_file_server):
    dataset = portal.dataset("penduduk-tautan", "disdukcapil")
    url = flag_file_server(kabupaten_csv([(2024, DUKCAPIL_2024)]))
    resource = helpers.call_action("resource_create", {"user": portal.sysadmin["name"]}, package_id=dataset["id"],
                                   url=url, format="CSV", name="penduduk")
    run_jobs()
    check = store.get_check(resource["id"])
    assert check["status"] == store.ERROR
    assert check["error_message"] == jobs.PRIVATE_ADDRESS and url in check["error"]
    assert store.figures_of(resource["id"]) == []


# without the loader too: it queues jobs of its own
def test_a_site_without_the_checker_queues_nothing(without_checks, without_loader, portal):
    from ckan.lib import jobs as ckan_jobs

    dataset = portal.dataset("penduduk-dukcapil", "disdukcapil")
    resource = portal.table(dataset, kabupaten_csv([(2024, DUKCAPIL_2024)]))
    assert ckan_jobs.get_queue().jobs == []
    assert store.get_check(resource["id"]) is None


def test_cli_recheck_and_evaluate(portal, cli, flag_file_server):
    # Linked files: the CLI loads its own configuration (uploads of the test live in a temporary storage).
    for name, org, value in (("penduduk-dukcapil", "disdukcapil", DUKCAPIL_2024), ("penduduk-bps", "bps", BPS_2024)):
        dataset = portal.dataset(name, org)
        helpers.call_action("resource_create", {"user": portal.sysadmin["name"]}, package_id=dataset["id"],
                            url=flag_file_server(kabupaten_csv([(2024, value)])), format="CSV", name="penduduk")
    result = cli.invoke(ckan_cli, ["paser", "checks", "recheck"])
    assert result.exit_code == 0, result.output
    assert "Rechecked 2 resource(s) (0 with errors)" in result.output
    assert [f["rule"] for f in portal.flags()] == ["cross_producer"]
    result = cli.invoke(ckan_cli, ["paser", "checks", "evaluate"])
    assert result.exit_code == 0, result.output
    assert "2 dataset(s) have open flags" in result.output
