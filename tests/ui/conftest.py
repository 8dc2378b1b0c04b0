"""A real portal process and a real headless Chromium (Debian's, driven by Playwright) for UI flows."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from live_portal import ROOT, free_port, start_portal

CHROMIUM = os.environ.get("PASER_CHROMIUM", "/usr/bin/chromium")
# Flags the sandboxed machine needs: no sandbox as root, and no background calls to the closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def portal_ini(pytestconfig: pytest.Config) -> str:
    """The configuration the tests run with (--ckan-ini, config/test.ini for `make test`): the portal and its
    workers use the same one, so they see the databases, queue and storage the tests fill."""
    return os.path.abspath(pytestconfig.getoption("ckan_ini") or os.path.join(ROOT, "config", "test.ini"))


# config/test.ini switches CSRF protection off for the suite's test client; the browser meets the portal as
# production serves it, every form and confirm-action button carrying its token.
LIVE_INI = """[app:main]
use = config:{ini}
WTF_CSRF_ENABLED = true
"""


def _logging_sections(ini: str) -> str:
    """The ini's own logging sections: CKAN reads logging from the file it is started with."""
    with open(ini, encoding="utf-8") as handle:
        text = handle.read()
    return text[text.index("[loggers]"):] if "[loggers]" in text else ""


@pytest.fixture(scope="session")
def portal_url(portal_ini: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`ckan run` on the tests' configuration with CSRF protection on, on a free port of 127.0.0.1, for the whole
    UI session."""
    live_ini = str(tmp_path_factory.mktemp("ui") / "portal.ini")
    with open(live_ini, "w", encoding="utf-8") as handle:
        handle.write(LIVE_INI.format(ini=portal_ini) + "\n" + _logging_sections(portal_ini))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    os.makedirs(os.path.join(ROOT, ".data"), exist_ok=True)
    # One log per pytest-xdist worker (ui-portal-gw0.log), so two UI sessions do not write over each other.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"ui-portal-{worker}.log" if worker else "ui-portal.log"
    with open(os.path.join(ROOT, ".data", name), "w") as log:
        process = start_portal(live_ini, port, log, env=dict(os.environ, CKAN_SITE_URL=url))
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


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
