"""The rules over plain figures, and the thresholds file: what each rule finds, and what it lets pass."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from ckanext.paser.checks import rules
from ckanext.paser.checks.rules_config import RulesConfig, RulesFileError, parse_rules, parse_unit

CONFIG_FILE = Path(__file__).parents[3] / "config" / "checks.yaml"


def figure(region: str, value, period: str | None = "2020", *, org: str = "dukcapil", package: str = "d1",
           unit: str | None = "jiwa", level: str | None = None, cell: str = "C2") -> dict:
    if level is None:
        level = {2: "kabupaten", 3: "kecamatan"}.get(region.count(".") + 1, "desa")
    return {"package_id": package, "resource_id": f"r-{package}", "organization_id": org, "region_code": region,
            "region_level": level, "period": period, "value": Decimal(str(value)), "unit": unit, "sheet": None,
            "cell": cell}


@pytest.fixture(scope="module")
def config() -> RulesConfig:
    return parse_rules(yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")), str(CONFIG_FILE))


def found(indicator: str, figures: list[dict], config: RulesConfig, rule: str | None = None) -> list[rules.Finding]:
    result = rules.evaluate_indicator(indicator, figures, config)
    return [finding for finding in result if rule is None or finding.rule == rule]


def test_producers_within_tolerance_agree(config):
    assert found("jumlah_penduduk", [figure("64.01", 1000), figure("64.01", 1009, org="bps", package="d2")],
                 config) == []


def test_producers_beyond_tolerance_warn_then_err(config):
    warning, = found("jumlah_penduduk", [figure("64.01", 1000), figure("64.01", 1030, org="bps", package="d2")],
                     config, rules.CROSS_PRODUCER)
    assert warning.severity == "warning" and warning.params["difference"] == "3.0"
    error, = found("jumlah_penduduk", [figure("64.01", 292948, "2024"),
                                       figure("64.01", 309667, "2024", org="bps", package="d2")],
                   config, rules.CROSS_PRODUCER)
    assert error.severity == "error" and error.params["difference"] == "5.7"
    assert set(error.datasets) == {"d1", "d2"}


def test_one_producer_twice_is_not_a_cross_producer_conflict(config):
    assert found("jumlah_penduduk", [figure("64.01", 1000), figure("64.01", 2000, package="d2")], config,
                 rules.CROSS_PRODUCER) == []


def test_areas_have_their_own_tolerance(config):
    # Batu Sopang 1111.38 km² (Pemkab) vs 1091 (Dukcapil): 1.9 %, within the 2 % of luas_wilayah.
    assert found("luas_wilayah", [figure("64.01.01", "1111.38", None, unit="km2"),
                                  figure("64.01.01", 1091, None, org="pemkab", package="d2", unit="km2")],
                 config, rules.CROSS_PRODUCER) == []
    # Paser Belengkong 990.11 vs 676: 46 %.
    conflict, = found("luas_wilayah", [figure("64.01.03", "990.11", None, unit="km2"),
                                       figure("64.01.03", 676, None, org="pemkab", package="d2", unit="km2")],
                      config, rules.CROSS_PRODUCER)
    assert conflict.severity == "error" and conflict.params["period"] == rules.NO_PERIOD


def test_kecamatan_sum_must_equal_total(config):
    parts = [figure(f"64.01.{n:02d}", 100) for n in range(1, 11)]
    assert found("jumlah_penduduk", [*parts, figure("64.01", 1000)], config) == []
    mismatch, = found("jumlah_penduduk", [*parts, figure("64.01", 1001)], config, rules.SUM_KECAMATAN)
    assert mismatch.params == {**mismatch.params, "sum": "1000", "total": "1001", "difference": "-1", "count": "10"}


def test_partial_kecamatan_only_flagged_when_they_exceed_the_total(config):
    parts = [figure(f"64.01.{n:02d}", 300) for n in range(1, 4)]
    assert found("jumlah_penduduk", [*parts, figure("64.01", 1000)], config, rules.SUM_KECAMATAN) == []
    over, = found("jumlah_penduduk", [*parts, figure("64.01", 800)], config, rules.SUM_KECAMATAN)
    assert over.message == rules.SUM_KECAMATAN_PARTIAL_MESSAGE


def test_desa_sum_against_their_kecamatan(config):
    from ckanext.paser.reference import kecamatan_by_code

    desa = [d.kode_kemendagri for d in kecamatan_by_code("64.01.10").desa]
    parts = [figure(code, 10, level="desa") for code in desa]
    total = 10 * len(desa)
    assert found("jumlah_penduduk", [*parts, figure("64.01.10", total)], config, rules.SUM_DESA) == []
    mismatch, = found("jumlah_penduduk", [*parts, figure("64.01.10", total + 5)], config, rules.SUM_DESA)
    assert mismatch.region_code == "64.01.10" and mismatch.params["region"] == "Kecamatan Muara Samu"


def test_averages_are_not_summed(config):
    parts = [figure(f"64.01.{n:02d}", 3) for n in range(1, 11)]
    assert found("rata_rata_anggota_rumah_tangga", [*parts, figure("64.01", 3)], config, rules.SUM_KECAMATAN) == []


def test_period_jump_beyond_the_indicator_limit(config):
    series = [figure("64.01", 277401, "2020"), figure("64.01", 280000, "2021"), figure("64.01", 330000, "2022")]
    jump, = found("jumlah_penduduk", series, config, rules.PERIOD_JUMP)
    assert (jump.params["period_from"], jump.params["period_to"], jump.severity) == ("2021", "2022", "warning")
    # Years apart are not consecutive periods.
    assert found("jumlah_penduduk", [figure("64.01", 100, "2010"), figure("64.01", 300, "2020")], config,
                 rules.PERIOD_JUMP) == []


def test_impossible_values(config):
    negative, = found("jumlah_penduduk", [figure("64.01.01", -5)], config, rules.IMPOSSIBLE_VALUE)
    assert negative.message == rules.NEGATIVE_MESSAGE and negative.severity == "error"
    share, = found("persentase_penduduk_miskin", [figure("64.01.01", "112.5", unit="%")], config,
                   rules.IMPOSSIBLE_VALUE)
    assert share.message == rules.SHARE_MESSAGE
    bounds, = found("laju_pertumbuhan_penduduk", [figure("64.01", 25, unit="%")], config, rules.IMPOSSIBLE_VALUE)
    assert bounds.message == rules.BOUNDS_MESSAGE
    assert found("persentase_penduduk_miskin", [figure("64.01.01", "9.5", unit="persen")], config) == []


def test_units_and_scales(config):
    assert parse_unit("ribu jiwa").base == "jiwa" and parse_unit("ribu jiwa").scale == 1000
    assert parse_unit("orang").base == "jiwa"
    assert parse_unit("km²").base == "km2"
    mismatch, = found("jumlah_penduduk", [figure("64.01", 309667, "2024"),
                                          figure("64.01", "292.9", "2024", org="bps", package="d2",
                                                 unit="ribu jiwa")], config, rules.UNIT_MISMATCH)
    assert mismatch.params["units"] == "jiwa, ribu jiwa"
    # jiwa and orang are the same unit.
    assert found("jumlah_penduduk", [figure("64.01", 1, unit="jiwa"), figure("64.01", 1, unit="orang",
                                                                               org="x", package="d2")],
                 config, rules.UNIT_MISMATCH) == []


def test_missing_metadata(config):
    dataset = {"id": "d1", "owner_org": "o", "konsep": "", "definisi": "x", "satuan": "jiwa",
               "frequency": "tahunan", "temporal_coverage": [{"start": "", "end": ""}]}
    finding, = rules.missing_metadata(dataset, config)
    assert finding.params["fields"] == "konsep, temporal_coverage"
    complete = {**dataset, "konsep": "Penduduk", "temporal_coverage": [{"start": "2020", "end": ""}]}
    assert rules.missing_metadata(complete, config) == []


@pytest.mark.parametrize(("data", "message"), [
    ({"defaults": {"cross_producer": {"tolerance": "banyak"}}}, "must be a number"),
    ({"indicators": {"x": {"kind": "jumlah"}}}, "kind must be one of"),
    ({"indicators": {"x": {"toleransi": 1}}}, "unknown setting"),
    ({"aturan": {}}, "unknown section"),
    ({"severity": {"sum_kecamatan": "fatal"}}, "error or warning"),
    ({"defaults": {"sum": {"tolerance": -1}}}, "must not be negative"),
])
def test_a_malformed_rules_file_is_refused_with_the_place(data, message):
    with pytest.raises(RulesFileError, match=message) as error:
        parse_rules(data, "config/checks.yaml")
    assert str(error.value).startswith("config/checks.yaml")


def test_the_shipped_file_parses_and_exact_entries_override_patterns(config):
    assert config.for_indicator("jumlah_penduduk").max_jump == 0.1
    assert config.for_indicator("persentase_x").kind == "share"
    assert config.for_indicator("2.12.01").cross_error_above == 0.05  # a code falls back to the defaults
