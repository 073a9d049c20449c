"""The site around the chapters, in headless Chromium: a quiet console, what each page downloads,
and no buttons or links to a repository that is not set (lstm_book.sphinx_site).

One page load per page and width: every page (front matter and chapters) at 390 px and 1366 px logs
no console message of type error or warning and no page error, and asks for nothing it does not get.
"""
import pathlib
import re

import pytest
from test_browser import DESKTOP, HTML, PHONE, ROOT, browser, chapter_pages, open_page, server, wait_for_math  # noqa: F401

pytestmark = pytest.mark.browser

FRONT = ["book/preface.html", "book/notation.html", "book/bibliography.html"]
MB = 1_000_000


def all_pages():
    return [p for p in FRONT if (HTML / p).exists()] + chapter_pages()


def settle(page):
    """Wait for what a reader waits for: MathJax typesetting and the widgets (where the page has them)."""
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)", timeout=20000)
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    if page.locator("script[type='application/vnd.jupyter.widget-state+json']").count():
        page.wait_for_selector(".jupyter-widgets .widget-slider", timeout=20000)
    page.evaluate("() => document.fonts.ready.then(() => true)")  # the fonts the typeset page asked for


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("path", all_pages())
def test_no_console_errors_or_warnings(browser, server, path, width):  # noqa: F811
    responses = []
    page, messages = open_page(browser, server, path, width=width, responses=responses)
    settle(page)
    widgets = page.locator("script[type='application/vnd.jupyter.widget-state+json']").count() > 0
    renderer = [r.url for r in responses if "/_static/widgets-static.js" in r.url]
    manager = [r.url for r in responses if "/_static/widgets/" in r.url or "widgets-mathjax-shim" in r.url]
    weight = sum(len(r.body()) for r in responses if r.status == 200) if width == DESKTOP else 0
    page.close()
    assert messages == [], messages
    assert bool(renderer) == widgets, (widgets, renderer)  # the widget renderer only where there are widgets
    assert manager == []  # the ipywidgets HTML manager (1.57 MB) nowhere
    limit = 3.5 * MB if widgets else 2 * MB  # a chapter with sliders at most 3.5 MB, other pages 2 MB, all requests
    assert weight <= limit, f"{weight / MB:.2f} MB"


def test_no_repository_buttons_or_placeholder_links_while_the_address_is_unset():
    """repository.url in _config.yml is the one switch for the repository, issues and launch buttons."""
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    url = re.search(r"^repository:\s*\n(?:\s+#.*\n)*\s+url:\s*(\S*)", config, re.M).group(1).strip("\"'")
    if url:
        pytest.skip(f"repository.url is set ({url})")
    pages = list(HTML.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        for marker in ("lstm-book/lstm-book", "mybinder.org", "colab.research.google.com", "binder-examples",
                       "repository-button", "issues-button", "launch-buttons", "x-thebe-config", "THEBE_JS_URL"):
            assert marker not in text, f"{marker} in {page.relative_to(HTML)}"
    chapter = (HTML / chapter_pages()[0]).read_text(encoding="utf-8")
    assert "dropdown-download-buttons" in chapter  # the download button stays


def test_the_site_ships_what_the_pages_use():
    static = HTML / "_static"
    assert not list(HTML.rglob("*.map")), "source maps in the site"
    assert not (static / "scripts" / "fontawesome.js").exists()
    mathjax = sum(f.stat().st_size for f in (static / "mathjax").rglob("*") if f.is_file())
    assert mathjax < 3 * MB, f"MathJax ships {mathjax / MB:.1f} MB"
    assert not (static / "widgets").exists() and not (static / "widgets-mathjax-shim.js").exists()  # no HTML manager
    assert (static / "widgets-static.js").stat().st_size < 20_000  # the book's own renderer


@pytest.mark.parametrize("path", [FRONT[0], chapter_pages()[0]] if (HTML / FRONT[0]).exists() else [])
def test_icons_and_math_still_render(browser, server, path):  # noqa: F811
    page, problems = open_page(browser, server, path, width=DESKTOP)
    wait_for_math(page)
    assert page.locator("mjx-container").count() > 0
    # Font Awesome without its script: the theme's style sheet puts the glyph in ::before, in the icon font
    icon = page.evaluate("""() => {
        const i = document.querySelector('.primary-toggle .fa-bars, .fa-bars');
        const s = getComputedStyle(i, '::before');
        return [s.content, s.fontFamily, i.getBoundingClientRect().width];
    }""")
    assert icon[0] not in ("none", "normal", '""') and "Font Awesome" in icon[1] and icon[2] > 5, icon
    fonts = page.evaluate("""() => document.fonts.ready.then(fs => Array.from(fs)
        .filter(f => f.family.includes('Font Awesome 6 Free') && String(f.weight) === '900').map(f => f.status))""")
    assert fonts == ["loaded"], fonts
    assert problems == [], problems
    page.close()


def test_weight_tool_runs_on_the_site():
    """tools/page_weight.py imports and finds the pages (the full measurement is run by hand)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("page_weight", ROOT / "tools" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.pages(pathlib.Path(HTML))[:3] == [p for p in FRONT if (HTML / p).exists()]
