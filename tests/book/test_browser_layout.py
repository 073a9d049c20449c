"""Code fits the text column: at a phone's width (390 px) and a laptop's (1366 px), no code input
of any chapter is wider than its column (lines wrap there instead of scrolling); at 1366 px the
88-column code does not even need to wrap, and printed outputs fit the column too."""
import pytest
from test_browser import DESKTOP, PHONE, browser, chapter_pages, open_page, server  # noqa: F401

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const wider = sel => Array.from(document.querySelectorAll(sel))
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""));
  // a code block whose lines wrapped is taller than its lines stacked
  const wrapped = Array.from(document.querySelectorAll("div.cell_input pre"))
    .filter(e => {
      const s = getComputedStyle(e), lines = e.textContent.replace(/\\n$/, "").split("\\n").length;
      const inner = e.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
      return inner > lines * parseFloat(s.lineHeight) + 2;
    })
    .map(e => e.textContent.slice(0, 60));
  return {inputs: wider("div.cell_input pre"), outputs: wider("div.cell_output pre"), wrapped};
}"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("path", chapter_pages())
def test_code_fits_the_column(browser, server, path, width):  # noqa: F811
    page, problems = open_page(browser, server, path, width=width)
    found = page.evaluate(MEASURE)
    assert found["inputs"] == [], f"code wider than its column at {width} px: {found['inputs']}"
    if width == DESKTOP:
        assert found["wrapped"] == [], f"88-column code wrapped at {width} px: {found['wrapped']}"
        assert found["outputs"] == [], f"outputs wider than the column: {found['outputs']}"
    page.close()


def test_search_icon_sits_beside_the_query_not_on_it(browser, server):  # noqa: F811
    page, problems = open_page(browser, server, "search.html?q=forget+gate", width=DESKTOP)
    overlaps = page.evaluate("""() => Array.from(document.querySelectorAll("form.bd-search"))
      .filter(f => f.offsetParent !== null)
      .map(f => {
        const icon = f.querySelector(".fa-magnifying-glass").getBoundingClientRect();
        const input = f.querySelector("input");
        const text = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
        return icon.right > text + 1 ? [icon.right, text] : null;
      }).filter(x => x)""")
    assert overlaps == [], f"the magnifier overlaps the query text: {overlaps}"
    assert problems == [], problems
    page.close()
