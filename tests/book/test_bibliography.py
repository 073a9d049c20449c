"""The bibliography's pybtex style (lstm_book.sphinx_search): author-year labels, alphabetical.

The chapters cite author-year (sphinxcontrib-bibtex's author_year referencing style), so the list
they link to is labelled the same way: "Hochreiter and Schmidhuber, 1997", sorted by author.
"""
import pathlib

import pytest

pybtex = pytest.importorskip("pybtex")
from pybtex.database import Entry, Person, parse_file  # noqa: E402
from pybtex.plugin import find_plugin  # noqa: E402

from lstm_book.sphinx_search import author_year_label, register_bibliography_style  # noqa: E402

BIB = pathlib.Path(__file__).resolve().parents[2] / "references.bib"


@pytest.fixture(scope="module")
def formatted():
    register_bibliography_style()
    register_bibliography_style()  # twice, as a second Sphinx build in one process would: harmless
    style = find_plugin("pybtex.style.formatting", "author_year")()
    entries = style.sort(parse_file(str(BIB)).entries.values())
    labels = list(style.format_labels(entries))
    for label, e in zip(labels, entries):
        style.format_entry(label, e)  # every entry has the fields its type needs
    return [(e.key, label, e) for label, e in zip(labels, entries)]


def entry(*authors, year="1997", title="T"):
    e = Entry("article", fields={"title": title, "year": year, "journal": "J"})
    e.persons["author"] = [Person(a) for a in authors]
    return e


def test_labels_name_one_two_or_the_first_author_et_al():
    assert author_year_label(entry("Elman, Jeffrey L.", year="1990")) == "Elman, 1990"
    assert author_year_label(entry("Hochreiter, Sepp", "Schmidhuber, J{\\\"u}rgen")) == \
        "Hochreiter and Schmidhuber, 1997"
    assert author_year_label(entry("Gers, F.", "Schmidhuber, J.", "Cummins, F.", year="2000")) == \
        "Gers et al., 2000"
    assert author_year_label(entry("K{\\\"o}pf, Andreas", year="2019")) == "Köpf, 2019"  # LaTeX accents decoded


def test_the_books_bibliography_is_labelled_author_year(formatted):
    labels = {key: label for key, label, _ in formatted}
    assert labels["hochreiter1997lstm"] == "Hochreiter and Schmidhuber, 1997"
    assert labels["gers2000forget"] == "Gers et al., 2000"
    assert labels["elman1990finding"] == "Elman, 1990"
    assert labels["hochreiter1991untersuchungen"] == "Hochreiter, 1991"
    assert not any(label.isdigit() for label in labels.values()), "numbered labels"
    assert len(set(labels.values())) == len(labels), "two entries share a label"


def test_the_list_is_alphabetical_by_author_then_year(formatted):
    keys = [(e.persons["author"][0].last_names[0].lower(), len(e.persons["author"]) > 1, e.fields["year"])
            for _, _, e in formatted]
    firsts = [k[0] for k in keys]
    assert firsts == sorted(firsts), firsts
    # one author's own works first, then with co-authors (Hochreiter 1991, then Hochreiter and
    # Schmidhuber 1997), as the author-year-title sort of pybtex orders them
    assert [label for _, label, _ in formatted].index("Hochreiter, 1991") < \
        [label for _, label, _ in formatted].index("Hochreiter and Schmidhuber, 1997")


def test_same_authors_and_year_get_a_letter():
    register_bibliography_style()
    style = find_plugin("pybtex.style.formatting", "author_year")()
    a, b = entry("Karpathy, Andrej", year="2015", title="A"), entry("Karpathy, Andrej", year="2015", title="B")
    labels = list(style.format_labels(style.sort([b, a])))
    assert labels == ["Karpathy, 2015a", "Karpathy, 2015b"]
