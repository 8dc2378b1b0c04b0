"""Consistency flags end to end: uploads checked by a real worker, rules over the stored figures, flags listed and
updated through CKAN's actions with CKAN's auth, against the real database and search index."""
from __future__ import annotations

import pytest
from ckan.tests import helpers
from ckanext.paser.checks import flags, normalise, rules, store
from satudata.conftest import satu_data

from .conftest import (
    ALL_KECAMATAN,
    BPS_2024,
    COMPLETE,
    DUKCAPIL_2024,
    csv_text,
    kabupaten_csv,
    kecamatan_2020_csv,
    run_jobs,
)


def _only(flag_list, rule):
    found = [flag for flag in flag_list if flag["rule"] == rule]
    assert len(found) == 1, flag_list
    return found[0]


def test_dukcapil_and_bps_population_conflict_is_flagged_with_both_datasets(portal):
    dukcapil, bps, _ = portal.population_conflict()

    flag = _only(portal.flags(), rules.CROSS_PRODUCER)
    assert flag["status"] == "open"
    assert flag["severity"] == "error"  # 5.7 % apart, beyond the 5 % of config/checks.yaml
    assert (flag["indicator"], flag["region_code"], flag["period"]) == ("2.12.01", "64.01", "2024")
    assert flag["region_name"] == "Kabupaten Paser"
    assert {dataset["name"] for dataset in flag["datasets"]} == {"penduduk-dukcapil", "penduduk-bps"}
    assert {(f["package_id"], f["value"]) for f in flag["figures"]} == {
        (dukcapil["id"], str(DUKCAPIL_2024)), (bps["id"], str(BPS_2024))}
    # Indonesian by default: numbers in Indonesian notation.
    assert "5,7" in flag["message"] and "292.948" in flag["message"] and "309.667" in flag["message"]
    # Listed under each dataset it involves.
    assert [f["id"] for f in portal.flags(dataset_id="penduduk-dukcapil")] == [flag["id"]]
    assert [f["id"] for f in portal.flags(dataset_id=bps["id"])] == [flag["id"]]
    assert [f["id"] for f in portal.flags(organization="bps-kabupaten-paser")] == [flag["id"]]
    assert portal.flags(rule="sum_kecamatan") == []


def test_each_producer_sees_the_conflict_of_its_public_datasets(portal):
    portal.population_conflict()
    assert portal.flag_rules(portal.dukcapil_editor) == ["cross_producer"]
    assert portal.flag_rules(portal.bps_editor) == ["cross_producer"]
    # Not their data: another producer and a user of no organisation see nothing.
    assert portal.flag_rules(portal.distan_editor) == []
    assert portal.flag_rules(portal.outsider) == []
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("paser_flag_list", {"user": "", "ignore_auth": False})


def test_off_by_one_total_is_a_sum_mismatch(portal):
    dataset = portal.dataset("penduduk-kecamatan-2020", "disdukcapil", tingkat_penyajian="kecamatan", cakupan_kecamatan=ALL_KECAMATAN)
    portal.table(dataset, kecamatan_2020_csv())
    run_jobs()

    flag = _only(portal.flags(), rules.SUM_KECAMATAN)
    assert flag["severity"] == "error"
    assert flag["period"] == "2020" and flag["region_code"] == "64.01"
    assert "277.400" in flag["message"] and "277.401" in flag["message"]
    assert len(flag["figures"]) == 11  # the total and the ten kecamatan
    assert [dataset["name"] for dataset in flag["datasets"]] == ["penduduk-kecamatan-2020"]


def test_fixing_a_figure_closes_its_flag_automatically(portal):
    dataset = portal.dataset("penduduk-kecamatan-2020", "disdukcapil", tingkat_penyajian="kecamatan", cakupan_kecamatan=ALL_KECAMATAN)
    resource = portal.table(dataset, kecamatan_2020_csv())
    run_jobs()
    flag = _only(portal.flags(), rules.SUM_KECAMATAN)

    portal.replace(resource, kecamatan_2020_csv(total=277400))
    run_jobs()

    assert portal.flags(status="open") == []
    closed = helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])
    assert closed["status"] == "resolved" and closed["closed_automatically"]
    assert [(entry["status_to"], entry["automatic"]) for entry in closed["history"]] == [
        ("open", True), ("resolved", True)]
    assert closed["history"][-1]["note"]  # the portal says why, in the reader's language


