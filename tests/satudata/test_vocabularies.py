"""The Satu Data vocabularies have one source, the dataset schema: every reader of a klasifikasi, a jadwal
pemutakhiran or a jenis data knows exactly the schema's choices."""
from __future__ import annotations

import pytest
import yaml
from ckanext.paser.dcat import profile
from ckanext.paser.harvesters.base import ConfigError
from ckanext.paser.harvesters.bps.client import parse_config as bps_config
from ckanext.paser.harvesters.portals import common as portals
from ckanext.paser.harvesters.spreadsheet.config import parse_config as spreadsheet_config
from ckanext.paser.satudata import validators, vocabularies


def schema_choices(field_name: str) -> list[str]:
    with vocabularies.SCHEMA.open(encoding="utf-8") as handle:
        fields = yaml.safe_load(handle)["dataset_fields"]
    return [choice["value"] for field in fields if field["field_name"] == field_name for choice in field["choices"]]


def test_the_vocabularies_are_the_schema_s_choices():
    assert list(vocabularies.KLASIFIKASI) == schema_choices("klasifikasi") == ["terbuka", "terbatas", "tertutup"]
    assert list(vocabularies.FREQUENCIES) == schema_choices("frequency")
    assert list(vocabularies.JENIS_DATA) == schema_choices("jenis_data")
    assert validators.KLASIFIKASI == vocabularies.KLASIFIKASI


def test_dcat_maps_every_code_of_the_schema():
    assert set(profile.FREQUENCY) == set(profile.FREQUENCY_LABEL) == set(vocabularies.FREQUENCIES)
    assert set(profile.ACCESS_RIGHT) == set(profile.ACCESS_RIGHT_LABEL) == set(vocabularies.KLASIFIKASI)
    assert profile.FREQUENCY_LABEL["semesteran"] == "Semesteran"
    assert profile.ACCESS_RIGHT_LABEL["terbatas"] == "Terbatas"


@pytest.mark.parametrize("klasifikasi", schema_choices("klasifikasi"))
def test_harvest_sources_accept_every_klasifikasi_of_the_schema(klasifikasi):
    assert spreadsheet_config(f'{{"klasifikasi": "{klasifikasi}"}}', "http://127.0.0.1/a.xlsx").klasifikasi == klasifikasi
    assert bps_config(f'{{"klasifikasi": "{klasifikasi}", "api_key": "k"}}').klasifikasi == klasifikasi


def test_harvest_sources_refuse_what_the_schema_does_not_know():
    choices = ", ".join(schema_choices("klasifikasi"))
    for parse in (lambda text: spreadsheet_config(text, "http://127.0.0.1/a.xlsx"), bps_config):
        with pytest.raises(ConfigError) as raised:
            parse('{"klasifikasi": "rahasia"}')
        assert str(raised.value) == f"klasifikasi must be one of {choices}"
    with pytest.raises(ConfigError) as frequency:
        spreadsheet_config('{"frequency": "dwitahunan"}', "http://127.0.0.1/a.xlsx")
    assert str(frequency.value) == f"frequency must be one of {', '.join(schema_choices('frequency'))}"
    with pytest.raises(ValueError, match="geospasial"):
        portals.check_config({"jenis_data": "lainnya"})
