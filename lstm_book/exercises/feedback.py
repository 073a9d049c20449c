"""The machinery behind every exercise checker: call the reader's code safely, compare, explain.

A checker never raises: whatever the answer does (raise, return None, return the wrong shape), the
reader gets a printed explanation and the checker returns a `Verdict` that is truthy only on success.
"""
import copy
import html
import inspect
import sysconfig
import textwrap
import traceback

import numpy as np


class Verdict:
    """The result of a check: truthy when the answer passed; displays nothing (the feedback is printed)."""

    def __init__(self, passed, messages):
        self.passed = bool(passed)
        self.messages = list(messages)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self):
        pass  # the feedback was printed already; an Out[] line would only repeat it


MARKS = {True: "✓", False: "✗"}  # in every common font, unlike emoji


STUB = "NotImplementedError"  # what an exercise's starting code raises


def report(title, messages, passed):
    """Print the feedback block and return the verdict.

    An answer still at its starting code (it raises NotImplementedError) is not a mistake: the
    reader is told what to do next instead of being shown an error.
    """
    if not passed and any(f"raised {STUB}" in m for m in messages):
        messages = [_stub_message(m) if f"raised {STUB}" in m else m for m in messages]
        return waiting(title.removesuffix(": not yet"), "code", messages)
    _print_block(f"{MARKS[bool(passed)]} {title}", messages)
    return Verdict(passed, messages)


def waiting(name, what, messages):
    """Print that an exercise still holds its starting answer ("waiting for your `what`"), which is
    not a mistake, with what to do next; return a failing verdict."""
    _print_block(f"○ {name}: waiting for your {what}", messages)
    return Verdict(False, messages)


WIDTH = 80  # characters: a printed verdict fits the book's text column


def _print_block(header, messages):
    print(header)
    for msg in messages:
        for line in msg.split("\n"):
            print(textwrap.fill(line, WIDTH, initial_indent="   ", subsequent_indent="     ",
                                break_long_words=False, break_on_hyphens=False))


def _stub_message(message):
    detail = message[message.index(f"raised {STUB}") + len("raised "):]
    return f"It still raises {detail}. Write your answer in its place and run this cell again."


def verdict_html(passed, messages):
    """The verdict as one short HTML paragraph, for ``slider_frames(..., feedback=...)``."""
    color = "#1a7f37" if passed else "#b35900"
    lines = "<br>".join(html.escape(m).replace("\n", " ") for m in messages)
    return f'<p style="color:{color}; margin:0.3em 0">{MARKS[bool(passed)]} {lines}</p>'


def is_count(value):
    """True for a whole number given as int or a numpy integer; False for bool, float, str, None."""
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def is_number(value):
    """True for a real number given as int, float or a numpy scalar; False for bool, str, None, arrays."""
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def not_callable(fn):
    """The feedback for an answer that is not a function, or None when it is one."""
    if callable(fn):
        return None
    return f"Expected a function, got a {type(fn).__name__}. Pass the function itself, without ()."


# Frames in these places are not the reader's code: the book's and the library's packages, the
# installed packages (numpy, torch) and Python's own library.
_NOT_THE_READERS = ("/lstm_book/", "/lstm_lib/", "/site-packages/", sysconfig.get_paths()["stdlib"] + "/")


def describe_exception(exc):
    """One line for an exception raised by the reader's code, with the innermost line of *their*
    code it came from (not a line of numpy or of lstm_lib that their code called)."""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not any(place in frame.filename.replace("\\", "/") for place in _NOT_THE_READERS):
            code = (frame.line or "").strip()
            where = f" (line {frame.lineno}" + (f": `{code}`" if code else "") + ")"
            break
    return f"{type(exc).__name__}: {exc}{where}"


def call_safely(fn, *args):
    """Call fn(*args): returns (result, None) or (None, message) if it raised."""
    try:
        return fn(*args), None
    except Exception as exc:  # any error in the reader's code becomes feedback
        return None, describe_exception(exc)