def test_conflict_disappears_when_a_producer_corrects_its_figure(portal):
    _, _, resource = portal.population_conflict()
    flag = _only(portal.flags(), rules.CROSS_PRODUCER)

    portal.replace(resource, kabupaten_csv([(2024, DUKCAPIL_2024 + 1000)]))  # within 1 %
    run_jobs()
    assert helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])[
        "status"] == "resolved"

    portal.replace(resource, kabupaten_csv([(2024, BPS_2024)]))  # the conflict is back: the same flag reopens
    run_jobs()
    reopened = helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])
    assert reopened["status"] == "open"
    assert [entry["status_to"] for entry in reopened["history"]] == ["open", "resolved", "open"]


def test_old_spelling_resolves_and_unknown_name_is_flagged_with_a_suggestion(portal):
    dataset = portal.dataset("penduduk-nama", "disdukcapil", tingkat_penyajian="kecamatan",
                             cakupan_kecamatan=ALL_KECAMATAN, konsep="")
    resource = portal.table(dataset, csv_text(["Kecamatan", "Tahun", "Jumlah Penduduk"],
                                              [["Pasir Belengkong", 2020, 29283], ["Tanah Grogott", 2020, 78018],
                                               ["Kecamatan Antah Berantah", 2020, 1500]]))
    run_jobs()
    figures = {(f["region_code"], f["value"]) for f in store.figures_of(resource["id"])}
    assert ("64.01.03", 29283) in figures  # Pasir Belengkong is Paser Belengkong
    assert ("64.01.04", 78018) in figures  # a typo within reach resolves too
    flag = _only(portal.flags(), rules.UNKNOWN_REGION)
    assert flag["severity"] == "error"
    assert "Antah Berantah" in flag["message"]
    assert flag["figures"][0]["cell"] == "A4" and flag["figures"][0]["resource_id"] == resource["id"]
    missing = _only(portal.flags(), rules.MISSING_METADATA)  # no konsep: named by its label
    assert "Konsep" in missing["message"] and missing["severity"] == "error"


def test_suggestion_is_offered_for_a_near_miss(portal):
    dataset = portal.dataset("penduduk-nama", "disdukcapil", tingkat_penyajian="kecamatan", cakupan_kecamatan=ALL_KECAMATAN)
    portal.table(dataset, csv_text(["Kecamatan", "Tahun", "Jumlah Penduduk"],
                                   [["Kecamatan Antah", 2020, 1500], ["Kuaro", 2020, 29942]]))
    run_jobs()
    flag = _only(portal.flags(), rules.UNKNOWN_REGION)
    check = store.get_check(flag["figures"][0]["resource_id"])
    problem = next(p for p in check["problems"] if p["message"] == normalise.UNKNOWN_REGION_SUGGESTION)
    assert problem["suggestion"] == flag["region_code"]
    assert problem["params"]["code"] in flag["message"]


def test_desa_in_the_wrong_kecamatan_is_flagged(portal):
    dataset = portal.dataset("penduduk-desa", "disdukcapil", tingkat_penyajian="desa",
                             cakupan_kecamatan=["64.01.04", "64.01.05"], cakupan_desa=["64.01.04.2002"])
    portal.table(dataset, csv_text(["Kecamatan", "Desa", "Tahun", "Jumlah Penduduk"],
                                   [["Tanah Grogot", "Janju", 2020, 4100], ["Kuaro", "Janju", 2020, 4100]]))
    run_jobs()
    flag = _only(portal.flags(), rules.DESA_WRONG_KECAMATAN)
    assert "Janju" in flag["message"] and "Kuaro" in flag["message"]
    assert flag["region_code"] == "64.01.04.2002"


