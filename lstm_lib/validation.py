"""Input checks shared by every public function: a clear ValueError, never numpy's
surprise.

Every message names the argument, what was expected and what arrived, e.g.
``h0 must have shape (B, H) = (4, 3), got (3, 4)``. Used from the first chapter on.
"""
import numbers

import numpy as np

LAYER_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  # torch's names, layer 0


def as_float_array(name, value):
    """`value` as a float numpy array, or a ValueError naming `name` and what arrived.

    >>> as_float_array("x", [1.0, 2.0]).dtype
    dtype('float64')
    >>> as_float_array("h_prev", (np.zeros((2, 3)), {"made_by": "rnn_step"}))
    Traceback (most recent call last):
    ...
    ValueError: h_prev must be an array of numbers, got a tuple of 2 items (a step \
function returns a tuple such as (h_t, cache): unpack it)
    """
    if type(value) is np.ndarray:
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):  # ragged lists, an array beside a dict, ...
            arr = np.empty(0, dtype=object)
    if arr.dtype.kind == "O" and isinstance(value, tuple):
        raise ValueError(f"{name} must be an array of numbers, got a tuple of "
                         f"{len(value)} items (a step function returns a tuple such as "
                         "(h_t, cache): unpack it)")
    if arr.dtype.kind != "f":
        raise ValueError(f"{name} must hold floating-point numbers "
                         f"(float32 or float64), got dtype {arr.dtype}")
    return arr


def as_real_array(name, value):
    """Like `as_float_array`, but integers are welcome too (and become float64).

    >>> as_real_array("steps", 3)
    array(3.)
    """
    arr = np.asarray(value)
    if arr.dtype.kind in "iu":
        return arr.astype(np.float64)
    return as_float_array(name, arr)


def check_rng(rng):
    """Raise unless `rng` is a ``numpy.random.Generator``, the library's one source of
    randomness.

    >>> check_rng(np.random.default_rng(0))
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator "
                         f"(np.random.default_rng(seed)), got {type(rng).__name__}")


def check_int(name, value, low, high=None):
    """Raise unless `value` is an integer (not a bool) in [low, high]; high=None: no
    upper bound.

    >>> check_int("hidden_size", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: hidden_size must be a positive integer, got 0
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if not ok or value < low or (high is not None and value > high):
        kind = {0: "a non-negative integer",
                1: "a positive integer"}.get(low, f"an integer >= {low}")
        bounds = f"an integer in [{low}, {high}]" if high is not None else kind
        raise ValueError(f"{name} must be {bounds}, got {value!r}")


def check_flag(name, value):
    """Raise unless `value` is True or False (a numpy bool counts); return it as a bool.

    >>> check_flag("forget_gate", "no")
    Traceback (most recent call last):
    ...
    ValueError: forget_gate must be True or False, got 'no'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_text(name, text):
    """Raise unless `text` is a non-empty str.

    >>> check_text("text", "")
    Traceback (most recent call last):
    ...
    ValueError: text must be a non-empty str, got ''
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"{name} must be a non-empty str, got {text!r}")


def check_number(name, value, low=-np.inf, high=np.inf, positive=False):
    """`value` as a float, or a ValueError unless it is one finite real number in
    [low, high].

    positive=True also excludes 0. Bools, strings and arrays are refused.

    >>> check_number("lr", 0.01, positive=True)
    0.01
    """
    arr = np.asarray(value)
    if (isinstance(value, (bool, np.bool_)) or arr.ndim != 0
            or arr.dtype.kind not in "iuf"):
        raise ValueError(f"{name} must be a single real number, got {value!r}")
    value = float(arr)
    inside = low <= value <= high and (value > 0 or not positive)
    if not np.isfinite(value) or not inside:
        where = "positive" if positive else "finite"
        bounds = (f" in [{low:g}, {high:g}]" if np.isfinite(low) and np.isfinite(high)
                  else f" >= {low:g}" if np.isfinite(low)
                  else f" <= {high:g}" if np.isfinite(high) else "")
        raise ValueError(f"{name} must be a {where} number{bounds}, got {value}")
    return value


def _fmt(shape):
    parts = ["any" if s is None else str(s) for s in shape]
    return f"({parts[0]},)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def check_ndim(name, arr, ndim, letters):
    """Raise unless `arr` has `ndim` dimensions; `letters` names them, e.g. '(T, B, D)'.

    >>> check_ndim("x", np.zeros((2, 3)), 3, "(T, B, D)")
    Traceback (most recent call last):
    ...
    ValueError: x must have 3 dimensions (T, B, D), got 2 with shape (2, 3)
    """
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions {letters}, "
                         f"got {arr.ndim} with shape {arr.shape}")
    return arr


