"""The diagram functions draw without error and return the artists and labels a reader should see."""
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lstm_book import diagrams


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_pieces(ax):
    patch, txt = diagrams.box(ax, (0, 0), "tanh")
    assert isinstance(patch, FancyBboxPatch) and txt.get_text() == "tanh"
    patch, txt = diagrams.op_circle(ax, (2, 0), "+")
    assert isinstance(patch, Circle) and txt.get_text() == "+"
    assert isinstance(diagrams.arrow(ax, (0, 0), (1, 0)), FancyArrowPatch)
    assert diagrams.label(ax, (0, 1), "$x_t$").get_text() == "$x_t$"


def test_rolled_cell(ax):
    d = diagrams.draw_rnn_cell(ax)
    assert len(d["cells"]) == 1 and len(d["arrows"]) == 3  # input, output, loop
    assert {"$x_t$", "$h_t$", "$h_{t-1}$"} <= set(diagrams.labels(d))
    assert not ax.axison and ax.get_aspect() == 1.0


@pytest.mark.parametrize("vertical", [False, True])
def test_unrolled_rnn_shares_one_cell(ax, vertical):
    T = 4
    d = diagrams.draw_unrolled_rnn(ax, T=T, vertical=vertical)
    texts = diagrams.labels(d)
    assert len(d["cells"]) == T
    assert texts.count("$W_{ih},\\ W_{hh}$") == T  # the same weights in every copy
    assert all(f"$x_{{{t}}}$" in texts for t in range(1, T + 1))  # an input enters every copy
    assert all(f"$h_{{{t}}}$" in texts for t in range(0, T + 1))
    assert len(d["arrows"]) == 3 * T + 1  # input, output, incoming state per copy, and the outgoing state
    fig = ax.figure
    fig.canvas.draw()  # renders without error (mathtext included)


def test_unrolled_without_outputs_and_numbering(ax):
    d = diagrams.draw_unrolled_rnn(ax, T=2, show_outputs=False, first_step=5)
    weights = "$W_{ih},\\ W_{hh}$"
    assert diagrams.labels(d) == [weights, "$x_{5}$", "$h_{4}$", weights, "$x_{6}$", "$h_{5}$"]


def test_feedforward_net_has_one_weight_per_layer(ax):
    d = diagrams.draw_feedforward_net(ax, L=3)
    texts = diagrams.labels(d)
    assert texts == ["$x$", "$W^{(1)}$", "$W^{(2)}$", "$W^{(3)}$", "$y$"]
    assert len({p.get_facecolor() for p in d["cells"]}) == 3  # a colour per layer: different weights


def test_two_drawings_share_an_axes(ax):
    diagrams.draw_rnn_cell(ax)
    x0, x1 = ax.get_xlim()
    diagrams.draw_unrolled_rnn(ax, T=3, origin=(8.0, 0.0))
    assert ax.get_xlim()[0] == x0 and ax.get_xlim()[1] > x1


@pytest.mark.parametrize("bad", [0, -1, 2.5, "4"])
def test_bad_sizes_raise(ax, bad):
    with pytest.raises(ValueError, match="positive integer"):
        diagrams.draw_unrolled_rnn(ax, T=bad)
    with pytest.raises(ValueError, match="positive integer"):
        diagrams.draw_feedforward_net(ax, L=bad)


# --- the LSTM cell --------------------------------------------------------------------------------------

def test_lstm_cell_parts_and_labels(ax):
    d = diagrams.draw_lstm_cell(ax)
    assert set(d["parts"]) == set(diagrams.LSTM_PARTS)
    assert all(d["parts"][p] for p in diagrams.LSTM_PARTS)  # every part drew something
    texts = diagrams.labels(d)
    for s in ["$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$f_t$", "$i_t$", "$g_t$", "$o_t$",
              "$[h_{t-1}, x_t]$", "tanh", "+", r"$\times$"]:
        assert s in texts, s
    assert texts.count(r"$\sigma$") == 3 and texts.count("tanh") == 2  # three gates; candidate and squash
    assert texts.count("$h_t$") == 2  # to the next step and up as output
    assert sum(isinstance(c, FancyBboxPatch) for c in d["cells"]) == 5  # frame + four layers
    everything = d["cells"] + d["arrows"] + d["texts"]
    assert all(any(a is b for b in everything) for p in d["parts"].values() for a in p)
    assert all(a.get_alpha() is None for a in everything)  # nothing faded without highlight
    ax.figure.canvas.draw()


