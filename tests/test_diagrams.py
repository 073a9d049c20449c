"""The diagram functions draw without error and return the artists and labels a reader should see."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402

from lstm_lib import diagrams  # noqa: E402


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
    assert diagrams.labels(d) == ["$W_{ih},\\ W_{hh}$", "$x_{5}$", "$h_{4}$", "$W_{ih},\\ W_{hh}$", "$x_{6}$", "$h_{5}$"]


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
