"""The plain text that search snippets are cut from (lstm_book.sphinx_search): math as Unicode
text, no TeX source, and the span of every section so a section's result shows that section."""
import json
import pathlib
import re

from docutils.core import publish_doctree

from lstm_book.sphinx_search import page_text, tex_to_text

BOOK = pathlib.Path(__file__).resolve().parents[2] / "book"


def book_math():
    """Every $...$ and $$...$$ in the chapters' and pages' Markdown."""
    texts = [p.read_text(encoding="utf-8") for p in BOOK.rglob("*.md")]
    for path in BOOK.rglob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    maths = []
    for text in texts:
        maths += re.findall(r"\$\$(.+?)\$\$", text, re.S)
        maths += re.findall(r"(?<![\\$])\$([^$\n]+?)\$", re.sub(r"\$\$(.+?)\$\$", "", text, flags=re.S))
    return maths


def test_the_books_math_reads_without_tex():
    maths = book_math()
    assert len(maths) > 100
    left = {m: tex_to_text(m) for m in maths if "\\" in tex_to_text(m)}
    assert left == {}, list(left.items())[:10]


def test_common_formulas():
    assert tex_to_text(r"c_t = f_t \odot c_{t-1} + i_t \odot g_t") == "cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ"
    assert tex_to_text(r"\sigma(x) = \frac{1}{1 + e^{-x}}") == "σ(x) = 1/(1 + e⁻ˣ)"
    assert tex_to_text(r"W \in \mathbb{R}^{4H \times D}") == "W ∈ ℝ^(4H × D)"


def test_page_text_has_no_tex_and_spans_its_sections():
    doctree = publish_doctree(r"""
Title
=====

Intro with :math:`h_t = o_t \odot \tanh(c_t)` inline.

First
-----

.. math::

   f_t = \sigma(W_f x_t + b_f)

Second
------

Plain words.
""", settings_overrides={"report_level": 5, "doctitle_xform": False})  # as Sphinx
    data = page_text(doctree)
    text = data["text"]
    assert "hₜ = oₜ ⊙ tanh(cₜ)" in text and "fₜ = σ(W_f xₜ + b_f)" in text
    assert "\\" not in text and "Title" not in text  # the page title is the result's link
    first = text[slice(*data["ids"]["first"])]
    assert first.startswith(" First") or first.startswith("First")
    assert "σ" in first and "Plain words" not in first
    assert text[slice(*data["ids"]["second"])].strip() == "Second Plain words."
