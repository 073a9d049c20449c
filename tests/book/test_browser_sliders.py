"""Sliders and figures in the built book, at a phone's width (390 px) and a laptop's (1366 px).

On every chapter, in one page load per width: every slider fits the window, shows its name whole
and its value, is a native range input named by its label (for screen readers) whose
aria-valuetext is the value shown, and moving it (ArrowRight on it) changes the value shown and the
frame in its widget box (_static/widgets-static.js draws them); every
figure (slider frames and the chapter's other plots) is no wider than the text column and has at
least twice as many pixels as it is shown with, so it is sharp on a high-density screen. In dark
mode the sliders sit on the page's dark background, not on a light panel, with readable labels,
and figures sit on a white card.

Run after the book is built: `BOOK_HTML=<build>/_build/html pytest -m browser tests/book/test_browser_sliders.py`.
"""
import pytest
from test_browser import DESKTOP, PHONE, browser, chapter_pages, open_page, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

SLIDERS = ".widget-slider"

# Per slider: its box, its name's and value's boxes and text, whether the name is cut off.
MEASURE_SLIDERS = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter(s => s.offsetParent !== null)
  .map(s => {
    const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
    const label = s.querySelector('.widget-label');
    const readout = s.querySelector('.widget-readout');
    return {
      slider: box(s),
      name: label ? label.textContent.trim() : '',
      nameCut: label ? label.scrollWidth > label.clientWidth + 1 : false,
      readout: readout ? box(readout) : null,
      value: readout ? readout.textContent.trim() : '',
      readoutVisible: readout ? getComputedStyle(readout).display !== 'none'
                                && getComputedStyle(readout).visibility !== 'hidden' : false,
    };
  })"""

# Every visible figure: slider frames and the images Sphinx copied into _images/.
MEASURE_FIGURES = """() => {
  const column = document.querySelector('article.bd-article').getBoundingClientRect();
  return Array.from(document.querySelectorAll('.bd-article img'))
    .filter(img => img.offsetParent !== null
                   && (img.classList.contains('widget-image') || img.src.includes('/_images/')))
    .map(img => {
      const r = img.getBoundingClientRect();
      const cs = getComputedStyle(img);
      const inner = r.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
                    - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth);
      return {src: img.src.slice(-40), frame: img.classList.contains('widget-image'),
              left: r.left, right: r.right, shown: inner, natural: img.naturalWidth,
              columnLeft: column.left, columnRight: column.right};
    });
}"""


def visible_frame_src(box):
    """The src of the frame shown in a slider box (the other frames are hidden in their stacks)."""
    return box.evaluate("""b => { const img = Array.from(b.querySelectorAll('img')).find(i => i.offsetParent !== null);
                                  return img ? img.src : null; }""")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("path", chapter_pages())
def test_sliders_fit_show_their_value_move_their_figure_and_figures_are_sharp(browser, server, path, width):  # noqa: F811
    page, problems = open_page(browser, server, path, width=width)
    page.wait_for_selector(SLIDERS, timeout=20000)
    page.wait_for_timeout(300)
    sliders = page.evaluate(MEASURE_SLIDERS, SLIDERS)
    assert sliders, "no slider rendered"
    for i, s in enumerate(sliders):
        where = f"slider {i} ({s['name']!r}) at {width} px"
        assert 0 <= s["slider"]["left"] and s["slider"]["right"] <= width, f"{where} leaves the window: {s['slider']}"
        assert not s["nameCut"], f"{where}: its name is cut off"
        r = s["readout"]
        assert r is not None and s["readoutVisible"] and s["value"], f"{where}: no value shown"
        assert r["width"] > 0 and 0 <= r["left"] and r["right"] <= min(width, s["slider"]["right"] + 1), \
            f"{where}: its value {s['value']!r} is outside the window: {r}"

    handles = page.locator(f"{SLIDERS} input[type=range]")
    assert handles.count() == len(sliders)
    for i in range(handles.count()):
        handle = handles.nth(i)
        # The box that holds this slider and the frames it flips (SliderFrames, a VBox).
        box = handle.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
        readout = handle.locator("xpath=following-sibling::*[contains(@class, 'widget-readout')][1]")
        name = handle.evaluate("e => Array.from(e.labels).map(l => l.textContent.trim()).join(' ')")
        assert name == sliders[i]["name"] and name, f"slider {i} is not named by its label: {name!r}"
        assert handle.get_attribute("aria-valuetext") == readout.text_content().strip()
        at_end = handle.input_value() == handle.get_attribute("max")
        before = (handle.input_value(), readout.text_content(), visible_frame_src(box))
        handle.focus()
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        page.wait_for_timeout(150)
        after = (handle.input_value(), readout.text_content(), visible_frame_src(box))
        assert before[0] != after[0], f"slider {i} did not move at {width} px"
        assert before[1] != after[1], f"slider {i} did not change the value it shows at {width} px"
        assert handle.get_attribute("aria-valuetext") == after[1].strip()
        assert before[2] and after[2] and before[2] != after[2], f"slider {i} did not change its figure at {width} px"

    for f in page.evaluate(MEASURE_FIGURES):
        kind = "slider frame" if f["frame"] else "figure"
        assert f["left"] >= f["columnLeft"] - 1 and f["right"] <= f["columnRight"] + 1, \
            f"{kind} {f['src']} is wider than the column at {width} px: {f}"
        assert f["natural"] >= 1.9 * f["shown"], \
            f"{kind} {f['src']} has {f['natural']} pixels for {f['shown']:.0f} px shown: not drawn at 2x"
    assert problems == [], problems
    page.close()


def luminance(css_colour):
    """Relative luminance (0 black .. 1 white) of an `rgb(...)`/`rgba(...)` computed colour."""
    parts = [float(v) for v in css_colour[css_colour.index("(") + 1:-1].replace("/", ",").split(",")[:3]]
    return sum(w * c / 255 for w, c in zip((0.2126, 0.7152, 0.0722), parts))


# The colour a reader sees behind an element: the first non-transparent background up the tree.
EFFECTIVE_BACKGROUND = """(e) => {
  for (; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(bg)) return bg;
  }
  return 'rgb(255, 255, 255)';
}"""


def test_dark_mode_sliders_sit_on_the_dark_page(browser, server):  # noqa: F811
    path = next(p for p in chapter_pages() if p.endswith("output_gate.html"))
    page, problems = open_page(browser, server, path, width=DESKTOP)
    page.evaluate("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark')")
    page.reload(wait_until="load")
    page.wait_for_selector(SLIDERS, timeout=20000)
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    slider = page.locator(SLIDERS).first
    panel = page.locator(".cell_output .widget-subarea").filter(has=slider).first
    assert luminance(panel.evaluate(EFFECTIVE_BACKGROUND)) < 0.25, "the slider panel is light in dark mode"
    assert luminance(slider.evaluate(EFFECTIVE_BACKGROUND)) < 0.25
    for part in (".widget-label", ".widget-readout"):
        colour = slider.locator(part).evaluate("e => getComputedStyle(e).color")
        assert luminance(colour) > 0.6, f"{part} is hard to read in dark mode: {colour}"
    frame = panel.locator("img.widget-image:visible").first
    assert frame.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"  # a white card
    assert problems == [], problems
    page.close()
