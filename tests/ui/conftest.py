"""A real portal process and a real headless Chromium (Debian's, driven by Playwright) for UI flows."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("PASER_CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Flags the sandboxed machine needs: no sandbox as root, and no background calls to the closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def portal_ini(pytestconfig: pytest.Config) -> str:
    """The configuration the tests run with (--ckan-ini, config/test.ini for `make test`): the portal and its
    workers use the same one, so they see the databases, queue and storage the tests fill."""
    return os.path.abspath(pytestconfig.getoption("ckan_ini") or os.path.join(ROOT, "config", "test.ini"))


@pytest.fixture(scope="session")
def portal_url(portal_ini: str) -> Iterator[str]:
    """`ckan run` on the tests' configuration, on a free port of 127.0.0.1, for the whole UI session."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CKAN_SITE_URL=url)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    os.makedirs(os.path.join(ROOT, ".data"), exist_ok=True)
    log = open(os.path.join(ROOT, ".data", "ui-portal.log"), "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [ckan, "-c", portal_ini, "run", "--host", "127.0.0.1",
         "--port", str(port), "--disable-reloader"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/3/action/status_show", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the portal did not start; see {log.name}") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
