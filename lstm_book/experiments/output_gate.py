"""The experiments of the chapter "The output gate and the hidden state".

`new_cell` is the previous chapter's cell update, given to the reader: the chapter's worked
example computes c_t with it, and the exercise "Write the output step" builds h_t on it.
"""
from lstm_lib.gates import candidate, cell_update, concat_hx, gate


def new_cell(x_t, h_prev, c_prev, weights):
    """c_t = f_t * c_prev + i_t * g_t, every layer reading [h_prev, x_t]: (B, H).

    x_t (B, D), h_prev (B, H), c_prev (B, H), in lstm_lib's order; weights: the per-gate form, W_k (H + D, H) and
    b_k (H,) for k in i, f, g, o (W_o and b_o are not used).
    """
    hx = concat_hx(h_prev, x_t)  # (B, H + D)
    f = gate(hx, weights["W_f"], weights["b_f"])
    i = gate(hx, weights["W_i"], weights["b_i"])
    g = candidate(hx, weights["W_g"], weights["b_g"])
    return cell_update(f, c_prev, i, g)