def test_jiwa_and_ribu_jiwa_is_a_unit_mismatch(portal):
    dukcapil = portal.dataset("penduduk-dukcapil", "disdukcapil")
    bps = portal.dataset("penduduk-bps-ribu", "bps", satuan="ribu jiwa")
    portal.table(dukcapil, kabupaten_csv([(2024, DUKCAPIL_2024)]))
    portal.table(bps, kabupaten_csv([(2024, "292.9")], unit="ribu jiwa"))
    run_jobs()
    flag = _only(portal.flags(), rules.UNIT_MISMATCH)
    assert flag["severity"] == "warning"
    assert "jiwa" in flag["message"] and "ribu jiwa" in flag["message"]
    assert {d["name"] for d in flag["datasets"]} == {"penduduk-dukcapil", "penduduk-bps-ribu"}
    # Scaled to jiwa the two still differ by 5.7 %: the conflict is found across the scales.
    conflict = _only(portal.flags(), rules.CROSS_PRODUCER)
    assert "292.900" in conflict["message"]


def test_private_figures_never_reach_another_producers_view(portal):
    dukcapil = portal.dataset("penduduk-dukcapil", "disdukcapil")
    rahasia = portal.dataset("penduduk-distan-terbatas", "distan", klasifikasi="terbatas")
    portal.table(dukcapil, kabupaten_csv([(2024, DUKCAPIL_2024)]))
    portal.table(rahasia, kabupaten_csv([(2024, 123456)]))
    run_jobs()

    # The walidata sees the conflict with both sides; the private side's producer too (it reads both).
    flag = _only(portal.flags(), rules.CROSS_PRODUCER)
    assert "123456" in {f["value"] for f in flag["figures"]}
    assert portal.flag_rules(portal.distan_editor) == ["cross_producer"]
    # Disdukcapil cannot read the terbatas dataset: the flag, its figure and its dataset stay hidden.
    for params in ({}, {"dataset_id": dukcapil["id"]}, {"rule": "cross_producer"}):
        listed = portal.flags(portal.dukcapil_editor, **params)
        assert all("123456" not in str(f) and rahasia["id"] not in str(f) for f in listed)
        assert "cross_producer" not in [f["rule"] for f in listed]
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("paser_flag_show", {"user": portal.dukcapil_editor["name"]}, id=flag["id"])
    # Nor does it show as "has open flags" on the public dataset in search.
    found = helpers.call_action("package_search", {"user": ""}, fq="paser_flag:open")
    assert found["count"] == 0
    # The walidata reads the private dataset itself, to check it.
    assert helpers.call_action("package_show", {"user": portal.walidata["name"], "ignore_auth": False},
                               id=rahasia["id"])["name"] == rahasia["name"]
    found = helpers.call_action("package_search", {"user": portal.walidata["name"]}, include_private=True,
                                fq="paser_flag:open")
    assert {result["name"] for result in found["results"]} == {"penduduk-distan-terbatas"}


def test_search_facet_has_open_flags(portal):
    portal.dataset("tanpa-flag", "distan")
    portal.population_conflict()
    result = helpers.call_action("package_search", {"user": ""}, fq="paser_flag:open",
                                 **{"facet.field": ["paser_flag"]})
    assert {r["name"] for r in result["results"]} == {"penduduk-dukcapil", "penduduk-bps"}
    assert result["facets"]["paser_flag"] == {"open": 2}


def test_a_status_change_commits_or_rolls_back_with_the_request(portal):
    """The walidata's change is written in the request's transaction: an action called inside a larger one
    (defer_commit) and rolled back leaves the flag and its history as they were."""
    from ckan import model

    portal.population_conflict()
    flag = _only(portal.flags(), rules.CROSS_PRODUCER)
    before = helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])
    helpers.call_action("paser_flag_update", {"user": portal.walidata["name"], "ignore_auth": False,
                                              "defer_commit": True},
                        id=flag["id"], status="resolved", note="dibatalkan bersama permintaannya")
    model.Session.rollback()
    after = helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])
    assert (after["status"], after["history"]) == ("open", before["history"])


