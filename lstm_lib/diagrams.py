"""Figures of cells and unrolled networks, drawn with matplotlib from a few small pieces.

Every function draws on the `ax` it is given, in data coordinates (equal aspect, no axes frame), and
returns what it drew, so that a figure can be tested and a later diagram can build on an earlier one:

    box, op_circle, arrow, label      the pieces: a layer or cell, a pointwise operation, a vector
                                      moving along an arrow, a piece of text
    draw_rnn_cell                     the recurrent cell with its loop (the "rolled" picture)
    draw_unrolled_rnn                 T copies of one cell, side by side or stacked as layers
    draw_feedforward_net              an ordinary deep network, for comparison

The composite functions return a dict ``{"cells": [patches], "arrows": [arrow patches], "texts": [Text]}``;
``labels(drawing)`` lists the strings of its texts.
"""
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

# Colour-blind-safe colours (Okabe-Ito): inputs orange, the hidden state blue, cells light blue.
COLORS = {"cell": "#d6e9f8", "cell_edge": "#0b4f7c", "input": "#d55e00", "state": "#0072b2",
          "output": "#555555", "op": "#f6d5e5", "op_edge": "#a2477b", "text": "#222222"}


def _new_drawing():
    return {"cells": [], "arrows": [], "texts": []}


def labels(drawing):
    """The strings of every text in a drawing, in the order they were drawn."""
    return [t.get_text() for t in drawing["texts"]]


