"""Figures of cells and unrolled networks, drawn with matplotlib from a few small pieces.

Every function draws on the `ax` it is given, in data coordinates (equal aspect, no axes frame), and
returns what it drew, so that a figure can be tested and a later diagram can build on an earlier one:

    box, op_circle, arrow, label      the pieces: a layer or cell, a pointwise operation, a vector
                                      moving along an arrow, a piece of text
    draw_rnn_cell                     the recurrent cell with its loop (the "rolled" picture)
    draw_unrolled_rnn                 T copies of one cell, side by side or stacked as layers
    draw_feedforward_net              an ordinary deep network, for comparison
    draw_lstm_cell                    the LSTM cell: cell-state belt, four layers, pointwise operations;
                                      parts can be highlighted and values written beside them
    draw_notation_legend              the five symbols of the LSTM picture, named

The composite functions return a dict ``{"cells": [patches], "arrows": [arrow patches], "texts": [Text]}``
(``draw_lstm_cell`` adds ``"parts"``);
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
        patch, txt = box(ax, (ox, y), f"$W^{{({l + 1})}}$", width=1.5, height=0.8,
                         color=colors(l % colors.N), fontsize=11)
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


# ---------------------------------------------------------------------------------------------------------
# The LSTM cell (Part III). Extra colours, Okabe-Ito again: the cell-state belt bluish green, the layers pale
# yellow, the concatenated vector and the gate values dark grey.
LSTM_COLORS = {"belt": "#009e73", "layer": "#f7efb0", "layer_edge": "#8a7500", "concat": "#444444",
               "gate": "#555555", "highlight": "#d55e00", "frame": "#f4f4f4", "frame_edge": "#bbbbbb"}
LSTM_PARTS = ("cell_state", "forget", "input", "candidate", "update", "output", "hidden", "concat")
LSTM_VALUE_KEYS = ("c_prev", "c", "h_prev", "h", "x", "f", "i", "g", "o")
FADED_ALPHA = 0.25
DOT_RADIUS = 0.07  # the largest dot; pointwise operations are larger circles


def _polyline(ax, points, color, head=True, linewidth=1.6):
    """An arrow (or a plain line when head=False) through `points`, turning at right angles -> patch."""
    path = Path(points, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
    patch = FancyArrowPatch(path=path, arrowstyle="-|>" if head else "-", mutation_scale=14, color=color,
                            linewidth=linewidth, shrinkA=0, shrinkB=0, zorder=1, joinstyle="miter")
    ax.add_patch(patch)
    return patch


def _dot(ax, center, color, radius=DOT_RADIUS):
    """A small filled dot: where vectors are joined (concatenated) or split (copied) -> patch."""
    patch = Circle(center, radius, facecolor=color, edgecolor=color, zorder=3)
    ax.add_patch(patch)
    return patch


def is_dot(artist):
    """True for the small filled circle that marks a copy (a line splitting in two)."""
    return isinstance(artist, Circle) and artist.get_radius() <= DOT_RADIUS


def _check_parts(highlight):
    if isinstance(highlight, str):
        highlight = (highlight,)
    highlight = tuple(highlight)
    unknown = [p for p in highlight if p not in LSTM_PARTS]
    if unknown:
        raise ValueError(f"highlight: unknown part name(s) {unknown}; valid names are {list(LSTM_PARTS)}")
    return highlight


def _value_text(key, value, max_numbers=6):
    """A string as it is; numbers (a scalar, an (H,) or (1, H) array) as a column, one per line, 2 decimals."""
    if isinstance(value, str):
        return value
    try:
        numbers = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"values['{key}'] must be a string or numbers, got {type(value).__name__}") from None
    if numbers.size > max_numbers:
        raise ValueError(f"values['{key}'] has {numbers.size} numbers; at most {max_numbers} fit in the drawing")
    lines = [f"{a:.2f}" for a in numbers]
    width = max(len(s) for s in lines)
    return "\n".join(s.rjust(width) for s in lines)


def _check_values(values):
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValueError(f"values must be a dict {{key: text}} with keys from {list(LSTM_VALUE_KEYS)}, "
                         f"got {type(values).__name__}")
    unknown = [k for k in values if k not in LSTM_VALUE_KEYS]
    if unknown:
        raise ValueError(f"values: unknown key(s) {unknown}; valid keys are {list(LSTM_VALUE_KEYS)}")
    return {k: _value_text(k, v) for k, v in values.items()}


def _emphasise(drawing, highlight):
    """Fade every artist outside the highlighted parts; thicken the lines of those inside."""
    if not highlight:
        return
    keep = {id(a) for p in highlight for a in drawing["parts"][p]}
    for artist in drawing["cells"] + drawing["arrows"] + drawing["texts"]:
        if id(artist) not in keep:
            artist.set_alpha(FADED_ALPHA)
        elif is_dot(artist):
            pass  # a join or split point keeps the colour of its line
        elif hasattr(artist, "set_linewidth") and not hasattr(artist, "get_text"):
            artist.set_linewidth(artist.get_linewidth() * 1.8)
            if artist in drawing["cells"]:
                artist.set_edgecolor(LSTM_COLORS["highlight"])
        else:
            artist.set_fontweight("bold")


def draw_lstm_cell(ax, highlight=(), values=None, origin=(0.0, 0.0)):
    """The LSTM cell in the usual picture: the cell-state belt on top, four layers below, pointwise operations between.

    Left to right: c_{t-1} runs along the top through a pointwise x (forget) and a pointwise + (write) to
    c_t. Below, h_{t-1} (from the left) and x_t (from below) are concatenated into [h_{t-1}, x_t], which
    is copied to four layers: sigma (forget gate f_t), sigma (input gate i_t), tanh (candidate g_t, which
    many diagrams write C~_t) and sigma (output gate o_t). i_t x g_t goes up to the +; c_t is copied
    down through a pointwise tanh and multiplied by o_t to give h_t, which leaves to the right (to the
    next step) and upward (the output).

    highlight: part names to emphasise; all other artists are faded (alpha 0.25). Valid names:
        "cell_state" (the belt c_{t-1} -> c_t), "forget", "input", "candidate", "update" (the two x and
        the + that compute c_t), "output", "hidden" (h_{t-1} in, tanh and x to h_t out), "concat".
        An unknown name raises ValueError.
    values: optional {key: value} written small next to the labels, keys among
        "c_prev", "c", "h_prev", "h", "x", "f", "i", "g", "o". A value is a string, drawn as given (keep
        it short, about 6 characters beside a gate, e.g. {"f": "0.5"}; newlines are allowed), or numbers
        (a scalar, an (H,) or a (1, H) array, at most 6 numbers), drawn as a column with 2 decimals,
        e.g. {"f": [0.5, 1.0, 0.5]}.
    origin: a shift of the whole drawing (data units); the frame's lower-left corner sits at about
        origin. The drawing is about 15 wide and 8.5 high, labels included; it reads well at a figure
        size of (9, 5) inches.

    Returns {"cells": [the frame, 4 layer boxes, 5 pointwise circles, small dots where lines join or
    split], "arrows": [...], "texts": [...], "parts": {part name: [artists]}}; an artist may belong to
    several parts.
    """
    highlight = _check_parts(highlight)
    values = _check_values(values)
    ox, oy = origin

    def P(x, y):  # local coordinates -> data coordinates
        return (ox + x, oy + y)

    d = _new_drawing()
    d["parts"] = {p: [] for p in LSTM_PARTS}

    def add(kind, artist, *parts):
        d[kind].append(artist)
        for p in parts:
            d["parts"][p].append(artist)
        return artist

    # rows (y) and columns (x) of the drawing, in local units
    YH, YL, YO, YM, YT, YB = 0.5, 2.0, 3.3, 3.8, 4.35, 5.3  # concat line, layers, output x, input x, tanh, belt
    XC, XF, XI, XG, XO, XOUT, XR = 0.9, 2.0, 3.9, 5.8, 7.7, 10.0, 11.0
    XL, XE = -0.8, 12.4                                      # where the lines enter and leave
    BW, BH, R, RT = 1.0, 0.6, 0.25, 0.36                     # layer box size, op radius, tanh-op radius
    belt, state, concat, gate_c = LSTM_COLORS["belt"], COLORS["state"], LSTM_COLORS["concat"], LSTM_COLORS["gate"]

    frame = FancyBboxPatch(P(0.2, -0.1), 11.4, 6.0, boxstyle="round,pad=0.02,rounding_size=0.35",
                           facecolor=LSTM_COLORS["frame"], edgecolor=LSTM_COLORS["frame_edge"], linewidth=1.2, zorder=0)
    ax.add_patch(frame)
    add("cells", frame)

    def layer(x, text, *parts):
        patch, txt = box(ax, P(x, YL), text, width=BW, height=BH, color=LSTM_COLORS["layer"],
                         edgecolor=LSTM_COLORS["layer_edge"], fontsize=12)
        add("cells", patch, *parts)
        add("texts", txt, *parts)

    def op(x, y, symbol, *parts, radius=R, fontsize=13):
        patch, txt = op_circle(ax, P(x, y), symbol, radius=radius, fontsize=fontsize)
        add("cells", patch, *parts)
        add("texts", txt, *parts)

    def line(points, color, *parts, head=True, linewidth=1.6):
        add("arrows", _polyline(ax, [P(*p) for p in points], color, head=head, linewidth=linewidth), *parts)

    def text(x, y, s, color, *parts, fontsize=13, **kw):
        add("texts", label(ax, P(x, y), s, fontsize=fontsize, color=color, **kw), *parts)

    # the four layers and the pointwise operations
    layer(XF, r"$\sigma$", "forget")
    layer(XI, r"$\sigma$", "input")
    layer(XG, "tanh", "candidate")
    layer(XO, r"$\sigma$", "output")
    op(XF, YB, r"$\times$", "forget", "update")
    op(XG, YB, "+", "update", "input", "candidate", fontsize=15)
    op(XG, YM, r"$\times$", "input", "candidate", "update")
    op(XOUT, YT, "tanh", "output", "hidden", radius=RT, fontsize=8)
    op(XOUT, YO, r"$\times$", "output", "hidden")

    # the cell-state belt: c_{t-1} -> x -> + -> c_t, drawn thick
    lw_belt = 2.6
    line([(XL, YB), (XF - R, YB)], belt, "cell_state", head=False, linewidth=lw_belt)
    line([(XF + R, YB), (XG - R, YB)], belt, "cell_state", head=False, linewidth=lw_belt)
    line([(XG + R, YB), (XE, YB)], belt, "cell_state", linewidth=lw_belt)
    text(XL - 0.1, YB, r"$c_{t-1}$", belt, "cell_state", ha="right")
    text(XE + 0.1, YB, r"$c_t$", belt, "cell_state", ha="left")

    # h_{t-1} and x_t meet at the concatenation; the joined vector is copied to the four layers
    line([(XL, YH), (XC, YH)], state, "hidden", "concat", head=False)
    text(XL - 0.1, YH, r"$h_{t-1}$", state, "hidden", "concat", ha="right")
    line([(XC, YH - 1.5), (XC, YH)], COLORS["input"], "concat", head=False)
    text(XC, YH - 1.75, r"$x_t$", COLORS["input"], "concat")
    add("cells", _dot(ax, P(XC, YH), concat), "concat")
    line([(XC, YH), (XO, YH)], concat, "concat", head=False)
    text(XC + 0.15, YH - 0.12, r"$[h_{t-1}, x_t]$", concat, "concat", fontsize=10, ha="left", va="top")
    for x, part in ((XF, "forget"), (XI, "input"), (XG, "candidate"), (XO, "output")):
        line([(x, YH), (x, YL - BH / 2)], concat, "concat", part)
        if x != XO:
            add("cells", _dot(ax, P(x, YH), concat, radius=0.05), "concat")

    # the gates' values go to the pointwise operations
    top = YL + BH / 2
    line([(XF, top), (XF, YB - R)], gate_c, "forget")
    text(XF - 0.1, (top + YB) / 2, r"$f_t$", gate_c, "forget", ha="right")
    line([(XI, top), (XI, YM), (XG - R, YM)], gate_c, "input")
    text(XI - 0.1, (top + YM) / 2, r"$i_t$", gate_c, "input", ha="right")
    line([(XG, top), (XG, YM - R)], gate_c, "candidate")
    text(XG + 0.1, (top + YM) / 2, r"$g_t$", gate_c, "candidate", ha="left")
    line([(XG, YM + R), (XG, YB - R)], gate_c, "update", "input", "candidate")
    line([(XO, top), (XO, YO), (XOUT - R, YO)], gate_c, "output")
    text((XO + XOUT - R) / 2, YO + 0.05, r"$o_t$", gate_c, "output", va="bottom")

    # c_t is copied down through tanh and gated by o_t into h_t, which leaves right and up
    add("cells", _dot(ax, P(XOUT, YB), belt, radius=0.06), "output", "hidden")
    line([(XOUT, YB), (XOUT, YT + RT)], belt, "output", "hidden")
    line([(XOUT, YT - RT), (XOUT, YO + R)], gate_c, "output", "hidden")
    line([(XOUT + R, YO), (XR, YO)], state, "hidden", head=False)
    add("cells", _dot(ax, P(XR, YO), state, radius=0.06), "hidden")
    line([(XR, YO), (XR, YH), (XE, YH)], state, "hidden")
    line([(XR, YO), (XR, YB + 1.3)], state, "hidden")
    text(XE + 0.1, YH, r"$h_t$", state, "hidden", ha="left")
    text(XR, YB + 1.55, r"$h_t$", state, "hidden")

    # optional numbers, small, beside (gates) or under (states) the label they belong to: (x, y, ha, va)
    yf, yi = (top + YB) / 2, (top + YM) / 2
    where = {"c_prev": (XL - 0.1, YB - 0.3, "right", "top", belt, "cell_state"),
             "c": (XE + 0.1, YB - 0.3, "left", "top", belt, "cell_state"),
             "h_prev": (XL - 0.1, YH - 0.3, "right", "top", state, "hidden"),
             "h": (XE + 0.1, YH - 0.3, "left", "top", state, "hidden"),
             "x": (XC + 0.3, YH - 1.75, "left", "center", COLORS["input"], "concat"),
             "f": (XF - 0.55, yf, "right", "center", gate_c, "forget"),
             "i": (XI - 0.55, yi, "right", "center", gate_c, "input"),
             "g": (XG + 0.6, yi, "left", "center", gate_c, "candidate"),
             "o": ((XO + XOUT - R) / 2, YO - 0.12, "center", "top", gate_c, "output")}
    for key in LSTM_VALUE_KEYS:
        if key in values:
            x, y, ha, va, color, part = where[key]
            text(x, y, values[key], color, part, fontsize=8, ha=ha, va=va, family="monospace")

    setup_axes(ax, [P(XL - 1.1, YH - 2.0), P(XE + 1.1, YB + 1.8)], margin=0.1)
    _emphasise(d, highlight)
    return d


def draw_notation_legend(ax, origin=(0.0, 0.0), spacing=3.2):
    """The five symbols of the LSTM diagram side by side, each with its name underneath.

    A layer (a box: weights, a bias and a nonlinearity), a pointwise operation (a circle), a vector
    transfer (an arrow), a concatenation (two lines joining) and a copy (one line splitting in two).
    Returns {"cells": [...], "arrows": [...], "texts": [...]}; the captions are the last five texts.
    """
    ox, oy = origin
    d = _new_drawing()
    c = LSTM_COLORS["concat"]
    xs = [ox + k * spacing for k in range(5)]
    patch, txt = box(ax, (xs[0], oy), r"$\sigma$", width=1.0, height=0.6, color=LSTM_COLORS["layer"],
                     edgecolor=LSTM_COLORS["layer_edge"], fontsize=12)
    d["cells"].append(patch)
    d["texts"].append(txt)
    patch, txt = op_circle(ax, (xs[1], oy), r"$\times$", radius=0.25, fontsize=13)
    d["cells"].append(patch)
    d["texts"].append(txt)
    d["arrows"].append(_polyline(ax, [(xs[2] - 0.9, oy), (xs[2] + 0.9, oy)], c))
    # concatenate: two lines come together and leave as one
    for dy in (0.4, -0.4):
        corner = [(xs[3] - 0.9, oy + dy), (xs[3] - 0.1, oy + dy), (xs[3] - 0.1, oy)]
        d["arrows"].append(_polyline(ax, corner, c, head=False))
    d["arrows"].append(_polyline(ax, [(xs[3] - 0.1, oy), (xs[3] + 0.9, oy)], c))
    d["cells"].append(_dot(ax, (xs[3] - 0.1, oy), c))
    # copy: one line splits and both branches carry the same vector
    d["arrows"].append(_polyline(ax, [(xs[4] - 0.9, oy), (xs[4] - 0.1, oy)], c, head=False))
    d["arrows"].append(_polyline(ax, [(xs[4] - 0.1, oy), (xs[4] - 0.1, oy + 0.4), (xs[4] + 0.9, oy + 0.4)], c))
    d["arrows"].append(_polyline(ax, [(xs[4] - 0.1, oy), (xs[4] - 0.1, oy - 0.4), (xs[4] + 0.9, oy - 0.4)], c))
    d["cells"].append(_dot(ax, (xs[4] - 0.1, oy), c))
    captions = ("layer\n(weights, bias,\nthen $\\sigma$ or tanh)", "pointwise\noperation", "vector\ntransfer",
                "concatenate", "copy")
    for x, caption in zip(xs, captions):
        d["texts"].append(label(ax, (x, oy - 0.75), caption, fontsize=11, va="top"))
    setup_axes(ax, [(xs[0] - 1.3, oy - 2.0), (xs[4] + 1.3, oy + 0.7)], margin=0.1)
    return d
