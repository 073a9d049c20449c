"""Checkers for the chapter "The cell state".

Two exercises: write the update of the belt, ``cell_update(f, c_prev, i, g)`` (`check_cell_update`), and
choose a forget and an input value that hold the cell at a level (`check_level`, with `level_feedback`
as the slider's verdict).
"""
import numpy as np

from lstm_book.experiments.cell_state import LEVEL_G, LEVEL_T, balance_level, level_response
from lstm_lib.gates import cell_update

from .feedback import compare_to_reference, error_hints, is_number, report, slider_checkers

# --- exercise 1: the cell update ----------------------------------------------------------------------

# (wrong version of the update, what that slip looks like in words); each takes (f, c_prev, i, g)
CELL_UPDATE_MISTAKES = [
    (lambda f, c, i, g: c + i * g,
     "The forget term is missing: c_prev is carried over whole. The forget gate must scale it: f * c_prev."),
    (lambda f, c, i, g: i * g,
     "Only the write i * g is left: the old memory f * c_prev is missing,\n"
     "so this cell forgets everything at every step."),
    (lambda f, c, i, g: f * c,
     "The write term i * g is missing: the cell keeps part of its memory but never stores anything new."),
    (lambda f, c, i, g: (f + c) + i * g,
     "f + c_prev adds the gate to the memory. A gate scales what passes through it:\n"
     "f * c_prev (the elementwise product, written * in numpy)."),
    (lambda f, c, i, g: f * c + (i + g),
     "i + g adds the gate to the candidate. The input gate scales the candidate: i * g."),
    (lambda f, c, i, g: f + c + i + g,
     "Both products became sums: each gate multiplies its vector elementwise, f * c_prev and i * g."),
    (lambda f, c, i, g: i * c + f * g,
     "The gates have swapped roles: the forget gate f scales the old memory c_prev,\n"
     "the input gate i scales the candidate g."),
    (lambda f, c, i, g: np.tanh(f * c + i * g),
     "There is no tanh on the belt: c_t = f * c_prev + i * g as it is.\n"
     "tanh is applied only when the cell is read out, h_t = o * tanh(c_t)."),
    (lambda f, c, i, g: f * c + (1 - f) * g,
     "(1 - f) * g ties the write to the forget gate (a variant with coupled gates);\n"
     "this cell has its own input gate: i * g."),
    (lambda f, c, i, g: (1 - f) * c + i * g,
     "(1 - f) * c_prev: the forget gate is the fraction KEPT, despite its name\n"
     "(1 keeps everything, 0 erases); the kept part is f * c_prev."),
    (lambda f, c, i, g: f * c + i * np.tanh(g),
     "tanh(g): the candidate g is given already squashed (g_t = tanh of its sum),\n"
     "so the write is i * g as it is, not i * tanh(g)."),
    (lambda f, c, i, g: f * c - i * g,
     "The write is subtracted: add it, f * c_prev + i * g."),
    (lambda f, c, i, g: f * (c + i * g),
     "f scales the new write too: the forget gate acts on the old memory only, f * c_prev + i * g."),
    (lambda f, c, i, g: f @ c + i @ g,
     "@ is the matrix product. The gates act elementwise (⊙): use *, so that unit j of c_t\n"
     "depends only on unit j of f, c_prev, i and g."),
]

# (words in numpy's error message, what that usually means here)
CELL_UPDATE_ERROR_HINTS = [
    (("matmul", "not aligned", "core dimension"),
     "A matrix product was attempted. ⊙ in c_t = f ⊙ c_{t-1} + i ⊙ g_t is elementwise:\n"
     "write f * c_prev + i * g; all four arrays have the same shape (B, H)."),
]


def _cell_cases():
    """(f, c_prev, i, g) for three (B, H); the last is square, so that @ runs and gives wrong values."""
    rng = np.random.default_rng(97)
    cases = []
    for B, H in [(2, 3), (1, 5), (3, 3)]:
        f, i = rng.uniform(0.05, 0.95, size=(2, B, H))
        cases.append((f, 2.0 * rng.normal(size=(B, H)), i, rng.uniform(-1, 1, size=(B, H))))
    return cases


