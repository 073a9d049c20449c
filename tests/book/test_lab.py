"""`make lab` works: JupyterLab runs a notebook with a library slider, and the widget renders and moves."""
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from test_browser import CHROMIUM

pytestmark = pytest.mark.browser

CELL = """\
import matplotlib.pyplot as plt
from lstm_book.widgets import slider_frames

def render(w):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, w])
    ax.set_title(f"w = {w}")
    return fig

slider_frames(render, {"w": [1, 2, 3]}, feedback=lambda w: f"w is {w}")
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    cell = {"cell_type": "code", "metadata": {}, "source": CELL, "outputs": [], "execution_count": None}
    notebook = {"cells": [cell],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (folder / "slider.ipynb").write_text(json.dumps(notebook))
    port = free_port()
    jupyter = pathlib.Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [str(jupyter), "lab", str(folder), "--no-browser", f"--port={port}", "--allow-root",
         "--IdentityProvider.token=test", "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, JUPYTER_NO_CONFIG="1"))
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token=test", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_lab_runs_a_slider_and_it_moves(lab):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"{lab}/lab/tree/slider.ipynb?token=test")
        page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60000)
        page.wait_for_function("""() => {
            const w = window.jupyterapp.shell.currentWidget;
            return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                && w.sessionContext.session.kernel.status === "idle";
        }""", timeout=60000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        handle = page.locator(".jp-OutputArea .noUi-handle").first
        handle.wait_for(timeout=60000)
        assert page.locator(".jp-OutputArea .widget-html-content").first.inner_text() == "w is 1"
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('.jp-OutputArea .widget-html-content').textContent === 'w is 2'",
            timeout=10000)
        browser.close()
