"""Helpers the chapters call: one set-up line per notebook, and the library's real source shown in the text."""
import inspect
import random

import matplotlib as mpl
import numpy as np
from IPython.display import Markdown, display


def setup_notebook(seed=0):
    """Seed every generator, use one thread (float sums depend on it) and set the figure style.

    Returns ``numpy.random.default_rng(seed)``, the generator a chapter passes to the library.
    """
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    mpl.rcParams.update({"figure.figsize": (6.4, 3.6), "figure.dpi": 100, "axes.grid": True,
                         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
                         "savefig.bbox": "tight"})
    return np.random.default_rng(seed)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x, digits=0):
    """A number for the prose in scientific notation: sci(4e-06) -> '4 × 10⁻⁶', sci(2.1e-06, 1) -> '2.1 × 10⁻⁶'."""
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    return f"{mantissa} × 10" + str(int(exponent)).translate(SUPERSCRIPT)


def show_source(obj):
    """Display the source of a library function or module as a code block headed by its file and lines.

    The book shows the code the tests run, so the text and the library cannot drift apart.
    """
    lines, start = inspect.getsourcelines(obj)
    path = inspect.getsourcefile(obj).replace("\\", "/")
    path = path[path.rindex("lstm_lib/"):]
    where = f"`{path}`" if inspect.ismodule(obj) else f"`{path}`, lines {start}–{start + len(lines) - 1}"
    code = "".join(lines).rstrip()
    display(_Source(f"{where}\n\n```python\n{code}\n```", plain=f"{where}\n\n{code}"))


class _Source(Markdown):
    """Markdown for the page, and the same code as plain text, which nbval compares: a chapter whose
    shown source has changed in the library fails its test until it is re-executed."""

    def __init__(self, data, plain):
        super().__init__(data)
        self._plain = plain

    def __repr__(self):
        return self._plain