def setup_axes(ax, points, margin=0.3):
    """Equal aspect, no frame, and limits that contain `points` (an (N, 2) array of x, y) plus `margin`.

    Limits only grow, so several drawings can share one axes.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    lo, hi = pts.min(axis=0) - margin, pts.max(axis=0) + margin
    if getattr(ax, "_lstm_lib_diagram", False):  # a second drawing on the same axes: keep the first in view
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        lo, hi = np.minimum(lo, [x0, y0]), np.maximum(hi, [x1, y1])
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.axis("off")
    ax._lstm_lib_diagram = True
    return ax


def box(ax, center, text, width=1.3, height=0.8, color=None, edgecolor=None, fontsize=11):
    """A rounded box (a layer or a cell) centred at `center` with `text` inside -> (patch, Text)."""
    cx, cy = center
    patch = FancyBboxPatch((cx - width / 2, cy - height / 2), width, height,
                           boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=color or COLORS["cell"],
                           edgecolor=edgecolor or COLORS["cell_edge"], linewidth=1.5, zorder=2)
    ax.add_patch(patch)
    txt = ax.text(cx, cy, text, ha="center", va="center", fontsize=fontsize, color=COLORS["text"], zorder=3)
    return patch, txt


def op_circle(ax, center, symbol, radius=0.22, fontsize=12):
    """A pointwise operation (e.g. r"$\\times$", "+", "tanh") drawn as a small circle -> (patch, Text)."""
    patch = Circle(center, radius, facecolor=COLORS["op"], edgecolor=COLORS["op_edge"], linewidth=1.3, zorder=2)
    ax.add_patch(patch)
    txt = ax.text(*center, symbol, ha="center", va="center", fontsize=fontsize, color=COLORS["text"], zorder=3)
    return patch, txt


def arrow(ax, start, end, color=None, path=None, linewidth=1.6, linestyle="-"):
    """An arrow from `start` to `end` (a vector moving along), or along `path`, a matplotlib Path -> patch."""
    kwargs = {"path": path} if path is not None else {"posA": start, "posB": end}
    patch = FancyArrowPatch(**kwargs, arrowstyle="-|>", mutation_scale=14, color=color or COLORS["state"],
                            linewidth=linewidth, linestyle=linestyle, shrinkA=0, shrinkB=0, zorder=1)
    ax.add_patch(patch)
    return patch


def label(ax, xy, text, fontsize=12, color=None, **kwargs):
    """Text centred at `xy` (keyword arguments go to ``ax.text``, e.g. ha="left") -> Text."""
    kwargs = {"ha": "center", "va": "center", **kwargs}
    return ax.text(*xy, text, fontsize=fontsize, color=color or COLORS["text"], **kwargs)


def draw_rnn_cell(ax, center=(0.0, 0.0), cell_text="$W_{ih},\\ W_{hh}$", input_label="$x_t$",
                  output_label="$h_t$", loop_label="$h_{t-1}$"):
    """The rolled picture: one cell, its input below, its output above, and the loop that feeds h back.

    The loop stands for a one-step delay: what leaves the cell at step t re-enters it at step t + 1.
    """
    cx, cy = center
    w, h = 1.8, 1.0
    d = _new_drawing()
    patch, txt = box(ax, center, cell_text, width=w, height=h)
    d["cells"].append(patch)
    d["texts"].append(txt)
    d["arrows"].append(arrow(ax, (cx, cy - h / 2 - 0.9), (cx, cy - h / 2), color=COLORS["input"]))
    d["texts"].append(label(ax, (cx, cy - h / 2 - 1.1), input_label, color=COLORS["input"]))
    d["arrows"].append(arrow(ax, (cx, cy + h / 2), (cx, cy + h / 2 + 0.9), color=COLORS["output"]))
    d["texts"].append(label(ax, (cx, cy + h / 2 + 1.1), output_label, color=COLORS["output"]))
    # The loop leaves the right edge high, swings out to the right and comes back in low.
    r = cx + w / 2
    loop = Path([(r, cy + 0.25), (r + 1.9, cy + 1.4), (r + 1.9, cy - 1.4), (r, cy - 0.25)],
                [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
    d["arrows"].append(arrow(ax, None, None, path=loop))
    d["texts"].append(label(ax, (r + 1.55, cy), loop_label, color=COLORS["state"], ha="left"))
    setup_axes(ax, [(cx - w / 2, cy - h / 2 - 1.3), (r + 2.4, cy + h / 2 + 1.3)])
    return d


def draw_unrolled_rnn(ax, T=4, origin=(0.0, 0.0), spacing=2.4, vertical=False,
                      cell_text="$W_{ih},\\ W_{hh}$", show_outputs=True, first_step=1):
    """T copies of one cell: x_t enters every copy, h_t passes to the next; all copies hold the same weights.

    vertical=False lays time out left to right (inputs below, outputs above); vertical=True stacks the
    copies bottom to top like the layers of a deep network (inputs from the left, outputs to the right).
    Steps are numbered from `first_step`; h_{first_step - 1} enters the first copy.
    """
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")
    ox, oy = origin
    half_along, half_across = (0.4, 1.0) if vertical else (0.75, 0.4)

    def xy(along, across):  # position along time and across it -> (x, y)
        return (ox + across, oy + along) if vertical else (ox + along, oy + across)

    d = _new_drawing()
    text_in = dict(ha="right") if vertical else {}
    text_out = dict(ha="left") if vertical else {}
    for i in range(T):
        t = first_step + i
        a = i * spacing
        patch, txt = box(ax, xy(a, 0.0), cell_text, width=2 * (half_across if vertical else half_along),
                         height=2 * (half_along if vertical else half_across), fontsize=10)
        d["cells"].append(patch)
        d["texts"].append(txt)
        d["arrows"].append(arrow(ax, xy(a, -half_across - 0.8), xy(a, -half_across), color=COLORS["input"]))
        d["texts"].append(label(ax, xy(a, -half_across - 1.0), f"$x_{{{t}}}$", color=COLORS["input"], **text_in))
        if show_outputs:
            d["arrows"].append(arrow(ax, xy(a, half_across), xy(a, half_across + 0.8), color=COLORS["output"]))
            d["texts"].append(label(ax, xy(a, half_across + 1.0), f"$h_{{{t}}}$", color=COLORS["output"], **text_out))
        # the state arrives from the previous copy (or from h_0 before the first one)
        start = a - spacing + half_along if i > 0 else a - spacing / 2 - half_along
        d["arrows"].append(arrow(ax, xy(start, 0.0), xy(a - half_along, 0.0)))
        mid = (start + a - half_along) / 2
        offset = dict(ha="left") if vertical else dict(va="bottom")
        d["texts"].append(label(ax, xy(mid, 0.12), f"$h_{{{t - 1}}}$", color=COLORS["state"], fontsize=11, **offset))
    last = (T - 1) * spacing
    d["arrows"].append(arrow(ax, xy(last + half_along, 0.0), xy(last + half_along + 0.7, 0.0), linestyle="--"))
    corners = [xy(-spacing / 2 - half_along - 0.2, -half_across - 1.3),
               xy(last + half_along + 0.8, half_across + (1.3 if show_outputs else 0.3))]
    setup_axes(ax, corners)
    return d


def draw_feedforward_net(ax, L=4, origin=(0.0, 0.0), spacing=2.4, cmap="Pastel1"):
    """An ordinary deep network drawn bottom to top: the input enters only the first layer, and every
    layer l has its own weights W^(l) (a different colour each)."""
    if not isinstance(L, (int, np.integer)) or L < 1:
        raise ValueError(f"L must be a positive integer, got {L!r}")
    import matplotlib

    colors = matplotlib.colormaps[cmap]
    ox, oy = origin
    d = _new_drawing()
    for l in range(L):
        y = oy + l * spacing
        patch, txt = box(ax, (ox, y), f"$W^{{({l + 1})}}$", width=1.5, height=0.8, color=colors(l % colors.N), fontsize=11)
        d["cells"].append(patch)
        d["texts"].append(txt)
        start = y - spacing + 0.4 if l > 0 else y - 1.3
        d["arrows"].append(arrow(ax, (ox, start), (ox, y - 0.4), color=COLORS["input"] if l == 0 else COLORS["state"]))
    d["texts"].insert(0, label(ax, (ox, oy - 1.55), "$x$", color=COLORS["input"]))
    top = oy + (L - 1) * spacing
    d["arrows"].append(arrow(ax, (ox, top + 0.4), (ox, top + 1.2), color=COLORS["output"]))
    d["texts"].append(label(ax, (ox, top + 1.45), "$y$", color=COLORS["output"]))
    setup_axes(ax, [(ox - 1.8, oy - 1.8), (ox + 1.8, top + 1.7)])
    return d
