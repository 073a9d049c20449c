"""slider_frames wiring, and the notebook helpers."""
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_book.notebook import setup_notebook, show_source
from lstm_book.widgets import slider_frames


def _render(**values):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title(repr(values))
    return fig


def test_one_slider_per_name_and_one_frame_per_combination():
    box = slider_frames(_render, {"a": [1, 2, 3], "b": [0.5, 1.0]}, feedback=lambda a, b: f"<b>{a * b}</b>",
                        initial={"a": 2})
    sliders = [c for c in box.children if isinstance(c, widgets.SelectionSlider)]
    assert [s.description for s in sliders] == ["a", "b"]
    assert sliders[0].index == 1 and sliders[1].index == 0
    outer = box.children[-1]
    assert isinstance(outer, widgets.Stack) and len(outer.children) == 3 and outer.selected_index == 1
    inner = outer.children[2]
    assert isinstance(inner, widgets.Stack) and len(inner.children) == 2
    leaf = inner.children[1]  # a=3, b=1.0
    image, html = leaf.children
    assert image.value[:4] == b"\x89PNG" and html.value == "<b>3.0</b>"
    assert len(box.links) == 1 + 3  # outer stack, then each inner stack follows the second slider
    assert repr(box) == "SliderFrames(sliders=['a', 'b'], frames=6)"
    assert plt.get_fignums() == []  # every frame's figure was closed


def test_links_tie_slider_index_to_stack():
    box = slider_frames(_render, {"k": [1, 2]})
    (link,) = box.links
    assert link.source == (box.children[0], "index") and link.target == (box.children[1], "selected_index")


def test_empty_slider_values_are_refused():
    with pytest.raises(ValueError, match="non-empty list"):
        slider_frames(_render, {"k": []})


def test_setup_notebook_is_deterministic():
    a = setup_notebook(seed=3).normal(size=3)
    b = setup_notebook(seed=3).normal(size=3)
    assert np.array_equal(a, b)


def test_show_source_displays_the_real_code(capsys, monkeypatch):
    shown = []
    monkeypatch.setattr("lstm_book.notebook.display", shown.append)
    show_source(setup_notebook)
    text = shown[0].data
    assert text.startswith("`lstm_book/notebook.py`: `setup_notebook`\n") and "def setup_notebook(seed=0):" in text


def test_shown_source_has_a_plain_text_form_that_nbval_compares(monkeypatch):
    shown = []
    monkeypatch.setattr("lstm_book.notebook.display", shown.append)
    show_source(setup_notebook)
    plain = repr(shown[0])
    assert plain.startswith("`lstm_book/notebook.py`: `setup_notebook`\n") and "def setup_notebook(seed=0):" in plain
    assert "```" not in plain  # the code itself, not the Markdown wrapper
    from IPython.core.formatters import PlainTextFormatter

    assert PlainTextFormatter()(shown[0]) == plain  # what the notebook stores as text/plain


def test_sci_writes_numbers_for_the_prose():
    from lstm_book.notebook import sci

    assert sci(4e-06) == "4 × 10⁻⁶" and sci(2.1e-06, 1) == "2.1 × 10⁻⁶" and sci(3e12) == "3 × 10¹²"


def test_show_source_names_no_line_numbers_and_refuses_private_code(monkeypatch):
    from lstm_book import notebook

    shown = []
    monkeypatch.setattr("lstm_book.notebook.display", shown.append)
    show_source(notebook)
    assert repr(shown[0]).startswith("`lstm_book/notebook.py`\n") and "lines" not in repr(shown[0]).split("\n")[0]
    def _private_helper():
        pass

    with pytest.raises(ValueError, match="public code only"):
        show_source(_private_helper)
