"""The experiments of the chapter "The cell state".

The slider exercise "Hold a level" runs one unit from c_0 = 0 for `LEVEL_T` steps, with constant
gate values f and i and the constant candidate g = `LEVEL_G`; with f < 1 the cell heads for the
level where forgetting and writing cancel.
"""
import numpy as np

from lstm_lib.memory import cell_response

LEVEL_T = 100  # steps of the exercise's run
LEVEL_G = 0.5  # the candidate, the same at every step


def level_response(f, i, c0=0.0, g=LEVEL_G, steps=LEVEL_T):
    """c_0 ... c_steps of one unit whose gates stay at f and i and whose candidate stays at g: (steps + 1,).

    `lstm_lib.memory.cell_response` with this exercise's defaults (c_0 = 0, g = 0.5, 100 steps).
    """
    return cell_response(f, i, g, c0, steps)


def balance_level(f, i, g=LEVEL_G):
    """The level c* = i g / (1 - f) where forgetting (1 - f) c* and writing i g cancel; inf for f = 1."""
    return np.inf if f == 1 else i * g / (1 - f)
