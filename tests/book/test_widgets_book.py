"""slider_frames wiring, figure resolution, and the notebook helpers."""
import base64
import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_book.notebook import setup_notebook, show_source
from lstm_book.widgets import COLUMN, SCALE, figure_image, inline_png, reduce_colours, slider_frames


@pytest.fixture(autouse=True)
def _restore_global_state():
    """setup_notebook sets process-wide state (numpy print options, rcParams, torch threads);
    undo it so that later tests in the same worker (e.g. doctests of array reprs) see defaults."""
    import matplotlib as mpl
    import torch

    threads = torch.get_num_threads()
    with np.printoptions(), mpl.rc_context():
        yield
    torch.set_num_threads(threads)


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
    assert image.value[:4] == b"RIFF" and image.value[8:12] == b"WEBP" and image.format == "webp"
    assert html.value == "<b>3.0</b>"
    assert len(box.links) == 1 + 3  # outer stack, then each inner stack follows the second slider
    assert repr(box) == "SliderFrames(sliders=['a', 'b'], frames=6)"
    assert plt.get_fignums() == []  # every frame's figure was closed


def test_links_tie_slider_index_to_stack():
    box = slider_frames(_render, {"k": [1, 2]})
    (link,) = box.links
    assert link.source == (box.children[0], "index") and link.target == (box.children[1], "selected_index")


def _pixel_width(data):
    from PIL import Image

    return Image.open(io.BytesIO(data)).width


def test_frames_are_drawn_at_twice_the_width_they_are_shown_at():
    box = slider_frames(_render, {"k": [1, 2]})
    for image in box.children[-1].children:  # no feedback: the stack holds the images themselves
        shown = int(image.width)
        assert 120 < shown <= 220  # a 2-inch figure at 100 px per inch, cropped to its contents
        assert abs(_pixel_width(image.value) - SCALE * shown) <= 2


def test_a_figure_wider_than_the_column_is_shown_at_the_column_width():
    fig, ax = plt.subplots(figsize=(12, 3))
    ax.plot([0, 1], [0, 1])
    data, shown = figure_image(fig, fmt="png")
    assert shown == COLUMN and abs(_pixel_width(data) - SCALE * COLUMN) <= 2 and data[:4] == b"\x89PNG"


def test_sliders_span_the_column_and_the_boxes_share_one_layout():
    box = slider_frames(_render, {"a": [1, 2, 3], "b": [0.5, 1.0]}, feedback=lambda a, b: f"{a}")
    sliders = box.children[:2]
    assert all(s.layout.width == "100%" and s.style.description_width == "initial" for s in sliders)
    assert sliders[0].layout is sliders[1].layout and sliders[0].style is sliders[1].style
    layouts = set()

    def walk(w):
        layouts.add(id(w.layout))
        for child in getattr(w, "children", ()):
            walk(child)

    walk(box.children[-1])
    assert len(layouts) == 1  # stacks, frame boxes, images and feedback: one layout model


def test_reduce_colours_keeps_the_frequent_colours_exactly():
    from PIL import Image

    rng = np.random.default_rng(0)
    pixels = np.full((60, 80, 3), 255, dtype=np.uint8)
    pixels[:10] = (0, 114, 178)  # a line colour, and a close one that a median cut merges with it
    pixels[10:20] = (0, 100, 190)
    pixels[30:] = rng.integers(0, 256, size=(30, 80, 3))  # a noisy "heat map" of 2400 colours
    image = reduce_colours(Image.fromarray(pixels), 16)
    assert image.mode == "P" and len(image.getcolors()) <= 16
    rgb = np.asarray(image.convert("RGB"))
    assert (rgb[:30] == pixels[:30]).all()  # white and both line colours unchanged


def test_shown_figures_are_2x_pngs_with_their_display_width():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 1], [1, 0])
    data, metadata = inline_png(fig)
    shown = metadata["width"]
    assert 300 < shown <= 420 and abs(_pixel_width(base64.b64decode(data)) - SCALE * shown) <= 2
    plt.close(fig)


def test_setup_notebook_makes_ipython_show_figures_at_2x():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        setup_notebook()
        fig, ax = plt.subplots(figsize=(4, 2))
        data, metadata = shell.display_formatter.format(fig)
        assert metadata["image/png"]["width"] == inline_png(fig)[1]["width"]
        assert data["text/plain"] == "<Figure size 400x200 with 1 Axes>"  # what nbval compares: unchanged
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()


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