def check_shape(name, arr, expected, letters=None):
    """Raise unless ``arr.shape`` is `expected`, where a None entry matches any size.

    >>> check_shape("h0", np.zeros((3, 4)), (4, 3), "(B, H)")
    Traceback (most recent call last):
    ...
    ValueError: h0 must have shape (B, H) = (4, 3), got (3, 4)
    """
    shape = arr.shape
    if len(shape) == len(expected) and all(e is None or e == s
                                           for e, s in zip(expected, shape)):
        return arr
    expected = tuple(expected)
    want = f"{letters} = {_fmt(expected)}" if letters else _fmt(expected)
    if arr.ndim != len(expected):
        raise ValueError(f"{name} must have {len(expected)} dimensions {want}, "
                         f"got {arr.ndim} with shape {arr.shape}")
    raise ValueError(f"{name} must have shape {want}, got {arr.shape}")


def check_same_dtype(**arrays):
    """Raise if the named arrays do not share one dtype (mixing float32 and float64
    hides precision loss).

    >>> check_same_dtype(x=np.zeros(2), h0=np.zeros(2, dtype=np.float32))
    Traceback (most recent call last):
    ...
    ValueError: arguments must share one dtype, got x: float64, h0: float32
    """
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:  # a set of one dtype: all agree
        listed = ", ".join(f"{n}: {d}" for n, d in dtypes.items())
        raise ValueError(f"arguments must share one dtype, got {listed}")


def check_state(name, arr, B, H, x_name, x_shape):
    """`arr` as a (B, H) float array; B is read from x, so a mismatch hints at a
    batch-first x.

    >>> check_state("h0", np.zeros((5, 2)), 2, 5, "x", (5, 2, 3))
    Traceback (most recent call last):
    ...
    ValueError: h0 must have shape (B, H) = (2, 5), got (5, 2) (B = 2 is read from x \
of shape (5, 2, 3); lstm_lib is time-major: is x batch-first?)
    """
    arr = as_float_array(name, arr)
    try:
        return check_shape(name, arr, (B, H), "(B, H)")
    except ValueError as err:
        raise ValueError(f"{err} (B = {B} is read from {x_name} of shape {x_shape}; "
                         f"lstm_lib is time-major: is {x_name} batch-first?)") from None


def check_cell_inputs(x, states, weight_ih, H, step):
    """The inputs of a cell: x_t (B, D) of one step (step=True) or x (T, B, D) of a
    sequence, D the columns of weight_ih, and each state of `states` ({name: array}) as
    (B, H), with B read from x; all of one dtype. Returns [x, *states].

    >>> x, h0 = check_cell_inputs(np.ones((5, 2, 3)), {"h0": np.zeros((2, 4))},
    ...                           np.zeros((4, 3)), 4, step=False)
    >>> h0.shape
    (2, 4)
    """
    name, letters = ("x_t", "(B, D)") if step else ("x", "(T, B, D)")
    x = check_ndim(name, as_float_array(name, x), 2 if step else 3, letters)
    check_shape(name, x, (None,) * (x.ndim - 1) + (weight_ih.shape[1],), letters)
    B = x.shape[-2]
    states = {s: check_state(s, a, B, H, name, x.shape) for s, a in states.items()}
    check_same_dtype(**{name: x}, **states, params=weight_ih)
    return [x, *states.values()]


def check_dict(params, keys, name="params", made_by="init_lstm_params"):
    """Raise unless `params` is a dict holding every key of `keys`, saying what went
    wrong: not a dict, torch's state-dict names, or a missing key.

    >>> check_dict({"weight_ih_l0": 0}, LAYER_KEYS)
    Traceback (most recent call last):
    ...
    ValueError: params has torch's state-dict names ['weight_ih_l0']; lstm_lib's dicts \
use the names without the layer suffix (weight_ih, ...): \
torch_bridge.from_torch(module) gives one
    """
    listed = ", ".join(keys)
    if not isinstance(params, dict):
        kind = type(params).__name__
        items = f" of {len(params)} items" if isinstance(params, (list, tuple)) else ""
        raise ValueError(f"{name} must be a dict with the keys {listed} (as {made_by} "
                         f"returns), got a {kind}{items}")
    if all(k in params for k in keys):
        return
    suffixed = sorted(k for k in params if isinstance(k, str) and "_l0" in k)
    if suffixed:
        raise ValueError(f"{name} has torch's state-dict names {suffixed}; lstm_lib's "
                         "dicts use the names without the layer suffix "
                         f"({keys[0]}, ...): torch_bridge.from_torch(module) gives one")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"{name} is missing key(s) {missing}; "
                         f"expected the keys {listed}")