def check_cell_update(fn):
    """Check a reader's ``cell_update(f, c_prev, i, g) -> c_t`` against `lstm_lib.gates.cell_update`."""
    passed, messages = compare_to_reference(fn, cell_update, _cell_cases(), CELL_UPDATE_MISTAKES,
                                            what="your cell_update", expected_letters="(B, H)",
                                            arg_names=("f", "c_prev", "i", "g"))
    messages += error_hints(messages, CELL_UPDATE_ERROR_HINTS)
    return report("cell_update: " + ("correct" if passed else "not yet"), messages, passed)


# --- exercise 2 (sliders): hold the cell at a level ----------------------------------------------------
# One unit, c_0 = 0, the same candidate g = 0.5 and the same gate values f and i at every step (the run,
# `level_response`, is in lstm_book.experiments.cell_state). Target: the cell settles at a level, c_t within
# [0.9, 1.1] for every step t from 80 to 100.

LEVEL_BAND = (0.9, 1.1)
LEVEL_FROM = 80  # the band must hold from this step to LEVEL_T
LEVEL_SLIDERS = {"f": [0.5, 0.9, 0.95, 0.99, 1.0], "i": [0.0, 0.02, 0.05, 0.1, 0.2, 1.0]}


def _as_gate(name, value):
    if not is_number(value) or not np.isfinite(value):
        return None, f"{name} should be a number between 0 and 1, got {value!r}."
    if not 0 <= value <= 1:
        return None, f"{name} is a gate value: it lies between 0 and 1, got {value!r}."
    return float(value), None


def level_verdict(f, i):
    """(passed, messages): with gates f and i and candidate 0.5 from c_0 = 0, does c_t stay in [0.9, 1.1]
    at every step from 80 to 100?"""
    values = {}
    for name, value in (("f", f), ("i", i)):
        values[name], problem = _as_gate(name, value)
        if problem:
            return False, [problem]
    f, i = values["f"], values["i"]
    c = level_response(f, i)
    lo, hi = LEVEL_BAND
    window = c[LEVEL_FROM:]
    where = f"c_{LEVEL_FROM} = {c[LEVEL_FROM]:.3f}, c_{LEVEL_T} = {c[LEVEL_T]:.3f}"
    if np.all((window >= lo) & (window <= hi)):
        return True, [f"Holds the level: {where}, and every c_t between them lies in [{lo}, {hi}].\n"
                      f"Forgetting and writing balance at c* = i g / (1 - f) = {balance_level(f, i):.3f}."]
    if i == 0:
        return False, ["Nothing is written (i = 0), so the belt stays at c = 0. Open the input gate."]
    if f == 1:
        return False, [f"{where}. With f = 1 nothing is forgotten: the cell climbs by i g = {i * LEVEL_G:g}\n"
                       "at every step and never settles. A level needs f < 1."]
    star = balance_level(f, i)
    if star > hi:
        return False, [f"{where}. The cell heads for c* = i g / (1 - f) = {star:.3f}, above {hi}:\n"
                       "lower i (or f)."]
    if star < lo:
        return False, [f"{where}. The cell heads for c* = i g / (1 - f) = {star:.3f}, below {lo}:\n"
                       "raise i (or f)."]
    return False, [f"{where}. The balance level c* = {star:.3f} is right, but the cell approaches it slowly:\n"
                   f"at step {LEVEL_FROM}, a fraction f^{LEVEL_FROM} = {f ** LEVEL_FROM:.3f} "
                   "of the way is still left.\n"
                   "Lower f, and raise i to keep c* in the band."]


check_level, level_feedback = slider_checkers(
    "level", level_verdict,
    "Print whether the gate values f and i hold the cell at a level in [0.9, 1.1]; return the Verdict.")
