"""A real browser for the tests: Debian's Chromium driven by Playwright for Python, and a JupyterLab
server on 127.0.0.1 with a token and a temporary root folder. Nothing is downloaded: Playwright is
pointed at the system's Chromium, and the tests skip, saying why, where there is none."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# This machine's network is closed: without these flags Chromium keeps trying to reach Google's
# services (updates, sync, field trials) and floods it with refused connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
STUDENT_CONFIG = ROOT / "jupyter-config" / "student"


def chromium_path() -> str | None:
    """``$MEDAI_CHROMIUM``, else the first Chromium or Chrome on the PATH."""
    env = os.environ.get("MEDAI_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    return next(filter(None, map(shutil.which, CHROMIUM_CANDIDATES)), None)


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator:
    """A headless Chromium with a fresh profile in ``profile``; skips the test when Playwright or
    Chromium is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set MEDAI_CHROMIUM); "
                    ".ci/run installs it where it can")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(root: Path, home: Path, student: bool = True, timeout: float = 90
                ) -> Iterator[tuple[str, str]]:
    """A JupyterLab server serving ``root`` on a free port of 127.0.0.1; yields ``(url, token)``.

    Its settings, runtime files and IPython profile live under ``home``, so nothing of the user's
    own Jupyter set-up is read or changed; ``student`` adds the student-mode config that
    ``make lab`` uses."""
    port, token = free_port(), "medai-test-token"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"),
               MEDAI_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="module://matplotlib_inline"
               ".backend_inline")
    env.pop("JUPYTER_CONFIG_PATH", None)
    # JupyterLab's "get notified about Jupyter news?" toast would cover the cells being clicked.
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    if student:
        env["JUPYTER_CONFIG_PATH"] = str(STUDENT_CONFIG)
    log = open(home / "lab.log", "wb")  # closed below, once the server has stopped
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.allow_root=True"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (home / "lab.log").read_text(errors="replace")[-3000:]
                                       ) from None
                time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