def as_result_array(result, what):
    """The reader's return value as a float array, or (None, message) explaining why it is not one."""
    if result is None:
        return None, f"{what} returned None. Did you forget the `return` statement?"
    if isinstance(result, tuple):
        return None, f"{what} returned a tuple of {len(result)} items; return a single numpy array."
    try:
        arr = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"{what} returned a {type(result).__name__}, which is not an array of numbers."
    return arr, None


def compare_to_reference(fn, reference, cases, mistakes, what, expected_letters, arg_names=None, atol=1e-8):
    """Check fn against `reference` on every argument tuple in `cases`.

    arg_names names the arguments in the shape hints, e.g. ("x_t", "h_prev", "params").
    mistakes: list of (wrong_function, hint); when the answer matches a wrong function's output the hint
    explains the slip. Returns (passed, messages).
    """
    if not callable(fn):
        return False, [not_callable(fn)]
    for n, args in enumerate(cases, 1):
        expected = reference(*args)
        result, error = call_safely(fn, *args)
        if error:
            return False, [f"Case {n}: {what} raised {error}", *_shape_hints(args, arg_names)]
        arr, problem = as_result_array(result, what)
        if problem:
            return False, [f"Case {n}: {problem}"]
        if arr.shape != expected.shape:
            return False, [f"Case {n}: {what} returned shape {arr.shape}; "
                           f"expected {expected_letters} = {expected.shape}.", *_shape_hints(args, arg_names)]
        if not np.all(np.isfinite(arr)):
            return False, [f"Case {n}: the result contains NaN or infinity."]
        if not np.allclose(arr, expected, atol=atol, rtol=1e-6):
            hints = [hint for wrong, hint in mistakes if _matches(wrong, args, arr, atol)]
            worst = float(np.max(np.abs(arr - expected)))
            return False, [f"Case {n}: the shape is right but the values are not (largest difference {worst:.3g}).",
                           *(hints or ["No common slip matches; compare your code with the equation term by term."])]
    return True, [f"All {len(cases)} cases match the reference implementation."]


def changed_input(fn, args, arg_names, what):
    """The feedback when fn(*args) writes into one of the caller's arrays, or None when it leaves them alone.

    fn gets copies; the message names the first argument (or dict entry) the call changed."""
    given = copy.deepcopy(args)
    _, error = call_safely(fn, *given)
    if error:
        return None  # compare_to_reference explains errors
    for name, before, after in zip(arg_names, args, given):
        pairs = ([(f"{name}['{k}']", before[k], after.get(k)) for k in before] if isinstance(before, dict)
                 else [(name, before, after)])
        for label, old, new in pairs:
            if isinstance(old, np.ndarray) and not (isinstance(new, np.ndarray) and np.array_equal(old, new)):
                return (f"the values are right, but {what} wrote into {label}, the caller's array: after "
                        "the call it holds other numbers, and the caller may still need them.\n"
                        f"Make a new array instead of writing into {label} "
                        f"({label}[:] = ..., {label} += ..., np.tanh(..., out={label})).")
    return None


def leaves_inputs_alone(fn, passed, messages, cases, arg_names, what):
    """(passed, messages) of `compare_to_reference`, failed when a right answer writes into the
    caller's arrays in any case (`changed_input`)."""
    if passed:
        for n, case in enumerate(cases, 1):
            problem = changed_input(fn, case, arg_names, what)
            if problem:
                return False, [f"Case {n}: {problem}"]
    return passed, messages


def _matches(wrong, args, arr, atol):
    try:
        out = np.asarray(wrong(*args), dtype=np.float64)
        return out.shape == arr.shape and np.allclose(arr, out, atol=atol, rtol=1e-6)
    except Exception:  # a slip model that does not apply to these inputs
        return False


def _shape_hints(args, arg_names=None):
    shapes = []
    for i, a in enumerate(args):
        if isinstance(a, dict):
            shapes += [f"{k} {np.shape(v)}" for k, v in a.items()]
        else:
            shapes.append(f"{arg_names[i]} {np.shape(a)}" if arg_names else str(np.shape(a)))
    return ["The inputs had shapes: " + ", ".join(shapes) + "."]


