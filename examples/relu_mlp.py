"""The ReLU multilayer perceptron that maml_sinusoid.py, mnist_like_dp_sgd.py and data_parallel_mlp.py train.

Parameters are a list of (W, b) float32 pairs, one per layer; the scripts import this
module from their own folder (`python examples/NAME.py` puts it on the path).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

import nablax.numpy as jnp


def init(rng: np.random.Generator, sizes: Sequence[int], weight_std: Callable[[int], float]) -> list:
    """(W, b) for each pair of consecutive sizes: W normal with std `weight_std(fan_in)`, b zero."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(size=(n_in, n_out)) * weight_std(n_in)
        params.append((jnp.asarray(W, dtype=jnp.float32), jnp.zeros(n_out, dtype=jnp.float32)))
    return params


def apply(params: list, x):
    """ReLU hidden layers, then a linear output layer."""
    *hidden, (W_out, b_out) = params
    h = x
    for W, b in hidden:
        h = jnp.maximum(h @ W + b, 0.0)
    return h @ W_out + b_out
