"""The experiments of the chapter "A character-level language model": Python's own
documentation (`pydoc_data.topics`) as a corpus, smoothed character n-grams as
baselines, an `lstm_lib` LSTM trained on it with truncated BPTT, bits per character on
held-out text, and the cells whose activation tracks something countable.

The longer runs (a bigger LSTM, and the chunk-length / carried-state comparison over
three seeds) take about half an hour on one core; they are stored in
results/char_lm.json, and the weights of the first long run (seed 0), with which the
chapter writes and looks inside, in results/char_lm_long_seed0.npz (0.5 MB, float32):

    python -m lstm_book.experiments.char_lm --store            # both
    python -m lstm_book.experiments.char_lm --store-weights    # the weights alone (4-9 min)
"""
import argparse
import json
import pathlib
import time

import numpy as np

from lstm_lib.data import encode, make_vocab, one_hot
from lstm_lib.layers import init_linear_params
from lstm_lib.lstm import init_lstm_params, lstm_forward
from lstm_lib.next_step import next_step_loss, next_step_nll, zero_state
from lstm_lib.optim import Adam, clip_grad_norm
from lstm_lib.validation import check_int, check_number

RESULTS = pathlib.Path(__file__).parent / "results"
WEIGHTS = RESULTS / "char_lm_long_seed0.npz"  # the first long run's trained weights
SPLIT = (0.8, 0.1, 0.1)  # train, validation, test: consecutive parts of the text
LOG2 = np.log(2.0)
# the live chapter's recipe; the stored run changes hidden and n_updates
RECIPE = {"hidden": 64, "streams": 32, "k": 64, "n_updates": 1000, "lr": 3e-3,
          "max_norm": 1.0, "carry_state": True}
LONG = {**RECIPE, "hidden": 128, "n_updates": 6000}
COMPARE_KS = (8, 64)
COMPARE_SEEDS = (0, 1, 2)
DTYPE = np.float32  # training in float32 halves the time; checks use float64


def corpus():
    """The text of `pydoc_data.topics` (the help pages of Python's statements and
    operators), its entries joined in the order of their sorted keys -> str."""
    from pydoc_data.topics import topics

    return "".join(topics[key] for key in sorted(topics))


def split_indices(n, fractions=SPLIT):
    """The (start, stop) of the train, validation and test parts of n characters.

    >>> split_indices(100)
    [(0, 80), (80, 90), (90, 100)]
    """
    check_int("n", n, len(fractions))
    stops = np.round(np.cumsum(fractions) * n).astype(int)
    starts = np.concatenate([[0], stops[:-1]])
    return [(int(a), int(b)) for a, b in zip(starts, stops)]


def load_corpus():
    """-> text, vocab (sorted characters), idx (N,) the text as indices, parts
    {"train", "valid", "test"}: (start, stop) into idx."""
    text = corpus()
    vocab = make_vocab(text)
    idx = encode(text, vocab)
    parts = dict(zip(("train", "valid", "test"), split_indices(len(idx))))
    return text, vocab, idx, parts


# ---------------------------------------------------------------- n-gram baselines


def _codes(idx, positions, n, V):
    """The code of the n-1 characters before each position: sum_j idx[t-j] V^(j-1)."""
    code = np.zeros(len(positions), dtype=np.int64)
    for j in range(1, n):
        code = code * V + idx[positions - j]
    return code