def test_walidata_acknowledges_with_a_note_and_producers_cannot(portal):
    portal.population_conflict()
    flag = _only(portal.flags(), rules.CROSS_PRODUCER)

    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("paser_flag_update", {"user": portal.dukcapil_editor["name"], "ignore_auth": False},
                            id=flag["id"], status="resolved", note="beres")
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("paser_flag_update", {"user": portal.walidata["name"], "ignore_auth": False},
                            id=flag["id"], status="acknowledged", note="  ")
    assert "note" in error.value.error_dict
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("paser_flag_update", {"user": portal.walidata["name"], "ignore_auth": False},
                            id=flag["id"], status="ditutup", note="x")
    assert "status" in error.value.error_dict

    note = "Dukcapil mencatat registrasi, BPS proyeksi SP2020; beda metode."
    updated = helpers.call_action("paser_flag_update", {"user": portal.walidata["name"], "ignore_auth": False},
                                  id=flag["id"], status="acknowledged", note=note)
    assert updated["status"] == "acknowledged" and updated["note"] == note
    assert updated["history"][-1] == {**updated["history"][-1], "user": "walidata-kominfo", "status_from": "open",
                                      "status_to": "acknowledged", "note": note, "automatic": False}
    # Re-evaluating the same figures leaves an acknowledged flag alone.
    from ckanext.paser.checks import evaluation
    evaluation.evaluate_all()
    assert helpers.call_action("paser_flag_show", {"user": portal.walidata["name"]}, id=flag["id"])[
        "status"] == "acknowledged"
    assert portal.flags(status="open", rule="cross_producer") == []


def test_deleting_a_dataset_closes_its_flags(portal):
    _, bps, _ = portal.population_conflict()
    assert portal.flag_rules(status="open") == ["cross_producer"]
    helpers.call_action("package_delete", {"user": portal.sysadmin["name"]}, id=bps["id"])
    run_jobs()
    assert portal.flags(status="open") == []


def test_harvested_dataset_with_resources_is_checked(portal, flag_file_server):
    """Harvesters call package_create with resources (no resource hooks): the dataset job checks them."""
    bps = portal.dataset("penduduk-bps", "bps")
    portal.table(bps, kabupaten_csv([(2024, BPS_2024)]))
    url = flag_file_server(kabupaten_csv([(2024, DUKCAPIL_2024)]))
    helpers.call_action("package_create", {"user": portal.sysadmin["name"]}, name="penduduk-dukcapil-panen",
                        title="Penduduk (dipanen)", owner_org=portal.orgs["disdukcapil"]["id"],
                        resources=[{"url": url, "format": "CSV", "name": "penduduk"}],
                        **satu_data(), **COMPLETE)
    run_jobs()
    run_jobs()  # the dataset job queues the resource's check
    flag = _only(portal.flags(), rules.CROSS_PRODUCER)
    assert {d["name"] for d in flag["datasets"]} == {"penduduk-bps", "penduduk-dukcapil-panen"}


def test_flag_list_rejects_bad_filters_clearly(portal):
    context = {"user": portal.walidata["name"], "ignore_auth": False}
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("paser_flag_list", context, status="tutup")
    assert "status" in error.value.error_dict
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action("paser_flag_list", context, limit="banyak")
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("paser_flag_list", context, dataset_id="tidak-ada")
    assert helpers.call_action("paser_flag_list", context, kecamatan="Pasir Belengkong")["count"] == 0


def test_kecamatan_filter_finds_flags_of_its_desa(portal):
    dataset = portal.dataset("penduduk-desa", "disdukcapil", tingkat_penyajian="desa",
                             cakupan_kecamatan=["64.01.04", "64.01.05"], cakupan_desa=["64.01.04.2002"])
    portal.table(dataset, csv_text(["Kecamatan", "Desa", "Tahun", "Jumlah Penduduk"],
                                   [["Kuaro", "Janju", 2020, 4100]]))
    run_jobs()
    assert [f["rule"] for f in portal.flags(kecamatan="64.01.04")] == ["desa_wrong_kecamatan"]
    assert [f["rule"] for f in portal.flags(kecamatan="kecamatan-tanah-grogot")] == ["desa_wrong_kecamatan"]
    assert portal.flags(kecamatan="64.01.05") == []


def test_flags_store_keeps_history_rows(portal):
    dataset = portal.dataset("penduduk-kecamatan-2020", "disdukcapil", tingkat_penyajian="kecamatan", cakupan_kecamatan=ALL_KECAMATAN)
    portal.table(dataset, kecamatan_2020_csv())
    run_jobs()
    flag = _only(portal.flags(), rules.SUM_KECAMATAN)
    assert [entry["status_to"] for entry in flags.history_of(flag["id"])] == ["open"]
