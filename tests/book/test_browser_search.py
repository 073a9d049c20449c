"""Search in the built book, in headless Chromium with every non-local request blocked.

For every chapter, a search for the chapter's title lists that chapter first and only once; the
result snippets are plain text (no TeX source); a search downloads small per-page text files for
its snippets, not the chapter pages (which carry the widgets' saved frames). The bibliography is
labelled author-year and alphabetical, and each citation's text names the entry it links to.
Run after the book is built, like test_browser.py, whose fixtures this file shares.
"""
import html
import json
import re

import pytest
from test_browser import HTML, browser, chapter_pages, open_page, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# TeX source a reader should not see in a snippet: \( \) \[ \] $$, \begin{...}, \frac, \sigma, ...
TEX = re.compile(r"\\[()\[\]]|\$\$|\\[A-Za-z]{2,}")


def chapter_titles():
    """(page, title) for every chapter, read from the search index the build wrote."""
    index = (HTML / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    titles = dict(zip(data["docnames"], data["titles"]))
    return [(page, re.sub(r"<[^>]+>|^\s*\d+\.\s*", "", re.sub(r"<span[^>]*>[^<]*</span>", "", titles[page[:-5]])))
            for page in chapter_pages()]


def search(browser, server, query):  # noqa: F811
    """Search for `query` on search.html; return (results, page, problems, downloads) once every
    snippet has loaded: results are (page path, title, snippet) in the order listed, downloads are
    (url, bytes) for every response the search page read (Resource Timing, decoded body sizes)."""
    page, problems = open_page(browser, server, "search.html?q=" + query.replace(" ", "+"))
    page.wait_for_function("() => (document.querySelector('#search-results .search-summary') || {})"
                           ".innerText && !document.querySelector('#search-results h2').innerText"
                           ".startsWith('Searching')", timeout=20000)
    page.wait_for_load_state("networkidle")
    results = page.evaluate("""() => Array.from(document.querySelectorAll('ul.search > li')).map(li => {
        const a = li.querySelector('a');
        const p = li.querySelector('p.context');
        return [new URL(a.href).pathname.replace(/^\\//, ''), a.innerText, p ? p.innerText : null];
    })""")
    downloads = page.evaluate("""() => performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource')).map(e => [e.name, e.decodedBodySize])""")
    return results, page, problems, downloads


def test_every_chapter_has_a_title():
    titles = chapter_titles()
    assert len(titles) >= 3 and all(title for _, title in titles), titles


def test_every_chapter_is_found_first_and_once_by_its_title(browser, server):  # noqa: F811
    # one page load: every title goes through the search page's own query code (Sphinx's
    # searchtools.js plus _static/search-scorer.js), which lists the results in this order
    page, problems = open_page(browser, server, "search.html")
    page.wait_for_function("() => Search.hasIndex()", timeout=20000)
    titles = chapter_titles()
    ranked = page.evaluate("""titles => titles.map(title => {
        const [query, terms, excluded, highlight, objects] = Search._parseQuery(title);
        return Search._performSearch(query, terms, excluded, highlight, objects).reverse().map(r => r[0]);
    })""", [title for _, title in titles])
    wrong = []
    for (path, title), docs in zip(titles, ranked):
        pages = [doc + ".html" for doc in docs]
        if not pages or pages[0] != path or len(set(pages)) != len(pages):
            wrong.append((title, pages.index(path) + 1 if path in pages else None, pages.count(path), len(pages)))
    assert wrong == [], f"(title, rank, times listed, results): {wrong}"
    assert problems == [], problems
    page.close()


@pytest.mark.parametrize("query,first", [("forget gate", "book/part3/forget_gate.html"),
                                         ("cell state", "book/part3/cell_state.html")])
def test_results_listed_once_with_plain_text_snippets_fetched_small(browser, server, query, first):  # noqa: F811
    results, page, problems, downloads = search(browser, server, query)
    pages = [r[0] for r in results]
    assert len(pages) >= 3 and pages[0] == first, pages
    assert len(set(pages)) == len(pages), f"a page listed twice: {pages}"
    snippets = [r[2] for r in results]
    assert all(snippets), f"results without a snippet: {[r[0] for r in results if not r[2]]}"
    tex = [(r[0], TEX.findall(r[2])) for r in results if TEX.search(r[2])]
    assert tex == [], f"TeX in snippets: {tex}"
    # at least one snippet shows a query word (Sphinx cuts the text around the first match)
    words = query.split()
    assert any(any(w in s.lower() for w in words) for s in snippets), snippets
    fetched = [url for url, _ in downloads if re.search(r"/book/.+\.html", url)]
    assert fetched == [], f"the search fetched whole pages for its snippets: {fetched}"
    texts = [(url, size) for url, size in downloads if "/_search/" in url]
    assert len(texts) == len(results) and max(size for _, size in texts) < 100_000, texts
    assert problems == [], problems
    page.close()


def _words(html_text):
    return re.findall(r"\w+", html.unescape(re.sub(r"<[^>]+>", "", html_text)))


def test_citations_name_their_bibliography_entry_which_is_listed_author_year():
    bib = (HTML / "book" / "bibliography.html").read_text(encoding="utf-8")
    labels = dict(re.findall(r'<div class="citation" id="([^"]+)"[^>]*>\s*<span class="label">'
                             r'<span class="fn-bracket">\[</span>(.*?)<span class="fn-bracket">\]</span>', bib, re.S))
    assert len(labels) >= 10, "no labelled bibliography"
    names = [_words(label) for label in labels.values()]
    assert all(re.fullmatch(r"\d{4}[a-z]?", w[-1]) for w in names), f"not author-year: {names}"
    assert [w[0].lower() for w in names] == sorted(w[0].lower() for w in names), "not alphabetical"
    checked = 0
    for path in chapter_pages():
        page = (HTML / path).read_text(encoding="utf-8")
        for citation in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', page, re.S):
            targets = re.findall(r'href="[^"#]*bibliography\.html#([^"]+)"', citation)
            if len(targets) == 1:  # "Hochreiter and Schmidhuber [1997]" -> "Hochreiter and Schmidhuber, 1997"
                assert _words(citation) == _words(labels[targets[0]]), (path, citation[:200])
                checked += 1
    assert checked >= 10, checked