def ngram_log2probs(idx, train, positions, order, V, every_order=False):
    """log2 p(idx[t] | the order-1 characters before t) for each t of `positions`,
    under interpolated absolute discounting fitted on idx[train[0]:train[1]].

    p_n(c | w) = (max(N(w c) - D_n, 0) + D_n N1+(w) p_{n-1}(c | w')) / N(w), w' the
    context w without its oldest character, p_0 = 1 / V; when N(w) = 0, p_n = p_{n-1}.
    N counts in the training part, N1+(w) the distinct characters seen after w, and
    D_n = n1 / (n1 + 2 n2) from the numbers of n-grams seen once and twice
    (0.5 if there are none). every_order=True returns the values of every order
    1 .. order, (order, len(positions)), which the recursion computes anyway.

    >>> idx = np.array([0, 1] * 50)
    >>> lp = ngram_log2probs(idx, (0, 100), np.array([50, 51]), 2, 2)
    >>> bool(np.all(lp > -0.05))  # 0101...: the next character is almost sure
    True
    """
    check_int("order", order, 1)
    positions = np.asarray(positions)
    if positions.min() < order - 1:
        raise ValueError(f"positions must be >= order - 1 = {order - 1} (a full "
                         f"context), got {positions.min()}")
    p = np.full(len(positions), 1.0 / V)
    target = idx[positions]
    out = []
    for n in range(1, order + 1):
        fit = np.arange(max(train[0], n - 1), train[1])
        w_fit = _codes(idx, fit, n, V)
        joint, joint_counts = np.unique(w_fit * V + idx[fit], return_counts=True)
        ws, w_counts = np.unique(w_fit, return_counts=True)
        w_types = np.bincount(np.searchsorted(ws, joint // V), minlength=len(ws))
        n1, n2 = np.sum(joint_counts == 1), np.sum(joint_counts == 2)
        D = n1 / (n1 + 2 * n2) if n1 + n2 else 0.5
        w = _codes(idx, positions, n, V)
        i = np.minimum(np.searchsorted(ws, w), len(ws) - 1)
        seen = ws[i] == w
        j = np.minimum(np.searchsorted(joint, w * V + target), len(joint) - 1)
        n_wc = np.where(joint[j] == w * V + target, joint_counts[j], 0)
        N_w = np.where(seen, w_counts[i], 1)  # 1: unused where not seen
        mixed = (np.maximum(n_wc - D, 0) + D * w_types[i] * p) / N_w
        p = np.where(seen, mixed, p)
        out.append(np.log2(p))
    return np.array(out) if every_order else out[-1]


def ngram_bits(idx, train, part, order, V):
    """Bits per character of the n-gram of `order` on idx[part[0]:part[1]] (the
    context of its first characters is read from the text before)."""
    positions = np.arange(max(part[0], order - 1), part[1])
    return float(-ngram_log2probs(idx, train, positions, order, V).mean())


def unseen_fraction(idx, train, part, order, V):
    """The fraction of the characters of idx[part] whose context of order - 1
    characters never occurs in the training part: there the n-gram of `order` falls
    back to the shorter context."""
    check_int("order", order, 2)
    fit = np.arange(max(train[0], order - 1), train[1])
    seen = np.unique(_codes(idx, fit, order, V))
    codes = _codes(idx, np.arange(max(part[0], order - 1), part[1]), order, V)
    return float(1.0 - np.isin(codes, seen).mean())


def ngram_table(idx, parts, V, max_order=8):
    """{order: (validation bpc, test bpc)} for orders 1 .. max_order, in one pass of
    the recursion; the best order is the one with the lowest validation bpc. Both
    parts must start at or after max_order - 1."""
    out = {}
    lp = {name: ngram_log2probs(idx, parts["train"], np.arange(*parts[name]), max_order,
                                V, every_order=True) for name in ("valid", "test")}
    for n in range(1, max_order + 1):
        out[n] = (float(-lp["valid"][n - 1].mean()), float(-lp["test"][n - 1].mean()))
    return out


# ---------------------------------------------------------------- the LSTM


def new_model(V, hidden, seed, dtype=DTYPE):
    """An LSTM (V one-hot inputs -> hidden) and its readout (hidden -> V), drawn from
    seed, in dtype."""
    rng = np.random.default_rng(seed)
    params = init_lstm_params(V, hidden, rng)
    readout = init_linear_params(hidden, V, rng)
    return ({k: v.astype(dtype) for k, v in params.items()},
            {k: v.astype(dtype) for k, v in readout.items()})


def streams(idx, part, n_streams):
    """Cut idx[part] into n_streams consecutive pieces of equal length -> (L + 1, B)
    indices; column b is piece b, read top to bottom.

    >>> streams(np.arange(10), (0, 10), 2).T
    array([[0, 1, 2, 3, 4],
           [5, 6, 7, 8, 9]])
    """
    check_int("n_streams", n_streams, 1)
    seg = idx[part[0]:part[1]]
    L = len(seg) // n_streams
    return seg[:L * n_streams].reshape(n_streams, L).T


def train_lm(idx, part, V, seed, hidden=RECIPE["hidden"], n_streams=RECIPE["streams"],
             k=RECIPE["k"], n_updates=RECIPE["n_updates"], lr=RECIPE["lr"],
             max_norm=RECIPE["max_norm"], carry_state=RECIPE["carry_state"],
             callback=None, dtype=DTYPE):
    """Train a new model on idx[part] with truncated BPTT -> (params, readout, losses).

    The part is cut into `n_streams` streams read side by side (`streams`); each
    update reads the next k characters of every stream (one-hot), as
    `lstm_lib.next_step.train_truncated` does: `next_step_loss` from the carried state
    (the gradient stops there; carry_state=False: from zeros), `clip_grad_norm`, Adam.
    At the end of the streams reading starts again at their top, from the zero state.
    losses: the loss (nats per character) of each chunk, before its update.
    callback(n, loss, params, readout, grad_norm) after update n, as
    `lstm_lib.next_step.train_truncated`'s.
    """
    check_int("k", k, 1)
    check_int("n_updates", n_updates, 1)
    check_number("lr", lr, positive=True)
    cols = streams(idx, part, n_streams)  # (L + 1, B)
    n_chunks = (len(cols) - 1) // k
    check_int("the chunks per pass (streams too short for k)", n_chunks, 1)
    params, readout = new_model(V, hidden, seed, dtype)
    optimizer = Adam({**params, **readout}, lr=lr)  # updates the arrays in place
    losses = np.empty(n_updates)
    state = zero_state(params, n_streams, dtype)
    for n in range(n_updates):
        chunk = n % n_chunks
        if chunk == 0 or not carry_state:
            state = zero_state(params, n_streams, dtype)
        rows = cols[chunk * k:chunk * k + k + 1]  # k inputs and their k targets
        x = one_hot(rows[:-1], V, dtype)  # (k, B, V)
        losses[n], grads, state = next_step_loss(x, rows[1:], state, params, readout)
        grad_norm = clip_grad_norm(grads, max_norm)
        optimizer.step(grads)
        if callback is not None and callback(n + 1, losses[n], params, readout,
                                             grad_norm):
            return params, readout, losses[:n + 1]
    return params, readout, losses


def lstm_bits(idx, part, params, readout, n_streams=8, reset_every=None, chunk=512):
    """Bits per character of the model on idx[part].

    reset_every=None: the part is cut into `n_streams` pieces, each read from the zero
    state with the state carried to its end, chunk by chunk; every character but the
    first of each piece is scored. reset_every=m: the model sees at most m characters
    of context: the part is cut into consecutive windows of m characters, each read
    from the zero state (all windows side by side, one batch) and scored on the
    character after each of its m; every character but the first of the part is
    scored (a last, shorter window included).
    """
    V = readout["weight"].shape[0]
    dtype = params["weight_hh"].dtype
    if reset_every is not None:
        check_int("reset_every", reset_every, 1)
        seg = idx[part[0]:part[1]]
        m = reset_every
        n_full = (len(seg) - 1) // m
        pieces = [(seg[:n_full * m].reshape(n_full, m).T,  # (m, n_full) inputs
                   seg[1:n_full * m + 1].reshape(n_full, m).T)]
        if n_full * m < len(seg) - 1:  # the rest, shorter than m
            pieces.append((seg[n_full * m:-1, None], seg[n_full * m + 1:, None]))
        total, count = 0.0, 0
        for x_idx, y_idx in pieces:
            nll, _ = next_step_nll(one_hot(x_idx, V, dtype), y_idx,
                                   zero_state(params, x_idx.shape[1], dtype), params,
                                   readout)
            total += float(nll.astype(np.float64).sum())
            count += nll.size
        return total / count / LOG2
    cols = streams(idx, part, n_streams)
    total, count = 0.0, 0
    state = zero_state(params, n_streams, dtype)
    for start in range(0, len(cols) - 1, chunk):
        rows = cols[start:start + chunk + 1]
        nll, state = next_step_nll(one_hot(rows[:-1], V, dtype), rows[1:], state,
                                   params, readout)
        total += float(nll.astype(np.float64).sum())
        count += nll.size
    return total / count / LOG2


# ---------------------------------------------------------------- looking inside


def features(text):
    """Countable properties of each character of `text` (after reading it) -> dict of
    (N,) float arrays: in_quotes (between a pair of double quotes on one line),
    bracket_depth (open ( [ { not yet closed), line_position (characters since the
    last newline), indentation (leading spaces of the current line so far).

    >>> f = features('a "b"\\n  (c)')
    >>> f["in_quotes"].tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    out = {name: np.zeros(len(text)) for name in
           ("in_quotes", "bracket_depth", "line_position", "indentation")}
    quote = depth = pos = indent = 0
    leading = True
    for t, ch in enumerate(text):
        if ch == "\n":
            quote, pos, indent, leading = 0, 0, 0, True
        else:
            pos += 1
            if ch == '"':
                quote = 1 - quote
            if leading and ch == " ":
                indent += 1
            else:
                leading = False
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        # the closing quote itself counts as inside, the opening one too
        out["in_quotes"][t] = quote or (ch == '"')
        out["bracket_depth"][t] = depth
        out["line_position"][t] = pos
        out["indentation"][t] = indent
    return out


def cell_states(idx, params):
    """Run the LSTM over idx (N,) as one stream from the zero state -> the cell
    states c (N, H) and hidden states h (N, H), as float64."""
    V = params["weight_ih"].shape[1]
    H = params["weight_hh"].shape[1]
    dtype = params["weight_hh"].dtype
    x = one_hot(np.asarray(idx)[:, None], V, dtype)  # (N, 1, V)
    zeros = np.zeros((1, H), dtype)
    h, c, _ = lstm_forward(x, zeros, zeros, params)
    return c[:, 0].astype(np.float64), h[:, 0].astype(np.float64)


def correlations(acts, feats):
    """Pearson correlation of each unit (column of acts (N, H)) with each feature
    -> {name: (H,) array}; a constant unit gets 0."""
    a = acts - acts.mean(axis=0)
    a_norm = np.sqrt((a ** 2).sum(axis=0))
    out = {}
    for name, f in feats.items():
        g = f - f.mean()
        denom = a_norm * np.sqrt((g ** 2).sum())
        out[name] = np.where(denom > 0, (g @ a) / np.where(denom > 0, denom, 1), 0.0)
    return out


def best_cells(acts, feats):
    """{feature: (unit, r)}: the unit whose activation correlates most strongly (in
    absolute value) with each feature, and its correlation r."""
    return {name: (int(np.argmax(np.abs(r))), float(r[np.argmax(np.abs(r))]))
            for name, r in correlations(acts, feats).items()}


# ---------------------------------------------------------------- stored runs


def run(seed, checkpoints=(), **recipe):
    """Train one model and score it -> (a dict, (params, readout)).

    The dict holds the recipe, the seed, the time, `curve` (the training loss in bits
    averaged over each 1 % of the updates), held-out bpc with the state carried
    (valid_bits, test_bits) and with the state reset every k characters
    (test_bits_reset_k), and valid_bits at each update count of `checkpoints`."""
    r = {**RECIPE, **recipe}
    _, vocab, idx, parts = load_corpus()
    valid_at = {}

    def callback(n, loss, params, readout, grad_norm):
        if n in checkpoints:
            valid_at[n] = lstm_bits(idx, parts["valid"], params, readout)

    t0 = time.perf_counter()
    params, readout, losses = train_lm(idx, parts["train"], len(vocab), seed,
                                       hidden=r["hidden"], n_streams=r["streams"],
                                       k=r["k"], n_updates=r["n_updates"], lr=r["lr"],
                                       max_norm=r["max_norm"],
                                       carry_state=r["carry_state"], callback=callback)
    seconds = time.perf_counter() - t0
    curve = losses.reshape(100, -1).mean(axis=1) / LOG2
    return {**r, "seed": seed, "seconds": round(seconds, 1),
            "curve": [round(float(b), 4) for b in curve],
            "valid_at": valid_at,
            "valid_bits": lstm_bits(idx, parts["valid"], params, readout),
            "test_bits": lstm_bits(idx, parts["test"], params, readout),
            "test_bits_reset_k": lstm_bits(idx, parts["test"], params, readout,
                                           reset_every=r["k"])}, (params, readout)


def compare_run(k, carry_state, seed):
    """One run of the comparison: the live recipe with chunks of k characters and the
    state carried or reset. Every update reads k * streams = 2,048 characters (k = 8
    reads 256 streams side by side), so that all runs make the same number of updates
    on the same number of characters and differ only in where the gradient is cut."""
    n_streams = RECIPE["streams"] * RECIPE["k"] // k
    return run(seed, k=k, carry_state=carry_state, streams=n_streams)[0]


def store():
    """Run the comparison and the long runs and write results/char_lm.json."""
    text, vocab, idx, parts = load_corpus()
    compare = []
    for k in COMPARE_KS:
        for carry in (True, False):
            for seed in COMPARE_SEEDS:
                result = compare_run(k, carry, seed)
                compare.append(result)
                print(json.dumps(result), flush=True)
    long_runs, inside = [], {}
    for seed in (0, 1):
        result, (params, readout) = run(seed, checkpoints=range(1000, 6001, 1000),
                                        **LONG)
        result["test_bits_reset"] = {m: lstm_bits(idx, parts["test"], params, readout,
                                                  reset_every=m)
                                     for m in (1, 2, 4, 8, 16, 32, 64, 128)}
        long_runs.append(result)
        print(json.dumps(result), flush=True)
        if seed == 0:
            save_weights(params, readout)
            test = text[parts["test"][0]:parts["test"][1]]
            c, _ = cell_states(idx[parts["test"][0]:parts["test"][1]], params)
            inside = best_cells(c, features(test))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "char_lm.json"
    path.write_text(json.dumps({"recipe": RECIPE, "long": LONG, "compare": compare,
                                "long_runs": long_runs, "inside_long": inside},
                               indent=1) + "\n")
    print(f"wrote {path}")


def load():
    """The stored runs: {"recipe", "long", "compare", "long_runs", "inside_long"}."""
    return json.loads((RESULTS / "char_lm.json").read_text())


def store_long_model():
    """Train the first long run (LONG, seed 0) again and write its weights to
    WEIGHTS, after checking that it is the stored run: its held-out bits per character
    must equal the stored ones."""
    result, (params, readout) = run(0, **LONG)
    stored = load()["long_runs"][0]
    for key in ("valid_bits", "test_bits"):
        if result[key] != stored[key]:
            raise RuntimeError(f"the re-run's {key} is {result[key]!r}, the stored run's "
                               f"{stored[key]!r}: not writing {WEIGHTS.name}")
    save_weights(params, readout)
    print(f"wrote {WEIGHTS} ({result['seconds']:.0f} s of training)")


def save_weights(params, readout):
    """Write a model's weights to WEIGHTS (compressed npz, keys params/... and
    readout/...)."""
    np.savez_compressed(WEIGHTS, **{f"params/{k}": v for k, v in params.items()},
                        **{f"readout/{k}": v for k, v in readout.items()})


def load_long_model():
    """The weights of the first long run (LONG, seed 0): (params, readout), float32."""
    with np.load(WEIGHTS) as f:
        split = [{k.split("/", 1)[1]: f[k] for k in f.files if k.startswith(p + "/")}
                 for p in ("params", "readout")]
    return split[0], split[1]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lstm_book.experiments.char_lm")
    parser.add_argument("--store", action="store_true",
                        help="run the longer trainings and write results/char_lm.json")
    parser.add_argument("--store-weights", action="store_true",
                        help=f"train the first long run again and write {WEIGHTS.name}")
    args = parser.parse_args(argv)
    if args.store:
        store()
    if args.store_weights:
        store_long_model()
    if not (args.store or args.store_weights):
        parser.print_help()


if __name__ == "__main__":
    main()
