"""Slider widgets that work in a live notebook *and* in the static HTML book.

A static page has no Python kernel, so a slider cannot call back into Python there. Instead every
frame is drawn in advance, the frames sit in (nested) ``Stack`` widgets, and ``jslink`` ties each
slider's index to the stacks' ``selected_index`` in the browser. Moving a slider flips frames, both
in JupyterLab and in the offline HTML book.

Every figure, a frame or a static plot, is shown at the size matplotlib designs it for (100 pixels
per inch, at most the book's text column) and drawn with twice as many pixels, so that it is sharp
on a high-density screen and scales down cleanly on a phone.
"""
import base64
import io
import itertools

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from ipywidgets.widgets.widget_string import HTMLStyle
from PIL import Image

COLUMN = 735  # CSS px: the width of the book's text column in a window 1366 px wide
PX_PER_INCH = 100  # CSS px per inch of a figure: matplotlib's figure.dpi, the size figures are drawn for
SCALE = 2  # image pixels per CSS px: sharp on high-density (2x) screens


def figure_width(fig, column=COLUMN):
    """The width (CSS px) at which `fig` is shown, and the dpi that draws it `SCALE` times as wide.

    The width is that of the figure as ``savefig(bbox_inches="tight")`` crops it, at `PX_PER_INCH`,
    and no wider than `column`: a wider figure is shrunk (its fonts with it) to fit the text column.
    """
    fig.draw_without_rendering()  # lays out the figure (constrained layout) as savefig will
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    inches = bbox.width + 2 * plt.rcParams["savefig.pad_inches"]
    width = min(column, round(inches * PX_PER_INCH))
    return width, SCALE * width / inches


def reduce_colours(image, colours):
    """The RGB `image` as a palette image of at most `colours` colours, the most frequent kept exactly.

    A plot's background, text and lines are its most frequent colours and stay exact (a plain median
    cut merges two lines of close colours when a heat map competes for the palette); the other half
    of the palette is fitted to the rest (anti-aliased edges, colour maps), and every pixel takes its
    nearest palette colour. No dithering: it would add noise that compresses badly.
    """
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    keys = pixels.astype(np.int32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.int32)
    keys, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    found = pixels[first].astype(np.int32)  # (U, 3): the distinct colours
    if len(found) <= colours:
        palette = found
        index = np.arange(len(found))
    else:
        exact = found[np.argsort(-counts, kind="stable")[: colours // 2]]
        fitted = image.quantize(colours - len(exact), method=Image.Quantize.FASTOCTREE).getpalette()
        fitted = np.array(fitted[: 3 * (colours - len(exact))], dtype=np.int32).reshape(-1, 3)
        palette = np.concatenate([exact, fitted])
        index = np.empty(len(found), dtype=np.int64)
        for lo in range(0, len(found), 4096):  # nearest palette colour, in blocks (U x P distances)
            d = ((found[lo:lo + 4096, None, :] - palette[None, :, :]) ** 2).sum(axis=-1)
            index[lo:lo + 4096] = d.argmin(axis=1)
    out = Image.fromarray(index[inverse].astype(np.uint8).reshape(image.height, image.width), mode="P")
    out.putpalette(palette.astype(np.uint8).ravel().tolist())
    return out


def figure_image(fig, fmt="webp", colours=32, column=COLUMN):
    """Encode `fig` at twice the width it is shown at, then close it (it is not shown a second time).

    Returns (image bytes, width in CSS px to show it at). `fmt` "webp" (lossless; about a third
    smaller than PNG for plots) or "png". The image keeps at most `colours` colours.
    """
    width, dpi = figure_width(fig, column)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    image = reduce_colours(Image.open(buf).convert("RGB"), colours)
    out = io.BytesIO()
    if fmt == "webp":
        image.convert("RGB").save(out, format="webp", lossless=True, method=6)
    else:
        image.save(out, format="png", optimize=True)
    return out.getvalue(), width


def inline_png(fig):
    """IPython's PNG form of a figure shown in a notebook: (base64 PNG, {"width": CSS px}).

    `lstm_book.notebook.setup_notebook` installs it for ``plt.show()`` and glued figures; the
    width is written into the page, so the 2x image is shown at its design size (and shrinks with
    the column). Unlike the frames, the figure stays open: pyplot closes it after the cell.
    """
    width, dpi = figure_width(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    image = reduce_colours(Image.open(buf).convert("RGB"), 256)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii"), {"width": width}


class SliderFrames(widgets.VBox):
    """The box `slider_frames` returns; its text form is short and stable, so saved outputs compare exactly."""

    def __repr__(self):
        return f"SliderFrames(sliders={self.slider_names}, frames={self.n_frames})"


def slider_frames(render, sliders, feedback=None, initial=None, fmt="{:g}"):
    """Sliders over a grid of precomputed frames.

    render(**values) -> matplotlib Figure, called once for every combination of slider values.
    sliders: {name: list of values}; one slider each, in this order (keep the product small: each frame
        is an image stored in the notebook and in the page).
    feedback(**values) -> HTML string shown under the figure (e.g. an exercise's verdict), optional.
    initial: {name: value} selected at first (default: the first value of each).

    Each slider spans the column (its value always visible, also on a phone); each frame is a
    lossless WebP drawn at twice the width it is shown at (`figure_image`). The frames and boxes share
    one layout model and the sliders one layout and style, which keeps the saved widget state small.
    """
    if not sliders or any(len(v) == 0 for v in sliders.values()):
        raise ValueError(f"sliders must map each name to a non-empty list of values, got {sliders!r}")
    names = list(sliders)
    initial = initial or {}
    start = [list(sliders[n]).index(initial[n]) if n in initial else 0 for n in names]
    slider_layout = widgets.Layout(width="100%", max_width="100%")
    slider_style = widgets.SliderStyle(description_width="initial")
    controls = [
        widgets.SelectionSlider(options=[(fmt.format(v), i) for i, v in enumerate(sliders[n])], index=s,
                                description=n, continuous_update=True, style=slider_style,
                                layout=slider_layout)
        for n, s in zip(names, start)
    ]
    shared = widgets.Layout()  # every frame, stack and frame box: default layout, one model
    html_style = HTMLStyle()
    links = []

    def leaf(values):
        kwargs = dict(zip(names, values))
        data, width = figure_image(render(**kwargs))
        image = widgets.Image(value=data, format="webp", width=str(width), layout=shared)
        if feedback is None:
            return image
        return widgets.VBox([image, widgets.HTML(feedback(**kwargs), layout=shared, style=html_style)],
                            layout=shared)

    def build(depth, chosen):
        if depth == len(names):
            return leaf(chosen)
        stack = widgets.Stack([build(depth + 1, chosen + [v]) for v in sliders[names[depth]]],
                              selected_index=start[depth], layout=shared)
        links.append(widgets.jslink((controls[depth], "index"), (stack, "selected_index")))
        return stack

    box = SliderFrames(controls + [build(0, [])], layout=widgets.Layout(width="100%"))
    box.slider_names = names
    box.n_frames = len(list(itertools.product(*sliders.values())))
    box.links = links  # keep the links alive with the box
    return box