def check_layer_params(params, gates, made_by):
    """Check a recurrent layer's dict in torch's layout, with G = `gates` blocks
    (1: RNN, 4: LSTM): weight_ih (G*H, D), weight_hh (G*H, H), bias_ih (G*H,),
    bias_hh (G*H,), one float dtype.

    Returns the dict with numpy arrays. A matrix stored the other way round is called
    transposed.

    >>> W = np.zeros((3, 12))
    >>> check_layer_params({"weight_ih": W.T, "weight_hh": W,
    ...                     "bias_ih": W[0], "bias_hh": W[0]}, 4, "init_lstm_params")
    Traceback (most recent call last):
    ...
    ValueError: params['weight_hh'] has shape (3, 12), which looks transposed: \
lstm_lib stores it as (4H, H) = (12, 3), as torch does
    """
    check_dict(params, LAYER_KEYS, made_by=made_by)
    out = {k: as_float_array(f"params['{k}']", params[k]) for k in LAYER_KEYS}
    rows = "4H" if gates == 4 else "H"
    w_hh = check_ndim("params['weight_hh']", out["weight_hh"], 2, f"({rows}, H)")
    H = w_hh.shape[1]
    if gates == 1 and w_hh.shape[0] != H:
        raise ValueError(f"params['weight_hh'] must be square (H, H), got {w_hh.shape}")
    if w_hh.shape[0] != gates * H:
        if gates > 1 and w_hh.shape[1] == gates * w_hh.shape[0]:
            _transposed("weight_hh", w_hh.shape, f"({rows}, H)", w_hh.shape[::-1])
        raise ValueError(f"params['weight_hh'] must have shape ({rows}, H) = "
                         f"{(gates * H, H)} for H = {H}, got {w_hh.shape}")
    w_ih = check_ndim("params['weight_ih']", out["weight_ih"], 2, f"({rows}, D)")
    if w_ih.shape[0] != gates * H and w_ih.shape[1] == gates * H:
        _transposed("weight_ih", w_ih.shape, f"({rows}, D)", w_ih.shape[::-1])
    check_shape("params['weight_ih']", w_ih, (gates * H, None),
                f"({rows}, D) with H = {H}")
    for key in ("bias_ih", "bias_hh"):
        check_shape(f"params['{key}']", out[key], (gates * H,))
    if len({a.dtype for a in out.values()}) > 1:
        dtypes = sorted(str(a.dtype) for a in out.values())
        raise ValueError(f"params mixes dtypes {dtypes}; use one dtype for all arrays")
    return out


def _transposed(key, shape, letters, want):
    raise ValueError(f"params['{key}'] has shape {shape}, which looks transposed: "
                     f"lstm_lib stores it as {letters} = {want}, as torch does")


def check_cache(cache, made_by, wanted_by):
    """Raise unless `cache` is a cache that `made_by` returned (its "made_by" entry says
    so); the message says which cache arrived instead, when it can tell.

    >>> check_cache((1, 2), "lstm_forward", "lstm_backward")
    Traceback (most recent call last):
    ...
    ValueError: lstm_backward needs the cache that lstm_forward returns (its last \
item), got a tuple of 2 items
    """
    if isinstance(cache, dict) and cache.get("made_by") == made_by:
        return cache
    got = f"a {type(cache).__name__}"
    if isinstance(cache, (tuple, list)):
        got += f" of {len(cache)} items"
    elif isinstance(cache, dict) and "made_by" in cache:
        got = f"the cache of {cache['made_by']}"
    raise ValueError(f"{wanted_by} needs the cache that {made_by} returns "
                     f"(its last item), got {got}")


def check_same_shapes(**arrays):
    """The named arrays as float arrays, or a ValueError unless all share the first
    one's shape.

    >>> f, c = check_same_shapes(f=[0.5, 1.0], c=[6.0, 8.0])
    >>> check_same_shapes(f=[0.5], c=[6.0, 8.0])
    Traceback (most recent call last):
    ...
    ValueError: c must have shape (the shape of f) = (1,), got (2,)
    """
    arrays = {name: as_float_array(name, a) for name, a in arrays.items()}
    first_name, first = next(iter(arrays.items()))
    for name, a in arrays.items():
        check_shape(name, a, first.shape, f"(the shape of {first_name})")
    return list(arrays.values())
