"""The experiments of the chapter "The input gate, the candidate and the cell update".

The slider exercise "Overwrite the cell": one unit holds c_{t-1} = 0.6 from earlier steps, and a
single update c_t = f c_{t-1} + i g, with gate values f, i in [0, 1] and a candidate g in [-1, 1],
should bring it to -0.3 (within 0.05).
"""

OVERWRITE = {"c_prev": 0.6, "target": -0.3, "tol": 0.05}


def overwrite_cell(f, i, g):
    """(kept, written, c_t) of the overwrite exercise: f c_{t-1}, i g and their sum, c_{t-1} = OVERWRITE["c_prev"]."""
    kept, written = f * OVERWRITE["c_prev"], i * g
    return kept, written, kept + written