def matching_hints(text, known):
    """The hints of `known`, a list of (words, hint), whose words occur in `text` (an error message)."""
    return [hint for words, hint in known if any(w in text for w in words)]


def error_hints(messages, known):
    """Extra hints when the reader's code raised one of numpy's shape errors: the first message says
    what was raised; `known` lists (words in that message, hint)."""
    first = messages[0] if messages else ""
    return matching_hints(first, known) if " raised " in first else []


def slider_checkers(title, verdict, doc):
    """The two functions of a slider exercise, built from ``verdict(*values) -> (passed, messages)``.

    check(...) prints the verdict under "`title`: target reached" (or "not yet") and returns a Verdict;
    feedback(...) gives it as a short HTML line, for ``slider_frames(..., feedback=feedback)``; both take
    the arguments of `verdict`, by position or by name.
    `doc` becomes the docstring of check.
    """
    def check(*values, **named):
        passed, messages = verdict(*values, **named)
        return report(f"{title}: " + ("target reached" if passed else "not yet"), messages, passed)

    def feedback(*values, **named):  # slider_frames passes the slider values by name
        return verdict_html(*verdict(*values, **named))

    check.__doc__ = doc
    feedback.__doc__ = (f"The verdict of `{verdict.__name__}` as a short HTML line, "
                        "for slider_frames(..., feedback=...).")
    return check, feedback


# --- answers that return arrays and a dict of parameter gradients (the backward-pass exercises) ---

PARAM_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def longest_length_verdict(T, target, here, margin):
    """(passed, messages) of a "longest length that still beats the baseline" slider.

    T: the chosen length; target: the right one (None when no length is `margin` above
    the baseline); here: a sentence on T's own numbers, which each message begins with.
    """
    bar = f"{100 * margin:.0f} points"
    if target is None:
        return False, [here + f"; in this sweep no length reaches {bar} above the baseline, "
                       "so there is no such T."]
    if T == target:
        return True, [here + f": at least {bar} above, and no longer T of the sweep is."]
    if T < target:
        return False, [here + f". A longer T of the sweep is still {bar} above: go further."]
    return False, [here + f", less than {bar} above: go back to shorter sequences."]


def grad_shape_message(name, got, letters, want, delta="dz"):
    """Why an array of the reader's has the wrong shape, with a hint for the gradient slips:
    a transposed weight gradient, a bias gradient not summed over the batch."""
    msg = f"{name} has shape {got}; expected {letters} = {want}."
    if name.startswith("grads['bias") and got == (1,) + want:
        msg += " Drop the batch axis: sum with keepdims=False (the default), or take row 0."
    elif name.startswith("grads['bias") and len(got) == 2:
        msg += f" Sum {delta} over the batch axis (axis 0): a bias is shared by every sequence of the batch."
    elif name.startswith("grads['weight") and got == want[::-1]:
        msg += f" It is transposed: a weight's gradient has the weight's shape, {delta}.T @ input."
    return msg


