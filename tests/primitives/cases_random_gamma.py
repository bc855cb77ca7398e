"""Cases for random_gamma_p (primitives/random_gamma.py), checked against a per-element reference:
JAX's Marsaglia-Tsang loop written element by element with nablax.random's split, normal and
uniform (so the vectorised rejection rounds are checked against the plain loops).

The JVP columns are off (order 0): the derivative is the implicit reparameterisation
gradient, not the pathwise derivative of the sampling loop that finite differences of a
fixed key's draw would measure; tests/test_random_gamma.py checks it against the inverse CDF.
"""
import math

import numpy as np

import nablax
from nablax._src.primitives.random_gamma import random_gamma_p

from .case import Case

R = nablax.random


def _gamma_one(key, a: float, log_space: bool) -> float:
    """One Gamma(a) draw (or its log) from uint32[2] key data, as JAX's _gamma_one (float64)."""
    boost = a >= 1
    d = (a if boost else a + 1) - 1 / 3
    c = (1 / 3) / math.sqrt(d)
    key, sub = R.split(key)
    while True:
        key, kx, ku = R.split(key, 3)
        while True:
            kx, s = R.split(kx)
            x = float(R.normal(s, dtype=np.float64))
            v = 1 + x * c
            if v > 0:
                break
        X, V, U = x * x, v ** 3, float(R.uniform(ku, dtype=np.float64))
        if not (U >= 1 - 0.0331 * X * X and math.log(U) >= X / 2 + d * (1 - V + math.log(V))):
            break
    if log_space:
        log_u = math.log1p(-float(R.uniform(sub, dtype=np.float64)))
        return math.log(d) + math.log(V) + (0.0 if boost or log_u == 0 else log_u / a)
    return d * V * (1.0 if boost else (1 - float(R.uniform(sub, dtype=np.float64))) ** (1 / a))


def reference(key, a, log_space):
    """Each key split into one key per remaining element of a, each element its own loop."""
    key, a = np.asarray(key), np.asarray(a)
    kdim = key.ndim - 1
    out = np.empty(a.shape)
    for idx in np.ndindex(*key.shape[:-1]):
        subkeys = R.split(key[idx], math.prod(a.shape[kdim:]))
        flat = a[idx].reshape(-1)
        out[idx] = np.array([_gamma_one(subkeys[i], float(flat[i]), log_space)
                             for i in range(flat.size)]).reshape(a.shape[kdim:])
    return out


_KEY = np.array([0, 42], np.uint32)
_A = np.array([0.3, 1.0, 2.5, 7.0])
_KEYS = np.array([[1, 2], [3, 4]], np.uint32)

CASES = [
    Case(random_gamma_p, (_KEY, _A), {"log_space": False}, reference=reference, name="gamma", order=0),
    Case(random_gamma_p, (_KEY, _A), {"log_space": True}, reference=reference, name="loggamma", order=0),
    Case(random_gamma_p, (_KEYS, np.array([[0.5, 3.0, 1.5], [2.0, 0.1, 9.0]])), {"log_space": False},
         reference=reference, name="keys", order=0),
]

BAD_CASES = [
    Case(random_gamma_p, (np.ones(2), _A), {"log_space": False}, name="float_key"),
    Case(random_gamma_p, (_KEY, np.ones(3, np.int32)), {"log_space": False}, name="int_alpha"),
    Case(random_gamma_p, (_KEYS, np.ones(3)), {"log_space": False}, name="key_shape"),
]
