"""An embedding layer: integer word ids -> rows of a learned table, and its backward
pass, a scatter-add into that table.

Chapter "Sentiment and negation". With a table W of shape (V, E), one row per word of a
vocabulary of V words, the embedding of the ids (T, B) is W[ids], shape (T, B, E), as
``torch.nn.Embedding`` computes it. Its gradient with respect to W adds the gradient at
every position to the row of the word found there; a word that occurs n times receives
the sum of n gradients (``np.add.at``: ``dW[ids] += dout`` would count it once).
"""
import numbers

import numpy as np

from .validation import as_float_array, check_cache, check_int, check_ndim, check_rng


def init_embedding(num_embeddings, embedding_dim, rng):
    """Draw the table W (V, E) from the standard normal, as torch.nn.Embedding does,
    float64.

    >>> init_embedding(5, 3, np.random.default_rng(0)).shape
    (5, 3)
    """
    check_int("num_embeddings", num_embeddings, 1)
    check_int("embedding_dim", embedding_dim, 1)
    check_rng(rng)
    return rng.normal(size=(num_embeddings, embedding_dim))


def check_ids(ids, num_embeddings):
    """`ids` as an int array (T, B), or a ValueError unless it holds whole numbers in
    [0, V - 1], V = `num_embeddings` the rows of the table.

    >>> check_ids([[0, 4]], 5)
    array([[0, 4]])
    >>> check_ids([[0, 5]], 5)
    Traceback (most recent call last):
    ...
    ValueError: ids must lie in [0, V - 1] = [0, 4] (V = 5 rows of the table), got \
values in [0, 5]
    """
    arr = np.asarray(ids)
    if arr.dtype.kind not in "iu" or arr.dtype == bool:
        whole = arr.dtype.kind == "O" and all(
            isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
            for v in arr.ravel().tolist())
        if not whole:
            raise ValueError("ids must hold integer word ids (int), "
                             f"got dtype {arr.dtype}")
        arr = arr.astype(np.int64)
    check_ndim("ids", arr, 2, "(T, B)")
    if arr.size and (arr.min() < 0 or arr.max() >= num_embeddings):
        raise ValueError(f"ids must lie in [0, V - 1] = [0, {num_embeddings - 1}] "
                         f"(V = {num_embeddings} rows of the table), got values in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr


def embedding_forward(ids, weight):
    """The rows of `weight` named by `ids`: x[t, b] = weight[ids[t, b]].

    Inputs:
        ids: (T, B) integer word ids in [0, V - 1];
        weight: (V, E) the table, one row per word
    Returns:
        x: (T, B, E); cache: for `embedding_backward`

    >>> weight = np.arange(6.0).reshape(3, 2)  # (V, E) = (3, 2)
    >>> x, cache = embedding_forward(np.array([[2], [0]]), weight)  # (T, B) = (2, 1)
    >>> x[:, 0]
    array([[4., 5.],
           [0., 1.]])
    """
    weight = check_ndim("weight", as_float_array("weight", weight), 2, "(V, E)")
    ids = check_ids(ids, weight.shape[0])
    cache = {"made_by": "embedding_forward", "ids": ids, "shape": weight.shape,
             "dtype": weight.dtype}
    return weight[ids], cache


def embedding_backward(dx, cache):
    """The gradient of the table: dW[v] = the sum of dx[t, b] over every position where
    ids[t, b] = v (a scatter-add; rows of words that do not occur stay zero).

    Inputs:
        dx: (T, B, E) the gradient at the embeddings; cache: from `embedding_forward`
    Returns:
        dweight: (V, E)

    >>> weight = np.zeros((3, 2))
    >>> x, cache = embedding_forward(np.array([[1, 1], [0, 1]]), weight)
    >>> embedding_backward(np.ones((2, 2, 2)), cache)  # word 1 occurs three times
    array([[1., 1.],
           [3., 3.],
           [0., 0.]])
    """
    cache = check_cache(cache, "embedding_forward", "embedding_backward")
    ids, (V, E) = cache["ids"], cache["shape"]
    dx = as_float_array("dx", dx)
    want = ids.shape + (E,)
    if dx.shape != want:
        raise ValueError(f"dx must have shape (T, B, E) = {want}, got {dx.shape}")
    dweight = np.zeros((V, E), dtype=cache["dtype"])
    np.add.at(dweight, ids.ravel(), dx.reshape(-1, E))  # repeated ids add up
    return dweight
