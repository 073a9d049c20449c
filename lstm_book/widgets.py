"""Slider widgets that work in a live notebook *and* in the static HTML book.

A static page has no Python kernel, so a slider cannot call back into Python there. Instead every
frame is drawn in advance, the frames sit in (nested) ``Stack`` widgets, and ``jslink`` ties each
slider's index to the stacks' ``selected_index`` in the browser. Moving a slider flips frames, both
in JupyterLab and in the offline HTML book.
"""
import io
import itertools

import ipywidgets as widgets
import matplotlib.pyplot as plt
from PIL import Image


def figure_png(fig, dpi=72, colors=64):
    """PNG bytes of a matplotlib figure, which is then closed so that it is not shown a second time.

    The image is reduced to a palette of `colors` colours: line plots lose nothing visible and the
    frames, stored in the notebook and in the page, shrink about threefold.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    out = io.BytesIO()
    Image.open(buf).convert("RGB").quantize(colors).save(out, format="png", optimize=True)
    return out.getvalue()


class SliderFrames(widgets.VBox):
    """The box `slider_frames` returns; its text form is short and stable, so saved outputs compare exactly."""

    def __repr__(self):
        return f"SliderFrames(sliders={self.slider_names}, frames={self.n_frames})"


def slider_frames(render, sliders, feedback=None, initial=None, dpi=72, fmt="{:g}"):
    """Sliders over a grid of precomputed frames.

    render(**values) -> matplotlib Figure, called once for every combination of slider values.
    sliders: {name: list of values}; one slider each, in this order (keep the product small: each frame
        is a PNG stored in the notebook).
    feedback(**values) -> HTML string shown under the figure (e.g. an exercise's verdict), optional.
    initial: {name: value} selected at first (default: the first value of each).
    """
    if not sliders or any(len(v) == 0 for v in sliders.values()):
        raise ValueError(f"sliders must map each name to a non-empty list of values, got {sliders!r}")
    names = list(sliders)
    initial = initial or {}
    start = [list(sliders[n]).index(initial[n]) if n in initial else 0 for n in names]
    controls = [
        widgets.SelectionSlider(options=[(fmt.format(v), i) for i, v in enumerate(sliders[n])], index=s,
                                description=n, continuous_update=True, style={"description_width": "initial"},
                                layout=widgets.Layout(width="420px"))
        for n, s in zip(names, start)
    ]
    links = []

    def leaf(values):
        kwargs = dict(zip(names, values))
        children = [widgets.Image(value=figure_png(render(**kwargs), dpi=dpi), format="png")]
        if feedback is not None:
            children.append(widgets.HTML(feedback(**kwargs)))
        return widgets.VBox(children)

    def build(depth, chosen):
        if depth == len(names):
            return leaf(chosen)
        stack = widgets.Stack([build(depth + 1, chosen + [v]) for v in sliders[names[depth]]],
                              selected_index=start[depth])
        links.append(widgets.jslink((controls[depth], "index"), (stack, "selected_index")))
        return stack

    box = SliderFrames(controls + [build(0, [])])
    box.slider_names = names
    box.n_frames = len(list(itertools.product(*sliders.values())))
    box.links = links  # keep the links alive with the box
    return box
