"""The experiment of "The input gate, the candidate and the cell update": one update of a unit holding 0.6."""
import pytest

from lstm_book.experiments.input_gate import OVERWRITE, overwrite_cell


def test_overwrite_cell_adds_kept_and_written():
    kept, written, c_t = overwrite_cell(0.5, 1.0, -0.6)
    assert kept == pytest.approx(0.3) and written == pytest.approx(-0.6) and c_t == pytest.approx(-0.3)


def test_overwrite_cell_reads_the_cell_value_of_the_exercise(monkeypatch):
    monkeypatch.setitem(OVERWRITE, "c_prev", 2.0)
    assert overwrite_cell(1.0, 0.0, 0.5) == (2.0, 0.0, 2.0)
