"""The experiments of the chapter "The RNN learns": a small RNN trained with
`lstm_lib.next_step` to predict the next character of the sequences chapter's song,
scored position by position against the best window predictor, sampled with a
temperature, and trained again with truncated BPTT.

The sweep over chunk lengths, carried or reset states, learning rates and seeds (90
runs) took 2.5 minutes of CPU time (8 minutes on a shared machine), too long for the
chapter; it is stored in results/rnn_learns_sweep.json:

    python -m lstm_book.experiments.rnn_learns --store
"""
import argparse
import json
import pathlib

import numpy as np

from lstm_lib.data import encode, lookup_predictor, make_vocab, next_char_windows, one_hot
from lstm_lib.layers import init_linear_params, linear_backward, linear_forward
from lstm_lib.next_step import next_step_logits, softmax, train_truncated, zero_state
from lstm_lib.rnn import init_rnn_params, rnn_backward, rnn_forward
from lstm_lib.validation import check_int, check_text

RESULTS = pathlib.Path(__file__).parent / "results"
PERIOD = "the cat sat on the mat. the dog sat on the log. the fox sat on the box. "
VOCAB = make_vocab(PERIOD)
# the recipe of every run: B streams of the loop, L characters each, read n_epochs times
RECIPE = {"hidden": 32, "streams": 8, "length": 144, "n_epochs": 200, "lr": 0.03,
          "max_norm": 1.0}
SWEEP_KS = (4, 8, 16, 48, None)  # chunk lengths; None: the whole stream (full BPTT)
SWEEP_SEEDS = (0, 1, 2, 3, 4)
SWEEP_LRS = (0.01, 0.03)  # Adam's rate; 0.03 is the recipe's


def objects(text=PERIOD):
    """The positions of the first letter of each object (m, l, b in the song): the
    characters that depend on the animal named 13 or more characters before."""
    return [text.index(f"on the {w}") + len("on the ") for w in ("mat", "log", "box")]


