"""A CKAN site run as its own process (`ckan run`) for the tests that need a real HTTP server: the UI flows and
the DCAT round trip's publishing portal."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from typing import IO

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_portal(ini: str, port: int, log: IO[str], env: dict[str, str] | None = None,
                 timeout_s: float = 90, args: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    """`ckan -c ini run` on 127.0.0.1:port (with ``args``, e.g. make run's ``--disable-debugger``), returned once it
    answers `status_show`; the caller terminates it."""
    process = subprocess.Popen([CKAN, "-c", ini, "run", "--host", "127.0.0.1", "--port", str(port),
                                "--disable-reloader", *args], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.terminate()
                raise RuntimeError(f"the portal of {ini} did not start; see {log.name}") from None
            time.sleep(0.5)


def derived_ini(path: str, base: str, settings: str) -> str:
    """Write an ini at ``path`` that is ``base`` with ``settings`` (ini lines of [app:main]) over it, and ``base``'s
    own logging sections (CKAN reads logging from the file it is started with); returns ``path``."""
    with open(base, encoding="utf-8") as handle:
        text = handle.read()
    logging = text[text.index("[loggers]"):] if "[loggers]" in text else ""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"[app:main]\nuse = config:{os.path.abspath(base)}\n{settings.strip()}\n\n{logging}")
    return path

