"""Input checks shared by the public functions: clear `ValueError`s instead of numpy's broadcasting surprises."""
import numpy as np


def as_float_array(name, value):
    """Return `value` as a floating numpy array, or raise naming `name` and the dtype."""
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{name} must hold floating-point numbers (float32 or float64), got dtype {arr.dtype}")
    return arr


def as_real_array(name, value):
    """Like `as_float_array`, but integers are welcome too (a number of steps, a forget value of 1): float64."""
    arr = np.asarray(value)
    if np.issubdtype(arr.dtype, np.integer) and arr.dtype != bool:
        return arr.astype(np.float64)
    return as_float_array(name, arr)


def check_sizes_and_rng(rng, **sizes):
    """Raise unless every size is a positive integer and `rng` a numpy Generator (what the init functions need)."""
    for name, size in sizes.items():
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
            raise ValueError(f"{name} must be a positive integer, got {size!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")


def check_shape(name, arr, expected, letters=None):
    """Raise if `arr.shape` differs from `expected`; a `None` entry in `expected` matches any size.

    The message names the argument, the expected and the actual shape, e.g.
    ``h0 must have shape (B, H) = (4, 3), got (3, 4)`` when ``letters="(B, H)"``.
    """
    expected = tuple(expected)
    want = f"{letters} = {_fmt(expected)}" if letters else _fmt(expected)
    if arr.ndim != len(expected):
        raise ValueError(f"{name} must have {len(expected)} dimensions {want}, got {arr.ndim} with shape {arr.shape}")
    if any(e is not None and e != s for e, s in zip(expected, arr.shape)):
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    return arr


def check_ndim(name, arr, ndim, letters):
    """Raise if `arr` does not have `ndim` dimensions; `letters` names them for the message, e.g. '(T, B, D)'."""
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions {letters}, got {arr.ndim} with shape {arr.shape}")
    return arr


def check_params(params, expected_shapes, name="params"):
    """Check a parameter dict against ``{key: shape}``; return it with float arrays.

    Raises `ValueError` for a missing key, a non-float array or a wrong shape.
    """
    if not isinstance(params, dict):
        raise ValueError(f"{name} must be a dict with keys {sorted(expected_shapes)}, got {type(params).__name__}")
    missing = [k for k in expected_shapes if k not in params]
    if missing:
        raise ValueError(f"{name} is missing key(s) {missing}; expected keys {list(expected_shapes)}")
    out = {}
    for key, shape in expected_shapes.items():
        arr = as_float_array(f"{name}['{key}']", params[key])
        out[key] = check_shape(f"{name}['{key}']", arr, shape)
    dtypes = {a.dtype for a in out.values()}
    if len(dtypes) > 1:
        raise ValueError(f"{name} mixes dtypes {sorted(str(d) for d in dtypes)}; use one dtype for all arrays")
    return out


def matrix_shape(params, key, letters):
    """The checked shape of the matrix ``params[key]``, from which the other shapes follow; (None, None) if absent.

    An absent key or a non-dict is left for `check_params` to report.
    """
    if isinstance(params, dict) and key in params:
        arr = as_float_array(f"params['{key}']", params[key])
        return check_shape(f"params['{key}']", arr, (None, None), letters).shape
    return (None, None)


def check_same_dtype(**arrays):
    """Raise if the named arrays do not share one dtype (mixing float32 and float64 hides precision loss)."""
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{n}: {d}" for n, d in dtypes.items())
        raise ValueError(f"arguments must share one dtype, got {listed}")


def _fmt(shape):
    parts = ["any" if s is None else str(s) for s in shape]
    return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"