def unpack_with_grads(result, what, names, shapes, grad_shapes, count_hint=None, delta="dz"):
    """The reader's (array, ..., grads) as {name: float array}, or (None, message) saying what is wrong.

    names: the array outputs before grads; shapes: {name: (letters, shape)}; grad_shapes: the same for
    the keys of grads (PARAM_KEYS). count_hint(result) may add a hint when the number of items is wrong.
    """
    wanted = ", ".join(names) + ", grads"
    if result is None:
        return None, f"your {what} returned None. Did you forget `return {wanted}`?"
    if not isinstance(result, (tuple, list)):
        return None, f"your {what} returned a {type(result).__name__}; return the tuple ({wanted})."
    if len(result) != len(names) + 1:
        extra = count_hint(result) if count_hint else ""
        return None, (f"your {what} returned {len(result)} item(s); return {len(names) + 1}: ({wanted})."
                      + (f"\n{extra}" if extra else ""))
    *arrays, grads = result
    if not isinstance(grads, dict):
        return None, (f"grads, the last item, must be a dict keyed like params {list(PARAM_KEYS)}, "
                      f"got a {type(grads).__name__}.")
    missing = [k for k in PARAM_KEYS if k not in grads]
    if missing:
        return None, f"grads is missing the key(s) {missing}; use the keys of params: {list(PARAM_KEYS)}."
    items = list(zip(names, arrays)) + [(f"grads['{k}']", grads[k]) for k in PARAM_KEYS]
    letters = {**shapes, **{f"grads['{k}']": v for k, v in grad_shapes.items()}}
    got = {}
    for name, item in items:
        if item is None:
            return None, f"the {name} you returned is None."
        arr, problem = as_result_array(item, name)
        if problem:
            return None, problem.replace(f"{name} returned", f"the {name} you returned is")
        if arr.shape != letters[name][1]:
            return None, grad_shape_message(name, arr.shape, *letters[name], delta=delta)
        if not np.all(np.isfinite(arr)):
            return None, f"{name} contains NaN or infinity."
        got[name] = arr
    return got, None


def flatten_with_grads(names, result):
    """{name: array} of a correct (array, ..., grads) result, keyed as `unpack_with_grads` keys."""
    *arrays, grads = result
    return {**{n: np.asarray(a, dtype=np.float64) for n, a in zip(names, arrays)},
            **{f"grads['{k}']": np.asarray(grads[k], dtype=np.float64) for k in PARAM_KEYS}}


# --- the argument order of the cell exercises: x_t first, then h_prev ----------------------------------


def _parameter_names(fn):
    """The names of fn's first two positional parameters, or () when its signature does not say."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin or another callable without a signature
        return ()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in params if p.kind in kinds)[:2]


def old_order_message(fn, reference, cases, what, book_order, atol=1e-8):
    """The feedback for an answer written for the argument order (h_prev, x_t, ...), or None.

    Every case of `cases` is (x_t, h_prev, ...). Called with its first two arguments exchanged, such an
    answer matches `reference` on every case; so does one that takes (x_t, h_prev) and uses each for the
    other (concatenating [x_t, h_prev], say), the same function under other names. The names of fn's
    parameters tell the two apart: (h..., x...) is the old order. book_order: e.g. "x_t, h_prev, W_f, b_f".
    """
    for args in cases:
        result, error = call_safely(fn, args[1], args[0], *args[2:])
        if error:
            return None
        arr, problem = as_result_array(result, what)
        expected = reference(*args)
        if problem or arr.shape != expected.shape or not np.allclose(arr, expected, atol=atol, rtol=1e-6):
            return None
    names = [n.lower() for n in _parameter_names(fn)]
    if len(names) == 2 and names[0].startswith("h") and names[1].startswith("x"):
        first, second = _parameter_names(fn)
        return (f"The arguments are in the order ({first}, {second}, ...): the book uses\n"
                f"({book_order}), x_t first, as lstm_lib and torch do.\n"
                "Swap the first two parameters; the code inside is right.")
    if len(names) == 2 and names[0].startswith("x") and names[1].startswith("h"):
        return None  # the order is right; the usual hints say what is used in place of what
    return ("The values are right when x_t and h_prev trade places. The book's order is\n"
            f"({book_order}), x_t first.\n"
            "If your parameters are (h_prev, x_t, ...), swap them; if they are already\n"
            "(x_t, h_prev, ...), the concatenation is [h_prev, x_t], h first.")


def with_order_hint(fn, reference, cases, what, book_order, passed, messages, error_known):
    """The messages of a check that compare_to_reference made: when it failed, the old-order message
    (`old_order_message`) in place of the usual hints if it applies, else those hints and the ones for
    numpy's errors (error_known, a list of (words, hint) as `feedback.error_hints` takes)."""
    if passed:
        return messages
    order = old_order_message(fn, reference, cases, what, book_order)
    if order:
        return [messages[0], order]
    return messages + error_hints(messages, error_known)
