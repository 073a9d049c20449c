"""Shared fixtures, and a per-chapter execution-time report for the nbval run."""
import collections
import os
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # no screen: every test that draws uses the file backend
# Kernels started by nbval inherit this: no progress bars (lstm_book.notebook.progress).
os.environ.setdefault("LSTM_BOOK_QUIET", "1")

_notebook_seconds = collections.defaultdict(float)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_runtest_logreport(report):
    if report.when == "call" and report.nodeid.split("::")[0].endswith(".ipynb"):
        _notebook_seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    # with xdist the controller receives every worker's reports, so the sums cover all chapters
    if _notebook_seconds:
        terminalreporter.section("chapter execution times (budget: 90 s each)")
        for path, seconds in sorted(_notebook_seconds.items()):
            flag = "" if seconds <= 90 else "   OVER BUDGET"
            terminalreporter.write_line(f"{seconds:7.1f} s  {path}{flag}")
        terminalreporter.write_line(f"{sum(_notebook_seconds.values()):7.1f} s  all chapters (budget: 720 s)")


class _UnwrappedCapture:
    """capsys whose .out joins the lines the checkers' feedback wraps at the text column
    (lstm_book.exercises.feedback.WIDTH), so a test can look for a whole sentence."""

    def __init__(self, capsys):
        self._capsys = capsys

    def readouterr(self):
        captured = self._capsys.readouterr()
        return type(captured)(re.sub(r"\n     (?=\S)", " ", captured.out), captured.err)

    def __getattr__(self, name):
        return getattr(self._capsys, name)


@pytest.fixture
def capsys(capsys):
    return _UnwrappedCapture(capsys)
