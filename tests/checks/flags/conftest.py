"""Producers, a walidata and the published Paser figures (shared/reference/figures-published.csv) as uploads,
checked by a real RQ worker, for the consistency flags."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories, helpers
from in_process_jobs import run_jobs
from satudata.conftest import satu_data

# Dukcapil 2020 per kecamatan (figures-published.csv): they add up to 277,400, the published total is 277,401.
DUKCAPIL_2020 = [
    ("Batu Sopang", 24484), ("Tanjung Harapan", 8925), ("Paser Belengkong", 29283), ("Tanah Grogot", 78018),
    ("Kuaro", 29942), ("Long Ikis", 41634), ("Muara Komam", 13422), ("Long Kali", 26991), ("Batu Engau", 17833),
    ("Muara Samu", 6868),
]
DUKCAPIL_TOTAL_2020 = 277401
ALL_KECAMATAN = [f"64.01.{number:02d}" for number in range(1, 11)]
DUKCAPIL_2024 = 309667  # Kemendagri/Dukcapil semester II 2024
BPS_2024 = 292948  # BPS projection 2024

# Metadata the walidata requires (config/checks.yaml), so only the figures raise flags.
COMPLETE = {
    "kode_indikator": "2.12.01", "konsep": "Penduduk", "definisi": "Jumlah penduduk menurut wilayah", "satuan": "jiwa",
    "frequency": "tahunan",
    "temporal_coverage": [{"start": "2020", "end": "2024"}],
}


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    return "\n".join(",".join(str(cell) for cell in line) for line in [header, *rows]) + "\n"


def kabupaten_csv(rows: list[tuple[int, Any]], unit: str = "jiwa") -> str:
    return csv_text(["Kode Wilayah", "Nama Wilayah", "Tahun", f"Jumlah Penduduk ({unit})"],
                    [["64.01", "Kabupaten Paser", year, value] for year, value in rows])


def kecamatan_2020_csv(total: int = DUKCAPIL_TOTAL_2020) -> str:
    rows = [[name, 2020, value] for name, value in DUKCAPIL_2020] + [["Jumlah", 2020, total]]
    return csv_text(["Kecamatan", "Tahun", "Jumlah Penduduk (jiwa)"], rows)


@dataclass
class Portal:
    sysadmin: dict[str, Any]
    walidata: dict[str, Any]  # editor of diskominfostaper
    dukcapil_editor: dict[str, Any]
    bps_editor: dict[str, Any]
    distan_editor: dict[str, Any]
    outsider: dict[str, Any]
    orgs: dict[str, dict[str, Any]]
    upload: Any
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def dataset(self, name: str, org: str, **fields: Any) -> dict[str, Any]:
        values = {**satu_data(), **COMPLETE, **fields}
        dataset = helpers.call_action("package_create", {"user": self.sysadmin["name"]}, name=name, title=name,
                                      owner_org=self.orgs[org]["id"], **values)
        self.datasets[name] = dataset
        return dataset

    def table(self, dataset: dict[str, Any], text: str, filename: str = "tabel.csv", **fields: Any) -> dict:
        return self.upload(text, filename, context={"user": self.sysadmin["name"]}, package_id=dataset["id"],
                           url="upload", **fields)

    def replace(self, resource: dict[str, Any], text: str, filename: str = "tabel.csv") -> dict:
        return self.upload(text, filename, context={"user": self.sysadmin["name"]}, action="resource_update",
                           id=resource["id"], url="upload")

    def population_conflict(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Disdukcapil's and BPS's 2024 population of the regency (309,667 vs 292,948), checked: the datasets and
        the BPS table."""
        dukcapil = self.dataset("penduduk-dukcapil", "disdukcapil")
        bps = self.dataset("penduduk-bps", "bps")
        self.table(dukcapil, kabupaten_csv([(2024, DUKCAPIL_2024)]))
        bps_table = self.table(bps, kabupaten_csv([(2024, BPS_2024)]))
        run_jobs()
        return dukcapil, bps, bps_table

    def flags(self, user: dict[str, Any] | None = None, **params: Any) -> list[dict[str, Any]]:
        user = user or self.walidata
        return helpers.call_action("paser_flag_list", {"user": user["name"], "ignore_auth": False},
                                   **params)["results"]

    def flag_rules(self, user: dict[str, Any] | None = None, **params: Any) -> list[str]:
        return sorted(flag["rule"] for flag in self.flags(user, **params))


@pytest.fixture
def portal(clean_db, clean_index, clean_redis, create_with_upload) -> Portal:
    sysadmin = factories.Sysadmin(name="admin-portal")
    walidata = factories.User(name="walidata-kominfo")
    dukcapil_editor = factories.User(name="operator-disdukcapil")
    bps_editor = factories.User(name="operator-bps")
    distan_editor = factories.User(name="operator-distan")
    outsider = factories.User(name="warga")

    def org(name: str, title: str, editor: dict[str, Any]) -> dict[str, Any]:
        return factories.Organization(name=name, title=title, users=[{"name": editor["name"], "capacity": "editor"}])

    orgs = {
        "diskominfostaper": org("diskominfostaper", "Dinas Komunikasi, Informatika, Statistik dan Persandian",
                                walidata),
        "disdukcapil": org("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", dukcapil_editor),
        "bps": org("bps-kabupaten-paser", "BPS Kabupaten Paser", bps_editor),
        "distan": org("distan", "Dinas Pertanian", distan_editor),
    }
    return Portal(sysadmin, walidata, dukcapil_editor, bps_editor, distan_editor, outsider, orgs, create_with_upload)


@pytest.fixture
def flag_file_server():
    """A local HTTP server on 127.0.0.1 serving a CSV (a remote agency file, as a harvester links it)."""
    import http.server
    import threading

    servers = []

    def serve(text: str) -> str:
        body = text.encode("utf-8")

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/penduduk.csv"

    yield serve
    for server in servers:
        server.shutdown()