def loop_stream(text, n_streams, length, vocab=VOCAB):
    """`n_streams` streams of `length` characters of the looped text, starting at
    evenly spaced offsets -> x (L, B, V) one-hot, targets (L, B) the next characters.

    >>> x, y = loop_stream(PERIOD, 8, 144)
    >>> x.shape, y.shape
    ((144, 8, 17), (144, 8))
    """
    check_text("text", text)
    check_int("n_streams", n_streams, 1)
    check_int("length", length, 1)
    idx = np.array(encode(text, vocab))
    offsets = np.arange(n_streams) * (len(text) // n_streams)  # (B,)
    pos = (offsets[None, :] + np.arange(length + 1)[:, None]) % len(text)  # (L+1, B)
    chars = idx[pos]
    return one_hot(chars[:-1], len(vocab)), chars[1:]


def new_network(seed, hidden=RECIPE["hidden"]):
    """An RNN (V -> hidden) and its readout (hidden -> V), V the song's characters,
    drawn from seed."""
    rng = np.random.default_rng(seed)
    V = len(VOCAB)
    return init_rnn_params(V, hidden, rng), init_linear_params(hidden, V, rng)


def train_song(seed, k=None, carry_state=True, text=PERIOD, callback=None, **recipe):
    """Train a new network on the looped text -> (params, readout, losses).

    k: the chunk length of truncated BPTT (None: full BPTT over the whole stream);
    every run reads the same characters (`RECIPE`, overridable by keyword), so runs
    with different k cost the same arithmetic and differ in the number of updates.
    """
    r = {**RECIPE, **recipe}
    x, y = loop_stream(text, r["streams"], r["length"])
    params, readout = new_network(seed, r["hidden"])
    return train_truncated(x, y, params, readout, k, r["n_epochs"], lr=r["lr"],
                           max_norm=r["max_norm"], carry_state=carry_state,
                           callback=callback)


def position_correct(params, readout, text=PERIOD, vocab=VOCAB):
    """Which characters of the text the network predicts right -> bool (N,).

    The network reads the loop twice from the zero state; entry j says whether its
    most probable next character, read just before character j of the second pass,
    is character j. The first pass only fills the state, as the sequences chapter's
    hand-written state did.
    """
    N = len(text)
    x = one_hot(np.array(encode(text + text, vocab)), len(vocab))[:, None]  # (2N, 1, V)
    logits, _ = next_step_logits(x, zero_state(params, 1), params, readout)
    guess = logits[N - 1 : 2 * N - 1, 0].argmax(axis=1)  # before characters 0 .. N-1
    return guess == np.array(encode(text, vocab))


def window_correct(text, k):
    """Which characters of the looped text the best k-window predictor gets right
    -> bool (N,): the lookup table of the sequences chapter (ties: the first seen)."""
    contexts, targets = next_char_windows(text, k)
    table = lookup_predictor(contexts, targets)
    return np.array([table[c] == a for c, a in zip(contexts, targets)])


def gradient_reach(params, readout, x, targets, t, b=0, start=0):
    """||d loss_t / d x_s|| for s = 0 .. t: how far back the gradient of the loss of
    one position t (stream b) reaches, when backpropagation starts at `start` (the
    first step of t's chunk; 0 for full BPTT) from the state carried there.
    Steps before `start` get exactly 0: the chunk boundary stops the gradient.
    Returns (t + 1,) norms, entry s for input step s.
    """
    x_b, y_b = x[:, b : b + 1], targets[:, b : b + 1]  # one stream, (L, 1, V)
    state = zero_state(params, 1)
    if start > 0:  # the state carried into the chunk: a constant
        state = next_step_logits(x_b[:start], state, params, readout)[1]
    h, cache = rnn_forward(x_b[start : t + 1], state[0], params)
    logits, readout_cache = linear_forward(h[-1], readout)  # (1, V): position t only
    p = softmax(logits)
    p[0, y_b[t, 0]] -= 1.0  # d cross-entropy / d logits
    dh = np.zeros_like(h)
    dh[-1] = linear_backward(p, readout_cache)[0]
    dx = rnn_backward(dh, cache)[0]  # (t + 1 - start, 1, V)
    reach = np.zeros(t + 1)
    reach[start:] = np.linalg.norm(dx[:, 0], axis=1)
    return reach


# --- the stored sweep: chunk length, carried or reset state, seeds ---------------------


def sweep_run(k, carry_state, seed, lr=RECIPE["lr"]):
    """One run of the sweep -> {k, carry_state, seed, lr, right, objects, final_loss}:
    the positions of the song right (of 72), the objects right (of 3) and the mean
    loss of the last pass over the data."""
    params, readout, losses = train_song(seed, k, carry_state, lr=lr)
    correct = position_correct(params, readout)
    n_chunks = len(losses) // RECIPE["n_epochs"]
    return {"k": k, "carry_state": carry_state, "seed": seed, "lr": lr,
            "right": int(correct.sum()), "objects": int(correct[objects()].sum()),
            "final_loss": float(losses[-n_chunks:].mean())}


def store():
    """Run the sweep and write results/rnn_learns_sweep.json."""
    runs = [sweep_run(k, carry, seed, lr) for lr in SWEEP_LRS for k in SWEEP_KS
            for carry in (True, False) for seed in SWEEP_SEEDS
            if k is not None or carry]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "rnn_learns_sweep.json"
    path.write_text(json.dumps({"recipe": RECIPE, "runs": runs}, indent=1) + "\n")
    print(f"wrote {path} ({len(runs)} runs)")


def load():
    """The stored sweep: {"recipe", "runs"}."""
    return json.loads((RESULTS / "rnn_learns_sweep.json").read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lstm_book.experiments.rnn_learns")
    parser.add_argument("--store", action="store_true",
                        help="run the sweep and write results/rnn_learns_sweep.json")
    args = parser.parse_args(argv)
    if args.store:
        store()
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
