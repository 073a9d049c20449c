"""Helpers the chapters call: one set-up line per notebook, and the library's real source shown in the text."""
import inspect
import os
import random

import matplotlib as mpl
import numpy as np
from IPython.display import Markdown, display


def setup_notebook(seed=0):
    """Seed every generator, use one thread (float sums depend on it) and set the figure style.

    Figures shown in a notebook (``plt.show()``, glued figures) are drawn at twice the size they
    are shown at, so they are sharp on high-density screens (`lstm_book.widgets.inline_png`).
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
    _sharp_inline_figures()
    return np.random.default_rng(seed)


def _sharp_inline_figures():
    """In IPython, show every matplotlib figure as a 2x PNG with its display width (`inline_png`)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    # Importing the inline backend configures IPython's figure formatters now (pyplot does it
    # lazily, at the first figure, and would replace the formatter registered below).
    import matplotlib_inline.backend_inline  # noqa: F401
    from matplotlib.figure import Figure

    from lstm_book.widgets import inline_png

    shell.display_formatter.formatters["image/png"].for_type(Figure, inline_png)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x, digits=0):
    """A number for the prose in scientific notation: sci(4e-06) -> '4 × 10⁻⁶', sci(2.1e-06, 1) -> '2.1 × 10⁻⁶'."""
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    return f"{mantissa} × 10" + str(int(exponent)).translate(SUPERSCRIPT)


def show_source(obj):
    """Display the source of a public library function, class or module, headed by its file.

    The book shows the code the tests run, so the text and the library cannot drift apart. The header
    names the file, not line numbers: moving a function within its module changes nothing on the page.
    A private object (a name starting with "_") is refused: the book shows only the public library.
    """
    name = getattr(obj, "__name__", "")
    if name.rsplit(".", 1)[-1].startswith("_"):
        raise ValueError(f"show_source shows public code only; {name!r} is private")
    lines, _ = inspect.getsourcelines(obj)
    path = inspect.getsourcefile(obj).replace("\\", "/")
    package = max(path.rfind("lstm_lib/"), path.rfind("lstm_book/"))
    path = path[package:]
    where = f"`{path}`" if inspect.ismodule(obj) else f"`{path}`: `{obj.__qualname__}`"
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


QUIET_VARIABLE = "LSTM_BOOK_QUIET"


def progress(n_updates, description="training"):
    """A callback for `lstm_lib.train.train_last_step` that shows a progress bar with the
    latest loss: callback(n, loss, params, readout, grad_norm) -> None.

    tqdm draws the bar (a widget in Jupyter, text in a terminal). When the environment
    variable LSTM_BOOK_QUIET is set, as `make test`, `make execute` and the tests do,
    it draws nothing: a stored page and nbval's comparison never see a bar.
    """
    if os.environ.get(QUIET_VARIABLE):
        return lambda n, loss, *weights_and_norm: None
    from tqdm.auto import tqdm

    bar = tqdm(total=n_updates, desc=description, unit="update")

    def update(n, loss, *weights_and_norm):
        bar.update(n - bar.n)
        if n % 10 == 0 or n == n_updates:
            bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        if n >= n_updates:
            bar.close()

    return update