def test_lstm_cell_part_contents(ax):
    d = diagrams.draw_lstm_cell(ax)
    part_texts = {p: [a.get_text() for a in arts if hasattr(a, "get_text")] for p, arts in d["parts"].items()}
    assert "$f_t$" in part_texts["forget"] and "$i_t$" in part_texts["input"]
    assert "$g_t$" in part_texts["candidate"] and "$o_t$" in part_texts["output"]
    assert {"$c_{t-1}$", "$c_t$"} <= set(part_texts["cell_state"])
    assert {"$h_{t-1}$", "$h_t$"} <= set(part_texts["hidden"])
    assert {"$x_t$", "$[h_{t-1}, x_t]$"} <= set(part_texts["concat"])
    assert {"+", r"$\times$"} <= set(part_texts["update"])


@pytest.mark.parametrize("parts", [["forget"], ("cell_state", "update"), "output"])
def test_lstm_cell_highlight_fades_the_rest(ax, parts):
    d = diagrams.draw_lstm_cell(ax, highlight=parts)
    names = [parts] if isinstance(parts, str) else list(parts)
    kept = {id(a) for p in names for a in d["parts"][p]}
    everything = d["cells"] + d["arrows"] + d["texts"]
    assert kept and len(kept) < len(everything)
    for a in everything:
        if id(a) in kept:
            assert a.get_alpha() is None
        else:
            assert a.get_alpha() == pytest.approx(diagrams.FADED_ALPHA)
    ax.figure.canvas.draw()


def test_lstm_cell_bad_highlight_raises(ax):
    with pytest.raises(ValueError, match="unknown part.*'forgot'.*cell_state"):
        diagrams.draw_lstm_cell(ax, highlight=["forgot"])


def test_lstm_cell_values(ax):
    d = diagrams.draw_lstm_cell(ax, values={"f": [0.5, 1.0, 0.25], "c": "c!", "h": [[0.1, -0.2]]})
    texts = diagrams.labels(d)
    assert "0.50\n1.00\n0.25" in texts and "c!" in texts and " 0.10\n-0.20" in texts
    assert any(getattr(a, "get_text", str)() == "0.50\n1.00\n0.25" for a in d["parts"]["forget"])
    with pytest.raises(ValueError, match="unknown key.*'z'"):
        diagrams.draw_lstm_cell(ax, values={"z": "1"})
    with pytest.raises(ValueError, match="at most 6"):
        diagrams.draw_lstm_cell(ax, values={"f": list(range(7))})
    with pytest.raises(ValueError, match="must be a dict"):
        diagrams.draw_lstm_cell(ax, values=[1, 2])


def test_lstm_cell_origin_shifts(ax):
    d0 = diagrams.draw_lstm_cell(ax)
    d1 = diagrams.draw_lstm_cell(ax, origin=(20.0, 0.0))
    x0 = d0["texts"][0].get_position()[0]
    assert d1["texts"][0].get_position()[0] == pytest.approx(x0 + 20.0)
    assert ax.get_xlim()[1] > 30.0


def test_notation_legend(ax):
    d = diagrams.draw_notation_legend(ax)
    captions = diagrams.labels(d)[-5:]
    assert captions[1:] == ["pointwise\noperation", "vector\ntransfer", "concatenate", "copy"]
    assert captions[0].startswith("layer")
    ax.figure.canvas.draw()


def test_lstm_cell_highlight_keeps_dot_colours(ax):
    d = diagrams.draw_lstm_cell(ax, highlight=("concat", "hidden"))
    dots = [a for p in ("concat", "hidden") for a in d["parts"][p] if diagrams.is_dot(a)]
    assert dots  # the join, the copies to the layers and the split of h_t
    for dot in dots:  # a join or split point stays the colour of its line, not the highlight colour
        assert tuple(dot.get_edgecolor()) == tuple(dot.get_facecolor())
    ops = [a for a in d["parts"]["hidden"] if isinstance(a, Circle) and not diagrams.is_dot(a)]
    assert ops and all(mcolors.same_color(a.get_edgecolor(), diagrams.LSTM_COLORS["highlight"]) for a in ops)
