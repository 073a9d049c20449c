"""The experiments of the chapter "Backpropagation through time": the step of a finite difference.

`rnn_gradcheck_error(eps)` repeats the chapter's gradient check of `lstm_lib.rnn.rnn_backward` on a
fixed small RNN with the step `eps`; the chapter sweeps it for its V-shaped plot and its slider, and
the checker `lstm_book.exercises.bptt` judges the reader's step with it.
"""
import numpy as np

from lstm_lib.gradcheck import gradcheck
from lstm_lib.rnn import init_rnn_params, rnn_backward, rnn_forward
from lstm_lib.validation import check_number


def rnn_gradcheck_error(eps):
    """Largest relative error of a central-difference check with step `eps` on a fixed
    small RNN.

    The RNN: float64, T=4, B=2, D=3, H=5, seed 0. The loss L = sum(dh * h), so that
    dL/dh = dh. The largest error over the gradients of x, h0 and the four parameters
    is returned.
    """
    eps = check_number("eps", eps, 0.0, 1.0, positive=True)
    rng = np.random.default_rng(0)
    params = init_rnn_params(3, 5, rng)
    x, h0 = rng.normal(size=(4, 2, 3)), 0.5 * rng.normal(size=(2, 5))
    dh = rng.normal(size=(4, 2, 5))
    dx, dh0, grads = rnn_backward(dh, rnn_forward(x, h0, params)[1])

    def loss():
        return float(np.sum(dh * rnn_forward(x, h0, params)[0]))

    errors = gradcheck(loss, {"x": x, "h0": h0, **params},
                       {"x": dx, "h0": dh0, **grads}, eps=eps)
    return max(errors.values())
